import type { DataSource } from 'typeorm';
import { testDatabaseKind } from './database.js';

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

/** What a database's own EXPLAIN says of one statement. */
export interface QueryPlan {
  /** Whether the plan reads through this index (named as in the migrations). */
  usesIndex(name: string): boolean;
  /** Whether it sorts rows (SQLite's temporary B-tree, PostgreSQL's Sort nodes). */
  sorts: boolean;
  /** The plan, for a failure message. */
  summary: string;
}

/**
 * EXPLAIN on the test database: SQLite's `EXPLAIN QUERY PLAN`, or PostgreSQL's JSON plan with
 * sequential scans (and, for `forbidSort`, sorts) switched off inside a rolled-back transaction:
 * tiny test tables would rather be scanned and sorted, so the plan shows whether an index *can*
 * serve the statement (with sorting off, a needed Sort still appears).
 */
export async function explain(
  dataSource: DataSource,
  sql: string,
  parameters: unknown[],
  { forbidSort = false }: { forbidSort?: boolean } = {},
): Promise<QueryPlan> {
  if (testDatabaseKind() === 'sqlite') {
    const rows = await dataSource.query<{ detail: string }[]>(
      `EXPLAIN QUERY PLAN ${sql}`,
      parameters,
    );
    const details = rows.map((row) => row.detail);
    return {
      usesIndex: (name) => details.some((detail) => detail.includes(name)),
      sorts: details.some((detail) => detail.includes('TEMP B-TREE')),
      summary: details.join(' | '),
    };
  }
  const runner = dataSource.createQueryRunner();
  try {
    await runner.startTransaction();
    await runner.query('SET LOCAL enable_seqscan = off');
    if (forbidSort) await runner.query('SET LOCAL enable_sort = off');
    const [
      {
        'QUERY PLAN': [{ Plan: plan }],
      },
    ] = (await runner.query(`EXPLAIN (FORMAT JSON) ${sql}`, parameters)) as {
      'QUERY PLAN': { Plan: PlanNode }[];
    }[];
    const nodes: PlanNode[] = [];
    const walk = (node: PlanNode) => {
      nodes.push(node);
      node.Plans?.forEach(walk);
    };
    walk(plan);
    return {
      usesIndex: (name) =>
        nodes.some(
          (node) => node['Index Name']?.toLowerCase() === name.toLowerCase(),
        ),
      sorts: nodes.some((node) => /Sort/.test(node['Node Type'])),
      summary: JSON.stringify(plan),
    };
  } finally {
    await runner.rollbackTransaction();
    await runner.release();
  }
}

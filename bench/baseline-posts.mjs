// The `/posts` baseline of `npm run bench`: a bare node:http server answering `GET /posts` from
// Warden's own SQLite file (read-only) with better-sqlite3 prepared statements: the same page
// (20 newest, the author's public fields joined), the same JSON, the same X-Total-Count. What is
// left between it and Warden is the framework, validation and the query layer.
import Database from 'better-sqlite3';
import { createServer } from 'node:http';

const db = new Database(process.env.BASELINE_DATABASE, {
  readonly: true,
  fileMustExist: true,
});
const page = db.prepare(
  `SELECT p.id, p.authorId, p.title, p.content, p.createdAt, p.updatedAt,
          a.username AS authorUsername, a.fullName AS authorFullName
     FROM posts p INNER JOIN users a ON a.id = p.authorId
    ORDER BY p.createdAt DESC, p.id DESC LIMIT ? OFFSET ?`,
);
const count = db.prepare('SELECT COUNT(*) AS total FROM posts').pluck();
const iso = (stamp) => new Date(`${stamp.replace(' ', 'T')}Z`).toISOString();

createServer((request, response) => {
  if (request.method === 'GET' && request.url === '/posts') {
    const rows = page.all(20, 0).map((row) => ({
      id: row.id,
      title: row.title,
      content: row.content,
      author: {
        id: row.authorId,
        username: row.authorUsername,
        fullName: row.authorFullName,
      },
      createdAt: iso(row.createdAt),
      updatedAt: iso(row.updatedAt),
    }));
    response.writeHead(200, {
      'content-type': 'application/json; charset=utf-8',
      'x-total-count': String(count.get()),
    });
    response.end(JSON.stringify(rows));
    return;
  }
  response.writeHead(404).end();
}).listen(Number(process.env.PORT), '127.0.0.1');

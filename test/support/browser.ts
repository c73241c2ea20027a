import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's Chromium (`apt-get install -y chromium`), or CHROMIUM_PATH. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Whether the browser tests can run; says so once per file when they cannot. */
export function chromiumAvailable(suite: string): boolean {
  const available = existsSync(CHROMIUM);
  if (!available) {
    console.warn(
      `[warden] ${suite} browser test SKIPPED: no Chromium at ${CHROMIUM} (apt-get install -y chromium)`,
    );
  }
  return available;
}

/** Headless Chromium with what a container needs and nothing that phones home. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
}

/**
 * A relying party's side of a browser test: a loopback server (RFC 8252 §7.3) that answers any
 * path with a small page and records where browsers land, so the browser really follows
 * Warden's redirects, under Warden's CSP, to another origin.
 */
export interface ClientApp {
  origin: string;
  /** The next URL a browser landed on at the app, once `page` has loaded it. */
  arrivedAt(page: Page): Promise<URL>;
  close(): Promise<void>;
}

export async function startClientApp(): Promise<ClientApp> {
  const arrivals: URL[] = [];
  let wake: (() => void) | undefined;
  let origin = '';
  const server: Server = createServer((request, response) => {
    // Chromium asks for /favicon.ico too: only the pages the flow leads to count.
    if (request.url !== '/favicon.ico') {
      arrivals.push(new URL(request.url ?? '/', origin));
      wake?.();
    }
    response.writeHead(200, { 'content-type': 'text/html' });
    response.end('<!doctype html><title>back</title><p>back</p>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    async arrivedAt(page) {
      while (arrivals.length === 0)
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      await page.waitForURL(`${origin}/**`);
      return arrivals.shift() as URL;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const AXE = readFileSync(
  createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
  'utf8',
);

interface AxeResults {
  violations: { id: string; help: string; nodes: unknown[] }[];
}

/**
 * What axe-core finds wrong with the page, each as `<name>: <rule> (<help>)`. It runs through
 * DevTools, which the page's CSP does not govern.
 */
export async function accessibilityViolations(
  page: Page,
  name: string,
): Promise<string[]> {
  await page.evaluate(AXE);
  const results = await page.evaluate(() =>
    (window as unknown as { axe: { run(): Promise<AxeResults> } }).axe.run(),
  );
  return results.violations.map(
    (violation) => `${name}: ${violation.id} (${violation.help})`,
  );
}

import { createHash, randomBytes } from 'node:crypto';
import request, { type Response } from 'supertest';
import type { TestApp } from './test-app.js';

/** A form on a hosted page: where it posts and its hidden fields. */
export interface PageForm {
  action: string;
  fields: Record<string, string>;
}

const decodeEntities = (text: string): string =>
  text.replace(/&#(\d+);/g, (_, code: string) =>
    String.fromCodePoint(Number(code)),
  );

/** The forms of a hosted page, with their hidden inputs (the pages write attributes in one order). */
export function formsOf(html: string): PageForm[] {
  const forms: PageForm[] = [];
  for (const match of html.matchAll(
    /<form method="post" action="([^"]+)"[^>]*>(.*?)<\/form>/gs,
  )) {
    const fields: Record<string, string> = {};
    for (const input of match[2].matchAll(
      /<input type="hidden" name="([^"]+)" value="([^"]*)">/g,
    ))
      fields[input[1]] = decodeEntities(input[2]);
    forms.push({ action: decodeEntities(match[1]), fields });
  }
  return forms;
}

/** The links of a hosted page: each one's text, and its href with entities decoded. */
export function linksOf(html: string): Map<string, string> {
  const links = new Map<string, string>();
  for (const match of html.matchAll(/<a href="([^"]*)">([^<]*)<\/a>/g))
    links.set(decodeEntities(match[2]), decodeEntities(match[1]));
  return links;
}

/**
 * A browser at the HTTP level for the authorization endpoint's protocol tests: it keeps cookies
 * (by name, as one origin would) and follows nothing on its own, so each redirect can be looked
 * at. The browser suites drive real Chromium through the same pages.
 */
export class BrowserAgent {
  readonly cookies = new Map<string, string>();

  constructor(
    private readonly t: TestApp,
    /** Sent with every request (an `X-Forwarded-For` to stand for another address). */
    private readonly headers: Record<string, string> = {},
  ) {}

  async get(path: string): Promise<Response> {
    return this.keep(
      await request(this.t.server)
        .get(path)
        .set(this.headers)
        .set(this.cookieHeader()),
    );
  }

  async post(path: string, form: Record<string, string>): Promise<Response> {
    return this.keep(
      await request(this.t.server)
        .post(path)
        .type('form')
        .set(this.headers)
        .set(this.cookieHeader())
        .send(form),
    );
  }

  /** Submits the page's only form (or the one posting to `action`) with these fields added. */
  async submit(
    page: Response,
    fields: Record<string, string>,
    action?: string,
  ): Promise<Response> {
    const forms = formsOf(page.text);
    const form = action
      ? forms.find((candidate) => candidate.action === action)
      : forms[0];
    if (!form)
      throw new Error(
        `no form${action ? ` for ${action}` : ''} on the page:\n${page.text}`,
      );
    return this.post(form.action, { ...form.fields, ...fields });
  }

  /** Follows 303s and 302s to Warden's own pages; stops at a page or a redirect elsewhere. */
  async follow(response: Response): Promise<Response> {
    let current = response;
    while (
      (current.status === 302 || current.status === 303) &&
      current.headers.location.startsWith('/')
    )
      current = await this.get(current.headers.location);
    return current;
  }

  private cookieHeader(): Record<string, string> {
    return this.cookies.size === 0
      ? {}
      : {
          Cookie: [...this.cookies]
            .map(([name, value]) => `${name}=${value}`)
            .join('; '),
        };
  }

  private keep(response: Response): Response {
    const setCookie = response.headers['set-cookie'] as unknown as
      string[] | undefined;
    for (const cookie of setCookie ?? []) {
      const [pair] = cookie.split(';');
      const index = pair.indexOf('=');
      const name = pair.slice(0, index);
      const value = pair.slice(index + 1);
      if (value === '' || /max-age=0/i.test(cookie)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return response;
  }
}

/** A PKCE pair (RFC 7636): a random verifier and its S256 challenge. */
export function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return {
    verifier,
    challenge: createHash('sha256').update(verifier).digest('base64url'),
  };
}

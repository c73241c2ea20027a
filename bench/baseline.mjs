// The baseline of `npm run bench`: a bare node:http server doing the same work as Warden's hot
// path and login, with nothing else: verify an HS256 token with jsonwebtoken (key as a
// KeyObject) and return the same user JSON; verify an argon2id hash with the same settings and
// sign a token for a login.
import { createSecretKey } from 'node:crypto';
import { createServer } from 'node:http';
import * as argon2 from 'argon2';
import jwt from 'jsonwebtoken';

const key = createSecretKey(Buffer.from(process.env.JWT_SECRET, 'utf8'));
const user = JSON.parse(process.env.BASELINE_USER);
const body = JSON.stringify(user);
const hash = await argon2.hash(process.env.BASELINE_PASSWORD, {
  type: argon2.argon2id,
  memoryCost: 19456,
  timeCost: 2,
  parallelism: 1,
});
// Warden's issuer is its PUBLIC_URL: the bench passes it.
const issuer = process.env.BASELINE_ISSUER;
const verifyOptions = {
  algorithms: ['HS256'],
  issuer,
  audience: 'warden-api',
};

createServer((request, response) => {
  if (request.method === 'GET' && request.url === '/users/me') {
    const match = /^Bearer (.+)$/i.exec(request.headers.authorization ?? '');
    try {
      const claims = jwt.verify(match?.[1] ?? '', key, verifyOptions);
      if (claims.sub !== user.id) throw new Error('sub');
      response
        .writeHead(200, { 'content-type': 'application/json; charset=utf-8' })
        .end(body);
    } catch {
      response.writeHead(401).end();
    }
    return;
  }
  if (request.method === 'POST' && request.url === '/token') {
    let data = '';
    request.on('data', (chunk) => (data += chunk));
    request.on('end', async () => {
      const form = new URLSearchParams(data);
      const ok = await argon2.verify(hash, form.get('password') ?? '');
      if (!ok) return response.writeHead(400).end('{"error":"invalid_grant"}');
      const token = jwt.sign({ sub: user.id, scope: 'profile' }, key, {
        algorithm: 'HS256',
        expiresIn: 900,
        issuer,
        audience: 'warden-api',
      });
      response
        .writeHead(200, {
          'content-type': 'application/json; charset=utf-8',
          'cache-control': 'no-store',
        })
        .end(
          JSON.stringify({
            access_token: token,
            token_type: 'bearer',
            expires_in: 900,
          }),
        );
    });
    return;
  }
  response.writeHead(404).end();
}).listen(Number(process.env.PORT), '127.0.0.1', () => process.send?.('ready'));

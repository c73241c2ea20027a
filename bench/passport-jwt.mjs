// `npm run bench:passport-jwt`: what `GET /users/me` costs in CPU per request with passport-jwt's
// own pipeline, against Warden's JwtStrategy, in one process and one run (docs/decisions.md,
// "The strategies"). The application is built in-process (dist/app.setup.js) on a scratch SQLite
// file; rounds alternate between the two pipelines by swapping the strategy passport knows as
// `jwt` (what JwtAuthGuard asks for at request time), and report process CPU (user + system)
// per request through Fastify's inject, medians of the rounds. The variant does what Warden's
// strategy does with a token (Warden's claim rules, account, session, scopes), through the same
// services; the one difference is that Warden's remembers a token it has verified.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import passport from 'passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { BENCH_SECRET, PASSWORD, ROOT, build, oidcKeyFile } from './lib.mjs';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 3000);

if (process.env.BENCH_SKIP_BUILD !== '1') build();

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

async function measure(algorithm) {
  const dir = mkdtempSync(join(tmpdir(), 'warden-passport-jwt-'));
  Object.assign(process.env, {
    NODE_ENV: 'development',
    LOG_LEVEL: 'error',
    JWT_SECRET: BENCH_SECRET,
    MFA_ENCRYPTION_KEY:
      '5d2a8f1c93e47b06a1f85c3d29e6b7040c8f5a1e63d92b7f48a0c6e15d3b9f27',
    DATABASE_URL: `sqlite:${join(dir, 'bench.sqlite')}`,
    MAIL_OUTBOX_DIR: join(dir, 'outbox'),
    EMAIL_VERIFICATION: 'off',
    RATE_LIMIT: '100000000',
    AUTH_RATE_LIMIT: '100000000',
    JWT_ALGORITHM: algorithm,
    OIDC_SIGNING_KEY_FILE: oidcKeyFile(dir),
  });
  if (algorithm !== 'HS256') {
    const { privateKey } =
      algorithm === 'ES256'
        ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
        : generateKeyPairSync('rsa', { modulusLength: 2048 });
    const file = join(dir, 'key.pem');
    writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }));
    process.env.JWT_PRIVATE_KEY_FILE = file;
  } else delete process.env.JWT_PRIVATE_KEY_FILE;

  const { createApp } = await import(join(ROOT, 'dist/app.setup.js'));
  const { AccessTokenService } = await import(
    join(ROOT, 'dist/auth/access-token.service.js')
  );
  const { BearerAuthenticationService } = await import(
    join(ROOT, 'dist/auth/bearer-authentication.service.js')
  );
  const { attachAccount } = await import(
    join(ROOT, 'dist/users/current-account.decorator.js')
  );
  const app = await createApp();
  await app.getHttpAdapter().getInstance().ready();
  const fastify = app.getHttpAdapter().getInstance();
  const signup = await fastify.inject({
    method: 'POST',
    url: '/auth/signup',
    payload: { email: 'bench@example.com', password: PASSWORD },
  });
  const token = signup.json().access_token;
  if (!token)
    throw new Error(`signup answered ${signup.statusCode}: ${signup.body}`);
  const tokens = app.get(AccessTokenService);
  const bearer = app.get(BearerAuthenticationService);

  const warden = passport._strategy('jwt');
  // Warden's strategy without its memory of verified tokens: passport-jwt verifies every time.
  const { algorithms, issuer, audience, clockTolerance } = tokens.verifyOptions;
  const pipeline = new Strategy(
    {
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKeyProvider: (_request, raw, done) =>
        done(null, tokens.verificationKeyFor(raw)),
      algorithms,
      issuer,
      audience,
      jsonWebTokenOptions: { clockTolerance, complete: true },
      passReqToCallback: true,
    },
    (request, decoded, done) => {
      const raw = request.headers.authorization.slice('Bearer '.length);
      const check = tokens.accept(raw, decoded);
      if (!check.valid) return done(null, false);
      bearer
        .principalFor(check.claims, { scopes: ['profile'], sensitive: null })
        .then((result) => {
          if (!result.ok) return done(null, false);
          attachAccount(request, result.account);
          done(null, result.principal);
        }, done);
    },
  );

  const round = async (strategy) => {
    passport.use('jwt', strategy);
    const before = process.cpuUsage();
    for (let i = 0; i < REQUESTS; i++) {
      const response = await fastify.inject({
        method: 'GET',
        url: '/users/me',
        headers: { authorization: `Bearer ${token}` },
      });
      if (response.statusCode !== 200)
        throw new Error(`GET /users/me answered ${response.statusCode}`);
    }
    const used = process.cpuUsage(before);
    return (used.user + used.system) / REQUESTS;
  };

  await round(warden);
  await round(pipeline);
  const results = { warden: [], pipeline: [] };
  for (let i = 0; i < ROUNDS; i++) {
    results.warden.push(await round(warden));
    results.pipeline.push(await round(pipeline));
  }
  passport.use('jwt', warden);
  await app.close();
  rmSync(dir, { recursive: true, force: true });
  return {
    algorithm,
    wardenMicros: Math.round(median(results.warden)),
    passportJwtMicros: Math.round(median(results.pipeline)),
  };
}

const rows = [];
for (const algorithm of (process.env.BENCH_ALGORITHMS ?? 'HS256,ES256').split(
  ',',
))
  rows.push(await measure(algorithm));
console.log(
  `GET /users/me, process CPU µs per request (${ROUNDS} rounds of ${REQUESTS}, medians), Node ${process.version}`,
);
console.table(rows);

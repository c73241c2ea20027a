import { ConfigurationError } from './config/configuration-error.js';
import { validateSettings } from './config/settings.js';
import { startupProblem } from './startup-problem.js';
import { testOidcKeyFile } from '../test/support/oidc-key.js';

/** The defaults, as a start with nothing set would have them (keys given, so no file is made). */
const defaults = validateSettings({
  OIDC_SIGNING_KEY_FILE: testOidcKeyFile(),
  JWT_SECRET: 'k3Y-8f2a9d1c0b7e6f5a4d3c2b1a0f9e8d7c6b5a',
  MFA_ENCRYPTION_KEY:
    '3f9c1e7a52d84b06e1a9c3f57d2b8e04a6c19f3e7b25d80c4e6a1f9b3d7c2e58',
});

const systemError = (fields: Record<string, unknown>) =>
  Object.assign(new Error('system'), fields);

describe('startupProblem', () => {
  it('says a configuration problem as it is', () => {
    expect(
      startupProblem(
        new ConfigurationError(['PORT must be an integer']),
        undefined,
      ),
    ).toBe('Invalid configuration: PORT must be an integer');
  });

  it('names the address and PORT for a port in use, from the defaults when nothing is set', () => {
    expect(
      startupProblem(
        systemError({ code: 'EADDRINUSE', syscall: 'listen' }),
        defaults,
      ),
    ).toBe(
      'Warden failed to start: 0.0.0.0:3000 is already in use (PORT, HOST): stop what listens there or choose another PORT',
    );
  });

  it('names the default SQLite file when it cannot be opened', () => {
    expect(
      startupProblem(systemError({ code: 'SQLITE_CANTOPEN' }), defaults),
    ).toContain(
      'cannot open the SQLite database data/warden.sqlite (DATABASE_URL)',
    );
  });

  it('keeps the stack trace of anything else: a bug', () => {
    const bug = new TypeError('x is undefined');
    expect(startupProblem(bug, defaults)).toContain(bug.stack);
  });
});

import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let file: string | undefined;

/**
 * The PEM keys for OIDC_SIGNING_KEY_FILE (RSA for RS256, then P-256 for ES256), made once per
 * test process (generating them per test server would cost ~100 ms each) in the temporary
 * folder, so no test writes data/.
 */
export function testOidcKeyFile(): string {
  if (file && existsSync(file)) return file;
  const path = join(tmpdir(), `warden-test-oidc-key-${process.pid}.pem`);
  file = path;
  process.once('exit', () => rmSync(path, { force: true }));
  const pem = ({ privateKey }: { privateKey: KeyObject }) =>
    privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  writeFileSync(
    file,
    pem(generateKeyPairSync('rsa', { modulusLength: 2048 })) +
      pem(generateKeyPairSync('ec', { namedCurve: 'prime256v1' })),
    // Readable by all: the newcomer tests run one server as `nobody`. It signs test tokens only.
    { mode: 0o644 },
  );
  return file;
}

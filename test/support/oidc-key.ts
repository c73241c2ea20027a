import { generateKeyPairSync } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let file: string | undefined;

/**
 * A PEM RSA key for OIDC_SIGNING_KEY_FILE, made once per test process (generating one per test
 * server would cost ~100 ms each) in the temporary folder, so no test writes data/.
 */
export function testOidcKeyFile(): string {
  if (file && existsSync(file)) return file;
  file = join(tmpdir(), `warden-test-oidc-key-${process.pid}.pem`);
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  writeFileSync(
    file,
    privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    // Readable by all: the newcomer tests run one server as `nobody`. It signs test tokens only.
    { mode: 0o644 },
  );
  return file;
}

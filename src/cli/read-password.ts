import { stdin, stdout } from 'node:process';

/**
 * The password for a command-line tool: prompted without echo on a terminal, or read from
 * standard input when it is piped (`printf '%s' "$PASSWORD" | npm run user:create -- …`).
 * Never from argv, where it would land in shell history and `ps`.
 */
export async function readPassword(prompt: string): Promise<string> {
  if (!stdin.isTTY) {
    let input = '';
    for await (const chunk of stdin) input += String(chunk);
    return input.replace(/\r?\n$/, '');
  }
  stdout.write(prompt);
  stdin.setRawMode(true);
  stdin.resume();
  stdin.setEncoding('utf8');
  return new Promise((resolve, reject) => {
    let password = '';
    const onData = (key: string) => {
      for (const char of key) {
        if (char === '\r' || char === '\n') {
          finish();
          resolve(password);
          return;
        }
        if (char === '\u0003') {
          finish();
          reject(new Error('cancelled'));
          return;
        }
        if (char === '\u007f') password = [...password].slice(0, -1).join('');
        else password += char;
      }
    };
    const finish = () => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      stdout.write('\n');
    };
    stdin.on('data', onData);
  });
}

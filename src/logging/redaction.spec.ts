import { pino } from 'pino';
import { Writable } from 'node:stream';
import { REDACT } from './logging.module.js';

describe('log redaction', () => {
  it('keeps credentials and tokens out of a line, at the top level and one level down', () => {
    let line = '';
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        line += chunk.toString();
        done();
      },
    });
    pino({ redact: REDACT }, sink).info(
      {
        password: 'hunter2-top',
        headers: {
          authorization: 'Bearer eyJ.secret.sig',
          cookie: 'sid=abc',
          accept: 'json',
        },
        body: {
          currentPassword: 'old-secret',
          newPassword: 'new-secret',
          refresh_token: 'rt-secret',
        },
        token: 'tok-secret',
      },
      'request',
    );
    for (const secret of [
      'hunter2-top',
      'eyJ.secret.sig',
      'sid=abc',
      'old-secret',
      'new-secret',
      'rt-secret',
      'tok-secret',
    ]) {
      expect(line).not.toContain(secret);
    }
    expect(line).toContain('[redacted]');
    expect(line).toContain('"accept":"json"');
  });
});

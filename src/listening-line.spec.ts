import { listeningLine } from './listening-line.js';

describe('the listening line', () => {
  it('says that every interface is bound, and gives the URL to open here', () => {
    expect(
      listeningLine(
        { address: '0.0.0.0', family: 'IPv4', port: 3000 },
        'http://localhost:3000',
        true,
      ),
    ).toBe(
      'Listening on port 3000 on every interface (0.0.0.0): open http://localhost:3000 (API docs: http://localhost:3000/docs)',
    );
  });

  it('names one bound address as it is, IPv6 in brackets, and PUBLIC_URL when it differs', () => {
    expect(
      listeningLine(
        { address: '127.0.0.1', family: 'IPv4', port: 8080 },
        'https://auth.example.com',
        false,
      ),
    ).toBe(
      'Listening on 127.0.0.1:8080: open http://127.0.0.1:8080; clients reach it at https://auth.example.com (PUBLIC_URL)',
    );
    expect(
      listeningLine(
        { address: '::1', family: 'IPv6', port: 3000 },
        'http://[::1]:3000',
        false,
      ),
    ).toBe('Listening on [::1]:3000: open http://[::1]:3000');
  });
});

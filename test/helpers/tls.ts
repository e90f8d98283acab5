/**
 * A self-signed certificate for `localhost` / 127.0.0.1, generated once per test process:
 * RSA generation takes a noticeable fraction of a second, and every HTTPS fake shares it.
 */
import { generate } from 'selfsigned';

export interface TestCertificate {
  /** Private key, PEM. */
  key: string;
  /** Certificate, PEM; also the CA a client must trust. */
  cert: string;
}

let cached: Promise<TestCertificate> | undefined;

export function createTestCertificate(): Promise<TestCertificate> {
  cached ??= generate([{ name: 'commonName', value: 'localhost' }], {
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate: new Date(Date.now() - 60_000),
    notAfterDate: new Date(Date.now() + 7 * 24 * 60 * 60_000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
        ],
      },
    ],
  }).then((pems) => ({ key: pems.private, cert: pems.cert }));
  // A failed generation must not poison every later caller.
  cached.catch(() => {
    cached = undefined;
  });
  return cached;
}

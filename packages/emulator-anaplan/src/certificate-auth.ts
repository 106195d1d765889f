/**
 * CA-certificate login: `Authorization: CACertificate <base64>` plus a JSON body
 * `{encodedData, encodedSignedData}`, where the signature is SHA512withRSA
 * (RSASSA-PKCS1-v1_5 over SHA-512) of the decoded random bytes (at least 100 of them).
 * The header may carry base64 of the PEM text (AC, SDK) or of the DER bytes (SEED).
 */
import { X509Certificate, constants, verify } from 'node:crypto';

export const MIN_NONCE_BYTES = 100;

export type CertificateVerdict = { ok: true; userId: string } | { ok: false; kind: 'bad-header' | 'bad-request' | 'bad-credential'; message: string };

export class CertificateVerifier {
  private readonly trusted: X509Certificate[];

  constructor(trustedPems: readonly string[]) {
    this.trusted = trustedPems.map((pem, i) => {
      try {
        return new X509Certificate(pem);
      } catch (error) {
        throw new Error(`trustedCertificates[${i}] is not a PEM certificate: ${(error as Error).message}`);
      }
    });
  }

  verify(headerCredentials: string, body: unknown, now = new Date()): CertificateVerdict {
    const certificate = decodeHeaderCertificate(headerCredentials);
    if (certificate === undefined) {
      return { ok: false, kind: 'bad-header', message: 'CACertificate header must carry a base64-encoded PEM or DER certificate' };
    }
    if (typeof body !== 'object' || body === null) {
      return { ok: false, kind: 'bad-request', message: 'Body must be JSON with encodedData and encodedSignedData' };
    }
    const { encodedData, encodedSignedData } = body as Record<string, unknown>;
    if (typeof encodedData !== 'string' || typeof encodedSignedData !== 'string') {
      return { ok: false, kind: 'bad-request', message: 'Body must be JSON with encodedData and encodedSignedData' };
    }
    const data = Buffer.from(encodedData, 'base64');
    const signature = Buffer.from(encodedSignedData, 'base64');
    if (data.length < MIN_NONCE_BYTES) {
      return { ok: false, kind: 'bad-credential', message: `encodedData must decode to at least ${MIN_NONCE_BYTES} random bytes` };
    }
    if (!this.isTrusted(certificate)) {
      return { ok: false, kind: 'bad-credential', message: 'Certificate is not registered or not issued by a trusted CA' };
    }
    if (now < new Date(certificate.validFrom) || now > new Date(certificate.validTo)) {
      return { ok: false, kind: 'bad-credential', message: 'Certificate is expired or not yet valid' };
    }
    if (certificate.publicKey.asymmetricKeyType !== 'rsa') {
      return { ok: false, kind: 'bad-credential', message: 'Certificate key must be RSA (SHA512withRSA)' };
    }
    let valid = false;
    try {
      valid = verify('sha512', data, { key: certificate.publicKey, padding: constants.RSA_PKCS1_PADDING }, signature);
    } catch {
      valid = false;
    }
    if (!valid) return { ok: false, kind: 'bad-credential', message: 'Signature does not match encodedData (SHA512withRSA expected)' };
    return { ok: true, userId: userIdOf(certificate) };
  }

  /** Registered as is, or issued (and signed) by a trusted CA certificate. */
  private isTrusted(certificate: X509Certificate): boolean {
    return this.trusted.some((t) => t.fingerprint256 === certificate.fingerprint256 || (certificate.checkIssued(t) && certificate.verify(t.publicKey)));
  }
}

function decodeHeaderCertificate(credentials: string): X509Certificate | undefined {
  if (!/^[A-Za-z0-9+/=\s_-]+$/.test(credentials)) return undefined;
  const decoded = Buffer.from(credentials, 'base64');
  if (decoded.length === 0) return undefined;
  try {
    // X509Certificate reads PEM text and DER bytes alike.
    return new X509Certificate(decoded);
  } catch {
    return undefined;
  }
}

/** The certificate's e-mail address, else its common name, identifies the user. */
function userIdOf(certificate: X509Certificate): string {
  const fields = new Map<string, string>();
  for (const line of certificate.subject.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) fields.set(line.slice(0, eq), line.slice(eq + 1));
  }
  return fields.get('emailAddress') ?? fields.get('CN') ?? certificate.subject;
}

/**
 * Throwaway X.509 certificates for tests, built with node:crypto only (Node can parse and
 * verify certificates but not issue them, so the DER is assembled here). Also builds the
 * signed body a client sends for CACertificate login.
 */
import { createPrivateKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';

export interface TestCertificate {
  /** PEM certificate, suitable for `trustedCertificates` and the CACertificate header. */
  certificatePem: string;
  /** PKCS#8 PEM private key. */
  privateKeyPem: string;
}

export interface TestCertificateOptions {
  /** Subject CN; default "pipe test". */
  commonName?: string;
  /** Subject emailAddress; the emulator uses it as the user id when present. */
  email?: string;
  /** Default 1 day. */
  validDays?: number;
  /** Start of validity; default one hour ago. */
  notBefore?: Date;
  /** Mark as a CA (basicConstraints cA=true) so it can issue other test certificates. */
  isCa?: boolean;
  /** Sign with this CA instead of self-signing. */
  issuer?: TestCertificate;
  /** Default 2048. */
  modulusLength?: number;
}

export function createTestCertificate(options: TestCertificateOptions = {}): TestCertificate {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: options.modulusLength ?? 2048 });
  const subject = name(options.commonName ?? 'pipe test', options.email);
  const notBefore = options.notBefore ?? new Date(Date.now() - 3600_000);
  const notAfter = new Date(notBefore.getTime() + (options.validDays ?? 1) * 86_400_000 + 3600_000);

  let issuerName = subject;
  let signingKey: KeyObject = privateKey;
  if (options.issuer !== undefined) {
    issuerName = subjectOfPem(options.issuer.certificatePem);
    signingKey = createPrivateKey(options.issuer.privateKeyPem);
  }

  const serial = randomBytes(16);
  serial[0] = serial[0] & 0x7f; // positive INTEGER
  const sha256WithRsa = seq(oid('1.2.840.113549.1.1.11'), NULL);
  const basicConstraints = seq(
    oid('2.5.29.19'),
    tlv(0x01, Buffer.from([0xff])), // critical
    tlv(0x04, options.isCa === true ? seq(tlv(0x01, Buffer.from([0xff]))) : seq()),
  );
  const tbs = seq(
    tlv(0xa0, integer(Buffer.from([2]))), // v3
    integer(serial),
    sha256WithRsa,
    issuerName,
    seq(time(notBefore), time(notAfter)),
    subject,
    publicKey.export({ type: 'spki', format: 'der' }),
    tlv(0xa3, seq(basicConstraints)),
  );
  const signature = sign('sha256', tbs, signingKey);
  const der = seq(tbs, sha256WithRsa, tlv(0x03, Buffer.concat([Buffer.from([0]), signature])));
  return {
    certificatePem: toPem('CERTIFICATE', der),
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

/** What a client sends for CACertificate login: `nonceBytes` random bytes signed SHA512withRSA. */
export function signCertificateLogin(privateKeyPem: string, nonceBytes = 150): { encodedData: string; encodedSignedData: string } {
  const data = randomBytes(nonceBytes);
  const signature = sign('sha512', data, createPrivateKey(privateKeyPem));
  return { encodedData: data.toString('base64'), encodedSignedData: signature.toString('base64') };
}

/** `Authorization` value carrying the certificate, as base64 of the PEM text (AC, SDK) or of the DER bytes (SEED). */
export function certificateAuthorization(certificatePem: string, form: 'pem' | 'der' = 'pem'): string {
  const payload = form === 'pem' ? Buffer.from(certificatePem, 'utf8') : pemToDer(certificatePem);
  return `CACertificate ${payload.toString('base64')}`;
}

export function pemToDer(pem: string): Buffer {
  return Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
}

// --- minimal DER encoding -------------------------------------------------------------

const NULL = Buffer.from([0x05, 0x00]);

function tlv(tag: number, content: Buffer): Buffer {
  const len = content.length;
  let header: Buffer;
  if (len < 0x80) header = Buffer.from([tag, len]);
  else {
    const lenBytes: number[] = [];
    for (let n = len; n > 0; n = Math.floor(n / 256)) lenBytes.unshift(n & 0xff);
    header = Buffer.from([tag, 0x80 | lenBytes.length, ...lenBytes]);
  }
  return Buffer.concat([header, content]);
}

function seq(...items: Buffer[]): Buffer {
  return tlv(0x30, Buffer.concat(items));
}

function integer(value: Buffer): Buffer {
  return tlv(0x02, value[0] & 0x80 ? Buffer.concat([Buffer.from([0]), value]) : value);
}

function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number);
  const bytes: number[] = [40 * parts[0] + parts[1]];
  for (const part of parts.slice(2)) {
    const group: number[] = [part & 0x7f];
    for (let n = Math.floor(part / 128); n > 0; n = Math.floor(n / 128)) group.unshift((n & 0x7f) | 0x80);
    bytes.push(...group);
  }
  return tlv(0x06, Buffer.from(bytes));
}

function time(date: Date): Buffer {
  const iso = date.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z'; // YYYYMMDDHHMMSSZ
  const year = date.getUTCFullYear();
  // RFC 5280: UTCTime through 2049, GeneralizedTime from 2050.
  return year < 2050 ? tlv(0x17, Buffer.from(iso.slice(2), 'ascii')) : tlv(0x18, Buffer.from(iso, 'ascii'));
}

function name(commonName: string, email?: string): Buffer {
  const rdns = [tlv(0x31, seq(oid('2.5.4.3'), tlv(0x0c, Buffer.from(commonName, 'utf8'))))];
  if (email !== undefined) rdns.push(tlv(0x31, seq(oid('1.2.840.113549.1.9.1'), tlv(0x16, Buffer.from(email, 'ascii')))));
  return seq(...rdns);
}

/** The subject Name of a certificate we built, copied byte for byte to serve as an issuer. */
function subjectOfPem(pem: string): Buffer {
  const der = pemToDer(pem);
  // Certificate → TBSCertificate → [version, serial, signatureAlg, issuer, validity, subject, …]
  const tbs = children(der)[0];
  return children(tbs)[5];
}

/** The encoded child elements of a constructed DER element. */
function children(element: Buffer): Buffer[] {
  const { headerLength, length } = readHeader(element, 0);
  const out: Buffer[] = [];
  let offset = headerLength;
  const end = headerLength + length;
  while (offset < end) {
    const h = readHeader(element, offset);
    out.push(element.subarray(offset, offset + h.headerLength + h.length));
    offset += h.headerLength + h.length;
  }
  return out;
}

function readHeader(buf: Buffer, offset: number): { headerLength: number; length: number } {
  const first = buf[offset + 1];
  if (first < 0x80) return { headerLength: 2, length: first };
  const count = first & 0x7f;
  let length = 0;
  for (let i = 0; i < count; i++) length = length * 256 + buf[offset + 2 + i];
  return { headerLength: 2 + count, length };
}

function toPem(label: string, der: Buffer): string {
  const body =
    der
      .toString('base64')
      .match(/.{1,64}/g)
      ?.join('\n') ?? '';
  return `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;
}

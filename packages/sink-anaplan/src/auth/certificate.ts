/**
 * CA-certificate login. Anaplan checks that we hold the private key of a certificate it trusts:
 * we send the certificate (`Authorization: CACertificate <base64 of the PEM text>`, as Anaplan
 * Connect and the Python SDK do) and 150 fresh random bytes with their SHA512withRSA signature
 * (RSASSA-PKCS1-v1_5 over SHA-512), both base64, as `{encodedData, encodedSignedData}`.
 */
import { X509Certificate, createPrivateKey, randomBytes, sign, type KeyObject } from 'node:crypto';
import { promises as fs } from 'node:fs';
import type { SecretRegistry } from '@pipe/core';
import { AnaplanAuthError } from '../errors';
import type { AnaplanTransport } from '../http/transport';
import { authenticate, refreshAuthToken } from './auth-service';
import type { TokenIssuer } from './token-provider';

export interface CertificateLogin {
  /** Path of the PEM certificate. */
  readonly certificatePath: string;
  /** Path of the PEM private key. */
  readonly privateKeyPath: string;
  readonly passphrase?: string;
  readonly authUrl: string;
}

/** Anaplan Connect signs 150 random bytes; the service wants at least 100. */
const NONCE_BYTES = 150;

export interface LoadedCertificate {
  readonly certificatePem: string;
  readonly privateKey: KeyObject;
  readonly subject: string;
}

/** Read and check the pair before any request: a wrong passphrase or a key of another certificate is a local error. */
export async function loadCertificate(login: CertificateLogin): Promise<LoadedCertificate> {
  const [certText, keyText] = await Promise.all([readPem(login.certificatePath, 'certificate'), readPem(login.privateKeyPath, 'private key')]);
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(certText);
  } catch (error) {
    throw new AnaplanAuthError(`${login.certificatePath} is not a PEM certificate: ${(error as Error).message}`, { exitCode: 2 });
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: keyText, format: 'pem', passphrase: login.passphrase });
  } catch (error) {
    const hint = login.passphrase ? 'is the passphrase right?' : 'if it is encrypted, set auth.passphrase';
    throw new AnaplanAuthError(`cannot read the private key ${login.privateKeyPath} (${hint}): ${(error as Error).message}`, { exitCode: 2 });
  }
  if (!certificate.checkPrivateKey(privateKey)) {
    throw new AnaplanAuthError(`the private key ${login.privateKeyPath} does not belong to the certificate ${login.certificatePath}`, { exitCode: 2 });
  }
  return { certificatePem: certificate.toString(), privateKey, subject: certificate.subject.replace(/\n/g, ', ') };
}

/** The login request for one attempt: a fresh nonce every time, so a replayed body is useless. */
export function certificateChallenge(loaded: LoadedCertificate): { authorization: string; body: { encodedData: string; encodedSignedData: string } } {
  const data = randomBytes(NONCE_BYTES);
  const signature = sign('sha512', data, loaded.privateKey);
  return {
    authorization: `CACertificate ${Buffer.from(loaded.certificatePem, 'utf8').toString('base64')}`,
    body: { encodedData: data.toString('base64'), encodedSignedData: signature.toString('base64') },
  };
}

export function certificateIssuer(login: CertificateLogin, transport: AnaplanTransport, secrets: SecretRegistry): TokenIssuer {
  secrets.add(login.passphrase);
  let loaded: Promise<LoadedCertificate> | undefined;
  return {
    description: `certificate ${login.certificatePath}`,
    async login(signal) {
      loaded ??= loadCertificate(login);
      const pair = await loaded;
      const challenge = certificateChallenge(pair);
      return authenticate(transport, login.authUrl, challenge.authorization, challenge.body, signal, `certificate, ${pair.subject}`);
    },
    refresh: (current, signal) => refreshAuthToken(transport, login.authUrl, current.value, signal),
  };
}

async function readPem(path: string, what: string): Promise<string> {
  try {
    return await fs.readFile(path, 'utf8');
  } catch (error) {
    throw new AnaplanAuthError(`cannot read the ${what} file ${path}: ${(error as Error).message}`, { exitCode: 2 });
  }
}

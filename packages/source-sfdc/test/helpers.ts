/** Shared set-up for the source tests: a config against the emulator and piece helpers. */
import { type Piece } from '@pipe/core';
import * as testing from '@pipe/core/testing';
import type { SfdcEmulator } from '@pipe/emulator-sfdc';

export function jwtAuth(emulator: SfdcEmulator) {
  return { type: 'jwt', clientId: emulator.jwtClientId, username: 'ops@acme.com', privateKey: emulator.jwtPrivateKeyPem, loginUrl: emulator.url };
}

/** A config for the emulator; fast retries so fault tests do not wait. */
export function baseConfig(emulator: SfdcEmulator, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    instanceUrl: emulator.url,
    loginUrl: emulator.url,
    auth: jwtAuth(emulator),
    retry: { attempts: 3, initialDelayMs: 10, maxDelayMs: 50 },
    pollIntervalMs: 10,
    timeoutMs: 10_000,
    ...extra,
  };
}

export function kinds(pieces: readonly Piece[]): string[] {
  return pieces.filter((p) => p.type !== 'data').map((p) => `${p.type}:${p.doc.id}`);
}

export function dataOf(pieces: readonly Piece[], docId: string): Buffer {
  return testing.joinData(pieces.filter((p) => p.doc.id === docId));
}

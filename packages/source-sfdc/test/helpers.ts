/** Shared set-up for the source tests: a config against the emulator and piece helpers. */
import { validatePluginConfig, type Piece } from '@pipe/core';
import * as testing from '@pipe/core/testing';
import type { SfdcEmulator } from '@pipe/emulator-sfdc';
import { sfdcReportSource } from '../src';

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

/**
 * Runs the source as a sink that gives memory back would: each data piece copied, then released.
 * Returns the bytes, how many data pieces came and how many distinct buffers held them.
 */
export async function runReleasing(rawConfig: Record<string, unknown>): Promise<{ data: Buffer; pieces: number; buffers: number }> {
  const copies: Buffer[] = [];
  const buffers = new Set<ArrayBufferLike>();
  const pieces = sfdcReportSource.open(validatePluginConfig(sfdcReportSource, rawConfig), testing.createTestContext()) as AsyncIterable<Piece>;
  for await (const piece of pieces) {
    if (piece.type !== 'data') continue;
    copies.push(Buffer.from(piece.data));
    buffers.add(piece.data.buffer);
    piece.release?.();
  }
  return { data: Buffer.concat(copies), pieces: copies.length, buffers: buffers.size };
}

/** What the sink's tests share: an emulator on 127.0.0.1, a config pointing at it, test CSVs, a runner. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CredentialStore, RecordChunker, dataPiece, docEnd, type Doc, type PipelineShape, type Piece, type SinkResult } from '@pipe/core';
import * as testing from '@pipe/core/testing';
import { createAnaplanSink } from '../../src';
import {
  DEFAULT_FILE_ID,
  DEFAULT_IMPORT_ID,
  DEFAULT_MODEL_ID,
  DEFAULT_WORKSPACE_ID,
  startAnaplanEmulator,
  type AnaplanEmulator,
  type AnaplanEmulatorOptions,
} from '@pipe/emulator-anaplan';

export type { AnaplanEmulator };
export const IDS = { workspace: DEFAULT_WORKSPACE_ID, model: DEFAULT_MODEL_ID, file: DEFAULT_FILE_ID, import: DEFAULT_IMPORT_ID };
export const USER = { username: 'ops@acme.com', password: 'demo-password' };

export function startEmulator(options: AnaplanEmulatorOptions = {}): Promise<AnaplanEmulator> {
  return startAnaplanEmulator({ host: '127.0.0.1', port: 0, taskDurationMs: 60, ...options });
}

/** A `with:` block for the emulator: basic login, fast polling and retries. */
export function configFor(emulator: AnaplanEmulator, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    workspace: IDS.workspace,
    model: IDS.model,
    file: IDS.file,
    auth: { type: 'basic', ...USER },
    concurrency: 4,
    apiUrl: emulator.apiUrl,
    authUrl: emulator.authUrl,
    oauthUrl: emulator.oauthUrl,
    pollIntervalMs: 20,
    timeoutMs: 10_000,
    retry: { attempts: 6, initialDelayMs: 5, maxDelayMs: 50 },
    ...overrides,
  };
}

export function tempCredentialStore(): CredentialStore {
  const dir = mkdtempSync(join(tmpdir(), 'pipe-anaplan-creds-'));
  return new CredentialStore({ dir, env: {} });
}

/**
 * A CSV of `rows` data rows: quoted fields with commas, doubled quotes and line breaks inside, so
 * a cut in the wrong place would show. `badDateEvery` writes an invalid date every N rows.
 */
export function opportunitiesCsv(rows: number, options: { badDateEvery?: number } = {}): Buffer {
  const lines = ['Id,Name,Amount,CloseDate,Notes'];
  for (let i = 1; i <= rows; i++) {
    const bad = options.badDateEvery && i % options.badDateEvery === 0;
    const date = bad ? '2024-02-30' : `2024-${String((i % 12) + 1).padStart(2, '0')}-${String((i % 28) + 1).padStart(2, '0')}`;
    const notes = i % 7 === 0 ? `"line one\nline ""two"", with comma"` : `note ${i}`;
    lines.push(`OPP-${i},"Deal ${i}, Inc.",${(i * 37) % 100000}.50,${date},${notes}`);
  }
  return Buffer.from(`${lines.join('\r\n')}\r\n`, 'utf8');
}

export const DOC: Doc = { id: 'opportunities', name: 'Opportunities' };

/** The pieces chunk-lines would emit: record-aligned chunks with their numbers, then the end. */
export function preCutPieces(data: Buffer, chunkSize: number, doc: Doc = DOC): Piece[] {
  const chunker = new RecordChunker({ chunkSize });
  const chunks = [...chunker.push(data), ...chunker.end()];
  return [...chunks.map((c, i) => dataPiece(doc, c, i)), docEnd(doc)];
}

export interface SinkRun {
  result?: SinkResult;
  error?: Error;
  ctx: testing.TestContext;
}

export interface RunOptions {
  shape?: PipelineShape;
  credentials?: CredentialStore;
  signal?: AbortSignal;
  /** A context made beforehand, to watch progress while the sink runs. */
  ctx?: testing.TestContext;
}

/** Run the sink the way the engine does (config validated, defaults filled); never throws. */
export async function runAnaplanSink(
  config: Record<string, unknown>,
  input: Iterable<Piece> | AsyncIterable<Piece>,
  options: RunOptions = {},
): Promise<SinkRun> {
  const ctx = options.ctx ?? testing.createTestContext({ shape: options.shape, signal: options.signal, plugin: 'sink:anaplan' });
  const store = options.credentials ?? tempCredentialStore();
  const sink = createAnaplanSink({ credentials: () => store });
  try {
    return { result: await testing.runSink(sink, config, input, ctx), ctx };
  } catch (error) {
    return { error: error as Error, ctx };
  }
}

export function chunkPuts(emulator: AnaplanEmulator) {
  return emulator.requests.filter((r) => r.route === 'files.chunk.put');
}

export function completeCalls(emulator: AnaplanEmulator) {
  return emulator.requests.filter((r) => r.route === 'files.complete');
}

/** Most requests of `requests` that were open at the same moment, from their start and end times. */
export function maxOverlap(requests: readonly { startedAt: number; endedAt?: number }[]): number {
  const events = requests.flatMap((r) => [
    { at: r.startedAt, delta: 1 },
    { at: r.endedAt ?? Number.POSITIVE_INFINITY, delta: -1 },
  ]);
  // At equal times, ends first: a request that ended as another began did not overlap it.
  events.sort((a, b) => a.at - b.at || a.delta - b.delta);
  let open = 0;
  let most = 0;
  for (const e of events) most = Math.max(most, (open += e.delta));
  return most;
}

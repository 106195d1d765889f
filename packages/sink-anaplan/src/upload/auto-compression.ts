/**
 * `compress: auto` as the upload runs: measures what compression-choice.ts decides from. The first
 * chunk is cut into two small probe chunks and the rest (probe-chunks.ts): one probe goes gzipped
 * at the fastest level (compressed on this thread, which gives that level its first figure), then
 * one as it is, and the rest waits until both are uploaded, so the link is measured both ways,
 * each alone on it, before most of the data is committed. Real compressions then keep the
 * estimate of the level in use current, a sample of a chunk compressed at the fastest level every
 * `REPROBE_EVERY` chunks checks it, the slower levels are sampled while the link says gzip is in
 * the running (on a fast link they are not), and uploads report their time per byte
 * (link-meter.ts). The process's CPU time besides compressing, per byte of data, tells what
 * compressing shares the cores with. Every chunk is decided afresh; an encoding sent once to
 * measure it (again) goes on a probe-sized chunk cut from the head of the next one, or on the
 * whole next one when its figure comes from small uploads only (a small chunk would only repeat
 * it). Changes go to the debug log.
 */
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import type { Logger } from '@pipe/core';
import {
  chooseEncoding,
  compressionCompetes,
  gzipEncoding,
  NO_COMPRESSION,
  STALE_AFTER,
  type Choice,
  type ChoiceInputs,
  type CompressionEstimate,
  type Encoding,
} from './compression-choice';
import type { UploadChunk } from './document-chunks';
import { LinkMeter, type UploadTiming } from './link-meter';
import { cutForTrial, PROBE_CHUNK_BYTES, withProbeChunks } from './probe-chunks';

/** How the chunk bodies are encoded: one fixed encoding, or one chosen per chunk. */
export interface EncodingPolicy {
  encodingFor(chunk: UploadChunk): Encoding | Promise<Encoding>;
  /** Chunk `chunkIndex` was compressed at `level` in `ms` (wall time, on the zlib thread pool or on this thread). */
  compressed?(level: number, rawBytes: number, compressedBytes: number, ms: number, chunkIndex: number): void;
  /** Whether `chunk`, to be gzipped, is compressed on this thread at once: everything else waits on it. */
  compressAtOnce?(chunk: UploadChunk): boolean;
}

/** The levels auto chooses between: fast, and zlib's default. */
export const AUTO_GZIP_LEVELS = [1, 6];
const FASTEST_LEVEL = Math.min(...AUTO_GZIP_LEVELS);
/** Enough for the ratio (within a point of a whole chunk's on CSV), cheap enough to take often: 1-3 ms. */
const SAMPLE_BYTES = 256 * 1024;
/** Compressed untimed before the first timed compression. */
const WARM_UP_BYTES = 4096;
const REPROBE_EVERY = 16;
/** Weight of the newest measurement in a level's estimate. */
const EWMA_ALPHA = 0.3;

export interface AutoCompressionOptions {
  /** Chunks compressing at once. */
  readonly threads: number;
  readonly log: Logger;
  /** Bytes of data in the whole input, when the source said. */
  readonly expectedBytes?: number;
  /** The clock uploads are timed with; default `performance.now`. */
  readonly now?: () => number;
  /** CPU cores this process can use; default `os.availableParallelism()`. */
  readonly cores?: number;
  /** Seconds of CPU this process has used; default from `process.cpuUsage()`. */
  readonly cpuSeconds?: () => number;
}

const processCpuSeconds = (): number => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};

export class AutoCompression implements EncodingPolicy {
  /** Chunks sent per encoding name. */
  readonly chunksByEncoding: Record<string, number> = {};
  private readonly link: LinkMeter;
  private readonly estimates = new Map<number, CompressionEstimate>();
  private readonly measuredAt = new Map<number, number>();
  private current: Encoding | undefined;
  /** Encodings sent but not measured yet. */
  private readonly pending = new Set<string>();
  /** Bytes of data decided so far. */
  private decidedBytes = 0;
  /** Probe chunks leading the upload, each settled (uploaded, or failed) or not. */
  private probes: Settlement[] = [];
  /** Settled once the request that opens the upload is on its way (uploadOpening). */
  private readonly opening = new Settlement();
  /** Whether zlib was set up in this process by a compression not timed. */
  private zlibWarm = false;
  /**
   * Choices made as chunks were taken (`trialAt`), by chunk index: a trial, for the head cut for it
   * or for the whole chunk, or the chunk's encoding (it is decided a moment later, from the same
   * figures; a choice takes 0.15-0.25 ms of the event loop in a loopback run, once a chunk is enough).
   */
  private readonly choicesAhead = new Map<number, Choice>();
  /**
   * Chunks after which each encoding is measured again, doubled at every such measurement: on a
   * link where it stays slower, each costs a chunk sent the slower way (a probe-sized one, when
   * the chunk it is cut from is large enough).
   */
  private readonly staleAfter = new Map<string, number>();
  /** Bytes of data decided when each encoding was last sent. */
  private readonly lastSent = new Map<string, number>();
  /** The largest chunk seen: the run's chunk size, what staleness is counted in. */
  private largestChunk = 1;
  /** Bytes of data seen. */
  private bytesSeen = 0;
  /** The process's CPU seconds when the first upload started, and seconds spent compressing since. */
  private cpu: { readonly atStart: number; compressing: number } | undefined;

  /** The encoding in use (the last one chosen other than for a trial). */
  get encoding(): Encoding | undefined {
    return this.current;
  }

  constructor(private readonly options: AutoCompressionOptions) {
    this.link = new LinkMeter(options.now);
  }

  /** The chunks to upload, the first one cut into probes and a chunk that starts a trial cut short, when large enough. */
  withProbes(chunks: AsyncIterable<UploadChunk>): AsyncIterable<UploadChunk> {
    return withProbeChunks(chunks, {
      onProbes: (count) => {
        this.probes = Array.from({ length: count }, () => new Settlement());
      },
      trialAt: (index, data) => this.trialAt(index, data),
    });
  }

  /**
   * Whether the next chunk would be sent once in another encoding to measure it: if so, that trial
   * is planned for a probe-sized chunk cut from its head (the rest is decided as usual), so that a
   * trial that finds the other encoding slower costs a small chunk sent that way, not a whole one;
   * or for the whole chunk, when the figure it checks comes from small uploads (not cut then).
   */
  private trialAt(index: number, data: Buffer): boolean {
    this.largestChunk = Math.max(this.largestChunk, data.length);
    if (this.probing) return false;
    const choice = this.choose({ index, data }, true, PROBE_CHUNK_BYTES);
    this.choicesAhead.set(index, choice);
    return choice.trial === true && !choice.wholeChunk;
  }

  /** Whether a probe is still on its way: nothing else is decided before they are all back. */
  private get probing(): boolean {
    return this.probes.some((probe) => !probe.done);
  }

  /**
   * The request that opens the upload is on its way: the gzipped probe may be compressed now. Made
   * as soon as its chunk was read, on this thread, the probe held that request back by as long as
   * it took (on loopback 14-20 ms, with a sample of every level then, in a run of 0.6 s), and on a
   * fast link Anaplan answers sooner than that; on a slow one it is made long before the answer.
   */
  uploadOpening(): void {
    this.opening.settle();
  }

  /** Chunk `index` is no longer on its way (uploaded, or failed). */
  settled(index: number): void {
    this.probes[index]?.settle();
  }

  encodingFor(chunk: UploadChunk): Encoding | Promise<Encoding> {
    this.largestChunk = Math.max(this.largestChunk, chunk.data.length);
    this.bytesSeen += chunk.data.length;
    // One probe after the other: sent together on a shared link, the small gzipped one waits
    // behind the other's bytes, and the two look alike when the link makes gzip 4x faster.
    const { probes } = this;
    if (chunk.index < probes.length) {
      return (chunk.index === 0 ? this.opening : probes[chunk.index - 1]).settled.then(() => this.probe(chunk));
    }
    if (this.sampleDue(FASTEST_LEVEL, chunk)) this.sample(FASTEST_LEVEL, chunk);
    if (this.probing) return Promise.all(probes.map((probe) => probe.settled)).then(() => this.decide(chunk));
    return this.decide(chunk);
  }

  /**
   * Probe 0 goes gzipped at the fastest level, the next as it is: the link measured both ways. The
   * first upload pays for a cold start (a new connection, a cold server: on loopback a 1 MB upload
   * took 44 ms first, 15 ms after), and it is the one that costs CPU that should look the worse for it.
   */
  private probe(chunk: UploadChunk): Encoding {
    const encoding = chunk.index === 0 ? gzipEncoding(FASTEST_LEVEL) : NO_COMPRESSION;
    // Its compression, timed, is the fastest level's first figure.
    if (encoding.gzipLevel !== undefined) this.warmUpZlib(chunk.data, encoding.gzipLevel);
    this.options.log.debug(`compress auto: probe chunk ${chunk.index} (${chunk.data.length} bytes) as ${encoding.name}, to measure the link`);
    this.pending.add(encoding.name);
    this.decidedBytes += chunk.data.length;
    this.count(encoding);
    return encoding;
  }

  /**
   * The gzipped probe is compressed on this thread: the rest of the data waits for it to be
   * uploaded, and through the thread pool it waited its turn on an event loop busy with the start
   * of the upload. On loopback, with the host taking 20-40% of this VM's CPU, the probes took a
   * median 66 ms instead of 107 (with nothing read meanwhile, chunk-bodies.ts); on a quiet
   * machine about the same as before, 57 ms against 60.
   */
  compressAtOnce(chunk: Pick<UploadChunk, 'index'>): boolean {
    return chunk.index === 0 && this.probes.length > 0;
  }

  private count(encoding: Encoding): void {
    this.lastSent.set(encoding.name, this.decidedBytes);
    this.chunksByEncoding[encoding.name] = (this.chunksByEncoding[encoding.name] ?? 0) + 1;
  }

  private decide(chunk: UploadChunk): Encoding {
    const planned = this.choicesAhead.get(chunk.index);
    this.choicesAhead.delete(chunk.index);
    // A chunk goes as chosen when it was taken (trialAt): a trial on the head cut for it or on the
    // whole chunk, or its best encoding. Otherwise a trial goes only on a chunk too small to cut; a
    // large one (the rest of a chunk cut for a trial) goes the best way, the next chunk can try.
    const choice = planned ?? this.choose(chunk, !cutForTrial(chunk.data.length));
    this.decidedBytes += chunk.data.length;
    if (!this.link.measured(choice.encoding.name)) this.pending.add(choice.encoding.name);
    else if (choice.trial) this.staleAfter.set(choice.encoding.name, 2 * (this.staleAfter.get(choice.encoding.name) ?? STALE_AFTER));
    const { log } = this.options;
    if (choice.trial) log.debug(`compress auto: chunk ${chunk.index} (${chunk.data.length} bytes) as ${choice.encoding.name}: ${choice.reason}`);
    else if (choice.encoding.name !== this.current?.name) {
      log.debug(`compress auto: ${this.current ? `${this.current.name} -> ` : ''}${choice.encoding.name} from chunk ${chunk.index} (${choice.reason})`);
      this.current = choice.encoding;
    }
    this.count(choice.encoding);
    return choice.encoding;
  }

  /**
   * The encoding for a chunk like `chunk`, from what was measured so far (samples a slower level
   * when it is due); `trials: false` leaves out sending one once to measure it, and `trialBytes`
   * is what a trial cut from its head would carry.
   */
  private choose(chunk: Pick<UploadChunk, 'index' | 'data'>, trials = true, trialBytes?: number): Choice {
    const upload = this.link.secondsPerByte();
    for (const name of upload.keys()) this.pending.delete(name);
    const chunkBytes = chunk.data.length;
    const decided = this.decidedBytes + chunkBytes;
    // Unknown size: guess there is as much to come as has been seen.
    const remainingBytes = Math.max(0, (this.options.expectedBytes ?? 2 * decided) - decided);
    const inputs: ChoiceInputs = {
      compression: this.estimates,
      upload,
      pending: this.pending,
      sentAgo: new Map([...this.lastSent].map(([name, bytes]) => [name, (this.decidedBytes - bytes) / this.largestChunk])),
      measuredOnce: new Set([...upload.keys()].filter((name) => this.link.measuredOnce(name))),
      measuredOn: new Map([...upload.keys()].map((name) => [name, this.link.largestUpload(name) ?? 0])),
      wholeChunkBytes: this.largestChunk,
      staleAfter: this.staleAfter,
      threads: this.options.threads,
      cores: this.options.cores ?? availableParallelism(),
      otherCpuPerByte: this.otherCpuPerByte(),
      chunkBytes,
      trialBytes: trialBytes && Math.min(trialBytes, chunkBytes),
      remainingBytes,
    };
    // The slower levels are measured only while gzip is in the running (`inputs` reads `estimates`).
    for (const level of AUTO_GZIP_LEVELS) {
      if (level !== FASTEST_LEVEL && this.sampleDue(level, chunk) && compressionCompetes(inputs)) this.sample(level, chunk);
    }
    return chooseEncoding(inputs, this.current, trials);
  }

  /**
   * This process's CPU seconds per byte of data seen, besides compressing, counted from the first
   * upload: before it, the CPU went to logging in as much as to the first chunk. 0 until then.
   */
  private otherCpuPerByte(): number {
    const { cpu } = this;
    if (!cpu || this.bytesSeen === 0) return 0;
    return Math.max(0, this.cpuSeconds() - cpu.atStart - cpu.compressing) / this.bytesSeen;
  }

  private cpuSeconds(): number {
    return (this.options.cpuSeconds ?? processCpuSeconds)();
  }

  compressed(level: number, rawBytes: number, compressedBytes: number, ms: number, chunkIndex: number): void {
    if (this.cpu) this.cpu.compressing += ms / 1000;
    this.update(level, rawBytes, compressedBytes, ms);
    this.measuredAt.set(level, Math.max(this.measuredAt.get(level) ?? 0, chunkIndex));
  }

  /** An upload starts: `finish` it once it went through without a retry, else `abandon` it. */
  uploadStarting(): UploadTiming {
    this.cpu ??= { atStart: this.cpuSeconds(), compressing: 0 };
    return this.link.start();
  }

  /** Whether `level`'s estimate is missing, or older than `REPROBE_EVERY` chunks. */
  private sampleDue(level: number, chunk: Pick<UploadChunk, 'index'>): boolean {
    const last = this.measuredAt.get(level);
    return last === undefined || chunk.index - last >= REPROBE_EVERY;
  }

  private sample(level: number, chunk: Pick<UploadChunk, 'index' | 'data'>): void {
    const sample = chunk.data.subarray(0, SAMPLE_BYTES);
    if (sample.length === 0) return;
    this.warmUpZlib(sample, level);
    const started = performance.now();
    const compressed = gzipSync(sample, { level }).length;
    const ms = performance.now() - started;
    if (this.cpu) this.cpu.compressing += ms / 1000;
    this.update(level, sample.length, compressed, ms);
    this.measuredAt.set(level, chunk.index);
  }

  /** The first compression in a process pays for setting zlib up (256 KB took 5 ms instead of 1.2): done untimed, on a little of `data`. */
  private warmUpZlib(data: Buffer, level: number): void {
    if (this.zlibWarm) return;
    this.zlibWarm = true;
    gzipSync(data.subarray(0, WARM_UP_BYTES), { level });
  }

  private update(level: number, rawBytes: number, compressedBytes: number, ms: number): void {
    const measured = { ratio: compressedBytes / rawBytes, bytesPerSecond: rawBytes / (Math.max(ms, 0.01) / 1000) };
    const old = this.estimates.get(level);
    this.estimates.set(
      level,
      old
        ? {
            ratio: old.ratio + EWMA_ALPHA * (measured.ratio - old.ratio),
            bytesPerSecond: old.bytesPerSecond + EWMA_ALPHA * (measured.bytesPerSecond - old.bytesPerSecond),
          }
        : measured,
    );
  }
}

/** A probe chunk on its way, and a promise kept once it no longer is. */
class Settlement {
  done = false;
  readonly settled: Promise<void>;
  private resolve: () => void = () => undefined;

  constructor() {
    this.settled = new Promise((resolve) => (this.resolve = resolve));
  }

  settle(): void {
    this.done = true;
    this.resolve();
  }
}

/**
 * `compress: auto`: which encoding the next chunk gets, from what the run has measured so far.
 * Pure: the measurements come in, a choice and its reason go out (auto-compression.ts measures).
 *
 * Compression and upload overlap (chunks compress ahead of the uploads, on `threads` threads), so
 * the time per byte of data is that of the slower stage:
 *
 *   none:       upload(none)
 *   gzip level: max(1 / (threads x compression speed), (1 / compression speed + other CPU) / cores, upload(level))
 *
 * The middle term is the CPU's budget: compressing shares the machine's cores with the rest of
 * this process's work per byte (reading, cutting, sending). On loopback with two cores, gzip-1 at
 * 180 MB/s a thread looked like 360 MB/s from the threads alone, while whole runs went at 150 MB/s.
 *
 * `upload(e)` is the upload stage's measured time per byte of data in encoding e. For an encoding
 * not yet sent it is predicted from the measured ones as `a + b x ratio`: `b` is what the wire
 * costs per byte sent, `a` what the other side costs per byte of data whatever its size on the
 * wire (on a slow link `a` is about 0 and gzip wins; on loopback `b` is, and compressing only
 * costs). Until two measured encodings with different enough ratios tell `a` and `b` apart, an
 * untried encoding is predicted as all wire (the guess that favours compression, right on slow
 * links). It is sent once to measure it when it might be faster (its upload could cost nearly
 * nothing: `a` may be all decompression on the other side) and what that could save on the rest
 * of the data outweighs what this one chunk loses if the guess was right. Before any upload
 * finished, data that gzip level 1 halves or better goes as gzip-1 (a small cost on a fast link,
 * a big gain on a slow one), other data as it is.
 */

export interface Encoding {
  /** `none`, `gzip-1`, `gzip-6`: the name in logs and the run summary. */
  readonly name: string;
  /** zlib level; absent for no compression. */
  readonly gzipLevel?: number;
}

export const NO_COMPRESSION: Encoding = { name: 'none' };
export const gzipEncoding = (level: number): Encoding => ({ name: `gzip-${level}`, gzipLevel: level });

export interface CompressionEstimate {
  /** Compressed bytes per byte of data. */
  readonly ratio: number;
  /** Bytes of data one thread compresses per second. */
  readonly bytesPerSecond: number;
}

export interface ChoiceInputs {
  /** The gzip levels to choose from, with what they do to this data on this machine. */
  readonly compression: ReadonlyMap<number, CompressionEstimate>;
  /** The upload stage's seconds per byte of data, by encoding name, for those measured. */
  readonly upload: ReadonlyMap<string, number>;
  /** Encodings sent but not measured yet (no second trial while one is on its way). */
  readonly pending: ReadonlySet<string>;
  /** Data decided since each measured encoding was last sent, in whole chunks (a probe or trial counts for its bytes). */
  readonly sentAgo: ReadonlyMap<string, number>;
  /** Encodings whose figure comes from one upload only (a probe, sent cold, while the run warmed up). */
  readonly measuredOnce?: ReadonlySet<string>;
  /** Chunks after which an encoding's figure is stale, where the caller stretched it (default `STALE_AFTER`). */
  readonly staleAfter?: ReadonlyMap<string, number>;
  /** Bytes of data in the largest recent upload each measured encoding's figure comes from. */
  readonly measuredOn?: ReadonlyMap<string, number>;
  /** Bytes of data in a whole chunk of this run: a figure from uploads under half of it is a small upload's. */
  readonly wholeChunkBytes?: number;
  /** Chunks compressing at once. */
  readonly threads: number;
  /** CPU cores this process can use (default `threads`). */
  readonly cores?: number;
  /** This process's CPU seconds per byte of data besides compressing (reading, cutting, sending); default 0. */
  readonly otherCpuPerByte?: number;
  /** Bytes of data in the chunk being decided. */
  readonly chunkBytes: number;
  /** Bytes of data a trial would carry: a small chunk cut from the head of this one, when it can be (default `chunkBytes`). */
  readonly trialBytes?: number;
  /** Bytes of data still to come after it (the input's size when known, else a guess). */
  readonly remainingBytes: number;
}

export interface Choice {
  readonly encoding: Encoding;
  /** Why, for the debug log: `none 0.004 s/MB, gzip-1 0.008 s/MB, gzip-6 0.021 s/MB`. */
  readonly reason: string;
  /** Sent once to measure it, not because it is predicted best. */
  readonly trial?: boolean;
  /** A trial that needs the whole chunk: the figure it checks comes from small uploads, and a small trial would only repeat it. */
  readonly wholeChunk?: boolean;
}

/** Below this ratio gzip-1 is the choice while the link is unknown. */
const GOOD_RATIO = 0.5;
/** Measured encodings whose ratios differ by less than this cannot tell the wire's part from the rest. */
const MIN_RATIO_SPREAD = 0.2;
/** Chunks after which a measurement is stale. */
export const STALE_AFTER = 6;
/** The same for a figure from one cold upload (a probe): checked soon, before it steers much of the data. */
const STALE_AFTER_MEASURED_ONCE = 3;
/** A stale encoding predicted within this factor of the best is measured again. */
const STALE_WITHIN = 2;
/**
 * The same for an encoding measured by one upload only: the first uploads of a run pay for cold
 * connections and a cold server, and can look several times slower than the link is.
 */
const STALE_WITHIN_MEASURED_ONCE = 4;
/** How likely an untried encoding's best case is taken to be, when weighing a trial. */
const TRIAL_ODDS = 0.5;
/** A candidate that costs more CPU must be predicted at least this much faster to be the best. */
const CPU_MARGIN = 0.97;
/**
 * Compressing at all must be predicted at least this much faster than sending the data as it is:
 * when the upload costs per request rather than per byte (a server's time, a cap on uploads in
 * flight, or on a fast link the round trip of a small probe) both predict about the same, and the
 * CPU gzip takes is what the other work on this machine (the download, other pipelines) does not
 * get. On loopback the two 1 MB probes came out within 0.5x to 1.05x of each other, mostly round
 * trip, while whole chunks went 2.5x faster plain; a link where gzip pays shows it plainly
 * (4x at 80 Mbit/s).
 */
const COMPRESSION_MARGIN = 0.7;
/**
 * Keep the current encoding unless another measured one is predicted at least this much faster:
 * two figures of the same link swing that much. One not measured yet that is predicted best is
 * taken (a cold first probe can leave gzip-1 looking as good as gzip-6 on a slow link, and it
 * only gets its own figure by being sent).
 */
const SWITCH_GAIN = 0.9;

export interface Prediction {
  /** Seconds per byte of data: measured, or predicted with the guess that favours compression. */
  readonly likely: number;
  /** The least it could be, when predicted: with the upload costing nothing. */
  readonly best: number;
  /** What no measurement of the link can lower: compressing (0 for none). */
  readonly floor: number;
}

/** Seconds per byte of data for `encoding`, or undefined while nothing was measured. */
export function secondsPerByte(inputs: ChoiceInputs, encoding: Encoding): Prediction | undefined {
  const ratio = ratioOf(inputs, encoding);
  if (ratio === undefined) return undefined;
  const measured = inputs.upload.get(encoding.name);
  const upload = measured === undefined ? predictedUpload(inputs, ratio) : { likely: measured, best: measured };
  if (upload === undefined) return undefined;
  if (encoding.gzipLevel === undefined) return { ...upload, floor: 0 };
  const perThread = 1 / inputs.compression.get(encoding.gzipLevel)!.bytesPerSecond;
  const compressing = Math.max(perThread / inputs.threads, (perThread + (inputs.otherCpuPerByte ?? 0)) / (inputs.cores ?? inputs.threads));
  return { likely: Math.max(compressing, upload.likely), best: Math.max(compressing, upload.best), floor: compressing };
}

/** The encoding for the next chunk; with `trials` false, never one sent only to measure it. */
export function chooseEncoding(inputs: ChoiceInputs, current?: Encoding, trials = true): Choice {
  const candidates = [NO_COMPRESSION, ...[...inputs.compression.keys()].sort((a, b) => a - b).map(gzipEncoding)];
  if (inputs.upload.size === 0) {
    const fastest = Math.min(...inputs.compression.keys());
    const ratio = inputs.compression.get(fastest)?.ratio;
    return ratio !== undefined && ratio <= GOOD_RATIO
      ? { encoding: gzipEncoding(fastest), reason: `link not measured yet; gzip-${fastest} makes this data ${percent(ratio)} of its size` }
      : { encoding: NO_COMPRESSION, reason: `link not measured yet; gzip makes this data only ${ratio === undefined ? '?' : percent(ratio)} of its size` };
  }
  const costs = candidates.map((encoding) => {
    const prediction = secondsPerByte(inputs, encoding);
    return { encoding, cost: prediction?.likely ?? Infinity, atBest: prediction?.best ?? Infinity, floor: prediction?.floor ?? 0 };
  });
  // Candidates go from least CPU to most: one that costs more CPU must be faster by a margin to win.
  const best = costs.reduce((a, b) => (b.cost < a.cost * (a.encoding.gzipLevel === undefined ? COMPRESSION_MARGIN : CPU_MARGIN) ? b : a));
  const describe = costs
    .map((c) => `${c.encoding.name} ${ms(c.cost)}${inputs.upload.has(c.encoding.name) ? '' : ` (predicted; at best ${ms(c.atBest)})`}`)
    .join(', ')
    .concat(inputs.otherCpuPerByte === undefined ? '' : `; other CPU ${ms(inputs.otherCpuPerByte)} on ${inputs.cores ?? inputs.threads} cores`);
  const trialBytes = inputs.trialBytes ?? inputs.chunkBytes;
  const worthTrying = (c: (typeof costs)[number]) =>
    c.atBest < best.cost * SWITCH_GAIN && trialBytes * (c.cost - best.cost) <= inputs.remainingBytes * (best.cost - c.atBest) * TRIAL_ODDS;
  const untried =
    trials && costs.find((c) => !inputs.upload.has(c.encoding.name) && !inputs.pending.has(c.encoding.name) && c.encoding !== best.encoding && worthTrying(c));
  if (untried) return { encoding: untried.encoding, reason: `trying ${untried.encoding.name} once to measure it (${describe})`, trial: true };
  // A measurement goes stale as the run warms up and the link changes: measure a close one again,
  // when what it could save on the rest (were its upload figure `within` times too slow; its
  // compressing is measured apart) outweighs what the trial chunk loses if the figure is right.
  // A figure from small uploads only (the probes, small trials) is checked on a whole chunk once
  // the best one's comes from whole chunks, stale or not: a small upload can be mostly the
  // request's own time (on loopback a 1 MB probe sent as it is took 6-13 ms, 25 after a stall; a
  // whole 10 MB chunk 10-15), and small trials would only repeat its figure: a stall on the plain
  // probe left gzip chosen there for the whole run, 2-5 s instead of 0.8.
  const small = (name: string) => (inputs.measuredOn?.get(name) ?? Infinity) < (inputs.wholeChunkBytes ?? 0) / 2;
  const bestFromWhole = inputs.upload.has(best.encoding.name) && !small(best.encoding.name);
  const worthMeasuring = (c: (typeof costs)[number], wholeChunk: boolean) => {
    const measured = inputs.upload.get(c.encoding.name);
    if (measured === undefined || inputs.pending.has(c.encoding.name) || c.encoding === best.encoding) return false;
    const once = wholeChunk || inputs.measuredOnce?.has(c.encoding.name) === true;
    const within = once ? STALE_WITHIN_MEASURED_ONCE : STALE_WITHIN;
    const couldBe = Math.max(c.floor, measured / within);
    const sentAgo = inputs.sentAgo.get(c.encoding.name) ?? 0;
    return (
      (wholeChunk ? sentAgo >= 1 : sentAgo >= (inputs.staleAfter?.get(c.encoding.name) ?? (once ? STALE_AFTER_MEASURED_ONCE : STALE_AFTER))) &&
      c.cost <= best.cost * within &&
      (wholeChunk ? inputs.chunkBytes : trialBytes) * (c.cost - best.cost) <= inputs.remainingBytes * Math.max(0, best.cost - couldBe) * TRIAL_ODDS
    );
  };
  const onWholeChunk = trials && bestFromWhole ? costs.find((c) => small(c.encoding.name) && worthMeasuring(c, true)) : undefined;
  if (onWholeChunk) {
    const { name } = onWholeChunk.encoding;
    return {
      encoding: onWholeChunk.encoding,
      reason: `measuring ${name} on a whole chunk: its figure comes from small uploads (${describe})`,
      trial: true,
      wholeChunk: true,
    };
  }
  const stale = trials && costs.find((c) => worthMeasuring(c, false));
  if (stale) return { encoding: stale.encoding, reason: `measuring ${stale.encoding.name} again (${describe})`, trial: true };
  const kept = current && costs.find((c) => c.encoding.name === current.name);
  if (kept && kept.cost !== Infinity && inputs.upload.has(best.encoding.name) && best.cost > kept.cost * SWITCH_GAIN) {
    return { encoding: kept.encoding, reason: describe };
  }
  return { encoding: best.encoding, reason: describe };
}

/**
 * Whether compressing harder could pay: the fastest gzip level is predicted within `STALE_WITHIN` of
 * sending the data as it is. When it is not (a fast link: loopback, a data centre), a slower level
 * can only do worse, and measuring it costs CPU for nothing.
 */
export function compressionCompetes(inputs: ChoiceInputs): boolean {
  const fastest = Math.min(...inputs.compression.keys());
  const plain = secondsPerByte(inputs, NO_COMPRESSION);
  const gzipped = Number.isFinite(fastest) ? secondsPerByte(inputs, gzipEncoding(fastest)) : undefined;
  return plain !== undefined && gzipped !== undefined && gzipped.likely <= plain.likely * STALE_WITHIN;
}

function ratioOf(inputs: ChoiceInputs, encoding: Encoding): number | undefined {
  return encoding.gzipLevel === undefined ? 1 : inputs.compression.get(encoding.gzipLevel)?.ratio;
}

/** `a + b x ratio` fitted to the measured encodings (least squares, neither part below 0). */
function predictedUpload(inputs: ChoiceInputs, ratio: number): Omit<Prediction, 'floor'> | undefined {
  const points: Array<{ r: number; u: number }> = [];
  for (const [name, u] of inputs.upload) {
    const r = ratioOf(inputs, name === NO_COMPRESSION.name ? NO_COMPRESSION : gzipEncoding(Number(name.replace('gzip-', ''))));
    if (r !== undefined) points.push({ r, u });
  }
  if (points.length === 0) return undefined;
  const meanR = points.reduce((n, p) => n + p.r, 0) / points.length;
  const meanU = points.reduce((n, p) => n + p.u, 0) / points.length;
  const spread = points.reduce((n, p) => n + (p.r - meanR) ** 2, 0);
  // Too close together to tell the parts apart (or one point): all wire, or all `a`.
  const allWire = (points.reduce((n, p) => n + p.u * p.r, 0) / points.reduce((n, p) => n + p.r * p.r, 0)) * ratio;
  const unknown = { likely: allWire, best: 0 };
  if (spread < MIN_RATIO_SPREAD ** 2) return unknown;
  const b = Math.max(0, points.reduce((n, p) => n + (p.r - meanR) * (p.u - meanU), 0) / spread);
  const a = meanU - b * meanR;
  if (a < 0) return unknown;
  return { likely: a + b * ratio, best: a + b * ratio };
}

/** Seconds per MB, for the log. */
function ms(secondsPerByte: number): string {
  return `${(secondsPerByte * 1e6).toFixed(4)} s/MB`;
}

function percent(ratio: number): string {
  return `${Math.round(ratio * 100)}%`;
}

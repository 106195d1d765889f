/**
 * The network between the client and Anaplan, for tests and the adaptive bench: a bandwidth
 * shared by every chunk upload in flight, a latency added before every answer, and a cap on
 * chunk uploads in flight above which the emulator answers 429 with `Retry-After`. All off by
 * default (an unlimited loopback).
 *
 * Anaplan documents no number for its rate limits, only "429 Too many requests — Rate limit
 * exceeded; retry with backoff" (HELP, troubleshooting API usage), and Anaplan Connect honours
 * `Retry-After` on 429; the cap here is that behaviour, made repeatable.
 */
import { SharedBandwidth, type BandwidthAccount } from './shared-bandwidth';

export interface LinkSettings {
  /** Bytes per second for all chunk-upload bodies together (wire bytes: gzip bodies count compressed). Off when absent or 0. */
  bandwidthBytesPerSecond?: number;
  /** Bytes the link can send at once after being idle; default 64 KiB or 50 ms of bandwidth, whichever is larger. */
  burstBytes?: number;
  /** Milliseconds added before every answer (control routes excepted). Default 0. */
  latencyMs?: number;
  /** Chunk uploads accepted at once; one more is answered 429 with `Retry-After`. Off when absent or 0. */
  maxChunkUploadsInFlight?: number;
  /** `Retry-After` seconds on those 429s; default 1. */
  retryAfterSeconds?: number;
}

export interface LinkStats {
  settings: LinkSettings;
  /** Chunk uploads accepted and not yet answered. */
  chunkUploadsInFlight: number;
  /** Chunk uploads answered 429 because `maxChunkUploadsInFlight` were already in flight. */
  rejectedChunkUploads: number;
  /** The shared bandwidth's own accounting, since the link was last set; absent when unlimited. */
  bandwidth?: BandwidthAccount;
}

export type ChunkUploadAdmission = { admitted: true; release: () => void } | { admitted: false; retryAfterSeconds: number };

const DEFAULT_RETRY_AFTER_SECONDS = 1;

export class LinkModel {
  private settings: LinkSettings = {};
  private bandwidth: SharedBandwidth | undefined;
  private inFlight = 0;
  private rejected = 0;

  constructor(initial: LinkSettings = {}) {
    this.set(initial);
  }

  /** Replaces every setting (absent = off). Uploads already reading keep the bandwidth they started with. Throws on an invalid value. */
  set(settings: LinkSettings): void {
    const checked = validateLinkSettings(settings);
    this.settings = checked;
    const rate = checked.bandwidthBytesPerSecond ?? 0;
    this.bandwidth = rate > 0 ? new SharedBandwidth(rate, checked.burstBytes ?? Math.max(64 * 1024, Math.round(rate / 20))) : undefined;
  }

  get latencyMs(): number {
    return this.settings.latencyMs ?? 0;
  }

  /** The bandwidth chunk-upload bodies are read through, or undefined when unlimited. */
  get chunkBandwidth(): SharedBandwidth | undefined {
    return this.bandwidth;
  }

  /** Called when a chunk PUT's headers arrive; an admitted upload must `release()` when it is answered or dropped. */
  admitChunkUpload(): ChunkUploadAdmission {
    const cap = this.settings.maxChunkUploadsInFlight ?? 0;
    if (cap > 0 && this.inFlight >= cap) {
      this.rejected += 1;
      return { admitted: false, retryAfterSeconds: this.settings.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS };
    }
    this.inFlight += 1;
    let released = false;
    return {
      admitted: true,
      release: () => {
        if (released) return;
        released = true;
        this.inFlight -= 1;
      },
    };
  }

  stats(): LinkStats {
    const out: LinkStats = { settings: { ...this.settings }, chunkUploadsInFlight: this.inFlight, rejectedChunkUploads: this.rejected };
    if (this.bandwidth !== undefined) out.bandwidth = this.bandwidth.account();
    return out;
  }

  close(): void {
    this.bandwidth?.close();
  }
}

/** Checks settings from options or the control endpoint; throws naming the first bad field. */
export function validateLinkSettings(value: unknown): LinkSettings {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('link settings must be a JSON object');
  const raw = value as Record<string, unknown>;
  const known = ['bandwidthBytesPerSecond', 'burstBytes', 'latencyMs', 'maxChunkUploadsInFlight', 'retryAfterSeconds'];
  const unknown = Object.keys(raw).filter((k) => !known.includes(k));
  if (unknown.length > 0) throw new Error(`link settings: unknown field "${unknown[0]}" (known: ${known.join(', ')})`);
  const settings: LinkSettings = {};
  for (const name of known) {
    const v = raw[name];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new Error(`link settings: ${name} must be a number >= 0`);
    if (name === 'maxChunkUploadsInFlight' && !Number.isInteger(v)) throw new Error('link settings: maxChunkUploadsInFlight must be an integer');
    if (name === 'burstBytes' && v < 1) throw new Error('link settings: burstBytes must be >= 1');
    settings[name as keyof LinkSettings] = v;
  }
  return settings;
}

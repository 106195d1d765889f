/**
 * Everything a test or demo can configure, with the defaults that mirror the real service
 * (35-minute tokens, 50,000,000-byte / 1,000-chunk upload limits, 10 MB dump chunks).
 */
import type { LinkSettings } from './link-model';

export interface EmulatorUser {
  username: string;
  password: string;
}

export interface OAuthClientConfig {
  clientId: string;
  /** Rotatable clients hand out a new refresh token on every refresh; the old one dies. */
  rotatable: boolean;
  /** Refresh-token lifetime; default 43,200 s for rotatable clients, unlimited otherwise. */
  refreshTokenTtlSeconds?: number;
}

/**
 * How the import engine judges one value. `date` = a real calendar date in YYYY-MM-DD;
 * `number` = an optionally signed decimal; `required` = not blank; `{ pattern }` = the value
 * must match the regular expression.
 */
export type ImportValueCheck = 'date' | 'number' | 'required' | { pattern: string; flags?: string };

/** A rejection rule: rows whose `column` fails `rule` are counted as failed and go to the dump. */
export interface ImportRowRule {
  /** Header name of the column in the uploaded file (exact match). */
  column: string;
  rule: ImportValueCheck;
  /** Apply only to this import; all imports when absent. */
  importId?: string;
  /** Accept blank values; by default a blank value fails `date`, `number`, `required` and most patterns. */
  allowEmpty?: boolean;
  /** Text for the dump's error column; a default names the column and the check. */
  message?: string;
}

export interface SeedFile {
  id: string;
  name: string;
  separator?: string;
  /** Quote character (Anaplan calls it the text delimiter). */
  delimiter?: string;
  encoding?: string;
  format?: string;
  headerRow?: number;
  firstDataRow?: number;
  /** Pre-uploaded, completed content. */
  content?: string | Buffer;
}

export interface SeedImport {
  id: string;
  name: string;
  /** The file the import reads (`importDataSourceId`). */
  fileId: string;
  importType?: string;
  /** Name shown in result details (the target list/module); defaults to the import name. */
  targetName?: string;
}

export interface SeedProcess {
  id: string;
  name: string;
  /** Imports run in order when the process runs. */
  importIds: string[];
}

export interface SeedModel {
  id: string;
  name: string;
  files?: SeedFile[];
  imports?: SeedImport[];
  processes?: SeedProcess[];
}

export interface SeedWorkspace {
  id: string;
  name: string;
  models: SeedModel[];
}

export interface EmulatorLimits {
  /** Uncompressed bytes per chunk; default 50,000,000 (HELP: "no larger than 50 MB of uncompressed data"). */
  maxChunkBytes?: number;
  /** Chunks per file; default 1,000 (HELP: "no more than 1,000 chunks per file"). */
  maxChunks?: number;
  /** Size of failure-dump chunks; default 10 MB ("Chunks are 10mb or less"). */
  dumpChunkBytes?: number;
}

export interface AnaplanEmulatorOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: the OS picks a free port. */
  port?: number;
  /** Basic-auth users; default `ops@acme.com` / `demo-password`. */
  users?: EmulatorUser[];
  /** PEM certificates accepted for CACertificate login (the certificate itself or its issuing CA). */
  trustedCertificates?: string[];
  /** Default one rotatable client `demo-device-client`. */
  oauthClients?: OAuthClientConfig[];
  /** Approve every device code as soon as it is issued (unattended demos). */
  autoApprove?: boolean;
  /** Lifetime of access tokens (auth service and OAuth); default 2100 s (35 min). */
  tokenTtlSeconds?: number;
  /** Device-code lifetime; default 900 s. */
  deviceCodeTtlSeconds?: number;
  /** Minimum device-grant poll interval; faster polls get `slow_down`. Default 5 s; 0 disables. */
  devicePollIntervalSeconds?: number;
  /** Time from task creation to COMPLETE; the first 20% is NOT_STARTED. Default 1500 ms. */
  taskDurationMs?: number;
  /** Row rejection rules applied by the import engine. */
  importRules?: ImportRowRule[];
  /**
   * An import with failed rows reports `successful: true` (the real service can call an import
   * that loaded most rows successful); default false: any failed row makes it `successful: false`.
   */
  successfulWithFailedRows?: boolean;
  /** The network in front of the emulator: shared bandwidth, latency, a cap on chunk uploads in flight. Default: unlimited. */
  link?: LinkSettings;
  /** Replaces the default seed (workspace "FP&A", model "Sales Forecast", …). */
  workspaces?: SeedWorkspace[];
  limits?: EmulatorLimits;
  /** What a repeated PUT of the same chunk does: replace it (default, what clients assume) or answer 409. */
  duplicateChunks?: 'replace' | 'reject';
  /** One line per request and per notable event. */
  log?: (line: string) => void;
}

export interface ResolvedOptions {
  host: string;
  port: number;
  users: EmulatorUser[];
  trustedCertificates: string[];
  oauthClients: OAuthClientConfig[];
  autoApprove: boolean;
  tokenTtlSeconds: number;
  deviceCodeTtlSeconds: number;
  devicePollIntervalSeconds: number;
  taskDurationMs: number;
  importRules: ImportRowRule[];
  successfulWithFailedRows: boolean;
  link: LinkSettings;
  workspaces: SeedWorkspace[];
  limits: Required<EmulatorLimits>;
  duplicateChunks: 'replace' | 'reject';
  log: (line: string) => void;
}

export const DEFAULT_USERS: readonly EmulatorUser[] = [{ username: 'ops@acme.com', password: 'demo-password' }];
export const DEFAULT_OAUTH_CLIENTS: readonly OAuthClientConfig[] = [{ clientId: 'demo-device-client', rotatable: true }];

export function resolveOptions(options: AnaplanEmulatorOptions, defaultWorkspaces: () => SeedWorkspace[]): ResolvedOptions {
  const limits = options.limits ?? {};
  return {
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    users: options.users ?? DEFAULT_USERS.map((u) => ({ ...u })),
    trustedCertificates: options.trustedCertificates ?? [],
    oauthClients: options.oauthClients ?? DEFAULT_OAUTH_CLIENTS.map((c) => ({ ...c })),
    autoApprove: options.autoApprove ?? false,
    tokenTtlSeconds: options.tokenTtlSeconds ?? 2100,
    deviceCodeTtlSeconds: options.deviceCodeTtlSeconds ?? 900,
    devicePollIntervalSeconds: options.devicePollIntervalSeconds ?? 5,
    taskDurationMs: options.taskDurationMs ?? 1500,
    importRules: options.importRules ?? [],
    successfulWithFailedRows: options.successfulWithFailedRows ?? false,
    link: options.link ?? {},
    workspaces: options.workspaces ?? defaultWorkspaces(),
    limits: {
      maxChunkBytes: limits.maxChunkBytes ?? 50_000_000,
      maxChunks: limits.maxChunks ?? 1000,
      dumpChunkBytes: limits.dumpChunkBytes ?? 10 * 1024 * 1024,
    },
    duplicateChunks: options.duplicateChunks ?? 'replace',
    log: options.log ?? (() => undefined),
  };
}

/**
 * The emulated org as the handlers see it: resolved configuration plus mutable runtime state
 * (sessions, jobs, faults, log, counters). Built once per emulator from its options.
 */
import type { KeyObject } from 'node:crypto';
import { BodyCache } from './body-cache';
import { FaultController } from './faults';
import { makeId, toId15, toId18 } from './ids';
import { publicKeyFromPem } from './jwt';
import type { BulkDatasetSpec, EmulatedConnectedApp, EmulatedUser, SfdcEmulatorOptions } from './options';
import type { ReportSpec } from './report-generator';
import { RequestLog } from './request-log';
import {
  CLIENT_CREDENTIALS_APP,
  DEFAULT_API_VERSION,
  DEFAULT_DATASETS,
  DEFAULT_ORG_ID,
  DEFAULT_ORG_NAME,
  DEFAULT_REPORTS,
  DEFAULT_USER,
  DEFAULT_USERNAME,
  jwtApp,
} from './seed-data';
import { SessionStore } from './sessions';

/** OAuth flows whose successful grants are counted. */
export type GrantFlow = 'jwt-bearer' | 'client_credentials' | 'refresh_token' | 'password' | 'authorization_code';

export interface ResolvedUser extends EmulatedUser {
  readonly userId: string;
  readonly displayName: string;
}

export interface ResolvedApp extends EmulatedConnectedApp {
  readonly jwtKey?: KeyObject;
  readonly scopes: readonly string[];
}

export interface EmulatorState {
  /** Set once the server listens: http://host:port, both login and instance URL. */
  baseUrl: string;
  readonly apiVersion: string;
  readonly orgId: string;
  readonly orgName: string;
  readonly passwordFlowBlocked: boolean;
  readonly configuredJwtAudiences: readonly string[] | undefined;
  readonly exportAcceptsApiSessions: boolean;
  readonly dailyApiRequestLimit: number;
  apiRequestsUsed: number;
  readonly bulkPollsUntilComplete: number;
  readonly bulkDefaultPageSize: number;
  readonly reportInstancePollsUntilComplete: number;
  readonly authorizeUsername: string;
  readonly controlEndpoint: boolean;
  readonly users: Map<string, ResolvedUser>;
  readonly apps: Map<string, ResolvedApp>;
  /** Keyed by the 15-character id, so both id forms find the report. */
  readonly reports: Map<string, ReportSpec>;
  /** Keyed by lower-case sObject name. */
  readonly datasets: Map<string, BulkDatasetSpec>;
  readonly sessions: SessionStore;
  readonly faults: FaultController;
  readonly log: RequestLog;
  readonly bodyCache: BodyCache;
  readonly grants: Record<GrantFlow, number>;
  readonly now: () => number;
  /** Aborted by stop(): ends delays and hung responses. */
  readonly shutdown: AbortController;
}

export function normaliseApiVersion(version: string): string {
  const match = /^v?(\d+)\.0$/.exec(version);
  if (!match) throw new Error(`apiVersion must look like "62.0" or "v62.0", got "${version}"`);
  return `${match[1]}.0`;
}

function byKey<T>(items: readonly T[], key: (item: T) => string): Map<string, T> {
  const map = new Map<string, T>();
  for (const item of items) map.set(key(item), item);
  return map;
}

export function createState(options: SfdcEmulatorOptions, jwtPublicPem: string): EmulatorState {
  const now = options.now ?? Date.now;
  const orgId = toId18(options.orgId ?? DEFAULT_ORG_ID);
  const users = new Map<string, ResolvedUser>();
  let userCounter = 1;
  for (const user of [DEFAULT_USER, ...(options.users ?? [])]) {
    users.set(user.username.toLowerCase(), {
      ...user,
      userId: user.userId ?? makeId('005', 10_000 + userCounter++),
      displayName: user.displayName ?? user.username,
    });
  }
  const apps = new Map<string, ResolvedApp>();
  for (const app of [jwtApp(jwtPublicPem), CLIENT_CREDENTIALS_APP, ...(options.connectedApps ?? [])]) {
    apps.set(app.clientId, {
      ...app,
      scopes: app.scopes ?? ['api', 'web', 'refresh_token'],
      jwtKey: app.jwtCertificatePem === undefined ? undefined : publicKeyFromPem(app.jwtCertificatePem),
    });
  }
  const reports = byKey([...(options.includeDefaultReports === false ? [] : DEFAULT_REPORTS), ...(options.reports ?? [])], (r) => toId15(r.id));
  const datasets = byKey([...DEFAULT_DATASETS, ...(options.datasets ?? [])], (d) => d.object.toLowerCase());
  const sessions = new SessionStore(orgId, (options.sessionTtlSeconds ?? 7200) * 1000, now);
  return {
    baseUrl: '',
    apiVersion: normaliseApiVersion(options.apiVersion ?? DEFAULT_API_VERSION),
    orgId,
    orgName: options.orgName ?? DEFAULT_ORG_NAME,
    passwordFlowBlocked: options.passwordFlowBlocked ?? true,
    configuredJwtAudiences: options.jwtAudiences,
    exportAcceptsApiSessions: options.exportAcceptsApiSessions ?? true,
    dailyApiRequestLimit: options.dailyApiRequestLimit ?? 15_000,
    apiRequestsUsed: 0,
    bulkPollsUntilComplete: options.bulkPollsUntilComplete ?? 2,
    bulkDefaultPageSize: options.bulkDefaultPageSize ?? 50_000,
    reportInstancePollsUntilComplete: options.reportInstancePollsUntilComplete ?? 2,
    authorizeUsername: options.authorizeUsername ?? DEFAULT_USERNAME,
    controlEndpoint: options.controlEndpoint ?? true,
    users,
    apps,
    reports,
    datasets,
    sessions,
    faults: new FaultController(() => sessions.expireAll()),
    log: new RequestLog(options.log),
    bodyCache: new BodyCache(options.bodyCacheBytes ?? 0),
    grants: { 'jwt-bearer': 0, client_credentials: 0, refresh_token: 0, password: 0, authorization_code: 0 },
    now,
    shutdown: new AbortController(),
  };
}

/** JWT audiences: configured ones, or login, test and the emulator's own URL. */
export function jwtAudiences(state: EmulatorState): readonly string[] {
  return state.configuredJwtAudiences ?? ['https://login.salesforce.com', 'https://test.salesforce.com', state.baseUrl];
}

export function findReport(state: EmulatorState, id: string): ReportSpec | undefined {
  return id.length === 15 || id.length === 18 ? state.reports.get(toId15(id)) : undefined;
}

export function canRunReport(report: ReportSpec, username: string): boolean {
  return report.runnableBy === undefined || report.runnableBy.some((u) => u.toLowerCase() === username.toLowerCase());
}

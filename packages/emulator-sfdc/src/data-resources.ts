/**
 * The small REST resources a client uses for session and limit checks: the version list
 * (/services/data/, no session needed), a version's resource directory and /limits.
 */
import { sendJson, type Exchange } from './http-io';
import type { EmulatorState } from './state';

/** Oldest version listed; Salesforce lists every version it still serves. */
const OLDEST_LISTED_VERSION = 31;

/** Release name of a version: v62.0 = Winter '25, three releases a year. */
function releaseLabel(major: number): string {
  const offset = major - 62 + 3 * 25;
  const year = Math.floor(offset / 3);
  const season = ['Winter', 'Spring', 'Summer'][offset % 3];
  return `${season} '${String(year).padStart(2, '0')}`;
}

/** GET /services/data/ */
export function handleVersions(state: EmulatorState, ex: Exchange): void {
  const newest = Number(state.apiVersion.split('.')[0]);
  const versions = [];
  for (let v = OLDEST_LISTED_VERSION; v <= newest; v++) {
    versions.push({ label: releaseLabel(v), url: `/services/data/v${v}.0`, version: `${v}.0` });
  }
  sendJson(ex, 200, versions);
}

/**
 * GET /services/data/vNN.0/: the resources this emulator serves under the version called (a real
 * org lists many more), and `identity`, the absolute identity URL of the session's user.
 */
export function handleVersionRoot(state: EmulatorState, ex: Exchange, version: string, username: string): void {
  const base = `/services/data/v${version}`;
  const user = state.users.get(username.toLowerCase());
  sendJson(ex, 200, {
    analytics: `${base}/analytics`,
    identity: `${state.baseUrl}/id/${state.orgId}/${user?.userId ?? ''}`,
    jobs: `${base}/jobs`,
    limits: `${base}/limits`,
  });
}

/** GET /services/data/vNN.0/limits */
export function handleLimits(state: EmulatorState, ex: Exchange): void {
  sendJson(ex, 200, {
    DailyApiRequests: { Max: state.dailyApiRequestLimit, Remaining: Math.max(0, state.dailyApiRequestLimit - state.apiRequestsUsed) },
    DailyAsyncApexExecutions: { Max: 250000, Remaining: 250000 },
    DailyBulkV2QueryFileStorageMB: { Max: 976562, Remaining: 976562 },
    DailyBulkV2QueryJobs: { Max: 10000, Remaining: 10000 },
  });
}

/**
 * The `sfdc-report` source: Salesforce reports as streamed CSV documents.
 *
 * open() logs in, checks the session once with a cheap REST call, then:
 * - `reportId`: one document; any failure throws, so the pipeline is torn down and the sink
 *   never completes with partial data;
 * - `reports`: one document per report, `concurrency` at a time; a report that fails ends as a
 *   `failed` piece and the others go on;
 * - `mode: soql`: one document from a Bulk API 2.0 query.
 */
import {
  AdaptiveConcurrency,
  BackPressureHttpClient,
  concurrencyLimit,
  CredentialUrlGuard,
  HttpClient,
  HttpStatusError,
  InsecureUrlError,
  credentialUrlProblems,
  defineSource,
  docFailed,
  type Doc,
  type Piece,
  type PluginContext,
} from '@pipe/core';
import type { AuthFlow } from './auth/auth-flow';
import { createAuthFlow } from './auth/create-auth-flow';
import { withInstanceUrlCheck } from './auth/instance-url-check';
import { SessionManager } from './auth/session-manager';
import { bulkQuery } from './bulk-query';
import { credentialUrls, sfdcReportConfig, type ReportRef, type SfdcReportConfig } from './config';
import { SfdcError } from './errors';
import { mergeConcurrent } from './merge-concurrent';
import { downloadReport, type ReportDownloadContext } from './report-download';
import { selectReports } from './report-list';
import { SalesforceClient } from './salesforce-client';

/** Ensures the session works for the REST API before any report is touched (one cheap call). */
async function checkSession(client: SalesforceClient, flow: AuthFlow, signal: AbortSignal): Promise<void> {
  try {
    await client.restJson('GET', '/', signal);
  } catch (error) {
    if (error instanceof SfdcError || error instanceof InsecureUrlError) throw error;
    if (error instanceof HttpStatusError && error.status === 404) {
      throw new SfdcError('SFDC_CONFIG', `the org does not serve REST API version ${client.apiVersion}: set apiVersion to one it lists at /services/data/`, {
        cause: error,
      });
    }
    throw new SfdcError('SFDC_LOGIN_FAILED', `the ${flow.name} session does not work for the REST API: ${(error as Error).message}`, { cause: error });
  }
}

/** A report's pieces; a failure becomes that document's `failed` piece instead of ending the stream. */
async function* isolateFailure(ref: ReportRef, pieces: AsyncIterable<Piece>, ctx: PluginContext): AsyncGenerator<Piece> {
  let doc: Doc = { id: ref.id, name: ref.name ?? ref.id };
  try {
    for await (const piece of pieces) {
      doc = piece.doc;
      yield piece;
    }
  } catch (error) {
    if (ctx.signal.aborted) throw error;
    ctx.log.error(`report ${ref.id} ("${doc.name}") failed: ${(error as Error).message}`);
    yield docFailed(doc, error instanceof Error ? error : new Error(String(error)));
  }
}

function apiVersionNumber(version: string): string {
  return version.replace(/^v/, '');
}

async function* openSfdcSource(config: SfdcReportConfig, ctx: PluginContext): AsyncGenerator<Piece> {
  // `auto`: an adaptive limit on reports at once, lowered by any overload answer the client meets.
  const limit = concurrencyLimit(config.concurrency, config.maxConcurrency, (change) =>
    ctx.log.debug(`concurrency auto: ${change.from} -> ${change.to} reports at once (${change.reason})`),
  );
  const adaptive = limit instanceof AdaptiveConcurrency ? limit : undefined;
  const httpOptions = { timeoutMs: config.timeoutMs, connections: limit.maximum + 4, log: ctx.log, secrets: ctx.secrets };
  const http = adaptive ? new BackPressureHttpClient(httpOptions, (retryAfterMs) => adaptive.backPressure(retryAfterMs)) : new HttpClient(httpOptions);
  try {
    const retryPolicy = config.retry;
    // Every URL a secret goes to is checked where it is used: token URLs (config or saved login) and the org URL.
    const urls = new CredentialUrlGuard({ allowInsecureHttp: config.allowInsecureHttp, log: ctx.log });
    const configured = await createAuthFlow(config.auth, {
      loginUrl: config.loginUrl,
      instanceUrl: config.instanceUrl?.replace(/\/+$/, ''),
      endpoint: { http, secrets: ctx.secrets, retry: retryPolicy, urls },
      secrets: ctx.secrets,
      resolvePath: (p) => ctx.resolvePath(p),
    });
    const flow = withInstanceUrlCheck(configured, urls);
    const sessions = new SessionManager(flow, ctx.log);
    const client = new SalesforceClient({
      http,
      sessions,
      apiVersion: apiVersionNumber(config.apiVersion),
      retry: retryPolicy,
      log: ctx.log,
      progress: ctx.progress,
    });

    if (config.mode === 'soql') {
      if (!config.soql) throw new SfdcError('SFDC_CONFIG', 'mode soql needs soql: the query, e.g. SELECT Id, Name FROM Opportunity');
      if (config.reportId !== undefined || config.reports !== undefined) throw new SfdcError('SFDC_CONFIG', 'mode soql takes soql, not reportId or reports');
      await checkSession(client, flow, ctx.signal);
      yield* bulkQuery(config.soql, config.name, {
        client,
        signal: ctx.signal,
        log: ctx.log,
        progress: ctx.progress,
        pollIntervalMs: config.pollIntervalMs,
        attempts: retryPolicy.attempts,
      });
      return;
    }

    if (config.soql !== undefined) throw new SfdcError('SFDC_CONFIG', 'soql is only read in mode soql');
    const selection = await selectReports(config, (p) => ctx.resolvePath(p));
    await checkSession(client, flow, ctx.signal);
    const download: ReportDownloadContext = { client, signal: ctx.signal, log: ctx.log, progress: ctx.progress };
    if (selection.single) {
      yield* downloadReport(selection.reports[0], download);
      return;
    }
    // `pipe run --only-failed` asks again for just the reports that failed last time.
    const reports = ctx.selectDocuments ? selection.reports.filter((ref) => ctx.selectDocuments!.has(ref.id)) : selection.reports;
    ctx.log.info(`downloading ${reports.length} reports, ${adaptive ? `concurrency auto (at most ${adaptive.maximum})` : limit.limit} at a time`);
    try {
      yield* mergeConcurrent(
        reports.map((ref) => () => isolateFailure(ref, downloadReport(ref, download), ctx)),
        limit,
      );
    } finally {
      if (adaptive && http instanceof BackPressureHttpClient) ctx.progress.report({ concurrency: adaptive.limit, http429: http.http429 });
    }
  } finally {
    await http.close();
  }
}

export const sfdcReportSource = defineSource({
  name: 'sfdc-report',
  summary: 'Salesforce reports (or a Bulk API query) as streamed CSV, every row, checked against the record count.',
  description: [
    'Downloads each report through the report export (`/{reportId}?export=1&xf=csv`), guarded by the Reports REST API:',
    '`describe` before it (a wrong id or a missing permission fails clearly), and after it the data rows must equal the',
    "report's record count from a run without details. The footer Salesforce appends is recognised by its shape and",
    'removed; an export without it was cut short and fails. Bytes pass on exactly as Salesforce sent them (header once,',
    'no re-encoding), streamed with backpressure.',
    '',
    '`reportId` fetches one report (a failure fails the pipeline); `reports` fetches many, `concurrency` at a time, each',
    'its own document (one failing does not stop the others). `mode: soql` runs a Bulk API 2.0 query instead.',
    '',
    'Logins: jwt (recommended), client-credentials, refresh-token (or an SFDX auth URL, or `pipe auth login sfdc`),',
    'password, or an existing session id. An expired session is renewed once and the request repeated.',
    'Secrets go only to https URLs (or this machine); redirects are never followed.',
  ].join('\n'),
  config: sfdcReportConfig,
  checkConfig: (config) => credentialUrlProblems(credentialUrls(config), config.allowInsecureHttp),
  open: (config, ctx) => openSfdcSource(config, ctx),
});

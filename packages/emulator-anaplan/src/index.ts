/**
 * A local Anaplan for tests and demos: auth service (`/token/…`), OAuth device grant
 * (`/oauth/…`, `/activate`) and Integration API v2 bulk calls (`/2/0/…`) on one
 * 127.0.0.1 port, with fault injection and a request log.
 *
 *   const anaplan = await startAnaplanEmulator({ taskDurationMs: 200 });
 *   anaplan.faults.add({ method: 'PUT', path: routePatterns.chunk, nth: 2, fault: { kind: 'status', status: 503 } });
 *   … point the client at anaplan.authUrl / anaplan.url (OAuth) / anaplan.apiUrl …
 *   await anaplan.stop();
 */
import { AuthService } from './auth-service';
import { CertificateVerifier } from './certificate-auth';
import { controlRoutes } from './control-api';
import type { EmulatorUrls } from './emulator-urls';
import { FailureDumps } from './failure-dumps';
import { FaultInjector } from './faults';
import { validateImportRules } from './import-engine';
import { IntegrationApi, type ImportRulesHolder } from './integration-api';
import { LinkModel, type LinkSettings, type LinkStats } from './link-model';
import { ModelCatalog } from './model-catalog';
import { OAuthDeviceService } from './oauth-device';
import { resolveOptions, type AnaplanEmulatorOptions, type ImportRowRule } from './options';
import { RequestLog, type EmulatorStats, type RecordedRequest } from './request-log';
import { Router } from './router';
import { defaultWorkspaces } from './seed-data';
import { EmulatorServer } from './server';
import { TaskBoard, type TaskStart } from './task-board';
import { TokenStore } from './token-store';

export interface AnaplanEmulator {
  /** `http://127.0.0.1:PORT`; also the OAuth base (`/oauth/device/code`, `/oauth/token`). */
  readonly url: string;
  /** `url + '/2/0'`, the Integration API base. */
  readonly apiUrl: string;
  /** Auth-service base (`/token/authenticate` …); equals `url`. */
  readonly authUrl: string;
  /** OAuth base; equals `url`. */
  readonly oauthUrl: string;
  readonly faults: FaultInjector;
  /** Every request so far (control routes excluded), Authorization reduced to its scheme. */
  readonly requests: readonly RecordedRequest[];
  /** What the user does on the verification page. Throws for an unknown code. */
  approveDevice(userCode: string): void;
  /** The assembled, decompressed bytes of a file. Throws for an unknown workspace/model/file. */
  getFileContent(workspaceId: string, modelId: string, fileId: string): Buffer;
  /** Replaces the import rejection rules for tasks that start running from now on. Throws on an invalid rule. */
  setImportRules(rules: ImportRowRule[]): void;
  /** Kills every issued access token (clients must log in again). */
  revokeAllTokens(): void;
  /** Replaces the link model (bandwidth, latency, cap on uploads in flight; absent = off). Throws on an invalid value. */
  setLink(settings: LinkSettings): void;
  /** The link's settings and accounting (uploads in flight, 429s from the cap, bytes granted). */
  linkStats(): LinkStats;
  /** Every import or process task started, oldest first, with the localeName and mappingParameters it was sent. */
  taskStarts(): readonly TaskStart[];
  stats(): EmulatorStats;
  stop(): Promise<void>;
}

export async function startAnaplanEmulator(options: AnaplanEmulatorOptions = {}): Promise<AnaplanEmulator> {
  const settings = resolveOptions(options, defaultWorkspaces);
  const urls: EmulatorUrls = { url: '', apiUrl: '' };
  const log = new RequestLog();
  const faults = new FaultInjector();
  const tokens = new TokenStore(settings.tokenTtlSeconds);
  const catalog = new ModelCatalog(settings, settings.workspaces);
  const importRules: ImportRulesHolder = {
    rules: [...validateImportRules(settings.importRules)],
    successfulWithFailedRows: settings.successfulWithFailedRows,
  };
  const link = new LinkModel(settings.link);
  const tasks = new TaskBoard(settings.taskDurationMs, new FailureDumps());

  const auth = new AuthService(settings.users, new CertificateVerifier(settings.trustedCertificates), tokens, log, urls);
  const oauth = new OAuthDeviceService(
    {
      clients: settings.oauthClients,
      autoApprove: settings.autoApprove,
      deviceCodeTtlSeconds: settings.deviceCodeTtlSeconds,
      pollIntervalSeconds: settings.devicePollIntervalSeconds,
      defaultUserId: settings.users[0]?.username ?? 'ops@acme.com',
    },
    tokens,
    log,
    urls,
    settings.log,
  );
  const integration = new IntegrationApi(catalog, tokens, tasks, importRules, settings, log, urls);

  const router = new Router();
  router.add(...auth.routes(), ...oauth.routes(), ...integration.routes());

  const getFileContent = (workspaceId: string, modelId: string, fileId: string): Buffer => {
    const file = catalog.model(workspaceId, modelId)?.files.get(fileId);
    if (file === undefined) throw new Error(`No file ${fileId} in workspace ${workspaceId} / model ${modelId}`);
    return file.upload.content();
  };

  const emulator: Omit<AnaplanEmulator, 'url' | 'apiUrl' | 'authUrl' | 'oauthUrl' | 'stop'> = {
    faults,
    requests: log.entries,
    approveDevice: (userCode) => oauth.approve(userCode),
    getFileContent,
    setImportRules: (rules) => {
      importRules.rules = [...validateImportRules(rules)];
    },
    revokeAllTokens: () => tokens.revokeAll(),
    setLink: (linkSettings) => link.set(linkSettings),
    linkStats: () => link.stats(),
    taskStarts: () => tasks.starts(),
    stats: () => log.snapshot(faults.firedCount),
  };

  const control = new Router();
  control.add(...controlRoutes(emulator));

  const server = new EmulatorServer({
    router,
    control,
    faults,
    link,
    log,
    say: settings.log,
    revokeToken: (value) => tokens.revoke(value),
  });
  const address = await server.listen(settings.host, settings.port);
  const hostPart = address.family === 'IPv6' || address.address.includes(':') ? `[${address.address}]` : address.address;
  urls.url = `http://${hostPart}:${address.port}`;
  urls.apiUrl = `${urls.url}/2/0`;
  settings.log(`anaplan emulator listening on ${urls.url}`);

  return {
    ...emulator,
    url: urls.url,
    apiUrl: urls.apiUrl,
    authUrl: urls.url,
    oauthUrl: urls.url,
    stop: () => server.stop(),
  };
}

export type {
  AnaplanEmulatorOptions,
  EmulatorLimits,
  EmulatorUser,
  ImportRowRule,
  ImportValueCheck,
  OAuthClientConfig,
  SeedFile,
  SeedImport,
  SeedModel,
  SeedProcess,
  SeedWorkspace,
} from './options';
export { DEFAULT_OAUTH_CLIENTS, DEFAULT_USERS } from './options';
export { DEFAULT_FILE_ID, DEFAULT_IMPORT_ID, DEFAULT_MODEL_ID, DEFAULT_PROCESS_ID, DEFAULT_WORKSPACE_ID, defaultWorkspaces } from './seed-data';
export { FaultInjector, routePatterns } from './faults';
export type { FaultAction, FaultKind, FaultRule, FaultRuleState, TerminalFaultAction } from './faults';
export type { EmulatorStats, LoginMode, RecordedRequest } from './request-log';
export type { LinkSettings, LinkStats } from './link-model';
export type { BandwidthAccount } from './shared-bandwidth';
export type { TaskStart } from './task-board';
export { DEVICE_CODE_GRANT } from './oauth-device';
export { certificateAuthorization, createTestCertificate, signCertificateLogin, type TestCertificate, type TestCertificateOptions } from './test-certificate';

import { Args, Flags } from '@oclif/core';
import { CredentialStore } from '@pipe/core/credentials';
import { ExitCode } from '@pipe/core/errors';
import { PipeCommand, type CommandOutcome } from '../../pipe-command';

interface LoginResult {
  readonly service: string;
  readonly account: string;
}

export default class AuthLogin extends PipeCommand<LoginResult> {
  static override summary = 'Log in once, interactively, so later runs are unattended.';
  static override description =
    'anaplan: OAuth device grant (shows a verification URL and code; stores the refresh token). ' +
    'sfdc: web-server flow with PKCE and a loopback callback (stores the refresh token). ' +
    'Tokens go to the encrypted credential store (AES-256-GCM; key from PIPE_CREDENTIALS_KEY or a key file; see docs/credentials.md).';
  static override examples = [
    '<%= config.bin %> <%= command.id %> anaplan --client-id 0123456789abcdef0123456789abcdef',
    '<%= config.bin %> <%= command.id %> sfdc --client-id 3MVG9... --login-url https://login.salesforce.com',
  ];
  static override args = { service: Args.string({ required: true, description: 'Which service: anaplan or sfdc.' }) };
  static override flags = {
    'client-id': Flags.string({ description: 'OAuth client id (connected app / device grant client).' }),
    'login-url': Flags.string({ description: 'Login or OAuth host (default: the real service).' }),
    account: Flags.string({ description: 'Name to save the credentials under (default: the user the service reports).' }),
    option: Flags.string({ char: 'o', multiple: true, description: 'More settings for the flow, as key=value.' }),
  };

  protected async execute(): Promise<CommandOutcome<LoginResult>> {
    const { args, flags } = await this.parse(AuthLogin);
    // The plugin packages offer the login flows: loaded only now, not for `pipe help`.
    const { findLogin } = await import('../../plugin-packages');
    const login = await findLogin(args.service);
    const options: Record<string, string | undefined> = { 'client-id': flags['client-id'], 'login-url': flags['login-url'], account: flags.account };
    for (const pair of flags.option ?? []) {
      const eq = pair.indexOf('=');
      if (eq < 1) this.error(`--option takes key=value (got "${pair}")`, { exit: ExitCode.Usage });
      options[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
    // A store that could not save the result fails now, before the user goes through the login.
    const credentials = new CredentialStore();
    await credentials.assertUsable();
    const controller = new AbortController();
    process.once('SIGINT', () => controller.abort());
    const { account } = await login.login(options, {
      say: (line) => process.stderr.write(`${line}\n`),
      signal: controller.signal,
      credentials,
    });
    return { result: { service: args.service, account }, exitCode: ExitCode.Ok };
  }

  protected render(result: LoginResult): string {
    return `Logged in to ${result.service} as ${result.account}; credentials saved (encrypted).`;
  }
}

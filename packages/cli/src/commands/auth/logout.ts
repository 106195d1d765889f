import { Args } from '@oclif/core';
import { CredentialStore } from '@pipe/core/credentials';
import { ExitCode } from '@pipe/core/errors';
import { PipeCommand, type CommandOutcome } from '../../pipe-command';

interface LogoutResult {
  readonly service: string;
  readonly account: string;
  readonly removed: boolean;
}

export default class AuthLogout extends PipeCommand<LogoutResult> {
  static override summary = 'Delete saved credentials.';
  static override examples = ['<%= config.bin %> <%= command.id %> anaplan ops@acme.com'];
  static override args = {
    service: Args.string({ required: true, description: 'anaplan or sfdc' }),
    account: Args.string({ required: true, description: 'The account shown by `pipe auth list`.' }),
  };

  protected async execute(): Promise<CommandOutcome<LogoutResult>> {
    const { args } = await this.parse(AuthLogout);
    const removed = await new CredentialStore().delete(args.service, args.account);
    return { result: { service: args.service, account: args.account, removed }, exitCode: removed ? ExitCode.Ok : ExitCode.Usage };
  }

  protected render(result: LogoutResult): string {
    return result.removed ? `Removed ${result.service}/${result.account}.` : `No saved credentials for ${result.service}/${result.account}.`;
  }
}

import type { CredentialEntry } from '@pipe/core';
import { CredentialStore } from '@pipe/core/credentials';
import { ExitCode } from '@pipe/core/errors';
import { PipeCommand, type CommandOutcome } from '../../pipe-command';
import { table } from '../../render/format';

export default class AuthList extends PipeCommand<CredentialEntry[]> {
  static override summary = 'List saved credentials (never their secrets).';
  static override examples = ['<%= config.bin %> <%= command.id %>'];

  protected async execute(): Promise<CommandOutcome<CredentialEntry[]>> {
    await this.parse(AuthList);
    return { result: await new CredentialStore().list(), exitCode: ExitCode.Ok };
  }

  protected render(entries: CredentialEntry[]): string {
    if (entries.length === 0) return 'No saved credentials. Log in with: pipe auth login anaplan|sfdc';
    return table(
      ['SERVICE', 'ACCOUNT', 'UPDATED'],
      entries.map((e) => [e.service, e.account, e.updatedAt]),
    );
  }
}

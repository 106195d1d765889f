import { Args, Flags } from '@oclif/core';
import { ExitCode } from '@pipe/core/errors';
import { findEmulator } from '../plugin-packages';
import { PipeCommand, type CommandOutcome } from '../pipe-command';

interface EmulateResult {
  readonly service: string;
  readonly url: string;
}

export default class Emulate extends PipeCommand<EmulateResult> {
  static override summary = 'Run a local emulator of a remote service (sfdc, anaplan) in the foreground.';
  static override description =
    'The emulators answer the real API paths with the real JSON shapes, status codes and auth flows, on 127.0.0.1. ' +
    'Point a pipeline file at the printed URL to try it without a real org. Stops on Ctrl-C.';
  static override examples = ['<%= config.bin %> <%= command.id %> anaplan --port 8443', '<%= config.bin %> <%= command.id %> sfdc'];
  static override args = { service: Args.string({ required: true, description: 'Which service: sfdc or anaplan.' }) };
  static override flags = {
    port: Flags.integer({ description: 'Port to listen on (default: chosen at run time).', min: 0, max: 65535 }),
  };

  protected async execute(): Promise<CommandOutcome<EmulateResult>> {
    const { args, flags } = await this.parse(Emulate);
    const emulator = await findEmulator(args.service);
    const running = await emulator.start({ port: flags.port, host: '127.0.0.1' });
    process.stderr.write(`${args.service} emulator listening on ${running.url}\n${running.describe().join('\n')}\nPress Ctrl-C to stop.\n`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await running.stop();
    return { result: { service: args.service, url: running.url }, exitCode: ExitCode.Ok };
  }

  protected render(): string {
    return 'emulator stopped';
  }
}

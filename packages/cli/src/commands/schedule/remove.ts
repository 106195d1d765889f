import { Args } from '@oclif/core';
import { ExitCode } from '@pipe/core/errors';
import { removeSchedule } from '@pipe/queue';
import { PipeCommand, type CommandOutcome } from '../../pipe-command';
import { openQueue, redisFlag } from '../../queue-connection';

export default class ScheduleRemove extends PipeCommand<{ id: string }> {
  static override summary = 'Remove a schedule (runs already started go on).';
  static override examples = ['<%= config.bin %> <%= command.id %> nightly.yml-1a2b3c4d'];
  static override args = { id: Args.string({ required: true, description: 'The schedule, as `pipe schedule list` shows it.' }) };
  static override flags = { redis: redisFlag };

  protected async execute(): Promise<CommandOutcome<{ id: string }>> {
    const { args, flags } = await this.parse(ScheduleRemove);
    const queue = await openQueue(flags.redis, this.redactor);
    try {
      await removeSchedule(queue, args.id);
      return { result: { id: args.id }, exitCode: ExitCode.Ok };
    } finally {
      await queue.close();
    }
  }

  protected render(result: { id: string }): string {
    return `Removed schedule ${result.id}.`;
  }
}

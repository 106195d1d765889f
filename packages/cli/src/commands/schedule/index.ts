import { readFileSync } from 'node:fs';
import { Args, Flags } from '@oclif/core';
import { ExitCode } from '@pipe/core/errors';
import { upsertSchedule, type ScheduleInfo } from '@pipe/queue';
import { checkPipelineNames, loadProject } from '../../load-project';
import { PipeCommand, type CommandOutcome } from '../../pipe-command';
import { openQueue, redisFlag } from '../../queue-connection';

export default class Schedule extends PipeCommand<ScheduleInfo> {
  static override summary = "Run a pipeline file's pipelines on the queue on a cron schedule.";
  static override description =
    "Keeps the schedule in Redis (BullMQ's job scheduler): when it comes, a free `pipe worker` starts a run of FILE, as `pipe enqueue FILE` would, so no machine needs cron. " +
    'The run uses the text FILE has now: after changing the file, schedule it again (the same FILE and --pipeline replace their schedule). ' +
    '`pipe schedule list` shows the schedules, `pipe schedule remove ID` removes one.';
  static override examples = [
    { description: 'Every night at 02:00, Zurich time', command: '<%= config.bin %> <%= command.id %> nightly.yml --cron "0 2 * * *" --tz Europe/Zurich' },
    { description: 'Every 15 minutes, one pipeline', command: '<%= config.bin %> <%= command.id %> nightly.yml --pipeline sales --cron "*/15 * * * *"' },
  ];

  static override args = { file: Args.string({ required: true, description: 'Pipeline file (YAML).' }) };

  static override flags = {
    cron: Flags.string({
      required: true,
      helpValue: 'EXPR',
      description: 'Cron expression: minute hour day-of-month month day-of-week (a leading sixth field is seconds).',
    }),
    tz: Flags.string({ helpValue: 'TZ', description: "IANA time zone of the expression (default: the workers' own)." }),
    pipeline: Flags.string({ char: 'p', multiple: true, description: 'Run only this pipeline (repeatable).' }),
    redis: redisFlag,
  };

  protected async execute(): Promise<CommandOutcome<ScheduleInfo>> {
    const { args, flags } = await this.parse(Schedule);
    const project = await loadProject(args.file, this.redactor);
    checkPipelineNames(project, flags.pipeline);
    const queue = await openQueue(flags.redis, this.redactor, project.queue?.redis);
    try {
      const info = await upsertSchedule(queue, {
        file: project.file,
        text: readFileSync(project.file, 'utf8'),
        cron: flags.cron,
        tz: flags.tz,
        only: flags.pipeline,
      });
      return { result: info, exitCode: ExitCode.Ok };
    } finally {
      await queue.close();
    }
  }

  protected render(info: ScheduleInfo): string {
    const only = info.pipelines?.length ? ` (pipelines ${info.pipelines.join(', ')})` : '';
    return `Scheduled ${info.id}: ${info.file}${only} at "${info.cron}"${info.tz ? ` (${info.tz})` : ''}; next run ${info.next ?? 'unknown'}.\nRemove it with: pipe schedule remove ${info.id}`;
  }
}

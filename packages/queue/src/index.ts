/** @pipe/queue: pipeline runs as BullMQ jobs on Redis: enqueue, workers, schedules, a shared target lock, a dashboard. */
export { PipeQueue, QUEUE_NAME, KEY_PREFIX } from './pipe-queue';
export { resolveRedisUrl, redisUrlSecrets, describeRedis, REDIS_URL_HELP, type RedisUrlSources } from './redis-url';
export type { PipelineJobData, ScheduledRunJobData, QueueJobData, RunPlan, PlannedPipeline } from './job-data';
export { planQueuedRun, type RunSelection } from './plan-run';
export { nextSteps, type RunSteps } from './needs-graph';
export { RunStore, RUN_TTL_MS } from './run-store';
export { startQueuedRun, advanceRun, queuedRunOutcome, pipelineJobId } from './queued-run';
export { RedisTargetLocks, type RedisTargetLocksOptions } from './redis-target-locks';
export { RedisCommands } from './redis-commands';
export { PipelineWorker, DEFAULT_LOCK_MS, type PipelineJob, type PipelineJobContext, type PipelineWorkerOptions } from './pipeline-worker';
export { upsertSchedule, listSchedules, removeSchedule, scheduleId, type ScheduleInfo, type ScheduleRequest } from './schedules';
export { listJobs, type ListedJob } from './queue-listing';
export { startDashboard, type Dashboard } from './dashboard';

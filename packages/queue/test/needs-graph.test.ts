import { nextSteps } from '../src/needs-graph';
import type { RunPlan } from '../src/job-data';

const plan: RunPlan = {
  runId: 'r',
  file: '/p.yml',
  text: '',
  startedAt: new Date(0).toISOString(),
  pipelines: [
    { name: 'sales', needs: [], retries: 0 },
    { name: 'returns', needs: [], retries: 0 },
    { name: 'summary', needs: ['sales', 'returns'], retries: 0 },
    { name: 'report', needs: ['summary'], retries: 0 },
    { name: 'archive', needs: ['sales'], retries: 0 },
  ],
};

describe('what a queued run does next', () => {
  it('starts with the pipelines that need nothing', () => {
    expect(nextSteps(plan, new Map())).toEqual({ ready: ['sales', 'returns'], skipped: [] });
  });

  it('a pipeline is ready only once every need has succeeded', () => {
    expect(nextSteps(plan, new Map([['sales', 'succeeded']])).ready).toEqual(['returns', 'archive']);
    expect(
      nextSteps(
        plan,
        new Map([
          ['sales', 'succeeded'],
          ['returns', 'succeeded'],
        ]),
      ).ready,
    ).toEqual(['summary', 'archive']);
  });

  it('a failed need skips its dependents and theirs in one step, with the reason pipe run gives', () => {
    const steps = nextSteps(
      plan,
      new Map([
        ['sales', 'succeeded'],
        ['returns', 'failed'],
      ]),
    );
    expect(steps.skipped).toEqual([
      { name: 'summary', reason: 'needs "returns", which failed' },
      { name: 'report', reason: 'needs "summary", which was skipped' },
    ]);
    expect(steps.ready).toEqual(['archive']);
  });
});

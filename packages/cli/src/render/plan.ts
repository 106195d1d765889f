/** `--dry-run` output: what would run, in which order, with which plugins and settings. */
import type { PlannedStage, RunPlan } from '@pipe/core/engine';

function stageLine(role: string, s: PlannedStage): string {
  const origin = s.origin === 'built-in' ? '' : ` (${s.origin})`;
  return `    ${role.padEnd(9)} ${s.plugin}${origin} ${JSON.stringify(s.config)}`;
}

export function renderPlan(plan: RunPlan): string {
  const lines = [`Plan for ${plan.file} (up to ${plan.concurrency} pipelines at once):`];
  for (const p of plan.pipelines) {
    lines.push(`  ${p.wave + 1}. ${p.name}${p.needs.length ? ` (after ${p.needs.join(', ')})` : ''}`);
    lines.push(stageLine('source', p.source));
    for (const t of p.transforms) lines.push(stageLine('transform', t));
    lines.push(stageLine('sink', p.sink));
  }
  lines.push('Dry run: no data moved.');
  return lines.join('\n');
}

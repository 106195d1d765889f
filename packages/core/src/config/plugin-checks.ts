/**
 * Checks that need the resolved plugins, after the schema has passed: each plugin's own
 * `checkConfig` rules, and sink targets that two pipelines of one file would both write.
 */
import type { ResolvedPipeline, ResolvedStage } from './resolve-pipeline-file';
import type { ConfigIssue } from './config-error';
import type { YamlSource } from './yaml-source';

/** Problems each plugin's `checkConfig` finds, at their keys inside `with:`. */
export function pluginCheckIssues(pipelines: readonly ResolvedPipeline[], source: YamlSource): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const check = (stage: ResolvedStage) => {
    for (const problem of stage.plugin.checkConfig?.(stage.config) ?? []) {
      const path = [...stage.path, 'with', ...problem.path];
      const key = path.at(-1);
      issues.push(typeof key === 'string' ? source.issue(path.slice(0, -1), problem.message, key) : source.issue(path, problem.message));
    }
  };
  for (const p of pipelines) [p.source, ...p.transforms, p.sink].forEach(check);
  return issues;
}

/** A `unique` target (a file or folder) written by two pipelines: reported at the later one. */
export function targetConflictIssues(pipelines: readonly ResolvedPipeline[], source: YamlSource): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const writers = new Map<string, string>();
  for (const p of pipelines) {
    for (const target of p.targets) {
      if (target.sharing !== 'unique') continue;
      const first = writers.get(target.key);
      if (first === undefined) writers.set(target.key, p.name);
      else {
        issues.push(
          source.issue(
            [...p.sink.path, 'with'],
            `pipelines "${first}" and "${p.name}" both write ${target.label}; give each its own path, or let one pipeline write it`,
          ),
        );
      }
    }
  }
  return issues;
}

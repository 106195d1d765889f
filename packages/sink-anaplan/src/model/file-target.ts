/**
 * The Anaplan file a run loads, as a target two pipelines must not load at once: from the first
 * chunk to the end of the import that reads it, or the chunks interleave and one input is silently
 * never imported.
 *
 * Known twice: from the config as written (the engine reads it before the run), and, once names
 * are resolved, by id, so two pipelines that name the same file differently (id and name) still
 * take turns.
 */
import type { ExclusiveTarget, SinkTarget } from '@pipe/core';
import type { AnaplanSinkConfig } from '../config';
import type { UploadTarget } from './upload-target';

/** The API host, which tells tenants apart (`api.anaplan.com`, `127.0.0.1:4100`). */
function apiHost(apiUrl: string): string {
  try {
    return new URL(apiUrl).host;
  } catch {
    return apiUrl;
  }
}

/** The file as the config names it, for `SinkPlugin.targets`. */
export function configuredFileTarget(config: AnaplanSinkConfig): SinkTarget {
  return {
    key: `anaplan-file:${apiHost(config.apiUrl)}/${config.workspace}/${config.model}/${config.file}`,
    label: `Anaplan file ${config.file} in model ${config.model}`,
    sharing: 'exclusive',
  };
}

/** The file by its ids, for `ctx.exclusive` once the names are resolved. */
export function resolvedFileTarget(apiUrl: string, target: UploadTarget): ExclusiveTarget {
  return {
    key: `anaplan-file:${apiHost(apiUrl)}/${target.model.id}/${target.file.id}`,
    label: `Anaplan file ${target.file.id} (${target.file.name}) in model ${target.model.id} (${target.model.name})`,
  };
}

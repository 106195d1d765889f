/**
 * A logger that also hands every warning to a listener, marked with the pipeline and plugin that
 * logged it (`[load/anaplan] allowInsecureHttp: ...`): how the warnings a plugin logs during a run
 * reach the `warnings` of `--json`.
 */
import type { LogFields, Logger } from '@pipe/core';

export function reportingWarnings(log: Logger, onWarning: (text: string) => void, fields: LogFields = {}): Logger {
  const where = [fields.pipeline, fields.plugin].filter((part) => typeof part === 'string' && part).join('/');
  return {
    debug: (message, extra) => log.debug(message, extra),
    info: (message, extra) => log.info(message, extra),
    warn: (message, extra) => {
      onWarning(where ? `[${where}] ${message}` : message);
      log.warn(message, extra);
    },
    error: (message, extra) => log.error(message, extra),
    child: (more) => reportingWarnings(log.child(more), onWarning, { ...fields, ...more }),
  };
}

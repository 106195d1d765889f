/**
 * Errors no promise of the engine catches: thrown from a plugin's timer or event handler, or a
 * promise rejection nobody handles. Node would print a stack trace and exit, leaving partial output
 * and no run record. Instead the pipeline whose plugin threw (known from its scope, see
 * plugin-scope.ts) fails with the error, and the caller decides the rest (`pipe run` stops the run).
 */
import { PipeError, errorMessage } from '../errors';
import { currentPluginScope, type PluginScope } from './plugin-scope';

export class StrayError extends PipeError {
  constructor(cause: unknown, origin: 'uncaughtException' | 'unhandledRejection') {
    const how = origin === 'unhandledRejection' ? 'a promise rejection nothing handled' : 'thrown outside the data flow, e.g. from a timer or an event handler';
    super(`${errorMessage(cause)} (${how})`, { code: 'STRAY_ERROR', cause });
  }
}

/**
 * Until the returned function is called, every stray error fails its pipeline (when it came from
 * a plugin's scope) and is then handed to `onStray`. Must not throw: Node exits if a handler does.
 */
export function watchStrayErrors(onStray: (error: StrayError, scope: PluginScope | undefined) => void): () => void {
  const handle = (cause: unknown, origin: 'uncaughtException' | 'unhandledRejection') => {
    const scope = currentPluginScope();
    const error = new StrayError(cause, origin);
    try {
      scope?.fail(error);
      onStray(error, scope);
    } catch (secondary) {
      process.stderr.write(`pipe: while handling "${error.message}": ${errorMessage(secondary)}\n`);
    }
  };
  const onException = (error: unknown) => handle(error, 'uncaughtException');
  const onRejection = (reason: unknown) => handle(reason, 'unhandledRejection');
  process.on('uncaughtException', onException);
  process.on('unhandledRejection', onRejection);
  return () => {
    process.off('uncaughtException', onException);
    process.off('unhandledRejection', onRejection);
  };
}

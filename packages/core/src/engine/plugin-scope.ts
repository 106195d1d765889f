/**
 * Which pipeline and plugin a piece of code runs for. The engine runs every plugin call (open,
 * push, flush, consume, each pull of a piece) inside its plugin's scope, and Node carries the
 * scope into whatever that code schedules: timers, event handlers, promises. So an error nobody
 * catches (a plugin's timer that throws) can still be traced to its pipeline and plugin; on
 * Node 20 the scope is visible in 'uncaughtException' and 'unhandledRejection' handlers.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export interface PluginScope {
  readonly pipeline: string;
  readonly plugin: string;
  /** Fails the pipeline with an error the plugin threw outside the engine's promises. */
  readonly fail: (error: Error) => void;
}

const scopes = new AsyncLocalStorage<PluginScope>();

export function inPluginScope<T>(scope: PluginScope, fn: () => T): T {
  return scopes.run(scope, fn);
}

/** The scope of the code running now, if a plugin's. */
export function currentPluginScope(): PluginScope | undefined {
  return scopes.getStore();
}

/**
 * @pipe/core/testing: run a plugin in a test without a pipeline file (runSource, runTransform,
 * runSink, a test context, pieces from a string). The scaffold of `pipe plugins new` uses it.
 */
export * from './testing/plugin-harness';

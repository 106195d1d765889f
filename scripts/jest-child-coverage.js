// Jest setup file. Under `pnpm test` (scripts/test-with-coverage.js), processes a test starts with
// this process.env (the real `pipe` binary, see packages/cli/test/run-pipe.ts) write V8 coverage
// for the report. Set here, inside each test file's sandbox, and not for the whole jest run: jest's
// own workers would otherwise write coverage of every module they load, many times over.
if (process.env.PIPE_CHILD_COVERAGE_DIR) process.env.NODE_V8_COVERAGE = process.env.PIPE_CHILD_COVERAGE_DIR;

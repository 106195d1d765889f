'use strict';
/**
 * jest's globalSetup: every temp folder the tests make (fixture projects, credential stores, the
 * redis and browser profiles of the children they start) goes under one folder of this run, which
 * is removed when jest exits. Tests then need no cleanup of their own, and a run does not leave
 * hundreds of folders in the machine's /tmp. `os.tmpdir()` reads TMPDIR, and the workers and
 * every child they spawn inherit it.
 */
const { chmodSync, mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

module.exports = function useOneTempDir() {
  const dir = mkdtempSync(join(tmpdir(), 'pipe-jest-'));
  // Open to other users as /tmp is (sticky): a test drops a child to user nobody to check permissions.
  chmodSync(dir, 0o1777);
  process.env.TMPDIR = dir;
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
};

'use strict';
/**
 * The parent's side of an emulator run in a child process of its own, driven over IPC: `script`
 * is forked with `--emulator`, sends `{ type: 'ready', url }`, answers each question sent to it
 * with `{ type: 'answer', value }` in order, and exits on `{ type: 'stop' }`. Benches keep the
 * emulator out of their own process so each case's peak RSS and CPU are the client's alone.
 */
const { fork } = require('node:child_process');

function startEmulatorProcess(script) {
  return new Promise((resolve, reject) => {
    const proc = fork(script, ['--emulator'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const waiting = [];
    proc.once('error', reject);
    proc.on('message', (m) => {
      if (m.type === 'ready') {
        resolve({
          url: m.url,
          ask: (question) =>
            new Promise((answer) => {
              waiting.push(answer);
              proc.send(question);
            }),
          stop: () =>
            new Promise((done) => {
              proc.once('exit', () => done());
              proc.send({ type: 'stop' });
            }),
        });
      } else if (m.type === 'answer') waiting.shift()?.(m.value);
    });
  });
}

module.exports = { startEmulatorProcess };

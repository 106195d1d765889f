'use strict';
/**
 * The share of the machine's CPU time the hypervisor gave to other guests (`steal` in
 * /proc/stat), between two readings. On a shared VM it swings from 0 to 40% within minutes, and a
 * run that had a third of its CPU taken looks a third slower whatever pipe did: printed beside
 * the times so a swing is told from a regression. Undefined where /proc/stat is not (not Linux).
 */
const { readFileSync } = require('node:fs');

/** The machine's CPU ticks so far: all of them, and those stolen. */
function cpuTicks() {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0];
    // cpu  user nice system idle iowait irq softirq steal guest guest_nice (guest time is within user)
    const ticks = line.trim().split(/\s+/).slice(1, 9).map(Number);
    return { total: ticks.reduce((a, b) => a + b, 0), steal: ticks[7] ?? 0 };
  } catch {
    return undefined;
  }
}

/** Stolen over all CPU ticks from `before` to now, 0..1; undefined when unknown or no tick passed. */
function stealSince(before) {
  const after = cpuTicks();
  if (!before || !after || after.total === before.total) return undefined;
  return (after.steal - before.steal) / (after.total - before.total);
}

module.exports = { cpuTicks, stealSince };

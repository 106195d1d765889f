'use strict';
/** The run whose `value` is the median of `runs` (the lower middle one for an even count). */
function medianRun(runs, value) {
  return [...runs].sort((a, b) => value(a) - value(b))[Math.floor((runs.length - 1) / 2)];
}

module.exports = { medianRun };

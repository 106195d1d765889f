'use strict';
/**
 * What the anaplan sink's auto settings chose in one run, in a few words, from the facts it reports
 * (`progress["sink:anaplan"].facts`): `concurrency 4, gzip-1 2, none 32` (chunks per encoding).
 * Undefined when the run reported none.
 */
function autoChoices(facts) {
  if (!facts) return undefined;
  const chunks = Object.entries(facts)
    .filter(([name]) => name.startsWith('chunks '))
    .map(([name, n]) => `${name.slice('chunks '.length)} ${n}`);
  return [`concurrency ${facts.concurrency ?? '?'}`, ...chunks].join(', ');
}

module.exports = { autoChoices };

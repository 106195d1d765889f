/**
 * Salesforce record ids: 15 case-sensitive characters plus a 3-character case-insensitive suffix
 * that encodes which of the first 15 characters are upper case. Reproducing the real suffix lets
 * clients that validate or normalise ids (15 <-> 18) run against the emulator unchanged.
 */

const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Appends the checksum suffix to a 15-character id; 18-character ids are returned unchanged. */
export function toId18(id: string): string {
  if (id.length === 18) return id;
  if (id.length !== 15) throw new Error(`Salesforce ids have 15 or 18 characters, got "${id}"`);
  let suffix = '';
  for (let block = 0; block < 3; block++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) {
      const ch = id.charCodeAt(block * 5 + i);
      if (ch >= 65 && ch <= 90) bits |= 1 << i;
    }
    suffix += SUFFIX_ALPHABET[bits];
  }
  return id + suffix;
}

/** The 15-character form that the UI uses in URLs. */
export function toId15(id: string): string {
  return id.length === 18 ? id.slice(0, 15) : id;
}

/** Builds an 18-character id from a 3-character key prefix, a 2-character pod code and a counter. */
export function makeId(keyPrefix: string, counter: number, pod = '5e'): string {
  let body = '';
  let n = counter;
  for (let i = 0; i < 10; i++) {
    const digit = n % 62;
    body = BASE62[digit] + body;
    n = (n - digit) / 62; // exact integer division without Math.floor, which is slow under jest's vm
  }
  return toId18(keyPrefix + pod + body);
}

/** True when two ids name the same record, whichever form each one uses. */
export function sameId(a: string, b: string): boolean {
  return toId15(a) === toId15(b);
}

/** Random base62 text, used for tokens whose only requirement is to be unguessable. */
export function randomBase62(length: number, randomBytes: (n: number) => Buffer): string {
  const bytes = randomBytes(length);
  let out = '';
  for (let i = 0; i < length; i++) out += BASE62[bytes[i] % 62];
  return out;
}

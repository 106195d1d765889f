/** Remembers secret values and scrubs them from any text before it is shown or written. */
import type { SecretRegistry } from '../plugin/context';

export const REDACTED = '[redacted]';

/** Values shorter than this are not scrubbed from free text: they would mangle ordinary words. */
const MIN_SECRET_LENGTH = 4;

export class Redactor implements SecretRegistry {
  private readonly values = new Set<string>();
  private pattern: RegExp | undefined;

  add(value: string | undefined): void {
    if (!value || value.length < MIN_SECRET_LENGTH || this.values.has(value)) return;
    this.values.add(value);
    // Longest first, so a secret that contains another is replaced whole.
    const sorted = [...this.values].sort((a, b) => b.length - a.length);
    this.pattern = new RegExp(sorted.map(escapeRegExp).join('|'), 'g');
  }

  redact(text: string): string {
    return this.pattern ? text.replace(this.pattern, REDACTED) : text;
  }

  get size(): number {
    return this.values.size;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

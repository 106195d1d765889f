/**
 * The text of a pipeline file, read from its bytes: at most MAX_PIPELINE_FILE_BYTES, strictly
 * UTF-8. Anything else is reported at the first offending byte rather than decoded with
 * replacement characters that would pass validation unnoticed.
 */
import { readFileSync, statSync } from 'node:fs';
import { formatByteSize } from '../util/byte-size';
import { ConfigError, type ConfigIssue } from './config-error';

/** Far above any real pipeline file (5,000 pipelines take about 2 MB), low enough to parse in little memory. */
export const MAX_PIPELINE_FILE_BYTES = 10_000_000;

const NEWLINE = 0x0a;

/** The file's text, or a ConfigError saying what is wrong with its bytes and where. */
export function readPipelineText(file: string): string {
  checkPipelineFileSize(file);
  const decoded = decodePipelineText(file, readFileSync(file));
  if ('issue' in decoded) throw new ConfigError([decoded.issue]);
  return decoded.text;
}

/** Refuses a file over the limit before anything reads it. */
export function checkPipelineFileSize(file: string): void {
  const { size } = statSync(file);
  if (size > MAX_PIPELINE_FILE_BYTES) {
    throw new ConfigError([
      at(
        file,
        1,
        1,
        `the file is ${formatByteSize(size)}, over the ${formatByteSize(MAX_PIPELINE_FILE_BYTES)} a pipeline file may be; split its pipelines over several files`,
      ),
    ]);
  }
}

export function decodePipelineText(file: string, bytes: Uint8Array): { text: string } | { issue: ConfigIssue } {
  const bom = bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff));
  // UTF-16 text without a BOM starts with an ASCII character next to a zero byte.
  if (bom || (bytes.length >= 2 && (bytes[0] === 0 || bytes[1] === 0))) {
    return { issue: at(file, 1, 1, 'the file is UTF-16; save it as UTF-8') };
  }
  const nul = bytes.indexOf(0);
  if (nul !== -1) {
    return { issue: located(file, bytes, nul, 'a NUL byte, which text never holds (is this a UTF-16 or binary file?); save the file as UTF-8 text') };
  }
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    const bad = firstInvalidUtf8(bytes);
    const hex = bytes[bad].toString(16).toUpperCase().padStart(2, '0');
    return { issue: located(file, bytes, bad, `not UTF-8 (byte 0x${hex}; the file may be Latin-1 or Windows-1252); save it as UTF-8`) };
  }
}

/** Offset of the first byte that does not start a well-formed UTF-8 sequence (RFC 3629). */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const lead = bytes[i];
    if (lead < 0x80) {
      i++;
      continue;
    }
    const form = sequenceForm(lead);
    if (!form || i + form.length > bytes.length) return i;
    if (bytes[i + 1] < form.secondMin || bytes[i + 1] > form.secondMax) return i;
    for (let k = 2; k < form.length; k++) if (bytes[i + k] < 0x80 || bytes[i + k] > 0xbf) return i;
    i += form.length;
  }
  return -1;
}

/** Length and allowed second byte of a sequence by its lead byte; the ranges exclude overlong forms, surrogates and code points past U+10FFFF. */
function sequenceForm(lead: number): { length: number; secondMin: number; secondMax: number } | undefined {
  if (lead >= 0xc2 && lead <= 0xdf) return { length: 2, secondMin: 0x80, secondMax: 0xbf };
  if (lead === 0xe0) return { length: 3, secondMin: 0xa0, secondMax: 0xbf };
  if (lead === 0xed) return { length: 3, secondMin: 0x80, secondMax: 0x9f };
  if (lead >= 0xe1 && lead <= 0xef) return { length: 3, secondMin: 0x80, secondMax: 0xbf };
  if (lead === 0xf0) return { length: 4, secondMin: 0x90, secondMax: 0xbf };
  if (lead >= 0xf1 && lead <= 0xf3) return { length: 4, secondMin: 0x80, secondMax: 0xbf };
  if (lead === 0xf4) return { length: 4, secondMin: 0x80, secondMax: 0x8f };
  return undefined;
}

/** The issue at byte `offset`, with the line and column an editor shows (columns count characters). */
function located(file: string, bytes: Uint8Array, offset: number, message: string): ConfigIssue {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    if (bytes[i] === NEWLINE) {
      line++;
      lineStart = i + 1;
    }
  }
  const before = new TextDecoder('utf-8').decode(bytes.subarray(lineStart, offset));
  return at(file, line, before.length + 1, message);
}

function at(file: string, line: number, column: number, message: string): ConfigIssue {
  return { file, line, column, path: '', message };
}

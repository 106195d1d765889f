/**
 * Whether a name is a plain file name: one that, joined to a folder, names a file inside that
 * folder. `.`, `..` and an empty name resolve to the folder itself or its parent, and a separator
 * reaches elsewhere, so a sink writing such a name would put files outside the folder it was given.
 */

/** Why `name` is not a plain file name, or undefined when it is one. */
export function fileNameProblem(name: string): string | undefined {
  if (name === '') return 'it is empty';
  if (name === '.' || name === '..') return `"${name}" names a folder, not a file`;
  if (/[/\\]/.test(name)) return `"${name}" contains a path separator`;
  if (name.includes('\0')) return `"${name}" contains a NUL character`;
  return undefined;
}

/** The last segment of a config path (`out/x.csv` -> `x.csv`; `out/` -> ``). */
export function lastSegment(path: string): string {
  return path.split(/[/\\]/).at(-1) ?? '';
}

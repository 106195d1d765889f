import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** A temp project folder holding `files` (path -> content). */
export function project(files: Record<string, string | Buffer>): string {
  const dir = mkdtempSync(join(tmpdir(), 'pipe-test-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

export const ISSUE_EXAMPLE = `version: 1
pipelines:
  sales:
    source:
      use: file
      with: { path: ./data/sales.csv }
    transforms:
      - use: chunk-lines
        with: { chunkSize: 10MB }
    sink:
      use: dir
      with: { path: ./out/sales, name: "part-{index}.csv" }
  archive:
    needs: [sales]
    source: { use: file, with: { path: ./data/sales.csv } }
    sink: { use: file, with: { path: ./out/sales-copy.csv } }
`;

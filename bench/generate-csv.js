// Writes a CSV of about `mb` megabytes with quoted fields holding commas, escaped quotes, CRLF and
// LF line breaks and non-ASCII text, the shape that breaks naive line splitters. Deterministic.
const { createWriteStream, existsSync, statSync, mkdirSync } = require('node:fs');
const { dirname } = require('node:path');

async function generateCsv(path, mb) {
  if (existsSync(path) && statSync(path).size >= mb * 1e6) return path;
  mkdirSync(dirname(path), { recursive: true });
  const out = createWriteStream(path);
  const target = mb * 1e6;
  let written = 0;
  let i = 0;
  const header = 'Id,Account,Amount,Close Date,Stage,Description\r\n';
  out.write(header);
  written += header.length;
  while (written < target) {
    const rows = [];
    for (let k = 0; k < 2000; k++, i++) {
      const note = i % 3 === 0 ? `"Renewal for ""Acme ${i}"", Zürich office\r\nsecond line\nthird"` : `Plain note ${i}`;
      rows.push(
        `006${String(i).padStart(12, '0')},"Acme ${i % 997}, Inc.",${((i * 7919) % 100000) / 100},2026-${String((i % 12) + 1).padStart(2, '0')}-15,Closed Won,${note}\r\n`,
      );
    }
    const block = rows.join('');
    written += Buffer.byteLength(block);
    if (!out.write(block)) await new Promise((r) => out.once('drain', r));
  }
  await new Promise((r) => out.end(r));
  return path;
}

module.exports = { generateCsv };

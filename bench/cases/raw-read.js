// Baseline: fs.createReadStream piped to /dev/null.
const { createReadStream, createWriteStream } = require('node:fs');
const { pipeline } = require('node:stream/promises');

(async () => {
  const file = process.argv[2];
  const started = process.hrtime.bigint();
  let bytes = 0;
  const input = createReadStream(file);
  input.on('data', (d) => (bytes += d.length));
  await pipeline(input, createWriteStream('/dev/null'));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  process.stdout.write(JSON.stringify({ bytes, seconds, maxRssMB: (process.resourceUsage().maxRSS * 1024) / 1e6 }));
})();

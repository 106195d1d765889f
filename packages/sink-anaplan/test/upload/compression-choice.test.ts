import { chooseEncoding, compressionCompetes, type ChoiceInputs } from '../../src/upload/compression-choice';

const MB = 1_000_000;
/** CSV-like data: gzip-1 makes it 16% of its size at 150 MB/s a thread, gzip-6 13% at 60 MB/s. */
const compression = new Map([
  [1, { ratio: 0.16, bytesPerSecond: 150 * MB }],
  [6, { ratio: 0.13, bytesPerSecond: 60 * MB }],
]);
const base: ChoiceInputs = {
  compression,
  upload: new Map(),
  pending: new Set(),
  sentAgo: new Map(),
  threads: 2,
  chunkBytes: 10 * MB,
  remainingBytes: 100 * MB,
};
/** Upload seconds per byte of data on a link of `wireBytesPerSecond` that costs `perByte` besides. */
const link =
  (wireBytesPerSecond: number, perByte = 0) =>
  (ratio: number) =>
    perByte + ratio / wireBytesPerSecond;

describe('compress: auto choosing an encoding', () => {
  it('before anything was uploaded: gzip-1 for data it halves, none for data it does not', () => {
    expect(chooseEncoding(base).encoding.name).toBe('gzip-1');
    const incompressible = new Map([
      [1, { ratio: 0.9, bytesPerSecond: 50 * MB }],
      [6, { ratio: 0.88, bytesPerSecond: 20 * MB }],
    ]);
    expect(chooseEncoding({ ...base, compression: incompressible }).encoding.name).toBe('none');
  });

  it('on a slow link (10 MB/s) with both probes measured: gzip at the level that sends least, while compression keeps up', () => {
    const slow = link(10 * MB);
    const upload = new Map([
      ['none', slow(1)],
      ['gzip-1', slow(0.16)],
    ]);
    const choice = chooseEncoding({ ...base, upload });
    expect(choice.encoding.name).toBe('gzip-6');
    expect(choice.trial).toBeUndefined();
  });

  it('on a fast link where the other side costs per byte of data whatever is sent: none', () => {
    const fast = link(1000 * MB, 0.01 / MB);
    const upload = new Map([
      ['none', fast(1)],
      ['gzip-1', fast(0.16) + 0.003 / MB], // decompressing on the other side costs too
    ]);
    expect(chooseEncoding({ ...base, upload }).encoding.name).toBe('none');
  });

  it('with only gzip measured, never risks a whole chunk as none when the wire is likely the bottleneck and little data is left', () => {
    const upload = new Map([['gzip-1', link(10 * MB)(0.16)]]);
    const choice = chooseEncoding({ ...base, upload, remainingBytes: 20 * MB });
    expect(choice.encoding.name).not.toBe('none');
  });

  it('tries an encoding once when it might be much faster and much data is left; not again while it is on its way', () => {
    // gzip-1 is held back by compressing (1/300 s per MB on two threads), not by its upload:
    // none is likely slower if the link is all wire, but could be much faster.
    const upload = new Map([['gzip-1', 0.002 / MB]]);
    const trial = chooseEncoding({ ...base, upload, remainingBytes: 1000 * MB });
    expect(trial).toMatchObject({ encoding: { name: 'none' }, trial: true });
    const next = chooseEncoding({ ...base, upload, pending: new Set(['none']), remainingBytes: 1000 * MB });
    expect(next).toMatchObject({ encoding: { name: 'gzip-1' } });
    expect(next.trial).toBeUndefined();
  });

  it('with trials off (a whole chunk), sends the best predicted encoding, never one only to measure it', () => {
    const untried = chooseEncoding({ ...base, upload: new Map([['gzip-1', 0.002 / MB]]), remainingBytes: 1000 * MB }, undefined, false);
    expect(untried).toMatchObject({ encoding: { name: 'gzip-1' } });
    expect(untried.trial).toBeUndefined();
    const upload = new Map([
      ['none', 0.03 / MB],
      ['gzip-1', 0.01 / MB],
    ]);
    // On a 1 MB chunk, stale none would be measured again; with trials off it is not.
    const stale = { ...base, upload, chunkBytes: MB, sentAgo: new Map([['none', 6]]), measuredOnce: new Set(['none']) };
    expect(chooseEncoding(stale, { name: 'gzip-1' })).toMatchObject({ encoding: { name: 'none' }, trial: true });
    expect(chooseEncoding(stale, { name: 'gzip-1' }, false).encoding.name).not.toBe('none');
    expect(chooseEncoding(stale, { name: 'gzip-1' }, false).trial).toBeUndefined();
  });

  it('keeps the encoding in use unless another is predicted at least 10% faster', () => {
    const upload = new Map([
      ['none', 0.0105 / MB],
      ['gzip-1', 0.01 / MB],
    ]);
    const current = { name: 'none' };
    expect(chooseEncoding({ ...base, upload, sentAgo: new Map([['gzip-1', 1]]) }, current).encoding.name).toBe('none');
  });
  it('switches to a level not measured yet as soon as it is predicted best: it has no figure of its own to keep it 10% apart with', () => {
    // A slow link with a per-byte cost besides (0.02 s/MB + 0.05 s per MB sent): gzip-6 predicted 5% faster than gzip-1 in use.
    const slow = link(20 * MB, 0.02 / MB);
    const upload = new Map([
      ['none', slow(1)],
      ['gzip-1', slow(0.16)],
    ]);
    const gzip1 = { name: 'gzip-1', gzipLevel: 1 };
    expect(chooseEncoding({ ...base, upload, sentAgo: new Map([['none', 1]]) }, gzip1).encoding.name).toBe('gzip-6');
    // Measured, the same 5% does not move it.
    const measured = new Map([...upload, ['gzip-6', slow(0.13)]]);
    expect(chooseEncoding({ ...base, upload: measured, sentAgo: new Map([['none', 1]]) }, gzip1).encoding.name).toBe('gzip-1');
  });

  it('measures again soon an encoding known from one cold upload only, when it is within 4x of the best and could pay', () => {
    // A cold first upload made none look 3x slower than gzip-1; three chunks later it is measured again on a 1 MB trial chunk.
    const upload = new Map([
      ['none', 0.03 / MB],
      ['gzip-1', 0.01 / MB],
    ]);
    const inputs = { ...base, upload, chunkBytes: MB, sentAgo: new Map([['none', 3]]) };
    const current = { name: 'gzip-1' };
    const measuredOnce = new Set(['none']);
    expect(chooseEncoding({ ...inputs, measuredOnce }, current)).toMatchObject({ encoding: { name: 'none' }, trial: true });
    expect(chooseEncoding({ ...inputs, measuredOnce, sentAgo: new Map([['none', 2]]) }, current).trial).toBeUndefined();
    // Not when the rest is too small for it to pay back the trial chunk, even at best.
    expect(chooseEncoding({ ...inputs, measuredOnce, remainingBytes: 5 * MB }, current).trial).toBeUndefined();
    // Nor at 4x or more: were the figure 4x too slow, none would still be no faster.
    const far = new Map([...upload, ['none', 0.041 / MB]]);
    expect(chooseEncoding({ ...inputs, upload: far, measuredOnce, sentAgo: new Map([['none', 6]]) }, current).trial).toBeUndefined();
    // Measured by more than one upload, 3x slower is believed.
    expect(chooseEncoding({ ...inputs, sentAgo: new Map([['none', 6]]) }, current).encoding.name).not.toBe('none');
  });
  it('measures a stale encoding again only after the chunks the caller set for it (stretched after each such measurement)', () => {
    const upload = new Map([
      ['none', 0.01 / MB],
      ['gzip-1', 0.015 / MB],
    ]);
    const inputs = { ...base, upload, sentAgo: new Map([['gzip-1', 6]]) };
    const none = { name: 'none' };
    expect(chooseEncoding(inputs, none)).toMatchObject({ encoding: { name: 'gzip-1' }, trial: true });
    expect(chooseEncoding({ ...inputs, staleAfter: new Map([['gzip-1', 12]]) }, none).encoding.name).toBe('none');
    expect(chooseEncoding({ ...inputs, sentAgo: new Map([['gzip-1', 12]]), staleAfter: new Map([['gzip-1', 12]]) }, none).trial).toBe(true);
  });

  it('sends data as it is unless compressing is predicted at least 30% faster (a per-request cost predicts both alike)', () => {
    const alike = new Map([
      ['none', 0.0149 / MB],
      ['gzip-1', 0.0125 / MB],
    ]);
    // (gzip-6 is on its way to be measured: no trial of it here.)
    expect(chooseEncoding({ ...base, upload: alike, pending: new Set(['gzip-6']), sentAgo: new Map([['gzip-1', 1]]) }).encoding.name).toBe('none');
    const faster = new Map([
      ['none', 0.0149 / MB],
      ['gzip-1', 0.0101 / MB],
    ]);
    expect(chooseEncoding({ ...base, upload: faster, sentAgo: new Map([['none', 1]]) }).encoding.name).toBe('gzip-1');
  });

  it("counts compressing against the CPU the rest of the process's work needs: two cores, not two free threads", () => {
    // gzip-1 at 150 MB/s a thread: 1/300 s per MB on two idle threads, but with the process's other
    // work at 2 ms per MB on the same two cores, (6.7 + 2) / 2 = 4.3 ms per MB at best.
    const upload = new Map([
      ['none', 0.0055 / MB],
      ['gzip-1', 0.001 / MB],
    ]);
    const inputs = { ...base, upload, sentAgo: new Map([['none', 1]]), cores: 2 };
    expect(chooseEncoding(inputs).encoding.name).toBe('gzip-1');
    expect(chooseEncoding({ ...inputs, otherCpuPerByte: 0.002 / MB }).encoding.name).toBe('none');
  });

  it('does not measure gzip again when compressing alone costs more than sending as it is: measuring the link cannot lower that', () => {
    // gzip-1 measured once, cold (10 ms per MB), 2.5x none: within reach were the link all that counts.
    const upload = new Map([
      ['none', 0.004 / MB],
      ['gzip-1', 0.01 / MB],
    ]);
    const inputs = { ...base, upload, measuredOnce: new Set(['gzip-1']), sentAgo: new Map([['gzip-1', 6]]), chunkBytes: MB, remainingBytes: 1000 * MB };
    const none = { name: 'none' };
    expect(chooseEncoding(inputs, none)).toMatchObject({ encoding: { name: 'gzip-1' }, trial: true });
    expect(chooseEncoding({ ...inputs, cores: 2, otherCpuPerByte: 0.002 / MB }, none)).toMatchObject({ encoding: { name: 'none' } });
    expect(chooseEncoding({ ...inputs, cores: 2, otherCpuPerByte: 0.002 / MB }, none).trial).toBeUndefined();
  });

  it('measures one known from small uploads only on a whole chunk once the best is known from whole ones: small trials would only repeat its figure', () => {
    // Loopback after a stall on the plain probe: 1 MB as it is took 25 ms, and gzip-1 was chosen;
    // its whole chunks went 9 ms per MB (the other side decompresses), compressing 3.3.
    const upload = new Map([
      ['none', 0.025 / MB],
      ['gzip-1', 0.009 / MB],
    ]);
    const inputs: ChoiceInputs = {
      ...base,
      compression: new Map([[1, compression.get(1)!]]),
      upload,
      sentAgo: new Map([['none', 2]]),
      measuredOn: new Map([
        ['none', MB],
        ['gzip-1', 10 * MB],
      ]),
      wholeChunkBytes: 10 * MB,
      remainingBytes: 260 * MB,
      trialBytes: MB,
    };
    const gzip1 = { name: 'gzip-1', gzipLevel: 1 };
    expect(chooseEncoding(inputs, gzip1)).toMatchObject({ encoding: { name: 'none' }, trial: true, wholeChunk: true });
    // Not while the best is known from small uploads only too (right after the probes: alike compared with alike).
    const bothSmall = new Map([
      ['none', MB],
      ['gzip-1', MB],
    ]);
    expect(chooseEncoding({ ...inputs, measuredOn: bothSmall }, gzip1).trial).toBeUndefined();
    // Nor without the sizes (a caller that does not say).
    expect(chooseEncoding({ ...inputs, measuredOn: undefined }, gzip1).trial).toBeUndefined();
    // Nor with one on its way, nor with too little left for a whole chunk to pay back, were the figure right.
    expect(chooseEncoding({ ...inputs, sentAgo: new Map([['none', 0.5]]) }, gzip1).trial).toBeUndefined();
    expect(chooseEncoding({ ...inputs, remainingBytes: 50 * MB }, gzip1).trial).toBeUndefined();
    // At 80 Mbit/s the plain probe's 0.1 s per MB, even 4x too slow, is no match for gzip: no whole chunk risked.
    const slowLink = new Map([
      ['none', 0.105 / MB],
      ['gzip-1', 0.016 / MB],
    ]);
    expect(chooseEncoding({ ...inputs, upload: slowLink }, gzip1).trial).toBeUndefined();
  });

  it('measures the slower levels only while gzip is in the running: on a slow link, not on a fast one, not before the link is known', () => {
    const fastestOnly = new Map([[1, compression.get(1)!]]);
    const slow = link(10 * MB);
    const slowLink = new Map([
      ['none', slow(1)],
      ['gzip-1', slow(0.16)],
    ]);
    expect(compressionCompetes({ ...base, compression: fastestOnly, upload: slowLink })).toBe(true);
    // Loopback as the bench measured it: the gzipped probe took 3x the plain one's time per byte of data.
    const loopback = new Map([
      ['none', 0.012 / MB],
      ['gzip-1', 0.038 / MB],
    ]);
    expect(compressionCompetes({ ...base, compression: fastestOnly, upload: loopback })).toBe(false);
    expect(compressionCompetes({ ...base, compression: fastestOnly })).toBe(false);
  });
});

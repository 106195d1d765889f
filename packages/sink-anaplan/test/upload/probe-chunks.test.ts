import type { UploadChunk } from '../../src/upload/document-chunks';
import { withProbeChunks } from '../../src/upload/probe-chunks';
import { opportunitiesCsv } from '../support/anaplan-fixture';

async function collect(chunks: UploadChunk[], probeBytes: number, trialAt?: (index: number, data: Buffer) => boolean) {
  let probes: number | undefined;
  const out: UploadChunk[] = [];
  for await (const chunk of withProbeChunks(
    (async function* () {
      yield* chunks;
    })(),
    { onProbes: (n) => (probes = n), trialAt },
    probeBytes,
  ))
    out.push(chunk);
  return { out, probes };
}

describe('probe chunks for compress: auto', () => {
  it('cuts the first chunk into two small probes and the rest at record ends (quoted line breaks stay whole), numbering every chunk anew', async () => {
    const first = opportunitiesCsv(3000);
    const second = Buffer.from('OPP-x,"y",1,2024-01-01,z\r\n');
    let released = 0;
    const { out, probes } = await collect(
      [
        { index: 0, data: first, release: () => released++ },
        { index: 1, data: second },
      ],
      20_000,
    );
    expect(probes).toBe(2);
    expect(out.map((c) => c.index)).toEqual([0, 1, 2, 3]);
    expect(Buffer.concat(out.slice(0, 3).map((c) => c.data)).equals(first)).toBe(true);
    expect(out[0].data.length).toBeGreaterThanOrEqual(20_000);
    expect(out[0].data.length).toBeLessThan(21_000);
    for (const probe of out.slice(0, 2)) {
      expect(probe.data.subarray(-2).toString()).toBe('\r\n');
      expect(probe.data.toString().split('"').length % 2).toBe(1); // even number of quotes: no record cut inside quotes
    }
    // The first chunk's bytes go back to their producer once all three parts are done with.
    out[0].release!();
    out[1].release!();
    expect(released).toBe(0);
    out[2].release!();
    expect(released).toBe(1);
  });

  it('stopped between the probes, still gives the first chunk back once the parts handed out are', async () => {
    let released = 0;
    const parts = withProbeChunks(
      (async function* () {
        yield { index: 0, data: opportunitiesCsv(3000), release: () => released++ };
      })(),
      { onProbes: () => undefined },
      20_000,
    );
    const probe = (await parts.next()).value as UploadChunk;
    await parts.return(undefined); // the second probe and the rest were never handed out
    expect(released).toBe(0); // the first probe still holds the chunk
    probe.release?.();
    expect(released).toBe(1);
  });

  it('leaves a small first chunk whole', async () => {
    const { out, probes } = await collect([{ index: 0, data: opportunitiesCsv(100) }], 20_000);
    expect(probes).toBe(0);
    expect(out).toHaveLength(1);
  });

  it('cuts a later chunk into a small trial chunk and the rest when asked, numbering on; a chunk too small for it stays whole', async () => {
    const big = opportunitiesCsv(3000);
    const small = opportunitiesCsv(100);
    const asked: number[] = [];
    let released = 0;
    const { out } = await collect(
      [
        { index: 0, data: small },
        { index: 1, data: big, release: () => released++ },
        { index: 2, data: small },
      ],
      20_000,
      (index) => {
        asked.push(index);
        return true;
      },
    );
    expect(asked).toEqual([1]); // the first chunk is never a trial, and a small one is not asked about
    expect(out.map((c) => c.index)).toEqual([0, 1, 2, 3]);
    expect(out[1].data.length).toBeGreaterThanOrEqual(20_000);
    expect(out[1].data.length).toBeLessThan(21_000);
    expect(out[1].data.subarray(-2).toString()).toBe('\r\n');
    expect(Buffer.concat([out[1].data, out[2].data]).equals(big)).toBe(true);
    out[1].release!();
    expect(released).toBe(0);
    out[2].release!();
    expect(released).toBe(1);
  });
});

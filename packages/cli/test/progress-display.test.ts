import { ProgressDisplay } from '../src/render/progress-display';

function display(tty: boolean) {
  let now = 0;
  const out: string[] = [];
  const d = new ProgressDisplay({ write: (t) => out.push(t), tty, intervalMs: 1000, now: () => now });
  return { d, out, advance: (ms: number) => (now += ms) };
}

describe('progress display', () => {
  it('shows bytes of total, chunks done of total, throughput, elapsed and a byte-based ETA', () => {
    const { d, advance } = display(false);
    d.pipelineStarted('nightly');
    d.update('nightly', 'source:sfdc-report', { bytes: 25e6, records: 0, chunks: 0, retries: 0, expectedBytes: 100e6 });
    d.update('nightly', 'transform:chunk-lines', { bytes: 0, records: 0, chunks: 3, retries: 0 });
    d.update('nightly', 'sink:anaplan', { bytes: 20e6, records: 0, chunks: 2, retries: 1, expectedChunks: 10 });
    advance(5000);
    expect(d.line('nightly')).toBe('nightly: 25.0 MB read of 100.0 MB (25%), 2/10 chunks done, 1 retries, 5.0 MB/s, elapsed 5.0s, ETA 15.0s');
  });

  it('while the sink waits on an import, says so and for how long, in place of the throughput and ETA', () => {
    const { d, advance } = display(false);
    d.pipelineStarted('nightly');
    d.update('nightly', 'source:file', { bytes: 100e6, records: 0, chunks: 0, retries: 0, expectedBytes: 100e6 });
    d.update('nightly', 'sink:anaplan', { bytes: 100e6, records: 0, chunks: 10, retries: 0, expectedChunks: 10 });
    advance(10_000);
    d.update('nightly', 'sink:anaplan', { bytes: 100e6, records: 0, chunks: 10, retries: 0, expectedChunks: 10, phase: 'importing: task NOT_STARTED' });
    advance(30_000);
    d.update('nightly', 'sink:anaplan', { bytes: 100e6, records: 0, chunks: 10, retries: 0, expectedChunks: 10, phase: 'importing: task IN_PROGRESS' });
    advance(12_000);
    expect(d.line('nightly')).toBe('nightly: 100.0 MB read of 100.0 MB (100%), 10/10 chunks done, importing: task IN_PROGRESS for 42.0s, elapsed 52.0s');

    d.update('nightly', 'sink:anaplan', { bytes: 100e6, records: 0, chunks: 10, retries: 0, expectedChunks: 10 });
    expect(d.line('nightly')).toMatch(/chunks done, .*B\/s, elapsed/);
  });

  it('off a TTY, the periodic plain line names the phase', () => {
    const { d, out } = display(false);
    d.pipelineStarted('nightly');
    d.update('nightly', 'sink:anaplan', { bytes: 5, records: 0, chunks: 1, retries: 0, phase: 'importing: task IN_PROGRESS' });
    (d as unknown as { tick(): void }).tick();
    expect(out.join('')).toMatch(/^nightly: started\nnightly: .*importing: task IN_PROGRESS for \S+, elapsed /m);
    expect(out.join('')).not.toMatch(/B\/s/);
  });

  it('on a TTY, redraws live lines in place and collapses a finished pipeline to one line', () => {
    const { d, out } = display(true);
    d.pipelineStarted('a');
    d.pipelineStarted('b');
    (d as unknown as { tick(): void }).tick();
    expect(out.join('')).toMatch(/^a: 0 B read, 0 B\/s, elapsed 0ms\nb: /);
    out.length = 0;
    d.pipelineEnded({ name: 'a', status: 'succeeded', bytes: 2e6, durationMs: 1500, attempts: 1, documents: [], progress: {} });
    const text = out.join('');
    expect(text.startsWith('\x1b[2A\x1b[0J')).toBe(true);
    expect(text).toContain('a: succeeded - 2.0 MB in 1.5s\n');
    expect(text).toMatch(/b: 0 B read/);
    d.stop();
  });
});

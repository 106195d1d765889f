import { LinkMeter } from '../../src/upload/link-meter';

const MB = 1_000_000;

describe('LinkMeter', () => {
  it('an upload alone on the link: its round trip per byte', () => {
    let clock = 0;
    const meter = new LinkMeter(() => clock);
    const upload = meter.start();
    clock += 100;
    upload.finish('none', MB);
    expect(meter.secondsPerByte().get('none')).toBeCloseTo(0.1 / MB, 12);
  });

  it('recent uploads of different sizes: those at least half the largest, their seconds over their bytes', () => {
    // On a fast link a 1 MB probe takes 18 ms, mostly the request's own time; a 10 MB chunk 20 ms.
    let clock = 0;
    const meter = new LinkMeter(() => clock);
    const upload = (ms: number, bytes: number) => {
      const timing = meter.start();
      clock += ms;
      timing.finish('none', bytes);
    };
    upload(18, MB);
    expect(meter.secondsPerByte().get('none')).toBeCloseTo(0.018 / MB, 12);
    upload(20, 10 * MB);
    expect(meter.secondsPerByte().get('none')).toBeCloseTo(0.002 / MB, 12);
    upload(36, 8 * MB);
    expect(meter.secondsPerByte().get('none')).toBeCloseTo(0.056 / (18 * MB), 12);
  });

  it('tells the size each figure speaks for: the largest recent upload in the encoding', () => {
    let clock = 0;
    const meter = new LinkMeter(() => clock);
    const upload = (encoding: string, bytes: number) => {
      const timing = meter.start();
      clock += 10;
      timing.finish(encoding, bytes);
    };
    upload('gzip-1', MB);
    upload('none', MB);
    upload('gzip-1', 8 * MB);
    expect(meter.largestUpload('gzip-1')).toBe(8 * MB);
    expect(meter.largestUpload('none')).toBe(MB);
    expect(meter.largestUpload('gzip-6')).toBeUndefined();
  });

  it('uploads sharing the link: each round trip divided by how many ran beside it, those still in flight included', () => {
    // A 10 MB/s link shared by three: each 1 MB upload takes 300 ms, and the stage still moves 10 MB/s.
    let clock = 0;
    const meter = new LinkMeter(() => clock);
    const uploads = [meter.start(), meter.start(), meter.start()];
    clock += 300;
    uploads[0].finish('gzip-6', MB);
    expect(meter.secondsPerByte().get('gzip-6')).toBeCloseTo(0.1 / MB, 12);
    uploads[1].finish('gzip-6', MB);
    uploads[2].finish('gzip-6', MB);
    expect(meter.secondsPerByte().get('gzip-6')).toBeCloseTo(0.1 / MB, 12);
  });

  it('counts only the time others overlapped it, and forgets an abandoned upload', () => {
    let clock = 0;
    const meter = new LinkMeter(() => clock);
    const retried = meter.start();
    retried.abandon();
    const first = meter.start();
    clock += 100;
    const second = meter.start(); // beside the first for its last 100 ms only
    clock += 100;
    first.finish('none', MB);
    // 200 ms, shared for half of it: 1.5 uploads in flight on average.
    expect(meter.secondsPerByte().get('none')).toBeCloseTo(0.2 / 1.5 / MB, 12);
    clock += 100;
    second.finish('gzip-1', MB);
    expect(meter.secondsPerByte().get('gzip-1')).toBeCloseTo(0.2 / 1.5 / MB, 12);
    expect(meter.measuredOnce('gzip-1')).toBe(true);
    second.finish('gzip-1', MB); // a second finish is ignored
    expect(meter.measuredOnce('gzip-1')).toBe(true);
  });
});

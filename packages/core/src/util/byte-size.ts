/**
 * Byte sizes as people write them in config: `10MB`, `512KiB`, `1.5GB`, or a plain number of bytes.
 * Units follow SI and IEC: KB/MB/GB are powers of 1000 (Anaplan's "50 MB" limit is read the same
 * way), KiB/MiB/GiB powers of 1024.
 */
const UNITS: Record<string, number> = {
  B: 1,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  KIB: 1024,
  MIB: 1024 ** 2,
  GIB: 1024 ** 3,
};

const SIZE_PATTERN = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/;

/** Bytes for `value`, or undefined when it is not a size. */
export function parseByteSize(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 ? value : undefined;
  const match = SIZE_PATTERN.exec(value);
  if (!match) return undefined;
  const unit = UNITS[(match[2] || 'B').toUpperCase()];
  if (unit === undefined) return undefined;
  return Math.round(Number(match[1]) * unit);
}

export function formatByteSize(bytes: number): string {
  if (bytes < 1e3) return `${bytes} B`;
  if (bytes < 1e6) return `${(bytes / 1e3).toFixed(1)} kB`;
  if (bytes < 1e9) return `${(bytes / 1e6).toFixed(1)} MB`;
  return `${(bytes / 1e9).toFixed(2)} GB`;
}

/**
 * Deterministic synthetic report data. Every cell is a pure function of (seed, row, column), so any
 * row can be produced on its own: the export streams rows without holding the report, the Reports
 * API takes the first 2,000, and tests rebuild the exact bytes the server sent.
 */
import { csvLine } from './csv-format';
import { makeId } from './ids';

/** Salesforce field data types the generator can produce (names as the Reports API spells them). */
export type ColumnType = 'id' | 'string' | 'textarea' | 'picklist' | 'email' | 'currency' | 'percent' | 'int' | 'double' | 'date' | 'datetime' | 'boolean';

/** How one generated column draws its values. */
export interface GeneratedColumn {
  readonly type: ColumnType;
  /** Pool for text types; defaults to a built-in pool full of commas, quotes, line breaks and non-ASCII. */
  readonly values?: readonly string[];
  /** Share of empty cells, 0..1; defaults per type. */
  readonly emptyRatio?: number;
  /** Key prefix for 'id' columns, e.g. "006" for Opportunity. */
  readonly keyPrefix?: string;
}

/** A report detail column: API name (Reports API) and label (UI and CSV header). */
export interface ReportColumn extends GeneratedColumn {
  readonly name: string;
  readonly label: string;
}

/** What follows the rows in a UI export. "standard" is the block described in sfdc.md (a Guess). */
export type FooterStyle = 'standard' | 'none' | { readonly lines: readonly string[] };

/** A report the emulated org holds. Only `id`, `name` and `rows` are required. */
export interface ReportSpec {
  /** 15- or 18-character id starting with 00O. */
  readonly id: string;
  readonly name: string;
  /** Number of detail rows; any size, nothing is materialised. */
  readonly rows: number;
  /** Changes every value; same seed, same bytes. Default 1. */
  readonly seed?: number;
  /** Detail columns; default OPPORTUNITY_REPORT_COLUMNS. */
  readonly columns?: readonly ReportColumn[];
  /** Usernames allowed to run the report; absent means everyone, [] means nobody (403). */
  readonly runnableBy?: readonly string[];
  /** Footer appended by the UI export; default "standard". */
  readonly footer?: FooterStyle;
}

/** A raw cell value: text, a number, a boolean, ISO date/datetime text, or null for an empty cell. */
export type CellValue = string | number | boolean | null;

/** Where a value is displayed; each surface formats numbers and dates its own way. */
export type CellFormat = 'export-csv' | 'export-localecsv' | 'bulk';

export const OPPORTUNITY_STAGES: readonly string[] = [
  'Prospecting',
  'Qualification',
  'Needs Analysis',
  'Value Proposition',
  'Id. Decision Makers',
  'Perception Analysis',
  'Proposal/Price Quote',
  'Negotiation/Review',
  'Closed Won',
  'Closed Lost',
];

const ACCOUNT_NAMES: readonly string[] = [
  'Acme, Inc.',
  'Globex "International" GmbH',
  'Müller & Söhne KG',
  '東京トレーディング株式会社',
  'Zürich Versicherung AG',
  'Café Olé 🚀',
  'Initech',
  'Umbrella Corp',
  "O'Reilly Media",
  'São Paulo Comércio Ltda.',
  'Smörgås AB',
  'Αθήνα Shipping',
  'Жар-птица ООО',
  'NA',
  'null',
  '=SUM(A1:A2)',
  '  padded with spaces  ',
  'Semi;colon|pipe\ttab',
];

const OPPORTUNITY_NAMES: readonly string[] = [
  'Renewal 2025',
  'Upsell, 2,000 seats',
  'Pilot "Phase 1"',
  'Expansion 🌍 EMEA',
  'Zürich rollout',
  '東京 office licences',
  'Services & Training',
  'None',
  'Q3 "Big Deal", part 2',
];

const CITIES: readonly string[] = ['Zürich', '東京', 'São Paulo', 'New York', 'Kraków', 'Montréal', 'Reykjavík', 'Αθήνα', 'München', 'Mumbai'];

const NOTES: readonly string[] = [
  'Call back Monday\nSend the revised quote',
  'Line one\r\nLine two\r\nLine three',
  'Customer said "yes, but later"',
  'Legal review, then sign-off',
  'First paragraph\n\nSecond paragraph after a blank line',
  'Emoji 👍 and 東京\r\nnext line',
  'Trailing newline\n',
  'NA',
  'Ends with a quote "',
  'Long note: ' + 'lorem ipsum dolor sit amet, '.repeat(40),
];

const TEXT_VALUES: readonly string[] = [...ACCOUNT_NAMES, ...CITIES];

/** The default detail columns: an opportunity pipeline report with every awkward kind of value. */
export const OPPORTUNITY_REPORT_COLUMNS: readonly ReportColumn[] = [
  { name: 'OPPORTUNITY_ID', label: 'Opportunity ID', type: 'id', keyPrefix: '006' },
  { name: 'OPPORTUNITY_NAME', label: 'Opportunity Name', type: 'string', values: OPPORTUNITY_NAMES, emptyRatio: 0 },
  { name: 'ACCOUNT_NAME', label: 'Account Name', type: 'string', values: ACCOUNT_NAMES, emptyRatio: 0 },
  { name: 'ACCOUNT.BILLING_CITY', label: 'Billing City', type: 'string', values: CITIES },
  { name: 'STAGE_NAME', label: 'Stage', type: 'picklist', values: OPPORTUNITY_STAGES, emptyRatio: 0 },
  { name: 'AMOUNT', label: 'Amount', type: 'currency' },
  { name: 'PROBABILITY', label: 'Probability (%)', type: 'percent', emptyRatio: 0 },
  { name: 'CLOSE_DATE', label: 'Close Date', type: 'date', emptyRatio: 0 },
  { name: 'CREATED_DATE', label: 'Created Date', type: 'datetime', emptyRatio: 0 },
  { name: 'NEXT_STEP', label: 'Next Step', type: 'textarea', values: NOTES },
];

const DEFAULT_EMPTY_RATIO: Readonly<Record<ColumnType, number>> = {
  id: 0,
  string: 0.05,
  textarea: 0.2,
  picklist: 0.05,
  email: 0.05,
  currency: 0.05,
  percent: 0.05,
  int: 0.05,
  double: 0.05,
  date: 0.05,
  datetime: 0.05,
  boolean: 0,
};

const DAY_MS = 86_400_000;
const EPOCH_2023 = Date.UTC(2023, 0, 1);
/** Dates fall in 2023-01-01 .. 2025-12-31. */
const DATE_SPAN_DAYS = 1096;
/** ISO dates by day offset, built once: Date objects per cell would dominate generation time. */
const ISO_DAYS: readonly string[] = Array.from({ length: DATE_SPAN_DAYS }, (_, d) => new Date(EPOCH_2023 + d * DAY_MS).toISOString().slice(0, 10));
/** en_US forms of the same dates, for the export's hot path. */
const US_DAYS = new Map(ISO_DAYS.map((iso) => [iso, `${Number(iso.slice(5, 7))}/${Number(iso.slice(8, 10))}/${iso.slice(0, 4)}`]));

function isoDay(day: number): string {
  return ISO_DAYS[day];
}

function two(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/**
 * 32-bit multiply. Same result as Math.imul, written out because Math.imul is not inlined inside
 * jest's vm sandbox and made generation several times slower there.
 */
function mul32(a: number, b: number): number {
  const low = (a & 0xffff) * b;
  const high = (((a >>> 16) * b) & 0xffff) << 16;
  return (low + high) | 0;
}

/** 32-bit avalanche mix (murmur3 finaliser): neighbouring inputs give unrelated outputs. */
function mix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = mul32(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = mul32(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Uniform in [0, 1), a pure function of its inputs. */
function unit(seed: number, row: number, column: number, draw: number): number {
  const h = mix32(mix32(mix32(mix32(seed) ^ row) ^ mul32(column + 1, 0x9e3779b9)) ^ draw);
  return h / 4_294_967_296;
}

/** Floor for non-negative values below 2^31 (every draw here); cheaper than Math.floor under jest. */
function int(x: number): number {
  return x | 0;
}

function pick<T>(pool: readonly T[], r: number): T {
  return pool[(r * pool.length) | 0];
}

/** The raw value of one cell. Same inputs, same value, on every machine. */
export function generateCell(seed: number, row: number, columnIndex: number, column: GeneratedColumn): CellValue {
  const emptyRatio = column.emptyRatio ?? DEFAULT_EMPTY_RATIO[column.type];
  if (emptyRatio > 0 && unit(seed, row, columnIndex, 0) < emptyRatio) return null;
  const r = unit(seed, row, columnIndex, 1);
  switch (column.type) {
    case 'id':
      // Seeded offset keeps ids of different reports apart; the row keeps them unique within one.
      return makeId(column.keyPrefix ?? '001', (seed % 100_000) * 100_000_000 + row + 1);
    case 'string':
    case 'textarea':
    case 'picklist':
      return pick(column.values ?? (column.type === 'textarea' ? NOTES : TEXT_VALUES), r);
    case 'email':
      return `user${int(r * 100_000)}@example.com`;
    case 'currency':
      return int(r * 1_000_000_000) / 100;
    case 'percent':
      return int(r * 101);
    case 'int':
      return int(r * 100_000);
    case 'double':
      return int(r * 1_000_000) / 1000;
    case 'date':
      return isoDay(int(r * DATE_SPAN_DAYS));
    case 'datetime': {
      const seconds = int(r * DATE_SPAN_DAYS * 86_400);
      const day = int(seconds / 86_400);
      const rest = seconds - day * 86_400;
      return `${isoDay(day)}T${two(int(rest / 3600))}:${two(int(rest / 60) % 60)}:${two(rest % 60)}.000Z`;
    }
    case 'boolean':
      return r < 0.5;
  }
}

/** Raw values of one row. */
export function generateRow(seed: number, row: number, columns: readonly GeneratedColumn[]): CellValue[] {
  const values = new Array<CellValue>(columns.length);
  for (let c = 0; c < columns.length; c++) values[c] = generateCell(seed, row, c, columns[c]);
  return values;
}

function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** 1234567.5 -> "1,234,567.50" */
export function formatGroupedNumber(value: number, decimals: number): string {
  const [whole, fraction] = value.toFixed(decimals).split('.');
  return groupThousands(whole) + (fraction === undefined ? '' : `.${fraction}`);
}

/** ISO date "2024-03-05" -> en_US "3/5/2024", the locale of the seeded user. */
export function usDate(isoDate: string): string {
  const day = isoDate.slice(0, 10);
  return US_DAYS.get(day) ?? `${Number(day.slice(5, 7))}/${Number(day.slice(8, 10))}/${day.slice(0, 4)}`;
}

/** ISO datetime (UTC) -> en_US "3/5/2024 1:07 PM"; the emulated user's time zone is GMT. */
export function usDateTime(iso: string | Date): string {
  const text = typeof iso === 'string' ? iso : iso.toISOString();
  const hours = Number(text.slice(11, 13));
  const h12 = hours % 12 === 0 ? 12 : hours % 12;
  return `${usDate(text)} ${h12}:${text.slice(14, 16)} ${hours < 12 ? 'AM' : 'PM'}`;
}

/**
 * Text of a cell on a CSV surface. The UI export formats dates in the user's locale (Guess: the
 * real export's date and number formats are unconfirmed); Bulk API uses ISO dates and plain numbers.
 */
export function formatCell(value: CellValue, type: ColumnType, format: CellFormat): string {
  if (value === null) return '';
  switch (type) {
    case 'currency':
    case 'double':
      if (format === 'export-localecsv') return formatGroupedNumber(value as number, type === 'currency' ? 2 : 3);
      return format === 'bulk' ? String(value) : (value as number).toFixed(type === 'currency' ? 2 : 3);
    case 'percent':
    case 'int':
      return format === 'export-localecsv' ? formatGroupedNumber(value as number, 0) : String(value);
    case 'date':
      return format === 'bulk' ? (value as string) : usDate(value as string);
    case 'datetime':
      return format === 'bulk' ? (value as string) : usDateTime(value as string);
    case 'boolean':
      if (format === 'bulk') return value ? 'true' : 'false';
      return value ? '1' : '0';
    default:
      return String(value);
  }
}

export function reportColumns(spec: ReportSpec): readonly ReportColumn[] {
  return spec.columns ?? OPPORTUNITY_REPORT_COLUMNS;
}

/** The CSV header row of a UI export: column labels, quoted. */
export function reportHeaderLine(spec: ReportSpec): string {
  return csvLine(reportColumns(spec).map((c) => c.label));
}

/** One data row of a UI export, LF-terminated; multi-line values keep their own LF or CRLF. */
export function reportRowLine(spec: ReportSpec, row: number, format: CellFormat = 'export-csv'): string {
  const columns = reportColumns(spec);
  const values = generateRow(spec.seed ?? 1, row, columns);
  return csvLine(values.map((v, c) => formatCell(v, columns[c].type, format)));
}

export interface ReportBodyOptions {
  /** "export-csv" (xf=csv, default) or "export-localecsv" (xf=localecsv: grouped numbers). */
  readonly format?: Exclude<CellFormat, 'bulk'>;
  /** Approximate bytes per yielded chunk; default 64 KiB. */
  readonly chunkBytes?: number;
}

/**
 * The exact bytes of a report's CSV body as the export serves it (header row plus data rows, no
 * footer), yielded lazily in chunks of about 64 KiB so any report size runs in constant memory.
 */
export function* reportBodyChunks(spec: ReportSpec, options: ReportBodyOptions = {}): Generator<Buffer, void, undefined> {
  const format = options.format ?? 'export-csv';
  const target = options.chunkBytes ?? 64 * 1024;
  let pending = reportHeaderLine(spec);
  for (let row = 0; row < spec.rows; row++) {
    pending += reportRowLine(spec, row, format);
    // String length undercounts multi-byte UTF-8, which only makes chunks a little larger.
    if (pending.length >= target) {
      yield Buffer.from(pending, 'utf8');
      pending = '';
    }
  }
  if (pending.length > 0) yield Buffer.from(pending, 'utf8');
}

/** The whole CSV body in one buffer; for small reports in tests. */
export function reportBodyBuffer(spec: ReportSpec, options: ReportBodyOptions = {}): Buffer {
  return Buffer.concat([...reportBodyChunks(spec, options)]);
}

export interface FooterContext {
  readonly orgName: string;
  /** Display name of the user who ran the export. */
  readonly generatedBy: string;
  readonly generatedAt: Date;
}

/**
 * The block the UI export appends after the rows: a blank line, then quoted lines for the report
 * name, copyright, confidentiality, "Generated By:" with user and time, and the org name. The shape
 * follows sfdc.md (a Guess from memory, consistent with the seed dropping 5 non-blank lines).
 */
export function reportFooterLines(spec: ReportSpec, context: FooterContext): readonly string[] {
  const style = spec.footer ?? 'standard';
  if (style === 'none') return [];
  if (style !== 'standard') return style.lines;
  return [
    spec.name,
    `Copyright (c) 2000-${context.generatedAt.getUTCFullYear()} salesforce.com, inc. All rights reserved.`,
    'Confidential Information - Do Not Distribute',
    `Generated By:  ${context.generatedBy}  ${usDateTime(context.generatedAt)}`,
    context.orgName,
  ];
}

/** Footer bytes exactly as the export writes them after the body (empty for footer "none"). */
export function reportFooter(spec: ReportSpec, context: FooterContext): Buffer {
  const lines = reportFooterLines(spec, context);
  if (lines.length === 0) return Buffer.alloc(0);
  return Buffer.from('\n' + lines.map((line) => csvLine([line])).join(''), 'utf8');
}

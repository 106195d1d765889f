/**
 * A small CSV reader/writer for the import engine. It follows the file's own dialect
 * (Anaplan `separator` and `delimiter`, the latter being the quote character) and keeps
 * separators, doubled quotes and line breaks inside quoted fields.
 */

export interface CsvDialect {
  /** Column separator, e.g. "," or "\t". */
  separator: string;
  /** Text delimiter (quote character); "" disables quoting. */
  quote: string;
}

export const DEFAULT_DIALECT: CsvDialect = { separator: ',', quote: '"' };

/**
 * Splits text into records. CRLF, LF and lone CR end a record outside quotes; an empty line is
 * a record with one empty field; a final line break does not add a record. Malformed input is
 * read leniently (a stray quote inside an unquoted field is kept as text) because the import
 * engine should count rows, not reject the file.
 */
export function parseCsvRecords(text: string, dialect: CsvDialect = DEFAULT_DIALECT): string[][] {
  const { separator, quote } = dialect;
  if (separator.length === 0) throw new Error('CSV separator must not be empty');
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let inQuotes = false;
  let fieldStarted = false; // the current field has content or an opening quote
  let i = 0;
  const n = text.length;

  const endField = (): void => {
    record.push(field);
    field = '';
    fieldStarted = false;
  };
  const endRecord = (): void => {
    endField();
    records.push(record);
    record = [];
  };

  while (i < n) {
    const ch = text[i];
    if (inQuotes) {
      if (ch === quote) {
        if (text[i + 1] === quote) {
          field += quote;
          i += 2;
          continue;
        }
        inQuotes = false;
        i += 1;
        continue;
      }
      // Copy the run of plain characters up to the next quote in one step.
      const next = text.indexOf(quote, i);
      const stop = next === -1 ? n : next;
      field += text.slice(i, stop);
      i = stop;
      continue;
    }
    if (quote.length > 0 && ch === quote && field.length === 0 && !fieldStarted) {
      inQuotes = true;
      fieldStarted = true;
      i += 1;
      continue;
    }
    if (text.startsWith(separator, i)) {
      endField(); // the pushed field makes `record` non-empty, so a trailing separator still yields a last empty field
      i += separator.length;
      continue;
    }
    if (ch === '\r' || ch === '\n') {
      endRecord();
      i += ch === '\r' && text[i + 1] === '\n' ? 2 : 1;
      continue;
    }
    field += ch;
    fieldStarted = true;
    i += 1;
  }
  if (fieldStarted || field.length > 0 || record.length > 0 || inQuotes) endRecord();
  return records;
}

/** One record as text (no line break), quoting only fields that need it. */
export function formatCsvRecord(fields: readonly string[], dialect: CsvDialect = DEFAULT_DIALECT): string {
  const { separator, quote } = dialect;
  return fields
    .map((value) => {
      const needsQuotes = quote.length > 0 && (value.includes(separator) || value.includes(quote) || value.includes('\n') || value.includes('\r'));
      return needsQuotes ? quote + value.split(quote).join(quote + quote) + quote : value;
    })
    .join(separator);
}

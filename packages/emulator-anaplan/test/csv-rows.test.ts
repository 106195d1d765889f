import { formatCsvRecord, parseCsvRecords } from '../src/csv-rows';

describe('parseCsvRecords', () => {
  it('keeps commas, doubled quotes and line breaks inside quoted fields', () => {
    const text = 'id,note\n1,"a, b"\n2,"say ""hi"""\n3,"line one\r\nline two"\n';
    expect(parseCsvRecords(text)).toEqual([
      ['id', 'note'],
      ['1', 'a, b'],
      ['2', 'say "hi"'],
      ['3', 'line one\r\nline two'],
    ]);
  });

  it('treats CRLF, LF and CR as record ends and does not add a record for a final line break', () => {
    expect(parseCsvRecords('a\r\nb\nc\rd\n')).toEqual([['a'], ['b'], ['c'], ['d']]);
    expect(parseCsvRecords('a,b')).toEqual([['a', 'b']]);
    expect(parseCsvRecords('')).toEqual([]);
  });

  it('keeps empty fields, empty lines and a trailing separator', () => {
    expect(parseCsvRecords('a,,c\n\n,\nx,')).toEqual([['a', '', 'c'], [''], ['', ''], ['x', '']]);
  });

  it('follows the file dialect (tab separator, custom quote, no quoting)', () => {
    expect(parseCsvRecords("a\t'b\tc'\n", { separator: '\t', quote: "'" })).toEqual([['a', 'b\tc']]);
    expect(parseCsvRecords('a,"b,c"\n', { separator: ',', quote: '' })).toEqual([['a', '"b', 'c"']]);
  });

  it('formats a record that parses back to the same fields', () => {
    const fields = ['plain', 'with, comma', 'with "quote"', 'multi\nline', ''];
    const line = formatCsvRecord(fields);
    expect(line).toBe('plain,"with, comma","with ""quote""","multi\nline",');
    expect(parseCsvRecords(line)).toEqual([fields]);
  });
});

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readReportListFile, selectReports } from '../src/report-list';

function file(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'sfdc-list-'));
  writeFileSync(join(dir, 'reports.csv'), text);
  return join(dir, 'reports.csv');
}

test("the Python tool's reports.csv works as it is (report_file_name, report_id)", async () => {
  const path = file(
    'report_type,report_file_name,report_id,report_path,optional_export_params\n' +
      'SFDC,Open_Pipeline,00O5e000008abcd,C:\\out,?export=csv\n' +
      'SFDC,"Won, this quarter",00O5e000008abceEAA,C:\\out,\n',
  );
  expect(await readReportListFile(path)).toEqual([
    { id: '00O5e000008abcd', name: 'Open_Pipeline' },
    { id: '00O5e000008abceEAA', name: 'Won, this quarter' },
  ]);
});

test('a bad id names its line; a list naming a report twice (15 and 18 characters) is refused', async () => {
  await expect(readReportListFile(file('id,name\n00O5e000008abcd,a\nnope,b\n'))).rejects.toThrow(/line 3: "nope" is not a report id/);
  await expect(selectReports({ reports: [{ id: '00O5e000008abcd' }, { id: '00O5e000008abcdEAA' }] }, (p) => p)).rejects.toThrow(/listed twice/);
  await expect(selectReports({ reportId: '00O5e000008abcd', reports: './x.csv' }, (p) => p)).rejects.toThrow(/not both/);
});

import type { ReportResponse } from '../../../contracts/reports.js';

/** CSV text (RFC 4180), with spreadsheet formulas defused. */
export function csvField(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return String(v);
  const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export const csvLine = (fields: (string | number | null | undefined)[]): string => `${fields.map(csvField).join(',')}\r\n`;

/** Every table of a report, one after the other: a title line, a header, rows, the totals. */
export function* reportCsvLines(report: ReportResponse): Generator<string> {
  yield csvLine(['report', report.report, 'from', report.from, 'to', report.to, 'time zone', report.timeZone, 'filter', report.filter]);
  for (const t of report.tables) {
    yield '\r\n';
    yield csvLine([t.title]);
    yield csvLine(t.columns.map((c) => c.label));
    for (const r of t.rows) yield csvLine(t.columns.map((c) => r.cells[c.key]));
    if (t.totals) yield csvLine(t.columns.map((c) => t.totals!.cells[c.key]));
  }
}

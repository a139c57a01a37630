import type { ReportColumn, ReportRow, ReportTable } from '../../../../contracts/reports.js';
import { t } from '../../lib/i18n.js';
import { Link } from '../../lib/router.js';

function formatCell(col: ReportColumn, v: string | number | null | undefined): string {
  if (v === null || v === undefined) return '–';
  if (col.kind === 'rate' && typeof v === 'number') return `${(v * 100).toFixed(1)} %`;
  return String(v);
}

function Cell({ col, row }: { col: ReportColumn; row: ReportRow }) {
  const text = formatCell(col, row.cells[col.key]);
  const link = row.links[col.key];
  // Every figure opens the ticket list behind it.
  return <td className={col.kind === 'text' || col.kind === 'date' ? undefined : 'num'}>{link ? <Link to={`/tickets?q=${encodeURIComponent(link)}`} data-drill={col.key}>{text}</Link> : text}</td>;
}

/** The numbers of a report table, with totals and drill-down links. */
export function ReportTableView({ table }: { table: ReportTable }) {
  if (table.rows.length === 0 && !table.totals) return <p className="state-empty">{t('reports.noData')}</p>;
  return (
    <table className="simple-table report-table" data-table={table.id}>
      <thead>
        <tr>
          {table.columns.map((c) => (
            <th key={c.key} scope="col">{c.label}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {table.rows.map((r, i) => (
          <tr key={i}>
            {table.columns.map((c) => (
              <Cell key={c.key} col={c} row={r} />
            ))}
          </tr>
        ))}
      </tbody>
      {table.totals && (
        <tfoot>
          <tr className="report-totals">
            {table.columns.map((c) => (
              <Cell key={c.key} col={c} row={table.totals!} />
            ))}
          </tr>
        </tfoot>
      )}
    </table>
  );
}

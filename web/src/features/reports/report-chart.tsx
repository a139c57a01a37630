import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip, type ChartConfiguration } from 'chart.js';
import { useEffect, useMemo, useRef } from 'react';
import type { ReportTable } from '../../../../contracts/reports.js';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, LineController, LineElement, PointElement, Legend, Tooltip);

const COLORS = ['#2563eb', '#16a34a', '#dc2626', '#d97706', '#7c3aed', '#0891b2', '#db2777', '#65a30d', '#475569', '#ea580c'];
const NUMERIC = new Set(['count', 'minutes', 'rate', 'score']);

type Dataset = { label: string; data: (number | null)[] };

/** Turns a report table into chart data: time series, a split stacked per key, or bars per row. */
export function chartData(table: ReportTable): { labels: string[]; datasets: Dataset[]; stacked: boolean; line: boolean } {
  const numeric = table.columns.filter((c) => NUMERIC.has(c.kind));
  const label = table.columns.find((c) => c.kind === 'date' || c.kind === 'text');
  const num = (v: unknown) => (typeof v === 'number' ? v : null);
  const splitByKey = table.columns.some((c) => c.key === 'period') && table.columns.some((c) => c.key === 'key') && table.rows.some((r) => r.cells.key !== 'All tickets');
  if (table.chart === 'stacked' && splitByKey) {
    // One stacked bar per period, one segment per key, of the first figure (created).
    const labels = [...new Set(table.rows.map((r) => String(r.cells.period)))];
    const keys = [...new Set(table.rows.map((r) => String(r.cells.key)))];
    const metric = numeric[0]!.key;
    return {
      labels,
      datasets: keys.map((k) => ({ label: `${k}`, data: labels.map((p) => num(table.rows.find((r) => r.cells.period === p && r.cells.key === k)?.cells[metric]) ?? 0) })),
      stacked: true,
      line: false,
    };
  }
  const shown = table.chartSeries ?? (table.chart === 'stacked' ? numeric.filter((c) => c.key !== 'total' && c.key !== 'unassigned') : numeric.slice(0, 4));
  // A bar table without a split has only its totals: draw those rather than nothing.
  const rows = table.rows.length || table.chart !== 'bar' || !table.totals ? table.rows : [table.totals];
  return {
    labels: rows.map((r) => String(label ? r.cells[label.key] : '')),
    datasets: shown.map((c) => ({ label: c.label, data: rows.map((r) => num(r.cells[c.key])) })),
    stacked: table.chart === 'stacked',
    line: table.chart === 'line',
  };
}

/** A chart.js canvas for one report table; the numbers are in the table next to it. */
export function ReportChart({ table }: { table: ReportTable }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const d = useMemo(() => chartData(table), [table]);
  useEffect(() => {
    if (!canvas.current || table.chart === 'none' || d.labels.length === 0) return;
    const config: ChartConfiguration<'bar' | 'line'> = {
      type: d.line ? 'line' : 'bar',
      data: { labels: d.labels, datasets: d.datasets.map((s, i) => ({ ...s, backgroundColor: COLORS[i % COLORS.length], borderColor: COLORS[i % COLORS.length], tension: 0.2 })) },
      options: {
        animation: false,
        maintainAspectRatio: false,
        scales: { x: { stacked: d.stacked }, y: { stacked: d.stacked, beginAtZero: true } },
        plugins: { legend: { position: 'bottom' } },
      },
    };
    const chart = new Chart(canvas.current, config);
    return () => chart.destroy();
  }, [table, d]);
  if (table.chart === 'none' || d.labels.length === 0) return null;
  return (
    <div className="report-chart" style={{ position: 'relative', height: 260 }}>
      <canvas ref={canvas} role="img" aria-label={table.title} data-chart={table.chart} data-series={d.datasets.map((x) => x.label).join('|')} />
    </div>
  );
}

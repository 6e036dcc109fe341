import { chartJsSource } from '../http/chart-source';
import type { AttributionReport } from '../conversion';
import { reportModels } from './format';

/** Each model's colour in the charts, in report order. */
const MODEL_COLOURS: Readonly<Record<string, string>> = {
  first: '#2f6fde',
  last: '#e0662d',
  linear: '#3a9d5d',
  position: '#8e5bd0',
  time_decay: '#c9a227',
};

/** How many keys the model-comparison chart shows (the tables list them all). */
const CHART_KEYS = 12;

/**
 * The report as one self-contained HTML page: Chart.js, the data and the script are inline, and the
 * Content-Security-Policy lets the page load nothing at all, so it opens from a file or an e-mail
 * attachment without network. Two charts (revenue per key under each model; the top conversion paths)
 * and the same numbers as tables. `body[data-charts]` says how many charts drew, for tests.
 */
export function reportHtml(report: AttributionReport, meta: { title: string; generatedAt: string }): string {
  const models = reportModels(report);
  const data = {
    report,
    models,
    colours: models.map((model) => MODEL_COLOURS[model] ?? '#666'),
    chartKeys: CHART_KEYS,
  };
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(meta.title)}</title>
<style>
  :root { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; color: #1d2733; background: #f5f7fa; }
  body { margin: 0; }
  header { background: #1d2733; color: #fff; padding: 12px 24px; }
  header h1 { font-size: 20px; margin: 0 0 4px; }
  header p { color: #aab6c4; font-size: 14px; margin: 0; }
  main { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 16px; padding: 16px 24px; }
  section { background: #fff; border-radius: 8px; box-shadow: 0 1px 3px rgba(0,0,0,.08); padding: 16px; min-width: 0; }
  section.wide { grid-column: 1 / -1; }
  h2 { font-size: 16px; margin: 0 0 12px; }
  table { border-collapse: collapse; width: 100%; font-size: 13px; }
  th, td { padding: 4px 8px; border-bottom: 1px solid #e6eaef; text-align: right; white-space: nowrap; }
  th:first-child, td:first-child { text-align: left; white-space: normal; }
  tfoot td { font-weight: 600; }
  .muted { color: #6b7a8c; font-size: 13px; }
  .chart { position: relative; height: 340px; }
</style>
</head>
<body>
<header><h1>${escapeHtml(meta.title)}</h1><p id="summary"></p></header>
<main>
  <section><h2>Revenue by ${escapeHtml(report.by)}, per model</h2><div class="chart"><canvas id="models" role="img" aria-label="revenue by ${escapeHtml(report.by)} per model"></canvas></div></section>
  <section><h2>Top conversion paths</h2><div class="chart"><canvas id="paths" role="img" aria-label="top conversion paths"></canvas></div></section>
  <section class="wide"><h2>Revenue by ${escapeHtml(report.by)}</h2><table id="revenue"></table></section>
  <section class="wide"><h2>Conversions by ${escapeHtml(report.by)} (fractional: each model shares a conversion out)</h2><table id="conversions"></table></section>
  <section class="wide"><h2>Top conversion paths</h2><table id="path-table"></table><p class="muted">Channels of the touches that shared each conversion's credit, oldest first. Generated ${escapeHtml(meta.generatedAt)} by touchpoint report.</p></section>
</main>
<script type="application/json" id="report-data">${JSON.stringify(data).replace(/</g, '\\u003c')}</script>
<script>${scriptText(chartJsSource())}</script>
<script>${scriptText(PAGE_SCRIPT)}</script>
</body>
</html>
`;
}

/** Draws the charts and fills the tables from the inline data (plain browser JavaScript). */
const PAGE_SCRIPT = `'use strict';
(function () {
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var report = data.report;
  var money = function (v) { return v.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }); };
  var count = function (v) { return v.toLocaleString('en-US', { maximumFractionDigits: 2 }); };
  var keys = [];
  data.models.forEach(function (model) {
    report.models[model].forEach(function (row) { if (keys.indexOf(row.key) < 0) keys.push(row.key); });
  });
  var cell = function (model, key) {
    var found = report.models[model].filter(function (row) { return row.key === key; })[0];
    return found || { conversions: 0, revenue: 0 };
  };
  var currency = report.currencies.length === 1 ? ' ' + report.currencies[0] : '';
  document.getElementById('summary').textContent =
    count(report.conversions) + ' conversions, revenue ' + money(report.revenue) + currency +
    ' (every model credits all of it), by ' + report.by;

  function text(tag, value) { var node = document.createElement(tag); node.textContent = value; return node; }
  function fill(id, header, rows, footer) {
    var table = document.getElementById(id);
    var head = table.createTHead().insertRow();
    header.forEach(function (h) { head.appendChild(text('th', h)); });
    var body = table.createTBody();
    rows.forEach(function (cells) { var tr = body.insertRow(); cells.forEach(function (c) { tr.appendChild(text('td', c)); }); });
    if (footer) { var tr = table.createTFoot().insertRow(); footer.forEach(function (c) { tr.appendChild(text('td', c)); }); }
  }
  function total(model, field) {
    return report.models[model].reduce(function (sum, row) { return sum + row[field]; }, 0);
  }
  fill('revenue', [report.by].concat(data.models),
    keys.map(function (key) { return [key].concat(data.models.map(function (m) { return money(cell(m, key).revenue); })); }),
    ['total'].concat(data.models.map(function (m) { return money(total(m, 'revenue')); })));
  fill('conversions', [report.by].concat(data.models),
    keys.map(function (key) { return [key].concat(data.models.map(function (m) { return count(cell(m, key).conversions); })); }),
    ['total'].concat(data.models.map(function (m) { return count(total(m, 'conversions')); })));
  fill('path-table', ['path', 'conversions', 'revenue'],
    report.paths.map(function (p) { return [p.path, count(p.conversions), money(p.revenue)]; }));

  var drawn = 0;
  var shown = keys.slice(0, data.chartKeys);
  new Chart(document.getElementById('models'), {
    type: 'bar',
    data: {
      labels: shown,
      datasets: data.models.map(function (model, i) {
        return { label: model, backgroundColor: data.colours[i], data: shown.map(function (key) { return cell(model, key).revenue; }) };
      })
    },
    options: { animation: false, responsive: true, maintainAspectRatio: false, scales: { y: { beginAtZero: true, title: { display: true, text: 'revenue' } } } }
  });
  drawn++;
  new Chart(document.getElementById('paths'), {
    type: 'bar',
    data: {
      labels: report.paths.map(function (p) { return p.path.length > 48 ? p.path.slice(0, 47) + '\\u2026' : p.path; }),
      datasets: [{ label: 'conversions', backgroundColor: '#2f6fde', data: report.paths.map(function (p) { return p.conversions; }) }]
    },
    options: { animation: false, responsive: true, maintainAspectRatio: false, indexAxis: 'y', plugins: { legend: { display: false } }, scales: { x: { beginAtZero: true } } }
  });
  drawn++;
  document.body.setAttribute('data-charts', String(drawn));
})();
`;

/** Script source placed inside a <script> element: nothing in it may close the element. */
function scriptText(source: string): string {
  return source.replace(/<\/(script)/gi, '<\\/$1');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

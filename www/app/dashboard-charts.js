// How one tile's rows are drawn: a number, a table, a list of persons, or an ECharts chart
// chosen by the rows' shape (rows with a `bucket` are a trend over time; a donut with more
// than six slices becomes sorted bars, whose labels wrap instead of being cut off).
//
// Every chart has a text alternative: ECharts' `aria` description in the user's language
// and a "Show as table" view whose rows open the drill-down from the keyboard. Values from
// visitors' URLs (sources, campaigns) are drawn as canvas text or set as DOM text, never
// parsed as HTML; tooltips are rendered as canvas text too (renderMode 'richText').

import { currentLocale, el, fmt, t } from './shell.js';
import { channelLabel } from './columns.js';

/** Donuts with more slices than this are drawn as sorted bars. */
const MAX_SLICES = 6;

const charts = new Set();
const resizer = new ResizeObserver((entries) => {
  for (const entry of entries) echarts.getInstanceByDom(entry.target)?.resize();
});

/** Disposes the charts drawn inside `root` (every chart without it). */
export function disposeCharts(root = null) {
  for (const chart of [...charts]) {
    const dom = chart.getDom();
    if (root && !root.contains(dom)) continue;
    resizer.unobserve(dom);
    chart.dispose();
    charts.delete(chart);
  }
}

// Tiles the catalogues name; a tile the API adds later shows the API's own title until
// it gets a translated name.
const NAMED_TILES = new Set([
  'lead-funnel', 'new-leads-by-campaign', 'new-leads-by-lead-source', 'new-leads-by-first-source',
  'new-leads-by-channel', 'new-leads-from-chat', 'new-leads-from-forms', 'sales-by-lead-source',
  'pipeline-by-lead-source', 'top-referring-sites', 'top-forms', 'source-performance',
  'campaign-channel-split', 'conversion-rate-by-source', 'attribution-quality', 'selection-list',
  'new-leads-trend', 'conversion-trend', 'attribution',
]);

const keyOf = (id) => id.replaceAll('-', '_');

/** A tile's name in the user's language. */
export function tileName(id, fallback = id) {
  return NAMED_TILES.has(id) ? t(`tiles.${keyOf(id)}`) : fallback;
}

/** What a tile shows, in the user's language. */
export function tileDescription(id, fallback = '') {
  return NAMED_TILES.has(id) ? t(`tiles.${keyOf(id)}_about`) : fallback;
}

const STATUS_KEYS = new Set(['open', 'in_progress', 'qualified', 'disqualified']);

/** A row's label as the page shows it: lead statuses and the "(none)"/"(other)" rows translated. */
export function rowLabel(tile, row) {
  if (tile.tile === 'lead-funnel' && STATUS_KEYS.has(row.key)) return t(`tiles.status_${row.key}`);
  if (row.label === '(none)') return t('tiles.none');
  if (row.label === '(other)') return t('tiles.other');
  if (row.label === 'All leads' && row.bucket !== undefined) return t('tiles.all_leads');
  if (tile.tile === 'attribution-quality') return qualityLabel(row);
  const channel = channelOf(tile, row);
  if (channel) return channelLabel(channel);
  if (tile.tile === 'pipeline-by-lead-source' && row.currency) return `${row.label} (${row.currency})`;
  return String(row.label ?? '');
}

// A channel row names its channel by id in its key (a trend's key is [bucket, channel]):
// the page names it in the user's language, as the person card does.
function channelOf(tile, row) {
  if (tile.tile === 'attribution' && tile.by === 'channel') return typeof row.key === 'string' && row.key ? row.key : null;
  if (tile.tile === 'new-leads-by-channel') return typeof row.key === 'string' && row.key ? row.key : null;
  if (row.bucket === undefined || tile.by !== 'channel' || typeof row.key !== 'string') return null;
  try {
    const pair = JSON.parse(row.key);
    return Array.isArray(pair) && typeof pair[1] === 'string' && pair[1] ? pair[1] : null;
  } catch {
    return null;
  }
}

// The quality report's lines name what was found in English with the finding after ": ";
// the kind is the key's prefix.
function qualityLabel(row) {
  const key = String(row.key ?? '');
  if (key === 'direct' || key === 'untracked') return t(`tiles.quality_${key}`);
  const kind = key.split(':')[0];
  if (!['posts', 'form', 'campaign', 'source', 'medium'].includes(kind)) return String(row.label ?? '');
  const label = String(row.label ?? '');
  const at = label.indexOf(': ');
  return t(`tiles.quality_${kind}`, { what: at >= 0 ? label.slice(at + 2) : label });
}

const isRate = (tile) => tile.tile.includes('conversion');

/** A credited figure (leads or deals shared among touches): up to two decimals. */
const credit = (value) => fmt.number(Number(value ?? 0), { maximumFractionDigits: 2 });

/** A row's value as text in the user's locale. */
export function valueText(tile, row) {
  const value = Number(row.value ?? 0);
  if (isRate(tile)) return fmt.percent(value / 100);
  if (row.currency) return fmt.money(value, row.currency);
  if (tile.tile === 'attribution') return credit(value);
  if (tile.tile === 'campaign-channel-split' && row.share !== undefined) {
    return `${fmt.number(value)} (${fmt.percent(Number(row.share) / 100)})`;
  }
  return fmt.number(value);
}

/** The drawing a tile's rows call for: by their shape first, then by the tile's kind. */
export function shapeOf(tile) {
  const rows = tile.rows || [];
  if (tile.kind === 'number') return 'number';
  if (rows.some((r) => r && r.bucket !== undefined)) return 'trend';
  if (tile.kind === 'table') return 'table';
  if (tile.kind === 'list' || rows.some((r) => r && r.person_id !== undefined)) return 'list';
  if (tile.kind === 'funnel') return 'funnel';
  if (tile.kind === 'donut') return rows.length > MAX_SLICES ? 'bar' : 'donut';
  return 'bar';
}

/**
 * Draws `tile` (an API answer) into `body`. `drill(key, label, opener)` opens the persons
 * behind a row; `opener` is the element focus returns to. Returns the "Show as table"
 * toggle for charts (the caller puts it in the tile's head), or null.
 */
export function drawTile(body, tile, { drill, card, bucket }) {
  const rows = tile.rows || [];
  // Cost and return double a table's columns: the tile takes the whole row of the grid.
  card?.classList.toggle('wide', costColumns(rows).length > 0);
  const shape = shapeOf(tile);
  if (shape === 'number') {
    const value = rows[0] ? rows[0].value : 0;
    const button = el('button', {
      className: 'number',
      text: fmt.number(value),
      attrs: { type: 'button', 'aria-label': t('dashboard.number_persons', { value: fmt.number(value), tile: tileName(tile.tile, tile.title) }) },
    });
    button.addEventListener('click', () => drill(null, tileName(tile.tile, tile.title), button));
    body.append(button);
    return null;
  }
  if (rows.length === 0) {
    body.append(el('p', { className: 'note', text: t('dashboard.no_data') }));
    return null;
  }
  if (shape === 'table') {
    body.append(dataTable(tile, rows, drill));
    return null;
  }
  if (shape === 'list') {
    body.append(personList(tile, rows));
    return null;
  }
  const chartBox = el('div', { className: 'chart', attrs: { role: 'img' } });
  const tableBox = el('div', { className: 'as-table', attrs: { hidden: '' } });
  body.append(chartBox, tableBox);
  const series = shape === 'trend' ? trendSeries(tile, rows, bucket) : null;
  // Bars get a line each, two when a long name wraps, so their names never overlap.
  if (shape === 'bar') chartBox.style.height = `${Math.max(288, orderedRows(tile, rows, shape).length * 28 + 48)}px`;
  const chart = echarts.init(chartBox, null, { renderer: 'canvas' });
  charts.add(chart);
  resizer.observe(chartBox);
  // Names fit the chart's width now, and again when it is resized (labels are laid out anew).
  const width = () => chartBox.clientWidth || 320;
  const option = shape === 'trend' ? trendOption(tile, series, width) : chartOption(tile, rows, shape, width);
  option.aria = { enabled: true, decal: { show: false }, label: { description: describe(tile, rows, series) } };
  option.animationDuration = 400;
  chart.setOption(option);
  // ECharts names the chart with aria-label on its root; the box carries the same text so
  // a screen reader reads the whole description as the image's name.
  const description = option.aria.label.description;
  chartBox.setAttribute('aria-label', description);
  chart.on('click', (p) => {
    if (shape === 'trend') {
      const line = series.lines[p.seriesIndex];
      const row = line?.points[p.dataIndex];
      if (row && row.key !== null && row.key !== undefined) drill(row.key, `${tileName(tile.tile, tile.title)}: ${line.name}, ${series.labels[p.dataIndex]}`, card);
      return;
    }
    const row = orderedRows(tile, rows, shape)[p.dataIndex];
    if (row && row.key !== null && row.key !== undefined) drill(row.key, `${tileName(tile.tile, tile.title)}: ${rowLabel(tile, row)}`, card);
  });
  tableBox.append(shape === 'trend' ? trendTable(tile, series, drill) : dataTable(tile, orderedRows(tile, rows, shape), drill));
  const toggle = el('button', {
    className: 'table-toggle',
    text: t('dashboard.show_table'),
    attrs: { type: 'button', 'aria-pressed': 'false' },
  });
  toggle.addEventListener('click', () => {
    const asTable = toggle.getAttribute('aria-pressed') !== 'true';
    toggle.setAttribute('aria-pressed', String(asTable));
    toggle.textContent = asTable ? t('dashboard.show_chart') : t('dashboard.show_table');
    tableBox.hidden = !asTable;
    chartBox.hidden = asTable;
    if (!asTable) chart.resize();
  });
  return toggle;
}

/** Rows in the order the chart draws them: bars from a donut are sorted, largest first. */
function orderedRows(tile, rows, shape) {
  if (tile.kind === 'donut' && shape === 'bar') return [...rows].sort((a, b) => Number(b.value) - Number(a.value));
  if (tile.kind === 'funnel') return rows.filter((r) => !r.separate);
  return rows;
}

function describe(tile, rows, series) {
  const name = tileName(tile.tile, tile.title);
  if (series) {
    const parts = series.lines.map((line) => `${line.name}: ${line.values.map((v, i) => `${series.labels[i]} ${v === null ? '–' : valueText(tile, { value: v })}`).join(', ')}`);
    return t('dashboard.chart_description', { tile: name, values: parts.join('; ') });
  }
  const parts = rows.map((row) => `${rowLabel(tile, row)}: ${valueText(tile, row)}`);
  return t('dashboard.chart_description', { tile: name, values: parts.join('; ') });
}

const TOOLTIP = { trigger: 'item', renderMode: 'richText', confine: true };

// ECharts' default label font; names are measured in it to fit their room.
const LABEL_FONT = '12px sans-serif';
let measurer = null;

function textWidth(text) {
  measurer ??= document.createElement('canvas').getContext('2d');
  measurer.font = LABEL_FONT;
  return measurer.measureText(text).width;
}

/**
 * `text` in at most `lines` lines of `width` px, broken at spaces where it can and anywhere
 * where it must; what does not fit ends in "…" (the whole name is in the tooltip, the table
 * view and the chart's description). Names from visitors' URLs can be any length: a label
 * that grew past its row would run into the next one.
 */
export function fitText(text, width, lines = 2) {
  const out = [];
  let line = '';
  let cut = false;
  const tokens = String(text).replace(/\s+/g, ' ').trim().split(/( )/);
  words: for (const token of tokens) {
    if (token === ' ') {
      if (line) line += ' ';
      continue;
    }
    if (textWidth(line + token) <= width) {
      line += token;
      continue;
    }
    if (line.trim() && textWidth(token) <= width) {
      out.push(line.trimEnd());
      line = token;
      if (out.length === lines) {
        cut = true;
        break;
      }
      continue;
    }
    // A word longer than the line is broken by characters.
    for (const ch of token) {
      if (line && textWidth(line + ch) > width) {
        out.push(line.trimEnd());
        line = '';
        if (out.length === lines) {
          cut = true;
          break words;
        }
      }
      line += ch;
    }
  }
  if (!cut && line) out.push(line.trimEnd());
  if (cut) {
    let last = out[lines - 1];
    while (last && textWidth(`${last}…`) > width) last = last.slice(0, -1);
    out[lines - 1] = `${last}…`;
  }
  return out.join('\n');
}

/** A legend's "name: value" in three lines at most; a longer name gives way to its value. */
function legendText(name, value, width) {
  const whole = fitText(`${name}: ${value}`, width, 3);
  return whole.endsWith('…') ? `${fitText(name, width, 2)}\n${value}` : whole;
}

/** Pixels a category name gets beside a bar chart of `chartWidth`. */
const nameWidth = (chartWidth) => Math.max(80, Math.min(150, Math.round(chartWidth * 0.33)));

function chartOption(tile, rows, shape, width) {
  const text = (row) => valueText(tile, row);
  if (shape === 'funnel') {
    const stages = orderedRows(tile, rows, shape);
    const apart = rows.filter((r) => r.separate);
    return {
      tooltip: { ...TOOLTIP, formatter: (p) => `${rowLabel(tile, stages[p.dataIndex])}: ${text(stages[p.dataIndex])}` },
      title: { subtext: apart.map((r) => `${rowLabel(tile, r)}: ${text(r)}`).join(' · '), left: 'center', bottom: 0, subtextStyle: { color: '#14213d', fontSize: 13 } },
      series: [{
        type: 'funnel', sort: 'descending', top: 10, bottom: 48, left: '10%', width: '80%', minSize: '20%',
        label: { show: true, position: 'inside', color: '#14213d', textBorderColor: '#fff', textBorderWidth: 3, fontSize: 13, formatter: (p) => `${rowLabel(tile, stages[p.dataIndex])}: ${text(stages[p.dataIndex])}` },
        labelLayout: { hideOverlap: true },
        data: stages.map((r) => ({ name: rowLabel(tile, r), value: r.value })),
      }],
    };
  }
  if (shape === 'donut') {
    const byName = new Map(rows.map((r) => [rowLabel(tile, r), r]));
    // No labels on the slices (they collide on small slices): the legend names each slice
    // with its value, in full, one per line.
    return {
      tooltip: { ...TOOLTIP, formatter: (p) => `${p.name}: ${text(rows[p.dataIndex])}` },
      legend: {
        orient: 'vertical', left: '52%', top: 'middle', icon: 'circle', itemGap: 8,
        textStyle: { color: '#14213d', fontSize: 12, lineHeight: 14 },
        // The legend has the right half of the chart, less its symbol.
        formatter: (name) => legendText(name, byName.has(name) ? text(byName.get(name)) : '', Math.max(80, width() * 0.48 - 32)),
      },
      series: [{
        // Laid out in the left half (the legend has the right), so it never reaches past
        // the chart's edge however narrow the chart is.
        type: 'pie', radius: ['38%', '70%'], center: ['50%', '50%'], left: 0, right: '50%',
        label: { show: false }, labelLine: { show: false },
        data: rows.map((r) => ({ name: rowLabel(tile, r), value: r.value })),
      }],
    };
  }
  const ordered = orderedRows(tile, rows, shape);
  return {
    tooltip: { ...TOOLTIP, formatter: (p) => `${rowLabel(tile, ordered[p.dataIndex])}: ${text(ordered[p.dataIndex])}` },
    // Room on the right for the value after the longest bar.
    grid: { left: 8, right: 56, top: 8, bottom: 8, containLabel: true },
    xAxis: { type: 'value', axisLabel: { hideOverlap: true, formatter: (v) => (isRate(tile) ? fmt.percent(v / 100) : fmt.number(v)) } },
    yAxis: {
      type: 'category', inverse: true,
      data: ordered.map((r) => rowLabel(tile, r)),
      // Long names wrap onto a second line; a name longer than two lines ends in "…".
      axisLabel: { color: '#14213d', interval: 0, lineHeight: 13, formatter: (name) => fitText(name, nameWidth(width())) },
    },
    series: [{
      type: 'bar', data: ordered.map((r) => r.value), barMaxWidth: 28,
      label: { show: true, position: 'right', color: '#14213d', formatter: (p) => text(ordered[p.dataIndex]) },
      labelLayout: { hideOverlap: true },
    }],
  };
}

// ---- trends: rows {bucket, label, value} ------------------------------------------------

function bucketText(bucket, size) {
  const text = String(bucket);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return text;
  if (size === 'month') return monthText(text);
  return fmt.date(text);
}

// "March 2026" in the page's language (fmt has whole dates; a month bucket names a month).
function monthText(iso) {
  const [year, month] = iso.split('-').map(Number);
  return new Intl.DateTimeFormat(currentLocale(), { month: 'short', year: 'numeric', timeZone: 'UTC' }).format(new Date(Date.UTC(year, month - 1, 1)));
}

/** Buckets in order and one line per label (a lead source, a channel, or all leads). */
function trendSeries(tile, rows, size) {
  const buckets = [...new Set(rows.map((r) => String(r.bucket)))].sort();
  const names = [...new Set(rows.map((r) => rowLabel(tile, r)))];
  const lines = names.map((name) => {
    const values = buckets.map(() => null);
    const points = buckets.map(() => null);
    for (const row of rows) {
      if (rowLabel(tile, row) !== name) continue;
      const i = buckets.indexOf(String(row.bucket));
      values[i] = row.value === null || row.value === undefined ? null : Number(row.value);
      points[i] = row;
    }
    return { name, values, points };
  });
  return { buckets, labels: buckets.map((b) => bucketText(b, size || tile.bucket)), lines };
}

function trendOption(tile, series, width) {
  const rate = isRate(tile);
  const axisValue = (v) => (rate ? fmt.percent(v / 100) : fmt.number(v));
  const several = series.lines.length > 1;
  return {
    tooltip: { trigger: 'axis', renderMode: 'richText', confine: true, valueFormatter: (v) => (v === null || v === undefined ? '–' : axisValue(v)) },
    legend: several ? { type: 'scroll', bottom: 0, textStyle: { color: '#14213d' }, formatter: (name) => fitText(name, Math.max(80, width() - 140), 1) } : undefined,
    grid: { left: 8, right: 16, top: 16, bottom: several ? 36 : 8, containLabel: true },
    // The first and last dates end at the chart's edges instead of past them.
    xAxis: { type: 'category', data: series.labels, axisLabel: { hideOverlap: true, color: '#14213d', alignMinLabel: 'left', alignMaxLabel: 'right' } },
    yAxis: { type: 'value', axisLabel: { formatter: axisValue, color: '#14213d' } },
    // Rates over time read as lines (a bucket without leads has none: a gap); counts stack
    // as bars, so the bar's height is the bucket's total.
    series: series.lines.map((line) => (rate
      ? { type: 'line', name: line.name, data: line.values, symbolSize: 6 }
      : { type: 'bar', name: line.name, data: line.values.map((v) => v ?? 0), stack: 'total', barMaxWidth: 32 })),
  };
}

/** The trend as a table: a row per bucket, a column per series; figures open the drill-down. */
function trendTable(tile, series, drill) {
  const head = el('tr', {}, [
    el('th', { text: t('dashboard.period_column'), attrs: { scope: 'col' } }),
    ...series.lines.map((line) => el('th', { text: line.name, className: 'num', attrs: { scope: 'col' } })),
  ]);
  const body = el('tbody', {}, series.labels.map((label, i) => el('tr', {}, [
    el('th', { text: label, attrs: { scope: 'row' } }),
    ...series.lines.map((line) => {
      const value = line.values[i];
      const text = value === null ? '–' : valueText(tile, { value });
      const row = line.points[i];
      const cell = el('td', { className: 'num' });
      if (row && row.key !== null && row.key !== undefined && value !== null) {
        const button = el('button', { className: 'row-open', text, attrs: { type: 'button', 'aria-label': `${line.name}, ${label}: ${text}` } });
        button.addEventListener('click', () => drill(row.key, `${tileName(tile.tile, tile.title)}: ${line.name}, ${label}`, button));
        cell.append(button);
      } else {
        cell.textContent = text;
      }
      return cell;
    }),
  ])));
  return el('table', {}, [el('caption', { className: 'visually-hidden', text: tileName(tile.tile, tile.title) }), el('thead', {}, [head]), body]);
}

// ---- tables and lists -------------------------------------------------------------------

/**
 * Amounts in their currencies, each as the locale writes it, never added together: a list
 * of parts, which the table keeps whole each (a line breaks between amounts, not inside).
 */
const amounts = (list) => (list || []).map((m) => fmt.money(Number(m.amount), m.currency));

/**
 * Return on spend per currency (`2.5×`); the currency is named when the row spent in more
 * than one, so that a ratio is never read against the wrong money.
 */
function returnOnSpend(row) {
  const several = (row.cost || []).length > 1;
  return (row.return_on_spend || []).map((r) => {
    const ratio = t('dashboard.return_on_spend_value', { ratio: fmt.number(Number(r.ratio), { minimumFractionDigits: 2, maximumFractionDigits: 2 }) });
    return several ? `${ratio} ${r.currency}` : ratio;
  });
}

/**
 * Cost and return beside the credited figures (tiles drawn under an attribution model), when
 * any row has a cost: cost, cost per lead, cost per won deal, return on spend.
 */
export function costColumns(rows) {
  if (!(rows || []).some((r) => (r.cost || []).length > 0)) return [];
  return [
    [t('dashboard.cost_column'), (r) => amounts(r.cost), true],
    [t('dashboard.cost_per_lead_column'), (r) => amounts(r.cost_per_lead), true],
    [t('dashboard.cost_per_deal_column'), (r) => amounts(r.cost_per_deal), true],
    [t('dashboard.return_on_spend_column'), returnOnSpend, true],
  ];
}

function tableColumns(tile, rows) {
  const count = t('dashboard.count_column');
  return {
    'source-performance': [
      [t('dashboard.source_column'), (r) => r.source],
      [t('dashboard.medium_column'), (r) => r.medium],
      [t('dashboard.leads_column'), (r) => credit(r.leads), true],
      [t('dashboard.deals_column'), (r) => credit(r.deals), true],
      [t('dashboard.conversion_column'), (r) => fmt.percent(Number(r.conversion_rate) / 100), true],
      ...costColumns(rows),
    ],
    'attribution-quality': [
      [t('dashboard.finding_column'), (r) => rowLabel(tile, r)],
      [count, (r) => fmt.number(r.value), true],
      [t('dashboard.detail_column'), (r) => r.detail],
    ],
    // Credited figures have decimals (a lead shared among touches); money per currency.
    attribution: [
      [t('dashboard.name_column'), (r) => rowLabel(tile, r)],
      [t('dashboard.leads_column'), (r) => credit(r.leads), true],
      [t('dashboard.deals_column'), (r) => credit(r.deals), true],
      [t('dashboard.revenue_column'), (r) => amounts(r.revenue), true],
      ...costColumns(rows),
    ],
    'top-referring-sites': [[t('dashboard.site_column'), (r) => r.label], [t('dashboard.new_leads_column'), (r) => fmt.number(r.value), true]],
  }[tile.tile] || [[t('dashboard.name_column'), (r) => rowLabel(tile, r)], [t('dashboard.value_column'), (r) => valueText(tile, r), true]];
}

/**
 * A table of the rows; the first cell of a row with a `key` is a button that opens the
 * persons behind it (focus comes back to that button).
 */
function dataTable(tile, rows, drill) {
  const columns = tableColumns(tile, rows);
  const head = el('tr', {}, columns.map(([name, , num]) => el('th', { text: name, className: num ? 'num' : '', attrs: { scope: 'col' } })));
  const body = el('tbody');
  for (const row of rows) {
    const cells = columns.map(([, value, num], i) => {
      const text = value(row) ?? '';
      if (i === 0) {
        const cell = el('th', { attrs: { scope: 'row' } });
        if (row.key !== null && row.key !== undefined) {
          const button = el('button', { className: 'row-open', text, attrs: { type: 'button' } });
          button.addEventListener('click', () => drill(row.key, `${tileName(tile.tile, tile.title)}: ${rowLabel(tile, row)}`, button));
          cell.append(button);
        } else {
          cell.textContent = text;
        }
        return cell;
      }
      if (Array.isArray(text)) {
        const cell = el('td', { className: num ? 'num' : '' });
        text.forEach((part, at) => {
          if (at > 0) cell.append(' · ');
          cell.append(el('span', { className: 'amount', text: part }));
        });
        return cell;
      }
      return el('td', { text, className: num ? 'num' : '' });
    });
    body.append(el('tr', {}, cells));
  }
  return el('table', {}, [el('caption', { className: 'visually-hidden', text: tileName(tile.tile, tile.title) }), el('thead', {}, [head]), body]);
}

/** A selection's persons, each linked to the person's card. */
function personList(tile, rows) {
  const nodes = [];
  nodes.push(el('ul', { className: 'persons' }, rows.map((row) => {
    const link = el('a', { text: rowLabel(tile, row), attrs: { href: `/people/${encodeURIComponent(row.person_id ?? row.key)}` } });
    const extra = [row.value, row.country].filter(Boolean).join(' · ');
    return el('li', {}, [link, el('span', { className: 'muted', text: extra ? ` · ${extra}` : '' })]);
  })));
  return el('div', {}, nodes);
}

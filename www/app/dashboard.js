// The /dashboard page: pick a dashboard, filter by period,
// owner and country, see each tile as a chart (Apache ECharts), a number, a table or a
// list, and click a segment or row to list the persons behind it.
//
// Sign-in and API calls are session.js's. Values come from visitors' URLs and can be
// hostile: tables and lists use textContent, charts draw text on a canvas, and tooltips
// are rendered as canvas text too (renderMode 'richText'), so no value is ever parsed as HTML.

import { $, SignedOut, api, el, signInWith, signOutWith } from './session.js';

let dashboards = [];
let tileCatalogue = {};
const charts = new Set();

// ---- sign-in ---------------------------------------------------------------------------

function clearTiles() {
  for (const chart of charts) chart.dispose();
  charts.clear();
  $('tiles').replaceChildren();
}

function signOut(message = '') {
  clearTiles();
  $('drill').hidden = true;
  $('drill-table').tBodies[0].replaceChildren();
  $('app').hidden = true;
  $('sign-out').hidden = true;
  $('sign-in').hidden = false;
  $('sign-in-error').textContent = message;
}

async function start() {
  let list;
  let catalogue;
  let filters;
  try {
    [list, catalogue, filters] = await Promise.all([
      api('/api/v1/dashboards'),
      api('/api/v1/tiles'),
      api('/api/v1/tiles/filters'),
    ]);
  } catch (error) {
    if (!(error instanceof SignedOut)) signOutWith(`Cannot reach the API: ${error.message}`);
    return;
  }
  dashboards = list.items;
  tileCatalogue = Object.fromEntries(catalogue.items.map((t) => [t.id, t]));
  $('dashboard').replaceChildren(...dashboards.map((d) => el('option', { text: d.name, attrs: { value: d.id } })));
  $('owner').replaceChildren(
    el('option', { text: 'Everyone', attrs: { value: '' } }),
    ...filters.owners.map((o) => el('option', { text: o.name, attrs: { value: String(o.id) } })),
  );
  $('country').replaceChildren(
    el('option', { text: 'All', attrs: { value: '' } }),
    ...filters.countries.map((c) => el('option', { text: c, attrs: { value: c } })),
  );
  const wanted = new URLSearchParams(location.search).get('d');
  if (wanted && dashboards.some((d) => d.id === wanted)) $('dashboard').value = wanted;
  $('sign-in').hidden = true;
  $('sign-out').hidden = false;
  $('app').hidden = false;
  applyDashboardDefaults();
  await render();
}

// ---- filters ---------------------------------------------------------------------------

function isoDate(date) {
  const pad = (n) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

// Fills the date inputs for a named period; empty inputs mean "the server's year to
// date" (in its configured time zone).
function setPeriod(name) {
  const today = new Date();
  if (name === 'ytd') {
    $('from').value = '';
    $('to').value = '';
  } else if (name === 'last-year') {
    $('from').value = `${today.getFullYear() - 1}-01-01`;
    $('to').value = `${today.getFullYear() - 1}-12-31`;
  } else if (name !== 'custom') {
    const from = new Date(today);
    from.setDate(from.getDate() - Number(name) + 1);
    $('from').value = isoDate(from);
    $('to').value = isoDate(today);
  }
}

function currentDashboard() {
  return dashboards.find((d) => d.id === $('dashboard').value) || dashboards[0];
}

function applyDashboardDefaults() {
  const filters = currentDashboard()?.filters || {};
  $('from').value = filters.from || '';
  $('to').value = filters.to || '';
  $('period').value = filters.from || filters.to ? 'custom' : 'ytd';
  $('owner').value = filters.owner !== undefined ? String(filters.owner) : '';
  $('country').value = filters.country || '';
}

function filterParams() {
  const params = new URLSearchParams();
  for (const id of ['from', 'to', 'owner', 'country']) {
    if ($(id).value) params.set(id, $(id).value);
  }
  return params;
}

$('dashboard').addEventListener('change', () => {
  applyDashboardDefaults();
  render();
});
$('period').addEventListener('change', () => {
  setPeriod($('period').value);
  render();
});
for (const id of ['from', 'to']) {
  $(id).addEventListener('change', () => {
    $('period').value = 'custom';
    render();
  });
}
for (const id of ['owner', 'country']) $(id).addEventListener('change', () => render());
$('filters').addEventListener('submit', (event) => event.preventDefault());

// ---- tiles -----------------------------------------------------------------------------

let generation = 0;

async function render() {
  const dashboard = currentDashboard();
  if (!dashboard) return;
  const mine = ++generation;
  clearTiles();
  $('error').textContent = '';
  $('status').textContent = 'Loading…';
  const started = performance.now();
  const cards = dashboard.tiles.map((entry) => {
    const info = tileCatalogue[entry.tile] || { title: entry.tile, kind: 'table' };
    const card = el('article', { className: 'tile', attrs: { 'data-tile': entry.tile } }, [
      el('h2', { text: info.title }),
    ]);
    $('tiles').append(card);
    return { entry, card };
  });
  const results = await Promise.allSettled(cards.map(({ entry }) => {
    const params = filterParams();
    if (entry.campaign) params.set('campaign', entry.campaign);
    if (entry.selection !== undefined) params.set('selection', String(entry.selection));
    return api(`/api/v1/tiles/${encodeURIComponent(entry.tile)}?${params}`);
  }));
  if (mine !== generation) return;
  results.forEach((result, i) => {
    const { entry, card } = cards[i];
    if (result.status === 'fulfilled') {
      drawTile(card, entry, result.value);
    } else {
      card.append(el('p', { className: 'error', text: result.reason.message }));
    }
  });
  const first = results.find((r) => r.status === 'fulfilled');
  const period = first ? `${first.value.period.from} – ${first.value.period.to}` : '';
  $('status').textContent = `${period} · ${Math.round(performance.now() - started)} ms`;
}

// Rows as the chart shows them: pipeline rows carry their currency.
function rowLabel(tile, row) {
  return tile.tile === 'pipeline-by-lead-source' ? `${row.label} (${row.currency})` : row.label;
}

function chartBox(card) {
  const box = el('div', { className: 'chart' });
  card.append(box);
  const chart = echarts.init(box, null, { renderer: 'canvas' });
  charts.add(chart);
  return chart;
}

const TOOLTIP = { trigger: 'item', renderMode: 'richText' };

function drawTile(card, entry, tile) {
  const rows = tile.rows;
  if (tile.kind === 'number') {
    const value = rows[0] ? rows[0].value : 0;
    const button = el('button', { className: 'number', text: value.toLocaleString(), attrs: { type: 'button', title: 'List these persons' } });
    button.addEventListener('click', () => drill(entry, tile, null, tile.title));
    card.append(button);
    return;
  }
  if (rows.length === 0) {
    card.append(el('p', { className: 'note', text: 'No data for these filters.' }));
    return;
  }
  if (tile.kind === 'table') return drawTable(card, entry, tile);
  if (tile.kind === 'list') return drawList(card, tile);
  const chart = chartBox(card);
  const data = rows.map((row) => ({ name: rowLabel(tile, row), value: row.value }));
  if (tile.kind === 'funnel') {
    const stages = rows.filter((r) => !r.separate);
    const apart = rows.filter((r) => r.separate);
    chart.setOption({
      tooltip: TOOLTIP,
      title: { subtext: apart.map((r) => `${r.label}: ${r.value}`).join(' · '), left: 'center', top: 'bottom' },
      series: [{
        type: 'funnel', sort: 'descending', top: 10, bottom: 40, left: '10%', width: '80%',
        label: { show: true, position: 'inside', formatter: '{b}: {c}' },
        data: stages.map((r) => ({ name: r.label, value: r.value })),
      }],
    });
    chart.on('click', (p) => drill(entry, tile, stages[p.dataIndex].key, `${tile.title}: ${stages[p.dataIndex].label}`));
    return;
  }
  if (tile.kind === 'donut') {
    chart.setOption({
      tooltip: TOOLTIP,
      legend: { type: 'scroll', bottom: 0 },
      series: [{
        type: 'pie', radius: ['40%', '68%'], center: ['50%', '45%'],
        label: { formatter: (p) => (tile.tile === 'campaign-channel-split' ? `${p.name}: ${rows[p.dataIndex].share} %` : `${p.name}: ${p.value}`) },
        data,
      }],
    });
  } else {
    const suffix = tile.tile === 'conversion-rate-by-source' ? ' %' : '';
    chart.setOption({
      tooltip: TOOLTIP,
      grid: { left: 8, right: 40, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: 'value' },
      yAxis: { type: 'category', inverse: true, data: data.map((d) => d.name), axisLabel: { width: 140, overflow: 'truncate' } },
      series: [{ type: 'bar', data: data.map((d) => d.value), label: { show: true, position: 'right', formatter: (p) => `${p.value}${suffix}` } }],
    });
  }
  chart.on('click', (p) => {
    const row = rows[p.dataIndex];
    if (row && row.key !== null && row.key !== undefined) drill(entry, tile, row.key, `${tile.title}: ${row.label}`);
  });
}

function drawTable(card, entry, tile) {
  const columns = {
    'source-performance': [['Source', 'source'], ['Medium', 'medium'], ['Leads', 'leads', true], ['Deals', 'deals', true], ['Conversion %', 'conversion_rate', true]],
    'attribution-quality': [['Finding', 'label'], ['Count', 'value', true], ['', 'detail']],
  }[tile.tile] || [['Site', 'label'], ['New leads', 'value', true]];
  const head = el('tr', {}, columns.map(([name, , num]) => el('th', { text: name, className: num ? 'num' : '' })));
  const body = el('tbody');
  for (const row of tile.rows) {
    const tr = el('tr', { attrs: { tabindex: '0' } }, columns.map(([, field, num]) => el('td', { text: row[field], className: num ? 'num' : '' })));
    const open = () => drill(entry, tile, row.key, `${tile.title}: ${row.label}`);
    tr.addEventListener('click', open);
    tr.addEventListener('keydown', (e) => { if (e.key === 'Enter') open(); });
    body.append(tr);
  }
  card.append(el('table', {}, [el('thead', {}, [head]), body]));
}

function drawList(card, tile) {
  const first = tile.rows[0];
  if (first && first.selection) card.append(el('p', { className: 'note', text: first.selection }));
  card.append(el('ul', {}, tile.rows.map((row) => el('li', { text: `${row.label} · ${row.value}` }))));
}

// ---- drill-down ------------------------------------------------------------------------

async function drill(entry, tile, key, title) {
  const params = filterParams();
  if (entry.campaign) params.set('campaign', entry.campaign);
  if (key !== null && key !== undefined) params.set('key', key);
  params.set('limit', '100');
  $('drill').hidden = false;
  $('drill-title').textContent = title;
  const body = $('drill-table').tBodies[0];
  body.replaceChildren(el('tr', {}, [el('td', { text: 'Loading…', attrs: { colspan: '6' } })]));
  try {
    const answer = await api(`/api/v1/tiles/${encodeURIComponent(tile.tile)}/persons?${params}`);
    body.replaceChildren(...answer.items.map((p) => el('tr', {}, [
      el('td', { text: p.email }),
      el('td', { text: p.name }),
      el('td', { text: p.country }),
      el('td', { text: p.lead_generation?.source }),
      el('td', { text: p.lead_generation?.campaign }),
      el('td', { text: p.created_at }),
    ])));
    if (answer.items.length === 0) body.append(el('tr', {}, [el('td', { text: 'Nobody.', attrs: { colspan: '6' } })]));
  } catch (error) {
    body.replaceChildren(el('tr', {}, [el('td', { className: 'error', text: error.message, attrs: { colspan: '6' } })]));
  }
  $('drill').scrollIntoView({ behavior: 'smooth', block: 'nearest' });
}
$('drill-close').addEventListener('click', () => { $('drill').hidden = true; });

window.addEventListener('resize', () => { for (const chart of charts) chart.resize(); });

signInWith({ start, signOut });

// The /dashboard page: choose a dashboard (a preset or one of your own), a period, an owner
// and a country; every tile is drawn as a chart, a number, a table or a list
// (dashboard-charts.js), and a row or figure opens the persons behind it
// (dashboard-drill.js). Marketers and admins make, change, copy and delete dashboards
// (dashboard-editor.js); viewers read them. The dashboard and the filters are in the URL
// (?d=&period=&from=&to=&owner=&country=), so reload, back and forward show the same.
// A named period (last 30 days, this quarter, …) is sent by name: the server counts its
// days in its own time zone, and a dashboard that keeps one moves with today.

import { $, announce, api, el, fmt, startPage, t } from './shell.js';
import { disposeCharts, drawTile, tileName } from './dashboard-charts.js';
import { closeDrill, openDrill, setUpDrill } from './dashboard-drill.js';
import { closeEditor, isEditing, openEditor, setUpEditor } from './dashboard-editor.js';

let me = null;
let dashboards = [];
let catalogue = {};
let filterValues = { owners: [], countries: [] };
let selections = null;

const PRESET_KEYS = { marketing: 'preset_marketing', 'lead-nurturing': 'preset_lead_nurturing', sales: 'preset_sales' };
/** The periods of the period menus; 'this-year' (year to date) is what no period means. */
const PERIODS = ['this-year', 'last-7-days', 'last-30-days', 'last-90-days', 'this-month', 'last-month', 'this-quarter', 'last-quarter', 'last-year', 'custom'];
// Names older links carry.
const OLD_PERIODS = { ytd: 'this-year', 30: 'last-30-days', 90: 'last-90-days' };

const canEdit = () => me && (me.role === 'admin' || me.role === 'marketer');

/** A dashboard's name: presets in the user's language, one's own as typed. */
function dashboardName(d) {
  return d.preset && PRESET_KEYS[d.id] ? t(`dashboard.${PRESET_KEYS[d.id]}`) : d.name;
}

function currentDashboard() {
  return dashboards.find((d) => d.id === $('dashboard').value) || dashboards[0];
}

// ---- the URL ----------------------------------------------------------------------------

function stateFromPage() {
  const params = new URLSearchParams();
  const d = currentDashboard();
  if (d) params.set('d', d.id);
  if ($('period').value !== 'this-year') params.set('period', $('period').value);
  for (const id of ['from', 'to']) if ($('period').value === 'custom' && $(id).value) params.set(id, $(id).value);
  for (const id of ['owner', 'country']) if ($(id).value) params.set(id, $(id).value);
  return params;
}

function writeUrl(push) {
  const query = stateFromPage().toString();
  const url = `${location.pathname}${query ? `?${query}` : ''}`;
  if (url === location.pathname + location.search) return;
  if (push) history.pushState(null, '', url);
  else history.replaceState(null, '', url);
}

/** Shows what the URL says: its dashboard, and its filters over the dashboard's defaults. */
function readUrl() {
  const params = new URLSearchParams(location.search);
  const wanted = params.get('d');
  $('dashboard').value = wanted && dashboards.some((d) => d.id === wanted) ? wanted : dashboards[0]?.id || '';
  applyDashboardDefaults();
  const period = OLD_PERIODS[params.get('period')] || params.get('period');
  if (PERIODS.includes(period)) {
    $('period').value = period;
    if (period !== 'custom') for (const id of ['from', 'to']) $(id).value = '';
  }
  if ($('period').value === 'custom') {
    for (const id of ['from', 'to']) if (params.has(id)) $(id).value = params.get(id);
  }
  if (params.has('owner') && [...$('owner').options].some((o) => o.value === params.get('owner'))) $('owner').value = params.get('owner');
  if (params.has('country') && [...$('country').options].some((o) => o.value === params.get('country'))) $('country').value = params.get('country');
  showPeriodInputs();
}

// ---- filters ----------------------------------------------------------------------------

// The days the tiles last counted, as the server resolved them.
let shownPeriod = null;

// Custom dates start from the days shown; a named period leaves the dates to the server.
function setPeriod(name) {
  if (name === 'custom') {
    if (!$('from').value && shownPeriod) $('from').value = shownPeriod.from;
    if (!$('to').value && shownPeriod) $('to').value = shownPeriod.to;
  } else {
    $('from').value = '';
    $('to').value = '';
  }
}

function showPeriodInputs() {
  $('custom-dates').hidden = $('period').value !== 'custom';
}

function applyDashboardDefaults() {
  const filters = currentDashboard()?.filters || {};
  $('from').value = filters.from || '';
  $('to').value = filters.to || '';
  $('period').value = filters.from || filters.to ? 'custom' : PERIODS.includes(filters.period) ? filters.period : 'this-year';
  $('owner').value = filters.owner !== undefined ? String(filters.owner) : '';
  $('country').value = filters.country || '';
  showPeriodInputs();
}

function filterParams() {
  const params = new URLSearchParams();
  const period = $('period').value;
  if (period === 'custom') {
    for (const id of ['from', 'to']) if ($(id).value) params.set(id, $(id).value);
  } else if (period !== 'this-year') {
    params.set('period', period);
  }
  for (const id of ['owner', 'country']) {
    if ($(id).value) params.set(id, $(id).value);
  }
  return params;
}

/** The query of one tile of a dashboard: the filters and the tile's own parameters. */
function tileParams(entry) {
  const params = filterParams();
  for (const name of ['campaign', 'selection', 'bucket', 'by']) {
    if (entry[name] !== undefined && entry[name] !== null && entry[name] !== '') params.set(name, String(entry[name]));
  }
  return params;
}

// ---- the dashboard picker and its actions -----------------------------------------------

function fillPicker() {
  const presets = dashboards.filter((d) => d.preset);
  const own = dashboards.filter((d) => !d.preset);
  const option = (d) => el('option', { text: dashboardName(d), attrs: { value: d.id } });
  const groups = [el('optgroup', { attrs: { label: t('dashboard.presets') } }, presets.map(option))];
  if (own.length) groups.push(el('optgroup', { attrs: { label: t('dashboard.own') } }, own.map(option)));
  $('dashboard').replaceChildren(...groups);
}

function showActions() {
  const d = currentDashboard();
  const editable = canEdit();
  $('new-dashboard').hidden = !editable;
  $('copy-dashboard').hidden = !editable || !d;
  $('edit-dashboard').hidden = !editable || !d || d.preset;
  $('delete-dashboard').hidden = !editable || !d || d.preset;
  $('preset-note').hidden = !d || !d.preset || !editable;
  $('delete-confirm').hidden = true;
  $('dashboard-title').textContent = d ? dashboardName(d) : t('dashboard.title');
}

async function loadSelections() {
  if (selections === null) {
    try {
      selections = (await api('/api/v1/selections')).items;
    } catch {
      selections = [];
    }
  }
  return selections;
}

async function startEditing(dashboard) {
  closeDrill();
  await loadSelections();
  openEditor(dashboard, {
    catalogue,
    filterValues,
    selections,
    tileParams,
    onSaved: (saved) => {
      dashboards = dashboards.filter((d) => d.id !== saved.id).concat([saved]);
      fillPicker();
      $('dashboard').value = saved.id;
      applyDashboardDefaults();
      writeUrl(true);
      showActions();
      announce(t('dashboard.saved', { name: saved.name }));
      render().then(() => $('dashboard-title').focus());
    },
    onCancel: () => $(dashboard ? 'edit-dashboard' : 'new-dashboard').focus(),
  });
}

async function copyDashboard() {
  const d = currentDashboard();
  const body = { name: t('dashboard.copy_name', { name: dashboardName(d) }), tiles: d.tiles, filters: d.filters || {} };
  try {
    const copy = await api('/api/v1/dashboards', { method: 'POST', body });
    dashboards.push(copy);
    fillPicker();
    $('dashboard').value = copy.id;
    applyDashboardDefaults();
    writeUrl(true);
    showActions();
    announce(t('dashboard.copied', { name: copy.name }));
    await render();
    $('dashboard-title').focus();
  } catch (error) {
    $('error').textContent = error.message;
  }
}

async function deleteDashboard() {
  const d = currentDashboard();
  try {
    await api(`/api/v1/dashboards/${encodeURIComponent(d.id)}`, { method: 'DELETE' });
  } catch (error) {
    $('error').textContent = error.message;
    return;
  }
  dashboards = dashboards.filter((x) => x.id !== d.id);
  fillPicker();
  $('dashboard').value = dashboards[0]?.id || '';
  applyDashboardDefaults();
  writeUrl(true);
  showActions();
  announce(t('dashboard.deleted', { name: d.name }));
  await render();
  $('dashboard').focus();
}

// ---- tiles ------------------------------------------------------------------------------

let generation = 0;

function clearTiles() {
  disposeCharts($('tiles'));
  $('tiles').replaceChildren();
}

async function render() {
  const dashboard = currentDashboard();
  if (!dashboard) return;
  const mine = ++generation;
  clearTiles();
  $('error').textContent = '';
  $('status').textContent = t('dashboard.loading');
  const started = performance.now();
  const cards = dashboard.tiles.map((entry, i) => {
    const info = catalogue[entry.tile] || { title: entry.tile, kind: 'table' };
    const headingId = `tile-${i}-title`;
    const heading = el('h2', { text: tileName(entry.tile, info.title), attrs: { id: headingId } });
    const head = el('div', { className: 'tile-head' }, [heading]);
    const body = el('div', { className: 'tile-body' });
    const card = el('article', { className: 'tile', attrs: { 'data-tile': entry.tile, 'aria-labelledby': headingId, tabindex: '-1' } }, [head, body]);
    $('tiles').append(card);
    return { entry, card, head, body };
  });
  const results = await Promise.allSettled(cards.map(({ entry }) => api(`/api/v1/tiles/${encodeURIComponent(entry.tile)}?${tileParams(entry)}`)));
  if (mine !== generation) return;
  results.forEach((result, i) => {
    const { entry, card, head, body } = cards[i];
    if (result.status === 'fulfilled') {
      const tile = result.value;
      const drill = (key, title, opener) => {
        const params = tileParams(entry);
        // The persons behind the figure drawn: its days as the server counted them, and a
        // trend's bucket and split as answered (a row's key names a bucket of that size).
        params.delete('period');
        params.set('from', tile.period.from);
        params.set('to', tile.period.to);
        for (const name of ['bucket', 'by']) if (tile[name]) params.set(name, tile[name]);
        if (key !== null && key !== undefined) params.set('key', key);
        params.set('limit', '100');
        openDrill({ tileId: tile.tile, title, params, from: opener || card });
      };
      const toggle = drawTile(body, tile, { drill, card, bucket: entry.bucket });
      if (toggle) head.append(toggle);
      // A list tile is named after its selection once its rows have said which.
      const selection = tile.rows?.[0]?.selection;
      if (entry.tile === 'selection-list' && selection) {
        head.querySelector('h2').textContent = t('dashboard.tile_with_selection', { tile: tileName(entry.tile, tile.title), selection });
      }
      // A list's rows open their persons; the selection itself opens with all of them.
      if (entry.tile === 'selection-list' && entry.selection !== undefined) {
        body.append(el('p', {}, [el('a', {
          className: 'open-selection',
          text: t('dashboard.open_selection', { selection: selection || `#${entry.selection}` }),
          attrs: { href: `/selections/${encodeURIComponent(entry.selection)}` },
        })]));
      }
    } else {
      body.append(el('p', { className: 'error', text: result.reason.message }));
    }
  });
  const first = results.find((r) => r.status === 'fulfilled');
  if (first) shownPeriod = first.value.period;
  const period = first ? `${fmt.date(first.value.period.from)} – ${fmt.date(first.value.period.to)}` : '';
  const ms = Math.round(performance.now() - started);
  $('status').textContent = period ? `${period} · ${ms} ms` : `${ms} ms`;
}

// ---- start ------------------------------------------------------------------------------

function wire() {
  $('dashboard').addEventListener('change', () => {
    closeEditor();
    applyDashboardDefaults();
    writeUrl(true);
    showActions();
    render();
  });
  $('period').addEventListener('change', () => {
    setPeriod($('period').value);
    showPeriodInputs();
    writeUrl(false);
    render();
  });
  for (const id of ['from', 'to']) {
    $(id).addEventListener('change', () => {
      writeUrl(false);
      render();
    });
  }
  for (const id of ['owner', 'country']) {
    $(id).addEventListener('change', () => {
      writeUrl(false);
      render();
    });
  }
  $('filters').addEventListener('submit', (event) => event.preventDefault());
  $('new-dashboard').addEventListener('click', () => startEditing(null));
  $('edit-dashboard').addEventListener('click', () => startEditing(currentDashboard()));
  $('copy-dashboard').addEventListener('click', copyDashboard);
  $('delete-dashboard').addEventListener('click', () => {
    $('delete-question').textContent = t('dashboard.delete_question', { name: dashboardName(currentDashboard()) });
    $('delete-confirm').hidden = false;
    $('delete-cancel').focus();
  });
  $('delete-yes').addEventListener('click', deleteDashboard);
  $('delete-cancel').addEventListener('click', () => {
    $('delete-confirm').hidden = true;
    $('delete-dashboard').focus();
  });
  window.addEventListener('popstate', () => {
    if (!dashboards.length) return;
    closeDrill();
    if (isEditing()) closeEditor();
    readUrl();
    showActions();
    render();
  });
  setUpDrill();
  setUpEditor();
}

async function start(user) {
  me = user;
  $('page-error').textContent = '';
  const [list, tiles, values] = await Promise.all([
    api('/api/v1/dashboards'),
    api('/api/v1/tiles'),
    api('/api/v1/tiles/filters'),
  ]);
  dashboards = list.items;
  catalogue = Object.fromEntries(tiles.items.map((info) => [info.id, info]));
  filterValues = values;
  fillPicker();
  $('owner').replaceChildren(
    el('option', { text: t('dashboard.everyone'), attrs: { value: '' } }),
    ...values.owners.map((o) => el('option', { text: o.name, attrs: { value: String(o.id) } })),
  );
  $('country').replaceChildren(
    el('option', { text: t('dashboard.all_countries'), attrs: { value: '' } }),
    ...values.countries.map((c) => el('option', { text: c, attrs: { value: c } })),
  );
  readUrl();
  showActions();
  $('app').hidden = false;
  await render();
}

function signOut(message = '') {
  $('page-error').textContent = message;
  closeDrill();
  closeEditor();
  clearTiles();
  dashboards = [];
  selections = null;
  $('app').hidden = true;
}

wire();
startPage({ page: 'dashboard', start, signOut });

// The /dashboard page: choose a dashboard (a preset or one of your own), a period, an owner
// and a country; every tile is drawn as a chart, a number, a table or a list
// (dashboard-charts.js), and a row or figure opens the persons behind it
// (dashboard-drill.js). Marketers and admins make, change, copy and delete dashboards
// (dashboard-editor.js); viewers read them. The dashboard and the filters are in the URL
// (?d=&period=&from=&to=&owner=&country=), so reload, back and forward show the same.
// An attribution tile has its model picker on the tile: the model chosen there is in the
// URL too (?t2.model=linear for the third tile), over the one the dashboard keeps, so a
// preset can be read under any model and the link shows the same figures.
// A named period (last 30 days, this quarter, …) is sent by name: the server counts its
// days in its own time zone, and a dashboard that keeps one moves with today.

import { $, announce, api, el, fmt, startPage, t } from './shell.js';
import { disposeCharts, drawTile, tileName } from './dashboard-charts.js';
import { closeDrill, openDrill, setUpDrill } from './dashboard-drill.js';
import { closeEditor, isEditing, openEditor, setUpEditor } from './dashboard-editor.js';
import { choiceLabel, choiceOf, valueOf } from './dashboard-choices.js';

let me = null;
let dashboards = [];
let catalogue = {};
let filterValues = { owners: [], countries: [] };
let selections = null;
/** Models chosen on the tiles, by the tile's index in the dashboard. */
let tileModels = new Map();

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
  for (const [index, model] of [...tileModels].sort((a, b) => a[0] - b[0])) params.set(`t${index}.model`, model);
  return params;
}

/** A tile of the dashboard as drawn: as kept, with the model chosen on the tile over its own. */
function shownEntry(entry, index) {
  return tileModels.has(index) ? { ...entry, model: tileModels.get(index) } : entry;
}

// The models a URL chooses for the dashboard's tiles; any other parameter or value is left out.
function modelsFromUrl(params, dashboard) {
  const models = new Map();
  for (const [name, value] of params) {
    const match = /^t(\d{1,3})\.model$/.exec(name);
    const entry = match && dashboard?.tiles[Number(match[1])];
    const choice = entry && choiceOf(catalogue[entry.tile], 'model');
    if (choice && entry.tile === 'attribution' && choice.values.includes(value)) models.set(Number(match[1]), value);
  }
  return models;
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
  tileModels = modelsFromUrl(params, currentDashboard());
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

/** The query of one tile of a dashboard: the filters and every parameter the tile keeps. */
function tileParams(entry) {
  const params = filterParams();
  for (const [name, value] of Object.entries(entry)) {
    if (name === 'tile' || params.has(name)) continue;
    if (value !== undefined && value !== null && value !== '') params.set(name, String(value));
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
      tileModels = new Map();
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
  // The copy keeps the models chosen on the tiles.
  const body = { name: t('dashboard.copy_name', { name: dashboardName(d) }), tiles: d.tiles.map(shownEntry), filters: d.filters || {} };
  try {
    const copy = await api('/api/v1/dashboards', { method: 'POST', body });
    dashboards.push(copy);
    fillPicker();
    $('dashboard').value = copy.id;
    applyDashboardDefaults();
    tileModels = new Map();
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
  tileModels = new Map();
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
    const slot = { entry, index: i, card, head, body, toggle: null };
    const picker = modelPicker(slot, info);
    if (picker) head.append(picker);
    $('tiles').append(card);
    return slot;
  });
  const results = await Promise.allSettled(cards.map((slot) => loadTile(slot, mine)));
  if (mine !== generation) return;
  const first = results.find((r) => r.status === 'fulfilled' && r.value);
  if (first) shownPeriod = first.value.period;
  const period = first ? `${fmt.date(first.value.period.from)} – ${fmt.date(first.value.period.to)}` : '';
  const ms = Math.round(performance.now() - started);
  $('status').textContent = period ? `${period} · ${ms} ms` : `${ms} ms`;
}

/**
 * The model picker an attribution tile carries in its head: a change redraws that tile
 * alone (the URL keeps the choice) and says the new model aloud once the figures are in.
 */
function modelPicker(slot, info) {
  const choice = choiceOf(info, 'model');
  if (slot.entry.tile !== 'attribution' || !choice) return null;
  const name = tileName(slot.entry.tile, info.title);
  const id = `tile-${slot.index}-model`;
  const select = el('select', { attrs: { id, 'data-param': 'model' } }, choice.values.map((value) => el('option', { text: choiceLabel('model', value), attrs: { value } })));
  select.value = valueOf(shownEntry(slot.entry, slot.index), choice) ?? choice.values[0];
  select.addEventListener('change', async () => {
    tileModels.set(slot.index, select.value);
    writeUrl(false);
    const tile = await loadTile(slot, generation);
    if (tile && select.value === tile.model) announce(t('dashboard.model_changed', { tile: name, model: choiceLabel('model', tile.model) }));
  });
  return el('label', { className: 'tile-choice', attrs: { for: id, title: t('dashboard.tile_model', { tile: name }) } }, [
    el('span', { text: t('dashboard.model') }),
    ' ',
    select,
  ]);
}

/** Fetches and draws one tile into its card; the answer, or null when it failed or is stale. */
async function loadTile(slot, mine) {
  const { card, head, body, index } = slot;
  const entry = shownEntry(slot.entry, index);
  const asked = (slot.asked = (slot.asked || 0) + 1);
  let tile;
  try {
    tile = await api(`/api/v1/tiles/${encodeURIComponent(entry.tile)}?${tileParams(entry)}`);
  } catch (error) {
    if (mine !== generation || asked !== slot.asked) return null;
    disposeCharts(body);
    body.replaceChildren(el('p', { className: 'error', text: error.message }));
    return null;
  }
  if (mine !== generation || asked !== slot.asked) return null;
  disposeCharts(body);
  body.replaceChildren();
  slot.toggle?.remove();
  const drill = (key, title, opener) => {
    const params = tileParams(entry);
    // The persons behind the figure drawn: its days as the server counted them, and a
    // trend's bucket and split, or an attribution model and grouping, as answered (a
    // row's key names a bucket of that size, a group of that model).
    params.delete('period');
    params.set('from', tile.period.from);
    params.set('to', tile.period.to);
    for (const name of ['bucket', 'by', 'model']) if (tile[name]) params.set(name, tile[name]);
    if (key !== null && key !== undefined) params.set('key', key);
    params.set('limit', '100');
    openDrill({ tileId: tile.tile, title, params, from: opener || card });
  };
  slot.toggle = drawTile(body, tile, { drill, card, bucket: entry.bucket });
  if (slot.toggle) head.append(slot.toggle);
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
  return tile;
}

// ---- start ------------------------------------------------------------------------------

function wire() {
  $('dashboard').addEventListener('change', () => {
    closeEditor();
    applyDashboardDefaults();
    tileModels = new Map();
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

// The dashboard editor: a name, default filters (a named period such as the last 30 days,
// or fixed dates), and the tiles in order — added from the
// catalogue after a preview over the page's current filters, moved with buttons or
// Alt+Arrow keys, removed. A saved selection of persons is added as a list tile; a tile's
// parameters with a few values (a trend's bucket, an attribution model, …) get a picker
// each, drawn from the catalogue's choices with the tile's own default. Saving
// POSTs a new dashboard or PUTs the changed one; the page does the rest (onSaved).

import { $, api, announce, el, t } from './shell.js';
import { disposeCharts, drawTile, tileDescription, tileName } from './dashboard-charts.js';
import { choiceLabel, choicesOf, paramLabel } from './dashboard-choices.js';

let draft = null;
let context = null;
let previewGeneration = 0;

const entryName = (entry) => {
  const name = tileName(entry.tile, context.catalogue[entry.tile]?.title);
  if (entry.selection !== undefined) {
    const selection = context.selections.find((s) => s.id === entry.selection);
    return t('dashboard.tile_with_selection', { tile: name, selection: selection ? selection.name : `#${entry.selection}` });
  }
  if (entry.campaign) return t('dashboard.tile_with_campaign', { tile: name, campaign: entry.campaign });
  if (entry.bucket && entry.by) {
    return t('dashboard.tile_with_trend', { tile: name, bucket: choiceLabel('bucket', entry.bucket).toLowerCase(), by: choiceLabel('by', entry.by).toLowerCase() });
  }
  const chosen = choicesOf(context.catalogue[entry.tile]).filter((c) => entry[c.param]).map((c) => choiceLabel(c.param, entry[c.param]));
  if (chosen.length) return t('dashboard.tile_with_choices', { tile: name, choices: chosen.join(', ') });
  return name;
};

function renderTiles(focus) {
  const list = $('editor-tiles');
  $('editor-empty').hidden = draft.tiles.length > 0;
  list.replaceChildren(...draft.tiles.map((entry, i) => {
    const name = entryName(entry);
    const button = (action, text, label, disabled) => {
      const b = el('button', { className: `move-${action}`, text, attrs: { type: 'button', 'aria-label': label, 'data-action': action } });
      if (disabled) b.setAttribute('aria-disabled', 'true');
      return b;
    };
    const item = el('li', { attrs: { 'data-tile': entry.tile } }, [
      el('span', { className: 'name', text: name }),
      el('span', { className: 'actions' }, [
        button('up', '↑', t('dashboard.move_up', { tile: name }), i === 0),
        button('down', '↓', t('dashboard.move_down', { tile: name }), i === draft.tiles.length - 1),
        button('remove', t('dashboard.remove'), t('dashboard.remove_tile', { tile: name }), false),
      ]),
    ]);
    item.dataset.index = String(i);
    return item;
  }));
  if (focus) {
    const item = list.children[focus.index];
    const target = item?.querySelector(`[data-action="${focus.action}"]`) || item?.querySelector('button') || $('add-tile');
    target.focus();
  }
}

function move(index, by, action) {
  const to = index + by;
  if (to < 0 || to >= draft.tiles.length) return;
  const [entry] = draft.tiles.splice(index, 1);
  draft.tiles.splice(to, 0, entry);
  renderTiles({ index: to, action });
  announce(t('dashboard.moved', { tile: entryName(entry), position: to + 1, count: draft.tiles.length }));
}

function remove(index) {
  const [entry] = draft.tiles.splice(index, 1);
  renderTiles({ index: Math.min(index, draft.tiles.length - 1), action: 'remove' });
  announce(t('dashboard.removed', { tile: entryName(entry) }));
}

/** The entry the "Add" part describes now, or an error message. */
function entryToAdd() {
  const id = $('add-tile').value;
  const info = context.catalogue[id];
  if (!info) return { error: t('dashboard.choose_tile') };
  const entry = { tile: id };
  const params = info.params || [];
  if (params.includes('selection')) {
    if (!$('add-selection').value) return { error: t('dashboard.choose_selection') };
    entry.selection = Number($('add-selection').value);
  }
  if (params.includes('campaign') && $('add-campaign').value.trim()) entry.campaign = $('add-campaign').value.trim();
  // Every choice is kept as chosen ("none" is left out), so the tile is drawn the same later.
  for (const choice of choicesOf(info)) {
    const value = $(`add-${choice.param}`)?.value;
    if (value) entry[choice.param] = value;
  }
  return { entry };
}

function showParams() {
  const info = context.catalogue[$('add-tile').value];
  const params = info?.params || [];
  $('add-selection-label').hidden = !params.includes('selection');
  $('add-campaign-label').hidden = !params.includes('campaign');
  // A picker per choice, starting from the tile's own default (a trend of conversion: by
  // the month, all leads; attribution: last touch, by source).
  $('add-choices').replaceChildren(...choicesOf(info).map((choice) => {
    const select = el('select', { attrs: { id: `add-${choice.param}`, 'data-param': choice.param } }, [
      ...(choice.default === null ? [el('option', { text: choiceLabel(choice.param, null), attrs: { value: '' } })] : []),
      ...choice.values.map((value) => el('option', { text: choiceLabel(choice.param, value), attrs: { value } })),
    ]);
    select.value = choice.default ?? '';
    return el('label', { attrs: { id: `add-${choice.param}-label` } }, [el('span', { text: paramLabel(choice.param) }), ' ', select]);
  }));
  $('add-about').textContent = info ? tileDescription(info.id, info.description) : '';
}

async function preview() {
  const mine = ++previewGeneration;
  const box = $('add-preview');
  disposeCharts(box);
  const { entry, error } = entryToAdd();
  if (error) {
    box.replaceChildren(el('p', { className: 'note', text: error }));
    return;
  }
  const heading = el('h3', { text: t('dashboard.preview_of', { tile: entryName(entry) }) });
  box.replaceChildren(heading, el('p', { className: 'note', text: t('dashboard.loading') }));
  try {
    const answer = await api(`/api/v1/tiles/${encodeURIComponent(entry.tile)}?${context.tileParams(entry)}`);
    if (mine !== previewGeneration) return;
    const body = el('div', { className: 'tile-body' });
    box.replaceChildren(heading, body);
    // The preview is to look at: its rows do not open the drill-down.
    const toggle = drawTile(body, answer, { drill: () => {}, card: box, bucket: entry.bucket });
    if (toggle) heading.after(toggle);
  } catch (error) {
    if (mine !== previewGeneration) return;
    box.replaceChildren(heading, el('p', { className: 'error', text: error.message }));
  }
}

function add() {
  const { entry, error } = entryToAdd();
  $('editor-error').textContent = error || '';
  if (error) return;
  draft.tiles.push(entry);
  renderTiles();
  announce(t('dashboard.added', { tile: entryName(entry), count: draft.tiles.length }));
}

function optionsOf(select, items, empty) {
  select.replaceChildren(
    ...(empty ? [el('option', { text: empty, attrs: { value: '' } })] : []),
    ...items.map(([value, text]) => el('option', { text, attrs: { value: String(value) } })),
  );
}

async function save(event) {
  event.preventDefault();
  const name = $('editor-name').value.trim();
  $('editor-error').textContent = '';
  if (!name) {
    $('editor-error').textContent = t('dashboard.name_needed');
    $('editor-name').focus();
    return;
  }
  if (draft.tiles.length === 0) {
    $('editor-error').textContent = t('dashboard.tiles_needed');
    $('add-tile').focus();
    return;
  }
  const filters = {};
  const period = $('editor-period').value;
  if (period === 'custom') {
    if ($('editor-from').value) filters.from = $('editor-from').value;
    if ($('editor-to').value) filters.to = $('editor-to').value;
  } else if (period !== 'this-year') {
    filters.period = period;
  }
  if ($('editor-owner').value) filters.owner = Number($('editor-owner').value);
  if ($('editor-country').value) filters.country = $('editor-country').value;
  const body = { name, tiles: draft.tiles, filters };
  $('editor-save').disabled = true;
  try {
    const saved = draft.id
      ? await api(`/api/v1/dashboards/${encodeURIComponent(draft.id)}`, { method: 'PUT', body })
      : await api('/api/v1/dashboards', { method: 'POST', body });
    closeEditor();
    context.onSaved(saved);
  } catch (error) {
    $('editor-error').textContent = error.message;
  } finally {
    $('editor-save').disabled = false;
  }
}

export function closeEditor() {
  if (!draft) return;
  draft = null;
  previewGeneration++;
  disposeCharts($('add-preview'));
  $('add-preview').replaceChildren();
  $('editor').hidden = true;
  document.body.classList.remove('editing');
}

export function isEditing() {
  return draft !== null;
}

/**
 * Opens the editor on `dashboard` (a stored one to change) or on a new one (`null`).
 * `ctx`: { catalogue, filterValues, selections, tileParams(entry), onSaved(d), onCancel() }.
 */
export function openEditor(dashboard, ctx) {
  context = ctx;
  draft = {
    id: dashboard ? dashboard.id : null,
    tiles: dashboard ? dashboard.tiles.map((entry) => ({ ...entry })) : [],
  };
  const filters = dashboard?.filters || {};
  $('editor-title').textContent = dashboard ? t('dashboard.edit_title', { name: dashboard.name }) : t('dashboard.new_title');
  $('editor-name').value = dashboard ? dashboard.name : '';
  $('editor-from').value = filters.from || '';
  $('editor-to').value = filters.to || '';
  // A period the menu does not offer (none) is the year to date.
  $('editor-period').value = filters.from || filters.to ? 'custom' : filters.period || 'this-year';
  if (!$('editor-period').value) $('editor-period').value = 'this-year';
  $('editor-dates').hidden = $('editor-period').value !== 'custom';
  optionsOf($('editor-owner'), ctx.filterValues.owners.map((o) => [o.id, o.name]), t('dashboard.everyone'));
  optionsOf($('editor-country'), ctx.filterValues.countries.map((c) => [c, c]), t('dashboard.all_countries'));
  $('editor-owner').value = filters.owner !== undefined ? String(filters.owner) : '';
  $('editor-country').value = filters.country || '';
  const tiles = Object.values(ctx.catalogue).map((info) => [info.id, tileName(info.id, info.title)]);
  tiles.sort((a, b) => a[1].localeCompare(b[1]));
  optionsOf($('add-tile'), tiles, t('dashboard.choose_tile'));
  const people = ctx.selections.filter((s) => s.entity === 'person');
  optionsOf($('add-selection'), people.map((s) => [s.id, `${s.name} (${t(`dashboard.selection_${s.kind}`)})`]), t('dashboard.choose_selection'));
  $('add-campaign').value = '';
  $('editor-error').textContent = '';
  showParams();
  $('add-preview').replaceChildren();
  renderTiles();
  $('editor').hidden = false;
  document.body.classList.add('editing');
  $('editor-title').focus();
}

export function setUpEditor() {
  $('editor-form').addEventListener('submit', save);
  $('editor-period').addEventListener('change', () => {
    $('editor-dates').hidden = $('editor-period').value !== 'custom';
  });
  $('editor-cancel').addEventListener('click', () => {
    const back = context?.onCancel;
    closeEditor();
    back?.();
  });
  $('add-tile').addEventListener('change', () => {
    showParams();
    preview();
  });
  $('add-selection').addEventListener('change', preview);
  $('add-campaign').addEventListener('change', preview);
  $('add-choices').addEventListener('change', preview);
  $('add-button').addEventListener('click', add);
  $('editor-tiles').addEventListener('click', (event) => {
    const button = event.target.closest('button[data-action]');
    if (!button || button.getAttribute('aria-disabled') === 'true') return;
    const index = Number(button.closest('li').dataset.index);
    if (button.dataset.action === 'up') move(index, -1, 'up');
    else if (button.dataset.action === 'down') move(index, 1, 'down');
    else remove(index);
  });
  // Alt+Arrow moves the tile whose button has focus, as the up and down buttons do.
  $('editor-tiles').addEventListener('keydown', (event) => {
    if (!event.altKey || (event.key !== 'ArrowUp' && event.key !== 'ArrowDown')) return;
    const item = event.target.closest('li');
    if (!item) return;
    event.preventDefault();
    const up = event.key === 'ArrowUp';
    move(Number(item.dataset.index), up ? -1 : 1, up ? 'up' : 'down');
  });
}

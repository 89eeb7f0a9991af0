// The /people page: search persons or companies by criteria, download CSV, save
// selections and show a selection as a board by lead status (a viewer: search and look).
//
// Sign-in and API calls are session.js's. Every value from the API is put on the page with
// textContent, never as HTML: attribution values come from visitors' URLs and can be hostile.

import { $, SignedOut, api, el, signInWith, signOutWith } from './session.js';

const PAGE_SIZE = 50;
const STATUS_LABELS = {
  open: 'Open',
  in_progress: 'In progress',
  qualified: 'Qualified',
  disqualified: 'Disqualified',
};
const PERSON_COLUMNS = [
  ['id', (p) => p.id],
  ['email', (p) => p.email],
  ['name', (p) => p.name],
  ['status', (p) => p.status],
  ['country', (p) => p.country],
  ['first interaction source', (p) => p.first_interaction?.source],
  ['first interaction medium', (p) => p.first_interaction?.medium],
  ['first interaction campaign', (p) => p.first_interaction?.campaign],
  ['lead generation source', (p) => p.lead_generation?.source],
  ['lead generation medium', (p) => p.lead_generation?.medium],
  ['lead generation campaign', (p) => p.lead_generation?.campaign],
  ['created', (p) => p.created_at],
];
const COMPANY_COLUMNS = [
  ['id', (c) => c.id],
  ['name', (c) => c.name],
  ['domain', (c) => c.domain],
  ['source', (c) => c.source?.source],
  ['medium', (c) => c.source?.medium],
  ['campaign', (c) => c.source?.campaign],
  ['created', (c) => c.created_at],
];
const NO_VALUE_OPS = new Set(['empty', 'not_empty']);

let fields = null; // { person: [{name, ops}], company: [...] }
// What the results table shows, so that "More" can fetch the next page of it.
let listing = null; // { entity, path, method, body, next }

function showError(id, error) {
  $(id).textContent = error ? String(error.message || error) : '';
}

// ---- sign-in ---------------------------------------------------------------------------

function signOut(message = '') {
  fields = null;
  $('app').hidden = true;
  $('sign-out').hidden = true;
  $('sign-in').hidden = false;
  $('sign-in-error').textContent = message;
  // Nothing fetched in the session stays on the page.
  $('results').tHead.replaceChildren();
  $('results').tBodies[0].replaceChildren();
  $('selections').replaceChildren();
  $('board').replaceChildren();
  $('board-section').hidden = true;
}

async function start() {
  try {
    fields = await api('/api/v1/search/fields');
  } catch (error) {
    if (!(error instanceof SignedOut)) signOutWith(`Cannot reach the API: ${error.message}`);
    return;
  }
  $('sign-in').hidden = true;
  $('sign-out').hidden = false;
  $('app').hidden = false;
  $('criteria-rows').replaceChildren();
  addRow('lead_generation.source');
  await loadSelections();
}


// ---- criteria --------------------------------------------------------------------------

function entity() {
  return $('entity').value;
}

function fieldsOf(kind) {
  return fields ? fields[kind] : [];
}

function addRow(initialField) {
  const row = el('div', { className: 'criterion' });
  const fieldSelect = el('select', { attrs: { 'aria-label': 'Field', name: 'field' } });
  for (const f of fieldsOf(entity())) fieldSelect.append(el('option', { text: f.name, attrs: { value: f.name } }));
  if (initialField && fieldsOf(entity()).some((f) => f.name === initialField)) fieldSelect.value = initialField;
  const opSelect = el('select', { attrs: { 'aria-label': 'Operator', name: 'op' } });
  const value = el('input', { attrs: { 'aria-label': 'Value', name: 'value', placeholder: 'value' } });
  const remove = el('button', { text: 'Remove', attrs: { type: 'button' } });

  const fillOps = () => {
    const f = fieldsOf(entity()).find((x) => x.name === fieldSelect.value);
    opSelect.replaceChildren(...(f ? f.ops : []).map((op) => el('option', { text: op, attrs: { value: op } })));
    syncValue();
  };
  const syncValue = () => {
    value.hidden = NO_VALUE_OPS.has(opSelect.value);
    value.placeholder = opSelect.value === 'in' ? 'a, b, c' : 'value';
  };
  fieldSelect.addEventListener('change', fillOps);
  opSelect.addEventListener('change', syncValue);
  remove.addEventListener('click', () => row.remove());
  fillOps();
  row.append(fieldSelect, opSelect, value, remove);
  $('criteria-rows').append(row);
  return row;
}

/** The form's criteria as the API's JSON tree (all rows ANDed). */
function criteriaTree() {
  const leaves = [];
  for (const row of $('criteria-rows').children) {
    const field = row.querySelector('[name=field]').value;
    const op = row.querySelector('[name=op]').value;
    const raw = row.querySelector('[name=value]').value;
    const leaf = { field, op };
    if (op === 'in') leaf.value = raw.split(',').map((v) => v.trim()).filter((v) => v !== '');
    else if (!NO_VALUE_OPS.has(op)) leaf.value = raw;
    leaves.push(leaf);
  }
  return { all: leaves };
}

$('entity').addEventListener('change', () => {
  $('criteria-rows').replaceChildren();
  addRow(entity() === 'person' ? 'lead_generation.source' : 'source.source');
});
$('add-row').addEventListener('click', () => addRow());

// ---- results ---------------------------------------------------------------------------

function renderHead(kind) {
  const columns = kind === 'company' ? COMPANY_COLUMNS : PERSON_COLUMNS;
  $('results').tHead.replaceChildren(el('tr', {}, columns.map(([name]) => el('th', { text: name, attrs: { scope: 'col' } }))));
}

function appendRows(kind, items) {
  const columns = kind === 'company' ? COMPANY_COLUMNS : PERSON_COLUMNS;
  const body = $('results').tBodies[0];
  for (const item of items) {
    body.append(el('tr', {}, columns.map(([, get]) => el('td', { text: get(item) ?? '' }))));
  }
  $('result-count').textContent = `(${body.rows.length}${listing && listing.next ? '+' : ''})`;
}

async function fetchPage() {
  const separator = listing.path.includes('?') ? '&' : '?';
  let path = `${listing.path}${separator}limit=${PAGE_SIZE}`;
  if (listing.next) path += `&cursor=${encodeURIComponent(listing.next)}`;
  const page = await api(path, { method: listing.method, body: listing.body });
  listing.next = page.next;
  appendRows(listing.entity, page.items);
  $('more').hidden = !page.next;
}

async function show(newListing) {
  listing = { ...newListing, next: null };
  renderHead(listing.entity);
  $('results').tBodies[0].replaceChildren();
  await fetchPage();
}

function searchPath(kind) {
  return kind === 'company' ? '/api/v1/companies/search' : '/api/v1/persons/search';
}

$('criteria-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  showError('search-error', null);
  try {
    await show({ entity: entity(), path: searchPath(entity()), method: 'POST', body: criteriaTree() });
  } catch (error) {
    showError('search-error', error);
  }
});

$('more').addEventListener('click', async () => {
  try {
    await fetchPage();
  } catch (error) {
    showError('search-error', error);
  }
});

$('download-csv').addEventListener('click', async () => {
  showError('search-error', null);
  try {
    // The criteria go in a POST body, which a plain link cannot send: the file is fetched
    // and handed over.
    const res = await api(`${searchPath(entity())}?format=csv`, {
      method: 'POST',
      body: criteriaTree(),
      accept: 'text/csv',
    });
    const url = URL.createObjectURL(await res.blob());
    const link = el('a', { attrs: { href: url, download: `${entity() === 'company' ? 'companies' : 'persons'}.csv` } });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  } catch (error) {
    showError('search-error', error);
  }
});

// ---- selections ------------------------------------------------------------------------

$('save-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  $('save-status').textContent = '';
  try {
    const selection = await api('/api/v1/selections', {
      method: 'POST',
      body: {
        name: $('selection-name').value,
        entity: entity(),
        kind: $('selection-kind').value,
        criteria: criteriaTree(),
      },
    });
    $('save-status').textContent = `Saved “${selection.name}”.`;
    $('selection-name').value = '';
    await loadSelections();
  } catch (error) {
    $('save-status').textContent = `Not saved: ${error.message}`;
  }
});

async function loadSelections() {
  const { items } = await api('/api/v1/selections');
  const list = $('selections');
  list.replaceChildren();
  if (items.length === 0) list.append(el('li', { text: 'None yet.', className: 'kind' }));
  for (const s of items) {
    const members = el('button', { text: 'Members', attrs: { type: 'button' } });
    members.addEventListener('click', () =>
      show({ entity: s.entity, path: `/api/v1/selections/${s.id}/members`, method: 'GET' }).catch((e) => showError('search-error', e)),
    );
    const remove = el('button', { text: 'Delete', className: 'marketer-only', attrs: { type: 'button' } });
    remove.addEventListener('click', async () => {
      await api(`/api/v1/selections/${s.id}`, { method: 'DELETE' });
      await loadSelections();
    });
    const item = el('li', { attrs: { 'data-selection': String(s.id) } }, [
      el('span', { text: s.name, className: 'name' }),
      el('span', { text: `${s.kind} · ${s.entity}`, className: 'kind' }),
      members,
    ]);
    if (s.entity === 'person') {
      const board = el('button', { text: 'Board', attrs: { type: 'button' } });
      board.addEventListener('click', () => showBoard(s).catch((e) => showError('search-error', e)));
      item.append(board);
    }
    item.append(remove);
    list.append(item);
  }
}

async function showBoard(selection) {
  const data = await api(`/api/v1/selections/${selection.id}/board?limit=100`);
  $('board-name').textContent = selection.name;
  const board = $('board');
  board.replaceChildren();
  for (const column of data.columns) {
    const cards = column.items.map((p) =>
      el('div', { className: 'card' }, [
        el('strong', { text: p.name || p.email }),
        el('span', { className: 'muted', text: p.email }),
        el('span', {
          className: 'muted',
          text: [p.lead_generation?.source, p.lead_generation?.campaign].filter(Boolean).join(' · '),
        }),
      ]),
    );
    board.append(
      el('section', { className: 'column', attrs: { 'data-status': column.status } }, [
        el('h3', { text: `${STATUS_LABELS[column.status] || column.status} (${column.total})` }),
        ...cards,
      ]),
    );
  }
  $('board-section').hidden = false;
}

signInWith({ start, signOut });

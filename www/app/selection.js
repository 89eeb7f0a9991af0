// /selections/{id}: one selection, as a list (the lead columns, with the columns gear) or
// as the board by lead status (?view=board). The view is in the address: the switch pushes
// it, so back, forward and reload show the same view. Members of a static selection are
// added (found by e-mail, name or id) and removed in the list; a dynamic selection's members
// follow its criteria, found again every time it is opened.
//
// Every value shown may come from a visitor's URL or a user: set as text only (el()).

import { $, ApiError, SignedOut, announce, api, el, fmt, startPage, t } from './shell.js';
import { PERSON_DEFAULTS, columnsGear, fillTable, personColumns } from './columns.js';
import { clearBoard, showBoard } from './board.js';
import { countText, entityText, kindText } from './selection-labels.js';

const PAGE_SIZE = 50;
const FOUND_LIMIT = 10;
const COMPANY_DEFAULTS = ['name', 'domain', 'source.source', 'source.medium', 'source.campaign', 'created_at'];

let canWrite = false;
let selection = null;
let listing = { rows: [], next: null, total: 0 };
let gear = null;
let columns = [];
let view = null;
const owners = new Map();
const companies = new Map();

function selectionId() {
  const match = /^\/selections\/([0-9]{1,19})\/?$/.exec(location.pathname);
  return match ? match[1] : null;
}

/** The view the address asks for; the board only for a selection of persons. */
function wantedView() {
  const asked = new URLSearchParams(location.search).get('view');
  return asked === 'board' && selection?.entity === 'person' ? 'board' : 'list';
}

function showError(id, error) {
  $(id).textContent = error ? t('common.error', { message: error.message || String(error) }) : '';
}

// ---- names the rows refer to --------------------------------------------------------------

/** Fills `companies` with the names of the ids not known yet: one search for all of them. */
async function lookupCompanies(ids) {
  const missing = [...new Set(ids.filter((id) => id != null && !companies.has(id)))];
  if (!missing.length) return;
  try {
    const page = await api(`/api/v1/companies/search?limit=${Math.min(missing.length, 1000)}`, {
      method: 'POST',
      body: { all: [{ field: 'company_id', op: 'in', value: missing.map(String) }] },
    });
    for (const c of page.items) companies.set(c.id, c.name || c.domain || `#${c.id}`);
  } catch (error) {
    // Without names the cells show the ids: the page still works.
    if (!(error instanceof ApiError)) throw error;
  }
}

async function loadOwners() {
  try {
    const { items } = await api('/api/v1/associates');
    for (const a of items) owners.set(a.id, a.name);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
  }
}

// ---- the selection's facts ----------------------------------------------------------------

function drawFacts() {
  $('selection-name').textContent = selection.name;
  document.title = `${selection.name} · ${t('selections.title')} · leadtrail`;
  $('selection-kind').textContent = kindText(selection.kind);
  $('selection-kind').className = `kind kind-${selection.kind}`;
  $('selection-entity').textContent = entityText(selection.entity);
  $('selection-members').textContent =
    selection.member_count == null ? '' : countText('selections.member_count', selection.member_count);
  $('selection-note').textContent = t(selection.kind === 'dynamic' ? 'selections.dynamic_note' : 'selections.static_note');
  $('view-switch').hidden = selection.entity !== 'person';
}

// ---- the view switch ----------------------------------------------------------------------

for (const link of document.querySelectorAll('#view-switch a')) {
  link.addEventListener('click', (event) => {
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey || event.button !== 0) return;
    event.preventDefault();
    const url = new URL(location.href);
    url.searchParams.set('view', link.dataset.view);
    if (url.href !== location.href) history.pushState(null, '', url);
    showView(true).catch((error) => showError('page-error', error));
  });
}

window.addEventListener('popstate', () => {
  if (selection) showView(true).catch((error) => showError('page-error', error));
});

async function showView(announceIt) {
  const next = wantedView();
  for (const link of document.querySelectorAll('#view-switch a')) {
    if (link.dataset.view === next) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  showError('page-error', null);
  if (next === view) return;
  view = next;
  $('list-view').hidden = view !== 'list';
  $('board-view').hidden = view !== 'board';
  if (view === 'board') {
    await showBoard({
      root: $('board'),
      selection,
      canWrite,
      companies,
      lookupCompanies,
      onChange: (board) => {
        selection.member_count = board.columns.reduce((sum, c) => sum + c.total, 0);
        drawFacts();
      },
    });
    if (announceIt) announce(t('board.shown', { count: countText('selections.member_count', selection.member_count) }));
  } else {
    clearBoard();
    await loadList();
    if (announceIt) announce(t('selections.list_shown', { count: countText('selections.member_count', listing.total) }));
  }
}

// ---- the list -----------------------------------------------------------------------------

function companyColumns() {
  const touch = (field) => ({
    id: `source.${field}`,
    label: t(`selections.company_source_${field}`),
    value: (c) => c.source?.[field] ?? null,
  });
  return [
    { id: 'name', label: t('selections.company_name'), value: (c) => c.name },
    { id: 'domain', label: t('selections.company_domain'), value: (c) => c.domain },
    touch('source'),
    touch('medium'),
    touch('campaign'),
    { id: 'created_at', label: t('selections.created'), value: (c) => (c.created_at ? fmt.date(c.created_at) : null) },
  ];
}

function setUpList() {
  const persons = selection.entity === 'person';
  columns = persons ? personColumns(fmt, { owners, companies }) : companyColumns();
  gear = columnsGear({
    table: persons ? 'selection.members' : 'selection.companies',
    columns,
    defaults: persons ? PERSON_DEFAULTS : COMPANY_DEFAULTS,
    onChange: () => drawList(),
  });
  $('gear-slot').replaceChildren(gear.button);
  $('add-section').hidden = !(canWrite && selection.kind === 'static');
}

async function loadList() {
  listing = { rows: [], next: null, total: 0 };
  await fetchPage();
}

async function fetchPage() {
  // Newest first, as /people lists persons.
  let path = `/api/v1/selections/${selection.id}/members?order=newest&limit=${PAGE_SIZE}`;
  if (listing.next) path += `&cursor=${encodeURIComponent(listing.next)}`;
  const page = await api(path);
  if (selection.entity === 'person') await lookupCompanies(page.items.map((p) => p.company_id));
  listing.rows.push(...page.items);
  listing.next = page.next;
  listing.total = page.total ?? selection.member_count ?? listing.rows.length;
  drawList();
}

function drawList(focus) {
  if (!gear) return;
  const table = $('members');
  const persons = selection.entity === 'person';
  const href = (row) => (persons ? `/people/${row.id}` : `/companies/${row.id}`);
  fillTable(table, columns, gear.visible(), listing.rows, { href });
  if (canWrite && selection.kind === 'static') {
    table.tHead.rows[0].append(el('th', { text: t('selections.actions'), attrs: { scope: 'col' } }));
    [...table.tBodies[0].rows].forEach((tr, index) => {
      // The row's link names the member its Remove button acts on.
      const link = tr.querySelector('a');
      if (link) link.id = `member-${listing.rows[index].id}-name`;
      tr.append(removeCell(listing.rows[index], index));
    });
  }
  const { rows, total } = listing;
  $('members-empty').hidden = rows.length > 0;
  $('members-wrap').hidden = rows.length === 0;
  $('list-count').textContent =
    rows.length < total
      ? t('selections.showing', { shown: fmt.number(rows.length), total: fmt.number(total) })
      : `(${fmt.number(total)})`;
  $('more').hidden = !listing.next;
  if (focus) focus();
}

function rowName(row) {
  return row.name || row.email || row.domain || `#${row.id}`;
}

function removeCell(row, index) {
  const button = el('button', {
    text: t('selections.remove'),
    attrs: { type: 'button', 'data-remove': String(row.id), 'aria-describedby': `member-${row.id}-name` },
  });
  button.addEventListener('click', async () => {
    try {
      await api(`/api/v1/selections/${selection.id}/members`, { method: 'DELETE', body: { ids: [row.id] } });
    } catch (error) {
      showError('page-error', error);
      return;
    }
    listing.rows.splice(index, 1);
    listing.total = Math.max(0, listing.total - 1);
    selection.member_count = listing.total;
    drawFacts();
    // Focus goes to the row that took its place, else the list's heading.
    const next = listing.rows[index] || listing.rows[index - 1];
    drawList(() => (next ? $('members').querySelector(`[data-remove="${next.id}"]`) : $('list-title'))?.focus());
    announce(t('selections.removed', { name: rowName(row) }));
  });
  return el('td', {}, [button]);
}

$('more').addEventListener('click', async () => {
  const before = listing.rows.length;
  try {
    await fetchPage();
  } catch (error) {
    showError('page-error', error);
    return;
  }
  // Focus the first new row's link, where reading goes on.
  $('members').tBodies[0].rows[before]?.querySelector('a')?.focus();
  announce(t('selections.showing', { shown: fmt.number(listing.rows.length), total: fmt.number(listing.total) }));
});

// ---- adding members (static selections) ---------------------------------------------------

async function find(text) {
  const persons = selection.entity === 'person';
  if (/^[0-9]{1,19}$/.test(text)) {
    try {
      return [await api(`/api/v1/${persons ? 'persons' : 'companies'}/${text}`)];
    } catch (error) {
      if (error instanceof ApiError && !(error instanceof SignedOut)) return [];
      throw error;
    }
  }
  const fields = persons ? ['email', 'name'] : ['name', 'domain'];
  const page = await api(`/api/v1/${persons ? 'persons' : 'companies'}/search?limit=${FOUND_LIMIT}`, {
    method: 'POST',
    body: { any: fields.map((field) => ({ field, op: 'contains', value: text })) },
  });
  return page.items;
}

$('find-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  showError('find-error', null);
  const text = $('find-text').value.trim();
  let found;
  try {
    found = await find(text);
  } catch (error) {
    showError('find-error', error);
    return;
  }
  const members = new Set(listing.rows.map((r) => r.id));
  $('candidates').replaceChildren(
    ...found.map((row) => {
      const add = el('button', {
        text: t('selections.add'),
        attrs: { type: 'button', 'data-add': String(row.id), 'aria-describedby': `candidate-${row.id}-name` },
      });
      if (members.has(row.id)) {
        add.disabled = true;
        add.textContent = t('selections.already_member');
      }
      add.addEventListener('click', () => addMember(row, add));
      const detail = row.email && row.name ? row.email : row.domain && row.name ? row.domain : '';
      return el('li', { attrs: { 'data-candidate': String(row.id) } }, [
        el('span', { text: rowName(row), className: 'candidate-name', attrs: { id: `candidate-${row.id}-name` } }),
        el('span', { text: detail, className: 'muted' }),
        add,
      ]);
    }),
  );
  announce(found.length ? countText('selections.found', found.length) : t('selections.found_none', { text }));
  if (!found.length) $('candidates').append(el('li', { text: t('selections.found_none', { text }), className: 'muted' }));
});

async function addMember(row, button) {
  button.disabled = true;
  try {
    await api(`/api/v1/selections/${selection.id}/members`, { method: 'POST', body: { ids: [row.id] } });
  } catch (error) {
    button.disabled = false;
    showError('find-error', error);
    return;
  }
  button.textContent = t('selections.already_member');
  try {
    selection = await api(`/api/v1/selections/${selection.id}`);
    drawFacts();
    await loadList();
  } catch (error) {
    showError('page-error', error);
  }
  announce(t('selections.added', { name: rowName(row) }));
  $('find-text').focus();
}

// ---- the page -----------------------------------------------------------------------------

startPage({
  page: 'selections',
  async start(me) {
    canWrite = me.role === 'admin' || me.role === 'marketer';
    document.body.classList.toggle('can-write', canWrite);
    $('board-hint').hidden = !canWrite;
    const id = selectionId();
    try {
      [selection] = await Promise.all([api(`/api/v1/selections/${id}`), loadOwners()]);
    } catch (error) {
      $('selection-name').textContent = t('selections.not_found');
      showError('page-error', error);
      $('view-switch').hidden = true;
      return;
    }
    drawFacts();
    setUpList();
    await showView(false).catch((error) => showError('page-error', error));
  },
  signOut(message = '') {
    $('page-error').textContent = message;
    selection = null;
    view = null;
    listing = { rows: [], next: null, total: 0 };
    clearBoard();
    $('members').tHead.replaceChildren();
    $('members').tBodies[0].replaceChildren();
    $('candidates').replaceChildren();
    $('app').hidden = true;
  },
});

// The /people page: the newest leads first, with how many there are; a criteria builder
// narrows them (every row must match), a page at a time; each row opens the person card
// (/people/{id}). Marketers and admins download the list as CSV and save it as a selection.
//
// What is shown is in the URL, in the API's own query-string spelling of criteria
// (`lead_generation.source[eq]=linkedin&status[in]=open,qualified`), with `cursor` and
// `page` for the page: reload, back and forward show the same list. Every value from the API
// goes into the page as text: attribution values come from visitors' URLs and can be hostile.

import { $, SignedOut, announce, api, el, fmt, startPage, t } from './shell.js';
import { PERSON_DEFAULTS, columnsGear, fillTable, personColumns, statusLabel } from './columns.js';

const PAGE_SIZE = 50;
const TABLE = 'people.results';
// The e-mail leads: every person has one, so the link that opens the card always has a name.
const DEFAULTS = ['email', ...PERSON_DEFAULTS.filter((id) => id !== 'email')];
// Query parameters of the page that are not criteria: its own, and the API's listing
// parameters, which the page sets itself (a hand-made `?format=csv` is not a criterion).
const PAGE_PARAMS = new Set(['cursor', 'page', 'limit', 'format', 'order']);
const NO_VALUE_OPS = new Set(['empty', 'not_empty']);
const STATUSES = ['open', 'in_progress', 'qualified', 'disqualified'];
const TOUCH_ROLES = ['first_interaction', 'lead_generation', 'conversion', 'company.source'];
const TOUCH_FIELDS = ['source', 'medium', 'campaign', 'term', 'content', 'channel'];
// The builder's groups, as the product names them (Person › Lead, Company › Lead).
const GROUPS = [
  ['group_person_lead', (n) => /^(first_interaction|lead_generation|conversion)\./.test(n) || ['status', 'owner', 'form', 'created_at'].includes(n)],
  ['group_person', (n) => ['name', 'email', 'country'].includes(n)],
  ['group_company_lead', (n) => n.startsWith('company.source.')],
  ['group_company', (n) => ['company.name', 'domain', 'company_id'].includes(n)],
];

let fields = []; // [{name, ops}] of persons
let owners = new Map();
let columns = [];
let gear = null;
let rows = [];
let generation = 0;
let me = null;

// ---- the URL ---------------------------------------------------------------------------

/** The list's state as the URL holds it: criteria pairs, the cursor and the page number. */
function stateOfUrl() {
  const params = new URLSearchParams(location.search);
  const criteria = [];
  for (const [key, value] of params) {
    if (!PAGE_PARAMS.has(key)) criteria.push([key, value]);
  }
  const cursor = params.get('cursor');
  const page = Number.parseInt(params.get('page') || '1', 10);
  return {
    criteria,
    cursor: cursor && /^[0-9]{1,19}$/.test(cursor) ? cursor : null,
    page: Number.isFinite(page) && page > 0 ? page : 1,
  };
}

function urlOf({ criteria, cursor, page }) {
  const params = new URLSearchParams(criteria);
  if (cursor) {
    params.set('cursor', cursor);
    params.set('page', String(page));
  }
  const query = params.toString();
  return `/people${query ? `?${query}` : ''}`;
}

/** `field[op]` → [field, op]; a bare `field` is equality. */
function splitKey(key) {
  const match = /^([^[\]]+)(?:\[([a-z_]+)\])?$/.exec(key);
  return match ? [match[1], match[2] || 'eq'] : [key, 'eq'];
}

// ---- labels ----------------------------------------------------------------------------

function fieldLabel(name) {
  for (const role of TOUCH_ROLES) {
    if (name.startsWith(`${role}.`)) {
      const field = name.slice(role.length + 1);
      if (TOUCH_FIELDS.includes(field)) {
        return t('people.field_touch', { role: t(`people.role_${role.replace('.', '_')}`), field: t(`people.touch_${field}`) });
      }
    }
  }
  const simple = ['status', 'owner', 'country', 'form', 'email', 'name', 'company.name', 'domain', 'company_id', 'created_at'];
  return simple.includes(name) ? t(`people.field_${name.replace('.', '_')}`) : name;
}

function opLabel(op, fieldName) {
  if (fieldName === 'created_at' && (op === 'gte' || op === 'lte' || op === 'eq')) return t(`people.op_${op}_time`);
  const known = ['eq', 'in', 'contains', 'empty', 'not_empty', 'gte', 'lte'];
  return known.includes(op) ? t(`people.op_${op}`) : op;
}

// ---- the criteria builder --------------------------------------------------------------

let rowCount = 0;

/** A value control fitting the field and operator: a list for status and owner, a date for times. */
function valueControl(fieldName, op, value, id) {
  const label = t('people.value');
  if (NO_VALUE_OPS.has(op)) return null;
  const choices =
    fieldName === 'status'
      ? STATUSES.map((s) => [s, statusLabel(s)])
      : fieldName === 'owner'
        ? [...owners].map(([ownerId, name]) => [String(ownerId), name])
        : null;
  if (choices && choices.length) {
    const select = el('select', { attrs: { name: 'value', id, 'aria-label': label } });
    if (op === 'in') select.multiple = true;
    const chosen = new Set(String(value ?? '').split(',').filter(Boolean));
    for (const [v, text] of choices) {
      const option = el('option', { text, attrs: { value: v } });
      option.selected = chosen.has(v);
      select.append(option);
    }
    if (op !== 'in' && !chosen.size) select.selectedIndex = 0;
    return select;
  }
  const input = el('input', { attrs: { name: 'value', id, 'aria-label': label, autocomplete: 'off' } });
  if (fieldName === 'created_at') input.type = 'date';
  if (op === 'in') input.placeholder = t('people.in_placeholder');
  input.value = value ?? '';
  return input;
}

function addRow({ field = 'lead_generation.source', op = 'eq', value = '' } = {}) {
  const n = ++rowCount;
  const row = el('li', { className: 'criterion' });
  const fieldSelect = el('select', { attrs: { name: 'field', 'aria-label': t('people.field') } });
  for (const [group, test] of GROUPS) {
    const names = fields.map((f) => f.name).filter(test);
    if (!names.length) continue;
    fieldSelect.append(
      el('optgroup', { attrs: { label: t(`people.${group}`) } }, names.map((name) => el('option', { text: fieldLabel(name), attrs: { value: name } }))),
    );
  }
  const others = fields.map((f) => f.name).filter((name) => !GROUPS.some(([, test]) => test(name)));
  for (const name of others) fieldSelect.append(el('option', { text: fieldLabel(name), attrs: { value: name } }));
  fieldSelect.value = fields.some((f) => f.name === field) ? field : fields[0]?.name;
  const opSelect = el('select', { attrs: { name: 'op', 'aria-label': t('people.operator') } });
  const slot = el('span', { className: 'value-slot' });
  const remove = el('button', { text: t('people.remove'), className: 'remove', attrs: { type: 'button' } });

  const fillValue = (v) => {
    const control = valueControl(fieldSelect.value, opSelect.value, v, `criterion-${n}-value`);
    slot.replaceChildren(...(control ? [control] : []));
  };
  const fillOps = (wanted) => {
    const f = fields.find((x) => x.name === fieldSelect.value);
    const ops = f ? f.ops : ['eq'];
    opSelect.replaceChildren(...ops.map((o) => el('option', { text: opLabel(o, fieldSelect.value), attrs: { value: o } })));
    opSelect.value = ops.includes(wanted) ? wanted : ops[0];
  };
  fieldSelect.addEventListener('change', () => {
    fillOps(opSelect.value);
    fillValue('');
  });
  opSelect.addEventListener('change', () => fillValue(slot.querySelector('[name=value]')?.value ?? ''));
  remove.addEventListener('click', () => {
    const next = row.nextElementSibling || row.previousElementSibling;
    row.remove();
    renumber();
    (next?.querySelector('select') || $('add-row')).focus();
    $('clear').hidden = $('criteria-rows').children.length === 0 && stateOfUrl().criteria.length === 0;
  });
  fillOps(op);
  fillValue(value);
  row.append(fieldSelect, opSelect, slot, remove);
  $('criteria-rows').append(row);
  renumber();
  return row;
}

/** Names each row's Remove button by the row's place in the list. */
function renumber() {
  [...$('criteria-rows').children].forEach((row, index) => {
    row.querySelector('.remove').setAttribute('aria-label', t('people.remove_criterion', { number: index + 1 }));
  });
}

function rowValue(row) {
  const control = row.querySelector('[name=value]');
  if (!control) return null;
  if (control.multiple) return [...control.selectedOptions].map((o) => o.value);
  return control.value;
}

/** The builder's rows as query-string pairs (the URL and the API's GET spelling). */
function criteriaPairs() {
  const pairs = [];
  for (const row of $('criteria-rows').children) {
    const field = row.querySelector('[name=field]').value;
    const op = row.querySelector('[name=op]').value;
    const value = rowValue(row);
    if (NO_VALUE_OPS.has(op)) pairs.push([`${field}[${op}]`, '']);
    else if (Array.isArray(value)) pairs.push([`${field}[${op}]`, value.join(',')]);
    else pairs.push([`${field}[${op}]`, (value ?? '').trim()]);
  }
  return pairs;
}

/** The same criteria as the API's JSON tree (what a selection stores). */
function criteriaTree(pairs) {
  return {
    all: pairs.map(([key, raw]) => {
      const [field, op] = splitKey(key);
      const leaf = { field, op };
      if (op === 'in') leaf.value = raw.split(',').map((v) => v.trim()).filter((v) => v !== '');
      else if (!NO_VALUE_OPS.has(op)) leaf.value = raw;
      return leaf;
    }),
  };
}

function drawRows(criteria) {
  $('criteria-rows').replaceChildren();
  for (const [key, value] of criteria) {
    const [field, op] = splitKey(key);
    addRow({ field, op, value });
  }
}

// ---- the results -----------------------------------------------------------------------

/** Company names of the page's persons, in one request. */
async function companyNames(persons) {
  const ids = [...new Set(persons.map((p) => p.company_id).filter((id) => id !== null && id !== undefined))];
  if (!ids.length) return new Map();
  try {
    const params = new URLSearchParams({ 'company_id[in]': ids.join(','), limit: String(ids.length) });
    const { items } = await api(`/api/v1/companies?${params}`);
    return new Map(items.map((c) => [c.id, c.name]));
  } catch (error) {
    if (error instanceof SignedOut) throw error;
    return new Map();
  }
}

function draw() {
  fillTable($('results'), columns, gear.visible(), rows, { href: (p) => `/people/${p.id}` });
}

function apiQuery(state, extra = {}) {
  const params = new URLSearchParams(state.criteria);
  params.set('order', 'newest');
  for (const [key, value] of Object.entries(extra)) params.set(key, value);
  return params;
}

async function show(state, { focus = false } = {}) {
  const mine = ++generation;
  $('search-error').textContent = '';
  $('clear').hidden = state.criteria.length === 0;
  const table = $('results');
  table.setAttribute('aria-busy', 'true');
  let page;
  try {
    const params = apiQuery(state, { limit: String(PAGE_SIZE) });
    if (state.cursor) params.set('cursor', state.cursor);
    page = await api(`/api/v1/persons?${params}`);
  } catch (error) {
    if (error instanceof SignedOut) return;
    if (mine === generation) {
      table.removeAttribute('aria-busy');
      $('search-error').textContent = t('people.search_failed', { message: error.message });
    }
    return;
  }
  const names = await companyNames(page.items);
  // An older answer arriving late must not overwrite a newer one.
  if (mine !== generation) return;
  table.removeAttribute('aria-busy');
  rows = page.items;
  columns = personColumns(fmt, { owners, companies: names });
  draw();

  const filtered = state.criteria.length > 0;
  const hasTotal = typeof page.total === 'number';
  // Without an exact count from the API: what this page shows, and "+" when more follow.
  const count = hasTotal
    ? t(filtered ? 'people.count_filtered' : 'people.count', { count: page.total })
    : t(filtered ? 'people.count_at_least_filtered' : 'people.count_at_least', {
        count: (state.page - 1) * PAGE_SIZE + rows.length,
        more: page.next ? '+' : '',
      });
  $('count').textContent = count;
  announce(count);
  $('empty').hidden = rows.length > 0;
  $('empty').textContent = filtered ? t('people.none_found') : t('people.none');

  const from = (state.page - 1) * PAGE_SIZE + 1;
  const to = from + rows.length - 1;
  $('page-range').textContent =
    rows.length && (state.cursor || page.next)
      ? hasTotal
        ? t('people.range', { from, to, total: page.total })
        : t('people.range_open', { from, to })
      : '';
  $('first-page').hidden = !state.cursor;
  $('first-page').href = urlOf({ criteria: state.criteria, cursor: null });
  $('next-page').hidden = !page.next;
  if (page.next) $('next-page').href = urlOf({ criteria: state.criteria, cursor: page.next, page: state.page + 1 });

  const csv = apiQuery(state, { format: 'csv' });
  $('download-csv').href = `/api/v1/persons?${csv}`;
  if (focus) $('count').focus();
}

/** Shows a state of the list as a new history entry. */
function go(state, options) {
  history.pushState(null, '', urlOf(state));
  return show(state, options);
}

// ---- saving a selection ----------------------------------------------------------------

async function save(event) {
  event.preventDefault();
  const said = $('save-status');
  said.replaceChildren();
  const { criteria } = stateOfUrl();
  try {
    const selection = await api('/api/v1/selections', {
      method: 'POST',
      body: { name: $('selection-name').value.trim(), entity: 'person', kind: $('selection-kind').value, criteria: criteriaTree(criteria) },
    });
    said.append(
      el('span', { text: t('people.saved', { name: selection.name }) }),
      ' ',
      el('a', { text: t('people.open_selection'), attrs: { href: `/selections/${selection.id}` } }),
    );
    announce(t('people.saved', { name: selection.name }));
    $('selection-name').value = '';
  } catch (error) {
    if (error instanceof SignedOut) return;
    said.textContent = t('people.not_saved', { message: error.message });
  }
}

// ---- start -----------------------------------------------------------------------------

function signOut(message = '') {
  generation++;
  rows = [];
  fields = [];
  $('app').hidden = true;
  $('results').tHead.replaceChildren();
  $('results').tBodies[0].replaceChildren();
  $('criteria-rows').replaceChildren();
  $('count').textContent = '';
  $('page-error').textContent = message;
}

async function start(who) {
  me = who;
  const [found, associates] = await Promise.all([api('/api/v1/search/fields'), api('/api/v1/associates')]);
  fields = found.person;
  owners = new Map(associates.items.map((a) => [a.id, a.name]));
  columns = personColumns(fmt, { owners });
  gear = columnsGear({
    table: TABLE,
    columns,
    defaults: DEFAULTS,
    saved: me.preferences?.columns?.[TABLE] ?? null,
    onChange: () => rows.length && draw(),
  });
  $('gear-slot').replaceChildren(gear.button);

  $('add-row').addEventListener('click', () => addRow().querySelector('select').focus());
  $('criteria-form').addEventListener('submit', (event) => {
    event.preventDefault();
    go({ criteria: criteriaPairs(), cursor: null, page: 1 }, { focus: true });
  });
  $('clear').addEventListener('click', () => {
    $('criteria-rows').replaceChildren();
    go({ criteria: [], cursor: null, page: 1 }, { focus: true });
  });
  for (const link of [$('first-page'), $('next-page')]) {
    link.addEventListener('click', (event) => {
      if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
      event.preventDefault();
      const url = new URL(link.href);
      history.pushState(null, '', url.pathname + url.search);
      show(stateOfUrl(), { focus: true });
    });
  }
  window.addEventListener('popstate', () => {
    const state = stateOfUrl();
    drawRows(state.criteria);
    show(state);
  });
  if (me.role !== 'viewer') $('save-form').addEventListener('submit', save);

  const state = stateOfUrl();
  drawRows(state.criteria);
  await show(state);
}

startPage({ page: 'people', start, signOut });

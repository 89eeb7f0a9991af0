// The /companies page: every company, newest first, a page at a time, narrowed by a part of
// the name or the domain; the count is announced and each row opens the company's card
// (/companies/{id}).
//
// What is shown is in the URL (?q= the filter, ?cursor= the page), so reload, back and
// forward show the same list. Names and domains come from visitors' forms: text only.

import { startPage, t, fmt, announce, applyI18n, api, el, $, SignedOut } from './shell.js';
import { channelLabel } from './columns.js';

const PAGE_SIZE = 50;

/** The list's state as the URL holds it. */
function stateOfUrl() {
  const params = new URLSearchParams(location.search);
  const cursor = params.get('cursor');
  return {
    q: (params.get('q') || '').trim().slice(0, 200),
    cursor: cursor && /^[0-9]{1,19}$/.test(cursor) ? cursor : null,
  };
}

function urlOf({ q, cursor }) {
  const params = new URLSearchParams();
  if (q) params.set('q', q);
  if (cursor) params.set('cursor', cursor);
  const query = params.toString();
  return `/companies${query ? `?${query}` : ''}`;
}

const COLUMNS = () => [
  { id: 'name', label: t('companies.col_name'), value: (c) => c.name },
  { id: 'domain', label: t('companies.col_domain'), value: (c) => c.domain },
  { id: 'source', label: t('companies.col_source'), value: (c) => c.source?.source },
  { id: 'medium', label: t('companies.col_medium'), value: (c) => c.source?.medium },
  { id: 'campaign', label: t('companies.col_campaign'), value: (c) => c.source?.campaign },
  { id: 'channel', label: t('companies.col_channel'), value: (c) => channelLabel(c.source?.channel) },
  { id: 'created_at', label: t('companies.col_created'), value: (c) => (c.created_at ? fmt.date(c.created_at) : null) },
];

/** One page of companies: GET with no filter, else the filter as "name or domain contains". */
async function fetchPage({ q, cursor }) {
  const params = new URLSearchParams({ limit: String(PAGE_SIZE), order: 'newest' });
  if (cursor) params.set('cursor', cursor);
  if (!q) return api(`/api/v1/companies?${params}`);
  const tree = {
    any: [
      { field: 'name', op: 'contains', value: q },
      { field: 'domain', op: 'contains', value: q },
    ],
  };
  return api(`/api/v1/companies/search?${params}`, { method: 'POST', body: tree });
}

let generation = 0;

async function show(state, { focus = false } = {}) {
  const mine = ++generation;
  $('q').value = state.q;
  $('clear').hidden = !state.q;
  $('page-error').textContent = '';
  const table = $('companies');
  table.setAttribute('aria-busy', 'true');
  let page;
  try {
    page = await fetchPage(state);
  } catch (error) {
    if (error instanceof SignedOut) return;
    $('page-error').textContent = t('companies.load_failed', { message: error.message });
    table.removeAttribute('aria-busy');
    return;
  }
  // An older answer arriving late must not overwrite a newer one.
  if (mine !== generation) return;
  table.removeAttribute('aria-busy');
  const columns = COLUMNS();
  const cols = columns.map((c) => c.id);
  table.tHead.replaceChildren(el('tr', {}, columns.map((c) => el('th', { text: c.label, attrs: { scope: 'col' } }))));
  table.tBodies[0].replaceChildren(
    ...page.items.map((company) =>
      el(
        'tr',
        {},
        columns.map((c, index) => {
          const value = c.value(company);
          const text = value === null || value === undefined || value === '' ? '—' : String(value);
          if (index === 0) {
            return el('td', {}, [el('a', { text: text === '—' ? `#${company.id}` : text, attrs: { href: `/companies/${company.id}` } })]);
          }
          return el('td', { text, attrs: { 'data-column': cols[index] } });
        }),
      ),
    ),
  );
  const total = typeof page.total === 'number' ? page.total : page.items.length;
  const count = state.q
    ? t('companies.count_filtered', { count: total, q: state.q })
    : t('companies.count', { count: total });
  $('count').textContent = count;
  announce(count);
  $('empty').hidden = page.items.length > 0;
  $('empty').textContent = state.q ? t('companies.none_found', { q: state.q }) : t('companies.none');
  const first = $('first-page');
  first.hidden = !state.cursor;
  first.href = urlOf({ q: state.q, cursor: null });
  const next = $('next-page');
  next.hidden = !page.next;
  if (page.next) next.href = urlOf({ q: state.q, cursor: page.next });
  if (focus) $('count').focus();
}

/** Moves to another state of the list, as a new history entry; focus stays where it is. */
function go(state) {
  history.pushState(null, '', urlOf(state));
  show(state);
}

function start() {
  applyI18n(document.body);
  $('count').tabIndex = -1;
  $('filter').addEventListener('submit', (event) => {
    event.preventDefault();
    go({ q: $('q').value.trim().slice(0, 200), cursor: null });
  });
  $('clear').addEventListener('click', () => {
    // The button hides with the filter gone: focus goes to the empty field.
    $('q').focus();
    go({ q: '', cursor: null });
  });
  for (const id of ['first-page', 'next-page']) {
    $(id).addEventListener('click', (event) => {
      if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
      event.preventDefault();
      const url = new URL($(id).href);
      history.pushState(null, '', url.pathname + url.search);
      show(stateOfUrl(), { focus: true });
    });
  }
  window.addEventListener('popstate', () => show(stateOfUrl()));
  $('app').hidden = false;
  return show(stateOfUrl());
}

function signOut(message = '') {
  generation++;
  $('app').hidden = true;
  $('companies').tHead.replaceChildren();
  $('companies').tBodies[0].replaceChildren();
  $('count').textContent = '';
  $('page-error').textContent = message;
}

startPage({ page: 'companies', start, signOut });

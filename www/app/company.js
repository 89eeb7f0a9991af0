// The company card (/companies/{id}): the company's fields, its source (the lead generation
// of the person who brought it in: attribution, read-only), the journeys of all its
// persons on one timeline up to and past its first won deal, and its persons with the lead
// columns, which the user chooses and orders with the columns gear (stored per user).
//
// The persons' page is in the URL (?cursor=), so reload, back and forward show the same
// rows. Every value may come from a visitor's URL or form: text only.

import { startPage, t, fmt, announce, api, el, $, SignedOut } from './shell.js';
import { channelLabel, columnsGear, fillTable, personColumns, PERSON_DEFAULTS } from './columns.js';
import { journeyItems } from './journey.js';

const PAGE_SIZE = 50;
const TABLE = 'company.persons';

let companyId = null;
let gear = null;
let columns = [];
let rows = [];
let generation = 0;

function cursorOfUrl() {
  const cursor = new URLSearchParams(location.search).get('cursor');
  return cursor && /^[0-9]{1,19}$/.test(cursor) ? cursor : null;
}

function urlOf(cursor) {
  return `/companies/${companyId}${cursor ? `?cursor=${cursor}` : ''}`;
}

/** A definition list of `[label, value]` pairs; an empty value shows as `—`. */
function fillFields(dl, pairs) {
  dl.replaceChildren(
    ...pairs.flatMap(([label, value, key]) => [
      el('dt', { text: label }),
      el('dd', {
        text: value === null || value === undefined || value === '' ? '—' : String(value),
        attrs: key ? { 'data-field': key } : {},
      }),
    ]),
  );
}

function showCompany(company) {
  $('company-name').textContent = company.name;
  document.title = `${company.name} · ${t('nav.companies')} · leadtrail`;
  $('lookalike').hidden = !company.domain_mixes_scripts;
  fillFields($('details'), [
    [t('company.name'), company.name, 'name'],
    [t('company.domain'), company.domain, 'domain'],
    [t('company.created'), company.created_at ? fmt.dateTime(company.created_at) : null, 'created_at'],
    [t('company.id'), company.id, 'id'],
  ]);
  const source = company.source;
  $('no-source').hidden = Boolean(source);
  $('source').hidden = !source;
  if (!source) {
    $('source').replaceChildren();
    return;
  }
  fillFields($('source'), [
    [t('company.source_source'), source.source, 'source'],
    [t('company.source_medium'), source.medium, 'medium'],
    [t('company.source_campaign'), source.campaign, 'campaign'],
    [t('company.source_channel'), channelLabel(source.channel), 'channel'],
    [t('company.source_term'), source.term, 'term'],
    [t('company.source_content'), source.content, 'content'],
    [t('company.source_referrer'), source.referrer, 'referrer'],
    [t('company.source_landing_page'), source.landing_page, 'landing_page'],
    [t('company.source_at'), source.at ? fmt.dateTime(source.at) : null, 'at'],
  ]);
}

/** The rename form (marketers and admins; the page hides it from viewers, the API refuses them). */
function setUpRename(company) {
  const button = $('rename');
  const form = $('rename-form');
  const open = (shown) => {
    form.hidden = !shown;
    button.hidden = shown;
    button.setAttribute('aria-expanded', String(shown));
    $('rename-error').textContent = '';
  };
  button.addEventListener('click', () => {
    $('rename-name').value = company.name;
    open(true);
    $('rename-name').focus();
  });
  $('rename-cancel').addEventListener('click', () => {
    open(false);
    button.focus();
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const name = $('rename-name').value.trim();
    if (!name) {
      $('rename-error').textContent = t('company.rename_blank');
      return;
    }
    try {
      company = await api(`/api/v1/companies/${company.id}`, { method: 'PATCH', body: { name } });
    } catch (error) {
      if (error instanceof SignedOut) return;
      $('rename-error').textContent = t('company.rename_failed', { message: error.message });
      return;
    }
    showCompany(company);
    open(false);
    button.focus();
    announce(t('company.renamed', { name: company.name }));
  });
}

async function showJourney() {
  let journey;
  try {
    journey = await api(`/api/v1/companies/${companyId}/journey`);
  } catch (error) {
    if (error instanceof SignedOut) return;
    $('page-error').textContent = t('company.journey_failed', { message: error.message });
    return;
  }
  $('company-journey').replaceChildren(...journeyItems(journey, { company: true }));
  $('no-journey').hidden = journey.touches.length > 0;
  const left = journey.persons_left_out;
  $('journey-left-out').hidden = !(left > 0);
  $('journey-left-out').textContent = left > 0 ? t('company.journey_left_out', { count: fmt.number(left) }) : '';
}

function drawPersons() {
  fillTable($('persons'), columns, gear.visible(), rows, { href: (p) => `/people/${p.id}` });
}

async function showPersons(cursor, { focus = false } = {}) {
  const mine = ++generation;
  const params = new URLSearchParams({ company_id: String(companyId), limit: String(PAGE_SIZE), order: 'newest' });
  if (cursor) params.set('cursor', cursor);
  $('persons').setAttribute('aria-busy', 'true');
  let page;
  try {
    page = await api(`/api/v1/persons?${params}`);
  } catch (error) {
    if (error instanceof SignedOut) return;
    $('page-error').textContent = t('company.persons_failed', { message: error.message });
    return;
  } finally {
    if (mine === generation) $('persons').removeAttribute('aria-busy');
  }
  // An older answer arriving late must not overwrite a newer one.
  if (mine !== generation) return;
  rows = page.items;
  drawPersons();
  const total = typeof page.total === 'number' ? page.total : rows.length;
  const count = t('company.persons_count', { count: total });
  $('persons-count').textContent = `(${fmt.number(total)})`;
  announce(count);
  $('no-persons').hidden = rows.length > 0;
  $('persons-first').hidden = !cursor;
  $('persons-first').href = urlOf(null);
  $('persons-next').hidden = !page.next;
  if (page.next) $('persons-next').href = urlOf(page.next);
  if (focus) $('persons-title').focus();
}

/** Owner names by associate id; an empty map when they cannot be read. */
async function owners() {
  try {
    const { items } = await api('/api/v1/associates');
    return new Map(items.map((a) => [a.id, a.name]));
  } catch (error) {
    if (error instanceof SignedOut) throw error;
    return new Map();
  }
}

async function start(me, { id }) {
  companyId = id;
  let company;
  let names;
  try {
    [company, names] = await Promise.all([api(`/api/v1/companies/${id}`), owners()]);
  } catch (error) {
    if (error instanceof SignedOut) return;
    $('page-error').textContent = t('company.load_failed', { message: error.message });
    // The page still opens: the error is its content, with the way back to the list.
    $('company-name').textContent = t('company.not_found_title');
    $('app').querySelectorAll('.card-section').forEach((s) => {
      s.hidden = true;
    });
    return;
  }
  showCompany(company);
  setUpRename(company);
  // The People page takes criteria from its URL: there the persons are exported or saved.
  $('to-people').href = `/people?company_id=${company.id}`;
  columns = personColumns(fmt, { owners: names, companies: new Map([[company.id, company.name]]) });
  gear = columnsGear({
    table: TABLE,
    columns,
    defaults: PERSON_DEFAULTS,
    saved: me.preferences?.columns?.[TABLE] ?? null,
    onChange: drawPersons,
  });
  $('gear-slot').replaceChildren(gear.button);
  $('persons-title').tabIndex = -1;
  for (const link of [$('persons-first'), $('persons-next')]) {
    link.addEventListener('click', (event) => {
      if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
      event.preventDefault();
      const url = new URL(link.href);
      history.pushState(null, '', url.pathname + url.search);
      showPersons(cursorOfUrl(), { focus: true });
    });
  }
  window.addEventListener('popstate', () => showPersons(cursorOfUrl()));
  await Promise.all([showJourney(), showPersons(cursorOfUrl())]);
}

function signOut(message = '') {
  generation++;
  rows = [];
  gear?.close();
  $('app').hidden = true;
  $('persons').tHead.replaceChildren();
  $('persons').tBodies[0].replaceChildren();
  $('company-journey').replaceChildren();
  $('details').replaceChildren();
  $('source').replaceChildren();
  $('company-name').textContent = '';
  $('page-error').textContent = message;
}

startPage({ page: 'companies', start, signOut });

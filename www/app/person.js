// The person card (/people/{id}): who the person is, their lead status and owner (editable
// by marketers and admins, with the status history and the journey: touches and
// submissions in order), the submissions as a timeline, their
// sales, and a Privacy tab with consent per purpose, the attribution kept under the
// E-marketing purpose (read-only, behind "Show more"), the export and (admins) erasure.
//
// The id comes from the page's own URL; the open tab is `?tab=` in it, so a reload or a
// shared link opens the same view. Every value from the API goes into the page as text:
// attribution values come from visitors' URLs and can be hostile.

import { $, SignedOut, announce, api, el, fmt, startPage, t } from './shell.js';
import { statusLabel } from './columns.js';
import { journeyItems } from './journey.js';

const STATUSES = ['open', 'in_progress', 'qualified', 'disqualified'];
const TABS = ['overview', 'submissions', 'sales', 'privacy'];
// The touch fields the Privacy tab shows, in order.
const TOUCH_FIELDS = ['source', 'medium', 'campaign', 'term', 'content', 'channel', 'referrer', 'landing_page', 'at'];
const CHANNELS = new Set([
  'direct', 'organic_search', 'paid_search', 'organic_social', 'paid_social', 'email', 'affiliates',
  'referral', 'display', 'organic_video', 'paid_video', 'organic_shopping', 'paid_shopping', 'sms',
  'audio', 'cross_network', 'paid_other', 'mobile_push', 'ai_assistants', 'untracked', 'unassigned',
]);

let person = null;
let me = null;
let associates = [];

// ---- small helpers ---------------------------------------------------------------------

const dash = '—';

function text(value) {
  return value === null || value === undefined || value === '' ? dash : String(value);
}

/** A channel id in the user's language (one the app does not know, as it is). */
function channelLabel(id) {
  if (!id) return dash;
  return CHANNELS.has(id) ? t(`person.channel_${id}`) : id;
}

/** Appends `<dt>label</dt><dd>value</dd>` pairs; a value may be a node. */
function facts(dl, pairs) {
  dl.replaceChildren();
  for (const [label, value, attrs = {}] of pairs) {
    const dd = el('dd', { attrs });
    if (value instanceof Node) dd.append(value);
    else dd.textContent = text(value);
    dl.append(el('dt', { text: label }), dd);
  }
}

function touchValue(touch, field) {
  if (!touch) return null;
  if (field === 'channel') return touch.channel ? channelLabel(touch.channel) : null;
  if (field === 'at') return touch.at ? fmt.dateTime(touch.at) : null;
  return touch[field];
}

const may = {
  work: () => me && (me.role === 'admin' || me.role === 'marketer'),
  export: () => me && (me.role === 'admin' || me.role === 'marketer'),
  erase: () => me && me.role === 'admin',
};

// ---- tabs ------------------------------------------------------------------------------

function tabButtons() {
  return [...$('tabs').querySelectorAll('[role="tab"]')];
}

/** Shows tab `name`; `focus` moves focus to its button (keyboard), `record` keeps it in the URL. */
function selectTab(name, { focus = false, record = true } = {}) {
  if (!TABS.includes(name)) name = 'overview';
  for (const button of tabButtons()) {
    const selected = button.dataset.tab === name;
    button.setAttribute('aria-selected', String(selected));
    button.tabIndex = selected ? 0 : -1;
    $(button.getAttribute('aria-controls')).hidden = !selected;
    if (selected && focus) button.focus();
  }
  if (record) {
    const url = new URL(location.href);
    if (name === 'overview') url.searchParams.delete('tab');
    else url.searchParams.set('tab', name);
    history.replaceState(null, '', url);
  }
}

function wireTabs() {
  const buttons = tabButtons();
  for (const button of buttons) {
    button.addEventListener('click', () => selectTab(button.dataset.tab));
    button.addEventListener('keydown', (event) => {
      const index = buttons.indexOf(button);
      let to = null;
      if (event.key === 'ArrowRight') to = (index + 1) % buttons.length;
      else if (event.key === 'ArrowLeft') to = (index - 1 + buttons.length) % buttons.length;
      else if (event.key === 'Home') to = 0;
      else if (event.key === 'End') to = buttons.length - 1;
      if (to === null) return;
      event.preventDefault();
      selectTab(buttons[to].dataset.tab, { focus: true });
    });
  }
}

// ---- overview --------------------------------------------------------------------------

function ownerName(id) {
  if (id === null || id === undefined) return null;
  return associates.find((a) => a.id === id)?.name ?? `#${id}`;
}

function renderHead() {
  const name = person.name || person.email;
  document.title = `${name} · leadtrail`;
  $('person-name').textContent = name;
  $('person-email-line').textContent = person.name ? person.email : '';
  $('status-badge').textContent = statusLabel(person.status);
  $('status-badge').dataset.status = person.status;
}

async function renderDetails() {
  let company = null;
  if (person.company_id !== null && person.company_id !== undefined) {
    const link = el('a', { text: `#${person.company_id}`, attrs: { href: `/companies/${person.company_id}`, id: 'company-link' } });
    company = link;
    try {
      const found = await api(`/api/v1/companies/${person.company_id}`);
      link.textContent = found.name || found.domain || `#${found.id}`;
    } catch (error) {
      if (error instanceof SignedOut) throw error;
      // The link still leads to the company; its name could not be read.
    }
  }
  const email = el('a', { text: person.email, attrs: { href: `mailto:${person.email}` } });
  facts($('details'), [
    [t('person.name'), person.name],
    [t('person.email'), email],
    [t('person.phone'), person.phone],
    [t('person.company'), company],
    [t('person.country'), person.country],
    [t('person.created'), person.created_at ? fmt.dateTime(person.created_at) : null],
  ]);
}

function renderLeadFacts() {
  facts($('lead-facts'), [
    [t('person.status'), statusLabel(person.status), { id: 'status-value' }],
    [t('person.owner'), ownerName(person.owner_id) ?? t('person.no_owner'), { id: 'owner-value' }],
    [t('person.updated'), person.updated_at ? fmt.dateTime(person.updated_at) : null],
  ]);
}

function renderLead() {
  renderLeadFacts();
  if (!may.work()) {
    $('lead-form').remove();
    return;
  }
  const status = $('status-select');
  status.replaceChildren(...STATUSES.map((s) => el('option', { text: statusLabel(s), attrs: { value: s } })));
  status.value = person.status;
  const owner = $('owner-select');
  owner.replaceChildren(
    el('option', { text: t('person.no_owner'), attrs: { value: '' } }),
    ...associates.map((a) => el('option', { text: a.name, attrs: { value: String(a.id) } })),
  );
  owner.value = person.owner_id === null || person.owner_id === undefined ? '' : String(person.owner_id);
  $('lead-form').hidden = false;
}

async function renderHistory() {
  const { items } = await api(`/api/v1/persons/${person.id}/status_changes`);
  const list = $('history');
  list.replaceChildren();
  // A new person is open without a row in the history: the creation is its first entry.
  const entries = [{ status: 'open', at: person.created_at, created: true }, ...items];
  for (const change of entries.reverse()) {
    const time = el('time', { text: change.at ? fmt.dateTime(change.at) : dash, attrs: change.at ? { datetime: change.at } : {} });
    const what = change.created
      ? t('person.history_created', { status: statusLabel(change.status) })
      : t('person.history_changed', { status: statusLabel(change.status) });
    const item = el('li', { attrs: { 'data-status': change.status } }, [time, el('span', { text: what, className: 'what' })]);
    if (change.actor) item.append(el('span', { className: 'actor', text: t('person.history_by', { actor: change.actor }) }));
    list.append(item);
  }
}

async function saveLead(event) {
  event.preventDefault();
  const body = {};
  const status = $('status-select').value;
  const owner = $('owner-select').value;
  if (status !== person.status) body.status = status;
  const ownerId = owner === '' ? null : Number(owner);
  if (ownerId !== (person.owner_id ?? null)) body.owner_id = ownerId;
  const said = $('lead-status');
  if (Object.keys(body).length === 0) {
    said.textContent = t('person.nothing_changed');
    return;
  }
  $('lead-save').disabled = true;
  said.textContent = '';
  try {
    person = await api(`/api/v1/persons/${person.id}`, { method: 'PATCH', body });
    renderHead();
    renderLeadFacts();
    await renderHistory();
    said.textContent = t('person.saved');
  } catch (error) {
    if (error instanceof SignedOut) return;
    said.textContent = t('person.not_saved', { message: error.message });
  } finally {
    $('lead-save').disabled = false;
  }
}

// ---- submissions -----------------------------------------------------------------------

function touchLine(touch) {
  const parts = [touch?.source, touch?.medium, touch?.campaign].map(text);
  return parts.join(' / ');
}

async function renderSubmissions() {
  const { items } = await api(`/api/v1/persons/${person.id}/submissions`);
  const list = $('timeline');
  list.replaceChildren();
  if (items.length === 0) list.append(el('li', { text: t('person.submissions_none'), className: 'muted' }));
  // Newest first: the latest contact is what a marketer looks for.
  for (const s of [...items].reverse()) {
    const conversion = s.conversion || {};
    const details = el('dl', { className: 'facts compact' });
    facts(details, [
      [t('person.touch_channel'), channelLabel(conversion.channel)],
      [t('person.touch_term'), conversion.term],
      [t('person.touch_content'), conversion.content],
      [t('person.touch_referrer'), conversion.referrer],
      [t('person.touch_landing_page'), conversion.landing_page],
    ]);
    const item = el('li', { className: 'event', attrs: { 'data-submission': String(s.id) } }, [
      el('time', { text: s.created_at ? fmt.dateTime(s.created_at) : dash, attrs: s.created_at ? { datetime: s.created_at } : {} }),
      el('h3', { text: t('person.submission_form', { form: s.form }) }),
      el('p', { className: 'conversion' }, [
        el('span', { text: t('person.conversion'), className: 'label' }),
        el('span', { text: touchLine(conversion), className: 'touch' }),
      ]),
      details,
    ]);
    if (s.utm_capture === false) {
      item.append(el('p', { className: 'capture-off', text: t('person.capture_off') }));
    }
    const payload = Object.entries(s.payload || {});
    if (payload.length) {
      const fields = el('dl', { className: 'facts compact' });
      facts(fields, payload.map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
      item.append(el('details', {}, [el('summary', { text: t('person.payload', { count: payload.length }) }), fields]));
    }
    list.append(item);
  }
}

// ---- journey ---------------------------------------------------------------------------

async function renderJourney() {
  const journey = await api(`/api/v1/persons/${person.id}/journey`);
  $('journey').replaceChildren(...journeyItems(journey));
  // The submissions alone are no journey: without touches the card says none was kept.
  const none = (journey.touches || []).length === 0;
  $('journey-none').hidden = !none;
}

// ---- sales -----------------------------------------------------------------------------

async function renderSales() {
  const { items } = await api(`/api/v1/sales?person_id=${person.id}`);
  const body = $('sales').tBodies[0];
  body.replaceChildren(
    ...items.map((s) =>
      el('tr', { attrs: { 'data-sale': String(s.id) } }, [
        el('td', { text: s.title }),
        el('td', { text: fmt.money(Number(s.amount), s.currency), className: 'num' }),
        el('td', { text: t(`person.sale_${s.status}`) }),
        el('td', { text: s.at ? fmt.date(s.at) : dash }),
      ]),
    ),
  );
  $('sales').hidden = items.length === 0;
  $('sales-none').hidden = items.length !== 0;
}

// ---- privacy ---------------------------------------------------------------------------

function renderConsents() {
  const list = $('consents');
  list.replaceChildren();
  const purposes = Object.entries(person.consent || {});
  for (const [purpose, consent] of purposes) {
    const name = purpose === 'e_marketing' ? t('person.purpose_e_marketing') : purpose;
    let state;
    if (!consent) state = t('person.consent_none');
    else if (consent.given) state = t('person.consent_given', { at: consent.at ? fmt.dateTime(consent.at) : dash });
    else state = t('person.consent_withdrawn', { at: consent.at ? fmt.dateTime(consent.at) : dash });
    const item = el('li', { attrs: { 'data-purpose': purpose } }, [
      el('strong', { text: name }),
      el('span', { text: state, className: consent ? (consent.given ? 'ok' : 'error') : 'muted' }),
    ]);
    if (consent?.form) item.append(el('span', { className: 'muted', text: t('person.consent_form', { form: consent.form }) }));
    list.append(item);
  }
}

function renderAttribution() {
  const pairs = (touch) =>
    touch ? TOUCH_FIELDS.map((field) => [t(`person.touch_${field}`), touchValue(touch, field), { 'data-field': field }]) : [[t('person.touch_none'), null]];
  facts($('first-interaction'), pairs(person.first_interaction));
  facts($('lead-generation'), pairs(person.lead_generation));
}

function wireAttributionToggle() {
  const toggle = $('attribution-toggle');
  toggle.addEventListener('click', () => {
    const open = toggle.getAttribute('aria-expanded') !== 'true';
    toggle.setAttribute('aria-expanded', String(open));
    toggle.textContent = t(open ? 'common.show_less' : 'common.show_more');
    $('attribution').hidden = !open;
  });
}

async function download() {
  const said = $('rights-status');
  said.textContent = '';
  try {
    const data = await api(`/api/v1/persons/${person.id}/export`);
    const blob = new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' });
    const url = URL.createObjectURL(blob);
    const link = el('a', { attrs: { href: url, download: `person-${person.id}.json` } });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    said.textContent = t('person.exported');
  } catch (error) {
    if (error instanceof SignedOut) return;
    said.textContent = t('person.export_failed', { message: error.message });
  }
}

function wireErase() {
  const dialog = $('erase-dialog');
  const input = $('erase-email');
  const confirm = $('erase-confirm');
  const matches = () => input.value.trim().toLowerCase() === person.email.trim().toLowerCase();
  $('erase').addEventListener('click', () => {
    $('erase-text').textContent = t('person.erase_text', { email: person.email });
    input.value = '';
    $('erase-error').textContent = '';
    confirm.disabled = true;
    dialog.showModal();
    input.focus();
  });
  input.addEventListener('input', () => {
    confirm.disabled = !matches();
  });
  $('erase-cancel').addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', () => {
    if (person) $('erase').focus();
  });
  $('erase-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!matches()) return;
    confirm.disabled = true;
    try {
      await api(`/api/v1/persons/${person.id}`, { method: 'DELETE' });
      person = null;
      location.assign('/people');
    } catch (error) {
      if (error instanceof SignedOut) return;
      $('erase-error').textContent = t('person.erase_failed', { message: error.message });
      confirm.disabled = false;
    }
  });
}

// ---- start -----------------------------------------------------------------------------

function signOut(message = '') {
  person = null;
  associates = [];
  $('app').hidden = true;
  for (const id of ['details', 'lead-facts', 'history', 'journey', 'timeline', 'consents', 'first-interaction', 'lead-generation']) {
    $(id)?.replaceChildren();
  }
  $('sales')?.tBodies[0].replaceChildren();
  for (const id of ['person-name', 'person-email-line', 'status-badge']) {
    if ($(id)) $(id).textContent = '';
  }
  $('load-error').textContent = message;
}

async function start(who, { id, query }) {
  me = who;
  if (!id) throw new Error(t('person.no_id'));
  try {
    person = await api(`/api/v1/persons/${id}`);
  } catch (error) {
    if (error instanceof SignedOut) throw error;
    // Nothing to show but that: the card's parts go, the page says so under its heading.
    document.title = `${t('person.not_found_title')} · leadtrail`;
    $('app').replaceChildren(
      el('h1', { text: t('person.not_found_title'), attrs: { tabindex: '-1' } }),
      el('p', { text: t('person.not_found', { id, message: error.message }) }),
      el('p', {}, [el('a', { text: t('person.back'), attrs: { href: '/people' } })]),
    );
    return;
  }
  associates = (await api('/api/v1/associates')).items || [];
  // Back to the list the user came from (its criteria are in its URL).
  if (document.referrer) {
    const from = new URL(document.referrer);
    if (from.origin === location.origin && from.pathname === '/people') $('back-link').href = from.pathname + from.search;
  }

  renderHead();
  await renderDetails();
  renderLead();
  renderConsents();
  renderAttribution();
  await Promise.all([renderHistory(), renderJourney(), renderSubmissions(), renderSales()]);

  if (may.work()) $('lead-form').addEventListener('submit', saveLead);
  if (!may.export()) $('rights').remove();
  else {
    $('export').addEventListener('click', download);
    if (may.erase()) wireErase();
    else $('erase').remove();
  }
  wireTabs();
  wireAttributionToggle();
  selectTab(query.get('tab') || 'overview', { record: false });
  announce(t('person.opened', { name: person.name || person.email }));
}

startPage({ page: 'people', start, signOut });

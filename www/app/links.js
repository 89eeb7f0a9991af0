// The /links page: builds campaign links live through the collector's API, shows the
// warnings, checks redirects, and keeps a saved list per campaign.
//
// The shell (shell.js) signs the page in and speaks the user's language. Everything
// shown comes from the API and goes into the page as text (textContent, never innerHTML),
// so a hostile value in a name or URL stays text.

import { channelLabel } from './columns.js';
import { $, SignedOut, announce, currentLanguage, el as element, request as apiRequest, startPage, t } from './shell.js';

const BUILD_DELAY_MS = 250;

// Answers of the link API are read whatever their status: a 4xx carries the message or
// the warnings to show.
async function api(method, path, body) {
  const res = await apiRequest(method, path, { body });
  if (res.status === 204) return { status: 204, body: null, res };
  const isJson = (res.headers.get('content-type') || '').includes('json');
  return { status: res.status, body: isJson ? await res.json() : await res.text(), res };
}

const el = (tag, text, className) => element(tag, { text, className });

function showSignIn(message = '') {
  $('app').hidden = true;
  $('sign-in').hidden = false;
  $('sign-in-error').textContent = message;
  $('saved').tBodies[0].replaceChildren();
  $('link').textContent = '';
}

async function showApp() {
  $('sign-in').hidden = true;
  await loadSaved();
}

function request() {
  const value = (id) => $(id).value;
  const optional = (id) => (value(id).trim() === '' ? null : value(id));
  return {
    url: value('url'),
    source: value('source'),
    medium: value('medium'),
    campaign: value('campaign'),
    term: optional('term'),
    content: optional('content'),
    id: optional('utm-id'),
  };
}

let built = null;
let buildSeq = 0;

function setBuilt(link) {
  built = link;
  for (const id of ['copy', 'check', 'save']) $(id).disabled = !link;
}

async function build() {
  const req = request();
  const seq = ++buildSeq;
  $('check-result').textContent = '';
  if (!req.url.trim() || !req.source.trim() || !req.medium.trim() || !req.campaign.trim()) {
    $('error').textContent = '';
    $('link').textContent = '';
    $('channel').textContent = '';
    $('warnings').replaceChildren();
    setBuilt(null);
    return;
  }
  const { status, body } = await api('POST', '/api/v1/links', req);
  if (seq !== buildSeq) return; // a newer keystroke's answer wins
  if (status !== 200) {
    $('error').textContent = failure(status, body);
    $('link').textContent = '';
    $('channel').textContent = '';
    $('warnings').replaceChildren();
    setBuilt(null);
    return;
  }
  $('error').textContent = '';
  $('link').textContent = body.url;
  // The rule's description is the channel rules' own English (as `leadtrail explain` says
  // it): on a page in another language it is marked as English for screen readers.
  const description = element('span', { text: body.rule_description, attrs: currentLanguage() === 'en' ? {} : { lang: 'en' } });
  $('channel').replaceChildren(
    t('links.channel', { name: channelLabel(body.channel) || body.channel_name, rule: String(body.rule) }),
    ...(body.rule_description ? [': ', description] : []),
  );
  $('warnings').replaceChildren(
    ...body.warnings.map((w) => {
      const item = el('li', warningText(w));
      item.dataset.kind = w.kind;
      return item;
    }),
  );
  setBuilt(body);
}

const WARNINGS = new Set([
  'rewritten', 'similar_to_known', 'source_alias', 'unknown_medium', 'campaign_template', 'replaced_utm',
  'click_id_in_target', 'value_dropped',
]);
const FIELDS = new Set(['url', 'source', 'medium', 'campaign', 'term', 'content', 'id']);

/** A warning of the link API in the user's language, from its kind and fields. */
function warningText(w) {
  if (!WARNINGS.has(w.kind)) return w.message;
  return t(`links.warning_${w.kind}`, {
    field: FIELDS.has(w.field) ? t(`links.${w.field}`) : String(w.field ?? ''),
    value: String(w.value ?? ''),
    from: String(w.from ?? ''),
    to: String(w.to ?? ''),
    known: String(w.known ?? ''),
    canonical: String(w.canonical ?? ''),
    channel: channelLabel(w.channel) || '',
    template: String(w.template ?? ''),
    params: (w.params || []).join(', '),
    param: String(w.param ?? ''),
  });
}

let timer;
function scheduleBuild() {
  clearTimeout(timer);
  timer = setTimeout(() => build().catch(report), BUILD_DELAY_MS);
}

function report(error) {
  if (error instanceof SignedOut) return;
  $('error').textContent = t('links.request_failed', { message: error.message });
}

/** The API's own message of a refusal, else its status. */
function failure(status, body) {
  return body && body.error ? body.error : t('links.error_status', { status: String(status) });
}

async function check() {
  if (!built) return;
  $('check-result').textContent = t('links.checking');
  const { status, body } = await api('POST', '/api/v1/links/check', { url: built.url });
  const out = $('check-result');
  if (status !== 200) {
    out.textContent = failure(status, body);
    out.className = 'error';
  } else if (body.utm_survive === true) {
    out.textContent = t('links.arrive', { url: body.final_url, count: body.redirects });
    out.className = 'ok';
  } else if (body.utm_survive === false) {
    out.textContent = t('links.lost', { url: body.final_url, params: body.lost.join(', ') });
    out.className = 'lost';
  } else {
    out.textContent = t('links.stopped', { error: body.error });
    out.className = 'error';
  }
}

async function save(event) {
  event.preventDefault();
  if (!built) return;
  const { status, body } = await api('POST', '/api/v1/links/saved', { ...request(), name: $('save-name').value });
  if (status === 201) {
    $('save-result').textContent = t('links.saved', { name: body.link.name, campaign: body.link.campaign });
    $('save-name').value = '';
    await loadSaved();
  } else {
    $('save-result').textContent = failure(status, body);
  }
}

function campaignFilter() {
  const campaign = $('filter-campaign').value.trim();
  return campaign ? `campaign=${encodeURIComponent(campaign)}` : '';
}

async function loadSaved() {
  const query = campaignFilter();
  const { status, body } = await api('GET', `/api/v1/links/saved${query ? `?${query}` : ''}`);
  if (status !== 200) return;
  const rows = body.items.map((link) => {
    const row = el('tr');
    row.dataset.id = link.id;
    const url = el('td', link.url, 'url');
    const remove = el('button', t('common.delete'), 'marketer-only');
    remove.type = 'button';
    remove.setAttribute('aria-label', t('links.delete_label', { name: link.name }));
    remove.addEventListener('click', async () => {
      await api('DELETE', `/api/v1/links/saved/${encodeURIComponent(link.id)}`);
      await loadSaved();
    });
    const actions = el('td');
    actions.append(remove);
    row.append(el('td', link.campaign), el('td', link.name, 'name'), url, el('td', channelLabel(link.channel) || ''), actions);
    return row;
  });
  $('saved').tBodies[0].replaceChildren(...rows);
  $('saved-empty').hidden = rows.length > 0;
  return rows.length;
}

async function exportCsv() {
  const query = campaignFilter();
  const { status, body, res } = await api('GET', `/api/v1/links/saved?format=csv${query ? `&${query}` : ''}`);
  if (status !== 200) return;
  const disposition = res.headers.get('content-disposition') || '';
  const name = /filename="([^"]+)"/.exec(disposition)?.[1] || 'leadtrail-links.csv';
  const href = URL.createObjectURL(new Blob([body], { type: 'text/csv' }));
  const a = el('a');
  a.href = href;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 10_000);
}

function wire() {
  $('builder').addEventListener('input', scheduleBuild);
  $('builder').addEventListener('submit', (event) => event.preventDefault());
  $('copy').addEventListener('click', async () => {
    if (!built) return;
    try {
      await navigator.clipboard.writeText(built.url);
      announce(t('links.copied'));
    } catch {
      announce(t('links.copy_failed'));
    }
  });
  $('check').addEventListener('click', () => check().catch(report));
  $('save-form').addEventListener('submit', (event) => save(event).catch(report));
  $('filter-form').addEventListener('submit', (event) => {
    event.preventDefault();
    loadSaved()
      .then((count) => count !== undefined && announce(t('links.saved_count', { count })))
      .catch(report);
  });
  $('export').addEventListener('click', () => exportCsv().catch(report));
}

wire();
startPage({ page: 'links', start: () => showApp().catch(report), signOut: showSignIn });

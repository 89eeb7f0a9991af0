// The /settings page (admins): each form the collector has seen, with its name and UTM
// capture switch; the tag to paste into a site, with the look-back window chosen here and
// the address of each form; and what the configuration sets, read-only.
//
// Form keys come from the URLs sites post to and field names from visitors' posts: both
// go into the page as text only. The look-back days are in the URL (?lookback=), so a
// reload shows the same tag.

import { startPage, t, fmt, announce, applyI18n, api, el, $, SignedOut } from './shell.js';

/** The tracker's own bounds of `data-lookback-days` (crates/tracker/src/page.rs). */
const MAX_LOOKBACK_DAYS = 36500;

let defaultLookback = 90;
let forms = [];
let generation = 0;

function lookbackOfUrl() {
  const raw = new URLSearchParams(location.search).get('lookback');
  return raw && /^[0-9]{1,5}$/.test(raw) && +raw >= 1 && +raw <= MAX_LOOKBACK_DAYS ? +raw : null;
}

/** The tag a site pastes; the look-back attribute only when it differs from the default. */
function snippetOf(lookback) {
  const days = lookback && lookback !== defaultLookback ? ` data-lookback-days="${lookback}"` : '';
  return `<script type="module" src="${location.origin}/leadtrail.js"${days}></script>`;
}

function showSnippet() {
  const input = $('lookback');
  const value = input.value.trim();
  const days = /^[0-9]{1,5}$/.test(value) ? +value : NaN;
  if (!(days >= 1 && days <= MAX_LOOKBACK_DAYS)) {
    $('lookback-error').textContent = t('settings.lookback_invalid', { max: MAX_LOOKBACK_DAYS });
    input.setAttribute('aria-invalid', 'true');
    return;
  }
  $('lookback-error').textContent = '';
  input.removeAttribute('aria-invalid');
  $('snippet').textContent = snippetOf(days);
  const params = new URLSearchParams(location.search);
  if (days === defaultLookback) params.delete('lookback');
  else params.set('lookback', String(days));
  const query = params.toString();
  history.replaceState(null, '', `/settings${query ? `?${query}` : ''}`);
}

async function copySnippet() {
  const text = $('snippet').textContent;
  try {
    await navigator.clipboard.writeText(text);
    announce(t('settings.copied'));
    $('copy-status').textContent = t('settings.copied');
  } catch {
    // No clipboard (an insecure origin, a refused permission): select the tag instead.
    const range = document.createRange();
    range.selectNodeContents($('snippet'));
    const selection = getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    $('copy-status').textContent = t('settings.copy_failed');
    announce(t('settings.copy_failed'));
  }
}

/** A form's display name: its name, else its key. */
const labelOf = (form) => form.name || form.key;

function formCard(form, index) {
  const ids = { name: `form-name-${index}`, capture: `form-capture-${index}`, state: `form-state-${index}` };
  const legend = el('legend', {}, [el('span', { text: labelOf(form), className: 'form-label' })]);
  if (form.name) legend.append(' ', el('code', { text: form.key }));

  const capture = el('input', { attrs: { type: 'checkbox', id: ids.capture, 'aria-describedby': ids.state } });
  capture.checked = form.utm_capture;
  const state = el('span', { className: form.utm_capture ? 'capture-on' : 'capture-off', attrs: { id: ids.state } });
  state.textContent = form.utm_capture ? t('settings.capture_on_state') : t('settings.capture_off_state');
  // While a change is being saved the box stays focusable (a disabled one would drop the
  // keyboard's focus) but does not toggle.
  capture.addEventListener('click', (event) => {
    if (capture.getAttribute('aria-busy') === 'true') event.preventDefault();
  });
  capture.addEventListener('change', () => setCapture(form, capture, state));

  const name = el('input', { attrs: { id: ids.name, name: 'name', maxlength: '200', autocomplete: 'off' } });
  name.value = form.name || '';
  const rename = el('form', { className: 'rename inline' }, [
    el('label', { text: t('settings.name_label'), attrs: { for: ids.name } }),
    name,
    el('button', { text: t('settings.save_name'), attrs: { type: 'submit' } }),
  ]);
  rename.addEventListener('submit', (event) => {
    event.preventDefault();
    saveName(form, name);
  });

  const facts = el('dl', { className: 'fields' }, [
    el('dt', { text: t('settings.submissions') }),
    el('dd', { text: fmt.number(form.submissions) }),
    el('dt', { text: t('settings.first_seen') }),
    el('dd', { text: form.created_at ? fmt.dateTime(form.created_at) : '—' }),
    el('dt', { text: t('settings.last_seen') }),
    el('dd', { text: form.last_seen_at ? fmt.dateTime(form.last_seen_at) : '—' }),
    el('dt', { text: t('settings.fields_seen') }),
    el('dd', {}, [el('ul', { className: 'field-names' }, form.fields.map((f) => el('li', {}, [el('code', { text: f })])))]),
  ]);

  return el('li', { className: 'form-card', attrs: { 'data-form': form.key } }, [
    el('fieldset', {}, [
      legend,
      el('p', { className: 'capture' }, [
        capture,
        ' ',
        el('label', { text: t('settings.capture_label'), attrs: { for: ids.capture } }),
        ' ',
        state,
      ]),
      rename,
      facts,
    ]),
  ]);
}

async function setCapture(form, box, state) {
  const on = box.checked;
  box.setAttribute('aria-busy', 'true');
  $('forms-error').textContent = '';
  try {
    const changed = await api(`/api/v1/forms/${encodeURIComponent(form.key)}`, { method: 'PATCH', body: { utm_capture: on } });
    Object.assign(form, changed);
    state.className = changed.utm_capture ? 'capture-on' : 'capture-off';
    state.textContent = changed.utm_capture ? t('settings.capture_on_state') : t('settings.capture_off_state');
    announce(t(changed.utm_capture ? 'settings.capture_turned_on' : 'settings.capture_turned_off', { form: labelOf(form) }));
  } catch (error) {
    if (error instanceof SignedOut) return;
    box.checked = !on;
    const message = t('settings.save_failed', { message: error.message });
    $('forms-error').textContent = message;
  } finally {
    box.removeAttribute('aria-busy');
  }
}

async function saveName(form, input) {
  $('forms-error').textContent = '';
  try {
    const changed = await api(`/api/v1/forms/${encodeURIComponent(form.key)}`, { method: 'PATCH', body: { name: input.value } });
    Object.assign(form, changed);
    const card = input.closest('.form-card');
    const label = card.querySelector('.form-label');
    label.textContent = labelOf(form);
    const legend = label.parentElement;
    legend.querySelector('code')?.remove();
    if (form.name) legend.append(el('code', { text: form.key }));
    announce(t('settings.name_saved', { form: labelOf(form) }));
    renderUrls();
  } catch (error) {
    if (error instanceof SignedOut) return;
    $('forms-error').textContent = t('settings.save_failed', { message: error.message });
  }
}

function renderUrls() {
  $('form-urls').replaceChildren(
    ...forms.map((form) =>
      el('li', {}, [
        el('span', { text: `${labelOf(form)}: ` }),
        el('code', { text: `${location.origin}/f/${form.key}` }),
      ]),
    ),
  );
  if (!forms.length) $('form-urls').append(el('li', { text: t('settings.form_urls_none', { url: `${location.origin}/f/contact` }) }));
}

function renderForms() {
  $('forms').replaceChildren(...forms.map(formCard));
  $('forms-empty').hidden = forms.length > 0;
  const count = t('settings.forms_count', { count: forms.length });
  $('forms-count').textContent = count;
  renderUrls();
}

const CONSENT_POLICIES = ['none', 'give', 'give_and_withdraw'];

function consentText(policy) {
  return CONSENT_POLICIES.includes(policy) ? t(`settings.consent_${policy}`) : policy;
}

function renderConfig(settings) {
  const list = (items) => el('ul', { className: 'plain' }, items.map((item) => el('li', {}, [el('code', { text: item })])));
  const rate =
    settings.form_posts_per_minute > 0
      ? t('settings.rate_limit_value', { count: settings.form_posts_per_minute, burst: settings.form_post_burst })
      : t('settings.rate_limit_off');
  const perForm = settings.form_consent.map((entry) => {
    const [key, policy] = entry.split('=');
    return `${key.trim()}: ${consentText((policy || '').trim())}`;
  });
  const rows = [
    [t('settings.allowed_origins'), settings.allowed_origins.length ? list(settings.allowed_origins) : t('settings.allowed_origins_any')],
    [t('settings.rate_limit'), rate],
    [t('settings.max_body'), t('settings.max_body_value', { kb: Math.round(settings.max_body_bytes / 1024) })],
    [t('settings.lookback_default'), t('settings.days', { count: settings.tracker_lookback_days })],
    [t('settings.consent_default'), consentText(settings.form_consent_default)],
    [t('settings.consent_forms'), perForm.length ? list(perForm) : '—'],
    [t('settings.time_zone'), settings.time_zone],
  ];
  $('config').replaceChildren(
    ...rows.flatMap(([label, value]) => [el('dt', { text: label }), typeof value === 'string' ? el('dd', { text: value }) : el('dd', {}, [value])]),
  );
}

async function start(me) {
  applyI18n(document.body);
  if (me.role !== 'admin') {
    $('admins-only').hidden = false;
    $('admin-settings').hidden = true;
    return;
  }
  const mine = ++generation;
  const [list, settings] = await Promise.all([api('/api/v1/forms'), api('/api/v1/settings')]);
  if (mine !== generation) return;
  forms = list.items;
  defaultLookback = settings.tracker_lookback_days;
  $('lookback').value = String(lookbackOfUrl() ?? defaultLookback);
  $('lookback').addEventListener('input', showSnippet);
  $('copy-snippet').addEventListener('click', copySnippet);
  renderForms();
  renderConfig(settings);
  showSnippet();
  $('admin-settings').hidden = false;
  announce($('forms-count').textContent);
}

function signOut(message = '') {
  generation++;
  forms = [];
  $('app').hidden = true;
  for (const id of ['forms', 'form-urls', 'config']) $(id).replaceChildren();
  $('snippet').textContent = '';
  $('forms-count').textContent = '';
  $('page-error').textContent = message;
}

startPage({ page: 'settings', start, signOut });

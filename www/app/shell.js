// The app's shell: what every signed-in page shares around its own content. It signs the
// page in (/api/v1/me and the user's preferences), loads the texts in the user's language,
// renders the header (brand, navigation, the user, sign-out), and offers the page its
// texts (`t`), formats (`fmt`) and a polite live region (`announce`).
//
// The language is the user's stored preference, else the browser's first language the app
// speaks (navigator.languages follows Accept-Language). Texts live in /app/i18n/<lang>.json,
// nested by area; every text goes into the page as text, never HTML.

import { $, SignedOut, api, el, messages, setSignedIn, toLogin } from './session.js';

export { $, ApiError, SignedOut, api, el, me, request, signOutWith } from './session.js';

/** The languages the app speaks, each named in itself (a choice reads the same in any). */
export const LANGUAGES = [
  { code: 'en', name: 'English' },
  { code: 'nb', name: 'Norsk bokmål' },
  { code: 'nl', name: 'Nederlands' },
];

/** The locale of each language's numbers and dates. */
const LOCALES = { en: 'en-GB', nb: 'nb-NO', nl: 'nl-NL' };

let language = 'en';
let catalogue = {};

/** The language the page speaks now: `en`, `nb` or `nl`. */
export function currentLanguage() {
  return language;
}

/** The locale of the language the page speaks now (`en-GB`, `nb-NO`, `nl-NL`). */
export function currentLocale() {
  return LOCALES[language];
}

/**
 * The app's language for a list of browser languages (`navigator.languages`): the first
 * one it speaks; Norwegian of any written form reads bokmål; else English.
 */
export function languageOf(browserLanguages) {
  for (const tag of browserLanguages || []) {
    const primary = String(tag).toLowerCase().split(/[-_]/)[0];
    if (primary === 'nb' || primary === 'no' || primary === 'nn') return 'nb';
    if (primary === 'nl') return 'nl';
    if (primary === 'en') return 'en';
  }
  return 'en';
}

/** The browser's language as the app speaks it. */
export function browserLanguage() {
  return languageOf(navigator.languages?.length ? navigator.languages : [navigator.language]);
}

/**
 * Loads the catalogue of `lang` (falling back to English when it cannot be read) and makes
 * it the page's language: `<html lang>`, `t` and `fmt` follow it.
 */
export async function useLanguage(lang) {
  const wanted = LOCALES[lang] ? lang : 'en';
  for (const code of wanted === 'en' ? ['en'] : [wanted, 'en']) {
    try {
      const res = await fetch(`/app/i18n/${code}.json`, { headers: { Accept: 'application/json' } });
      if (!res.ok) throw new Error(`${res.status} ${res.statusText}`);
      catalogue = await res.json();
      language = code;
      break;
    } catch (error) {
      console.error(`the ${code} texts cannot be read: ${error.message}`);
    }
  }
  document.documentElement.lang = language;
  messages.sessionEnded = t('common.session_ended');
  messages.unreachable = (message) => t('common.unreachable', { message });
  messages.apiFailed = (status) => t('common.api_failed', { status });
  return language;
}

function lookup(key) {
  let node = catalogue;
  for (const part of key.split('.')) {
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, part)) return undefined;
    node = node[part];
  }
  return typeof node === 'string' ? node : undefined;
}

/**
 * The text of `key` (`area.key`) with `{name}` placeholders filled from `vars`, as text.
 * With a numeric `vars.count`, `key_one` / `key_other` are used when the catalogue has
 * them (the language's plural rules). A missing key logs an error (which the browser tests
 * fail on) and answers the key itself.
 */
export function t(key, vars = {}) {
  let text;
  if (typeof vars.count === 'number') {
    const form = new Intl.PluralRules(currentLocale()).select(vars.count);
    text = lookup(`${key}_${form}`) ?? lookup(`${key}_other`);
  }
  text ??= lookup(key);
  if (text === undefined) {
    console.error(`missing text: ${key} (${language})`);
    return key;
  }
  return text.replace(/\{(\w+)\}/g, (whole, name) => {
    if (!Object.hasOwn(vars, name)) {
      console.error(`text ${key} (${language}) wants {${name}}`);
      return whole;
    }
    const value = vars[name];
    return typeof value === 'number' ? fmt.number(value) : String(value);
  });
}

/**
 * Fills the static texts under `root`: `data-i18n="area.key"` sets an element's text,
 * `data-i18n-attr="placeholder:area.key;aria-label:area.key2"` its attributes.
 */
export function applyI18n(root = document) {
  const scope = root.querySelectorAll ? root : document;
  const own = scope.matches ? [scope] : [];
  for (const node of [...own, ...scope.querySelectorAll('[data-i18n]')]) {
    if (node.dataset?.i18n) node.textContent = t(node.dataset.i18n);
  }
  for (const node of [...own, ...scope.querySelectorAll('[data-i18n-attr]')]) {
    if (!node.dataset?.i18nAttr) continue;
    for (const pair of node.dataset.i18nAttr.split(';')) {
      const [name, key] = pair.split(':').map((s) => s.trim());
      if (name && key) node.setAttribute(name, t(key));
    }
  }
}

/** A date-only value (`2026-03-01`) is a calendar day: shown as that day in any zone. */
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

function dateOf(value) {
  if (value instanceof Date) return value;
  if (typeof value === 'string' && DATE_ONLY.test(value)) return new Date(`${value}T00:00:00Z`);
  return new Date(value);
}

const RELATIVE_UNITS = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
  ['second', 1],
];

/** Numbers, amounts, dates and times in the page language's locale (Intl). */
export const fmt = {
  /** `1 234,5` (nb), `1.234,5` (nl), `1,234.5` (en). */
  number(n, options = {}) {
    return new Intl.NumberFormat(currentLocale(), options).format(n);
  },
  /** A ratio (0.125) as a percentage: `12,5 %` (nb), `12,5%` (nl), `12.5%` (en). */
  percent(ratio, { digits = 1 } = {}) {
    return new Intl.NumberFormat(currentLocale(), { style: 'percent', maximumFractionDigits: digits }).format(ratio);
  },
  /** An amount in a currency (ISO code): `1 234,50 kr` (nb, NOK), `€ 1.234,50` (nl, EUR). */
  money(amount, currency) {
    try {
      return new Intl.NumberFormat(currentLocale(), { style: 'currency', currency }).format(amount);
    } catch {
      // Not a currency code Intl knows: the number and the code as given.
      return `${fmt.number(amount, { minimumFractionDigits: 2, maximumFractionDigits: 2 })} ${currency}`;
    }
  },
  /** A day: `7. des. 2026` (nb), `7 dec 2026` (nl), `7 Dec 2026` (en). */
  date(value) {
    const date = dateOf(value);
    if (Number.isNaN(date.getTime())) return String(value ?? '');
    const options = { day: 'numeric', month: 'short', year: 'numeric' };
    if (typeof value === 'string' && DATE_ONLY.test(value)) options.timeZone = 'UTC';
    return new Intl.DateTimeFormat(currentLocale(), options).format(date);
  },
  /** A moment, in the browser's time zone. */
  dateTime(value) {
    const date = dateOf(value);
    if (Number.isNaN(date.getTime())) return String(value ?? '');
    return new Intl.DateTimeFormat(currentLocale(), { dateStyle: 'medium', timeStyle: 'short' }).format(date);
  },
  /** A moment relative to `now`: `for 3 dager siden`, `3 dagen geleden`, `3 days ago`. */
  relative(value, now = new Date()) {
    const date = dateOf(value);
    if (Number.isNaN(date.getTime())) return String(value ?? '');
    const seconds = (date.getTime() - now.getTime()) / 1000;
    const [unit, size] = RELATIVE_UNITS.find(([, s]) => Math.abs(seconds) >= s) || RELATIVE_UNITS.at(-1);
    return new Intl.RelativeTimeFormat(currentLocale(), { numeric: 'auto' }).format(Math.round(seconds / size), unit);
  },
};

function announcer() {
  let region = $('announcer');
  if (!region) {
    region = el('div', { className: 'visually-hidden', attrs: { id: 'announcer', 'aria-live': 'polite' } });
    document.body.append(region);
  }
  return region;
}

/**
 * Says `text` through the polite live region (result counts, copies, saves). The region is
 * emptied first, so the same text said twice is heard twice.
 */
export function announce(text) {
  const region = announcer();
  region.textContent = '';
  setTimeout(() => {
    region.textContent = String(text);
  }, 50);
}

/** The pages of the navigation, in order; `admin` ones only for admins. */
const NAV = [
  { page: 'dashboard', href: '/dashboard' },
  { page: 'people', href: '/people' },
  { page: 'companies', href: '/companies' },
  { page: 'selections', href: '/selections' },
  { page: 'links', href: '/links' },
  { page: 'settings', href: '/settings', admin: true },
];

function renderHeader(header, page, who, onSignOut) {
  const current = (name) => (name === page ? { 'aria-current': 'page' } : {});
  const items = NAV.filter((item) => !item.admin || who.role === 'admin').map((item) =>
    el('li', {}, [el('a', { text: t(`nav.${item.page}`), attrs: { href: item.href, ...current(item.page) } })]),
  );
  const signOut = el('button', { text: t('common.sign_out'), className: 'sign-out', attrs: { type: 'button', id: 'sign-out' } });
  signOut.addEventListener('click', onSignOut);
  const role = t(`common.role_${who.role}`);
  header.replaceChildren(
    el('a', { text: t('common.brand'), className: 'brand', attrs: { href: '/dashboard' } }),
    el('nav', { className: 'app-nav', attrs: { 'aria-label': t('nav.label') } }, [el('ul', {}, items)]),
    el('div', { className: 'app-user' }, [
      el('a', { text: t('nav.api'), className: 'api-docs', attrs: { href: '/api/docs' } }),
      el('a', {
        text: t('nav.user', { name: who.name, role }),
        className: 'who',
        attrs: { href: '/account', id: 'who', ...current('account') },
      }),
      signOut,
    ]),
  );
}

/** Puts focus on the page's main heading, unless the user already put it somewhere. */
function focusMain() {
  const active = document.activeElement;
  if (active && active !== document.body && active !== document.documentElement) return;
  const main = $('main');
  const heading = main?.querySelector('h1') || main;
  if (!heading) return;
  if (!heading.hasAttribute('tabindex') && heading.tabIndex < 0) heading.setAttribute('tabindex', '-1');
  heading.focus();
}

/** What a page learns from its URL: the record id of `/people/123`, and the query. */
function paramsOf(location) {
  const match = /^\/[a-z]+\/(\d{1,19})$/.exec(location.pathname);
  return { id: match ? match[1] : null, query: new URLSearchParams(location.search) };
}

async function whoIsSignedIn() {
  const res = await fetch('/api/v1/me', { headers: { Accept: 'application/json' } });
  if (res.status === 401) return null;
  if (!res.ok) throw new Error(`${res.status} ${res.statusText}`);
  return res.json();
}

const NO_PREFERENCES = { language: null, columns: {} };

async function preferences() {
  try {
    const res = await fetch('/api/v1/me/preferences', { headers: { Accept: 'application/json' } });
    return res.ok ? await res.json() : NO_PREFERENCES;
  } catch {
    return NO_PREFERENCES;
  }
}

/**
 * Starts a signed-in page: signs in (else to /login and back), loads the user's language,
 * fills the static texts, renders the header into `#app-header` marking `page` current,
 * then `start(me, params)` (me = /api/v1/me with `me.preferences`; params = `{ id, query }`,
 * id the digits of `/people/123` or null, query the URLSearchParams). After it, `#app` is
 * shown and focus is on the main heading. `signOut(message)` hides and clears everything
 * fetched (after a 401, a failed start or signing out).
 */
export async function startPage({ page, start, signOut: pageSignOut = () => {} }) {
  // Signed out while starting (a 401, a failed load): the page stays hidden.
  let signedOut = false;
  const signOut = (message) => {
    signedOut = true;
    pageSignOut(message);
  };
  let who;
  let prefs;
  try {
    [who, prefs] = await Promise.all([whoIsSignedIn(), preferences()]);
  } catch (error) {
    await useLanguage(browserLanguage());
    applyI18n(document);
    signOut(t('common.unreachable', { message: error.message }));
    return;
  }
  if (!who) {
    toLogin();
    return;
  }
  who.preferences = prefs?.language === undefined ? NO_PREFERENCES : prefs;
  await useLanguage(who.preferences.language || browserLanguage());
  setSignedIn(who, signOut);
  document.body.dataset.role = who.role;
  applyI18n(document);
  // A page whose <title> has no text of its own is named after its navigation item; record
  // pages put the record's name in front once it has loaded.
  const title = document.querySelector('title');
  if (title && !title.dataset.i18n && NAV.some((item) => item.page === page)) {
    document.title = `${t(`nav.${page}`)} · ${t('common.brand')}`;
  }
  const header = $('app-header');
  if (header) {
    renderHeader(header, page, who, async () => {
      signOut('');
      try {
        await fetch('/api/v1/session', { method: 'DELETE' });
      } finally {
        location.assign('/login');
      }
    });
  }
  announcer();
  try {
    await start(who, paramsOf(location));
  } catch (error) {
    if (error instanceof SignedOut) return;
    console.error(error);
    signOut(t('common.error', { message: error.message }));
    return;
  }
  if (signedOut) return;
  const app = $('app');
  if (app) app.hidden = false;
  focusMain();
}

/**
 * Starts a page for anyone (the sign-in page): the browser's language, the static texts,
 * then `start()`.
 */
export async function startPublicPage({ start = () => {} } = {}) {
  await useLanguage(browserLanguage());
  applyI18n(document);
  announcer();
  await start();
}

/**
 * Stores the user's language (`en`, `nb`, `nl`, or null to follow the browser) on the
 * server; the caller reloads to show the page in it.
 */
export async function saveLanguage(lang) {
  await api('/api/v1/me/preferences/language', { method: 'PUT', body: lang });
}

// The API layer of the signed-in pages: the session, the API calls and safe element
// building. Pages start through shell.js (header, language, formats), which re-exports
// this module's helpers.
//
// The pages are signed in by the session cookie that /login gets (HttpOnly: no script can
// read it, and it goes out with the pages' own requests only). A page asks /api/v1/me who is
// signed in; without a session, or after a 401, it goes to /login and comes back after.
// Values from the API may come from visitors' URLs and be hostile: `el` only ever sets text.

export const $ = (id) => document.getElementById(id);

export class ApiError extends Error {}

/** Thrown after a 401, once the page is on its way to /login. */
export class SignedOut extends ApiError {
  constructor() {
    super('not signed in');
  }
}

let signOutPage = () => {};

/** Who is signed in (`/api/v1/me`), once the page has started. */
export let me = null;

/** Texts this module shows; the shell puts them in the user's language. */
export const messages = {
  sessionEnded: 'The session has ended; sign in again.',
  unreachable: (message) => `Cannot reach the collector: ${message}`,
  apiFailed: (status) => `Cannot reach the API: ${status}`,
};

/**
 * For the shell, which asks /api/v1/me itself: who is signed in (what `me` answers from
 * now on) and how the page hides everything fetched when the session ends.
 */
export function setSignedIn(who, signOut) {
  me = who;
  signOutPage = signOut;
}

/** To the sign-in page, which brings the user back here. */
export function toLogin() {
  const next = location.pathname + location.search;
  location.assign(`/login?next=${encodeURIComponent(next)}`);
}

/**
 * Starts the page for whoever is signed in: `start(me)` shows the signed-in page (the
 * header names the user and offers `#sign-out`); without a session the page goes to
 * /login. `signOut(message)` hides and clears everything fetched.
 */
export async function signInWith({ start, signOut }) {
  signOutPage = signOut;
  $('sign-out').addEventListener('click', async () => {
    signOut();
    try {
      await fetch('/api/v1/session', { method: 'DELETE' });
    } finally {
      location.assign('/login');
    }
  });
  let res;
  try {
    res = await fetch('/api/v1/me', { headers: { Accept: 'application/json' } });
  } catch (error) {
    signOut(messages.unreachable(error.message));
    return;
  }
  if (res.status === 401) {
    toLogin();
    return;
  }
  if (!res.ok) {
    signOut(messages.apiFailed(`${res.status} ${res.statusText}`));
    return;
  }
  me = await res.json();
  const who = $('who');
  if (who) who.textContent = `${me.name} · ${me.role}`;
  document.body.dataset.role = me.role;
  start(me);
}

/** Shows `message` where the page shows problems, with everything fetched cleared. */
export function signOutWith(message = '') {
  signOutPage(message);
}

/** One API call on the session; any status but 401 is the caller's to read. */
export async function request(method, path, { body, accept = 'application/json' } = {}) {
  const headers = { Accept: accept };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (res.status === 401) {
    signOutPage(messages.sessionEnded);
    toLogin();
    throw new SignedOut();
  }
  return res;
}

/**
 * One API call that must succeed: the JSON body (`null` for 204), or the response itself
 * when `accept` is not JSON. Anything else throws an `ApiError` with the API's message.
 */
export async function api(path, { method = 'GET', body, accept = 'application/json' } = {}) {
  const res = await request(method, path, { body, accept });
  if (!res.ok) {
    let message = `${res.status} ${res.statusText}`;
    try {
      message = (await res.json()).error || message;
    } catch {
      // Not JSON: keep the status line.
    }
    throw new ApiError(message);
  }
  if (accept !== 'application/json') return res;
  return res.status === 204 ? null : res.json();
}

/** An element with text (never HTML), a class, attributes and children. */
export function el(tag, { text, className, attrs } = {}, children = []) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (className) node.className = className;
  for (const [name, value] of Object.entries(attrs || {})) node.setAttribute(name, value);
  for (const child of children) node.append(child);
  return node;
}

// What the signed-in pages (/people, /dashboard, /links) share: the API token, the API
// calls and safe element building.
//
// The token stays in sessionStorage (this tab only) and goes out as a Bearer header on
// every API call; a 401 forgets it and hands the page back to its sign-in form. Values
// from the API may come from visitors' URLs and be hostile: `el` only ever sets text.

const TOKEN_KEY = 'leadtrail.api_token';

export const $ = (id) => document.getElementById(id);

const token = () => sessionStorage.getItem(TOKEN_KEY) || '';

export class ApiError extends Error {}

/** Thrown after a 401, once the page has been signed out. */
export class SignedOut extends ApiError {
  constructor() {
    super('not signed in');
  }
}

let signOutPage = () => {};

/**
 * Wires the page's sign-in form (`#sign-in-form` with `#token`) and `#sign-out` button.
 * `start()` shows the signed-in page (also at once when this tab has a token);
 * `signOut(message)` hides and clears everything fetched with the token.
 */
export function signInWith({ start, signOut }) {
  signOutPage = signOut;
  $('sign-in-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const value = $('token').value.trim();
    if (!value) return;
    sessionStorage.setItem(TOKEN_KEY, value);
    $('token').value = '';
    start();
  });
  $('sign-out').addEventListener('click', () => {
    sessionStorage.removeItem(TOKEN_KEY);
    signOut();
  });
  if (token()) start();
  else signOut();
}

/** Signs the page out with `message` (the token is forgotten). */
export function signOutWith(message = '') {
  sessionStorage.removeItem(TOKEN_KEY);
  signOutPage(message);
}

/** One API call with the token; any status but 401 is the caller's to read. */
export async function request(method, path, { body, accept = 'application/json' } = {}) {
  const headers = { Authorization: `Bearer ${token()}`, Accept: accept };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (res.status === 401) {
    signOutWith('The token was refused; sign in again.');
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

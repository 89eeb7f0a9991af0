// The sign-in page: e-mail and password to POST /api/v1/session, then back to the page
// that sent the user here (`?next=/people`), or to the dashboards. It speaks the
// browser's language (nobody is signed in yet to have chosen one).

import { startPublicPage, t } from './shell.js';

const $ = (id) => document.getElementById(id);

/** Where to go once signed in: a path on this site only, never another site. */
function next() {
  const wanted = new URLSearchParams(location.search).get('next') || '';
  const local = wanted.startsWith('/') && !wanted.startsWith('//') && !wanted.includes('\\');
  return local ? wanted : '/dashboard';
}

$('login-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  $('login-error').textContent = '';
  $('sign-in').disabled = true;
  try {
    const res = await fetch('/api/v1/session', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ email: $('email').value, password: $('password').value }),
    });
    if (res.ok) {
      // The page there puts focus on its main heading once it has started.
      location.assign(next());
      return;
    }
    let message = `${res.status} ${res.statusText}`;
    try {
      message = (await res.json()).error || message;
    } catch {
      // Not JSON: keep the status line.
    }
    $('login-error').textContent = res.status === 401 ? t('login.wrong') : message;
    $('password').value = '';
    $('password').focus();
  } catch (error) {
    $('login-error').textContent = t('common.unreachable', { message: error.message });
  } finally {
    $('sign-in').disabled = false;
  }
});

$('email').focus();
startPublicPage();

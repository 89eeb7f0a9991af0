// The invitation page (`/invite#TOKEN`): the invitee chooses a password, the invitation
// makes the user, and the page signs them in with it. It speaks the browser's language.

import { startPublicPage, t } from './shell.js';

const $ = (id) => document.getElementById(id);
const token = location.hash.slice(1);

async function post(path, body) {
  const res = await fetch(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify(body),
  });
  const answer = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(answer.error || `${res.status} ${res.statusText}`);
  return answer;
}

startPublicPage({
  start() {
    if (!/^[0-9a-f]{64}$/.test(token)) {
      $('invite-error').textContent = t('login.invite_incomplete');
      $('accept').disabled = true;
    }
  },
});

$('invite-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  $('invite-error').textContent = '';
  const password = $('password').value;
  if (password !== $('again').value) {
    $('invite-error').textContent = t('login.invite_differ');
    return;
  }
  $('accept').disabled = true;
  try {
    const user = await post('/api/v1/invitations/accept', { token, password });
    // The secret is spent: it leaves the address bar and the history.
    history.replaceState(null, '', '/invite');
    await post('/api/v1/session', { email: user.email, password });
    location.assign('/dashboard');
  } catch (error) {
    $('invite-error').textContent = error.message;
    $('accept').disabled = false;
  }
});

// The /account page: everyone's own password and API tokens (make one, see it once,
// revoke), and for admins the users (role, disable), invitations and their one-time links.
//
// Sign-in and API calls are session.js's; every value goes on the page as text.

import { $, SignedOut, api, el, signInWith, signOutWith } from './session.js';

const ROLES = ['admin', 'marketer', 'viewer'];

const day = (iso) => (iso ? iso.slice(0, 16).replace('T', ' ') : '–');

function showError(id, error) {
  if (error instanceof SignedOut) return;
  $(id).textContent = error ? String(error.message || error) : '';
}

function signOut(message = '') {
  $('app').hidden = true;
  $('sign-out').hidden = true;
  $('sign-in').hidden = false;
  $('sign-in-error').textContent = message;
  $('tokens').tBodies[0].replaceChildren();
  $('users').tBodies[0].replaceChildren();
  $('invitations').replaceChildren();
  $('new-token').hidden = true;
  $('invite-result').hidden = true;
}

// ---- tokens --------------------------------------------------------------------------

function tokenState(token) {
  if (token.revoked_at) return 'revoked';
  if (token.expires_at && Date.parse(token.expires_at) <= Date.now()) return 'expired';
  return 'active';
}

async function loadTokens() {
  const { items } = await api('/api/v1/tokens');
  const rows = items.map((token) => {
    const state = tokenState(token);
    const actions = el('td');
    if (state === 'active') {
      const revoke = el('button', { text: 'Revoke', attrs: { type: 'button' } });
      revoke.addEventListener('click', async () => {
        try {
          await api(`/api/v1/tokens/${token.id}`, { method: 'DELETE' });
          await loadTokens();
        } catch (error) {
          showError('token-error', error);
        }
      });
      actions.append(revoke);
    }
    return el('tr', { attrs: { 'data-token': String(token.id), 'data-state': state } }, [
      el('td', { text: token.name, className: 'name' }),
      el('td', { text: token.scope }),
      el('td', { text: token.user ?? 'operator' }),
      el('td', { text: day(token.created_at) }),
      el('td', { text: day(token.expires_at) }),
      el('td', { text: day(token.last_used_at) }),
      el('td', { text: state, className: 'state' }),
      actions,
    ]);
  });
  $('tokens').tBodies[0].replaceChildren(...rows);
}

$('token-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  showError('token-error', null);
  const body = { name: $('token-name').value, scope: $('token-scope').value };
  const expires = $('token-expires').value;
  // The end of the chosen day, where the user is.
  if (expires) body.expires_at = new Date(`${expires}T23:59:59`).toISOString();
  try {
    const made = await api('/api/v1/tokens', { method: 'POST', body });
    $('new-token-value').textContent = made.token;
    $('new-token').hidden = false;
    $('token-form').reset();
    await loadTokens();
  } catch (error) {
    showError('token-error', error);
  }
});

// ---- password --------------------------------------------------------------------------

$('password-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  showError('password-error', null);
  $('password-status').textContent = '';
  try {
    await api('/api/v1/me/password', {
      method: 'POST',
      body: { current_password: $('current-password').value, new_password: $('new-password').value },
    });
    $('password-form').reset();
    $('password-status').textContent = 'Changed. You are signed out everywhere else.';
  } catch (error) {
    showError('password-error', error);
  }
});

// ---- users (admins) ------------------------------------------------------------------

async function patchUser(id, body) {
  showError('users-error', null);
  try {
    await api(`/api/v1/users/${id}`, { method: 'PATCH', body });
  } catch (error) {
    showError('users-error', error);
  }
  await loadUsers();
}

async function loadUsers() {
  const { items } = await api('/api/v1/users');
  const rows = items.map((user) => {
    const role = el('select', { attrs: { 'aria-label': `role of ${user.email}` } },
      ROLES.map((r) => el('option', { text: r, attrs: { value: r } })));
    role.value = user.role;
    role.addEventListener('change', () => patchUser(user.id, { role: role.value }));
    const toggle = el('button', { text: user.disabled ? 'Enable' : 'Disable', attrs: { type: 'button' } });
    toggle.addEventListener('click', () => patchUser(user.id, { disabled: !user.disabled }));
    return el('tr', { attrs: { 'data-user': user.email } }, [
      el('td', { text: user.email }),
      el('td', { text: user.name }),
      el('td', {}, [role]),
      el('td', { text: user.disabled ? 'disabled' : 'active', className: 'state' }),
      el('td', {}, [toggle]),
    ]);
  });
  $('users').tBodies[0].replaceChildren(...rows);
}

async function loadInvitations() {
  const { items } = await api('/api/v1/invitations');
  $('invitations').replaceChildren(...(items.length === 0
    ? [el('li', { text: 'None.' })]
    : items.map((i) => el('li', { text: `${i.email} (${i.name}) as ${i.role}, until ${day(i.expires_at)}` }))));
}

$('invite-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  showError('invite-error', null);
  try {
    const made = await api('/api/v1/invitations', {
      method: 'POST',
      body: { email: $('invite-email').value, name: $('invite-name').value, role: $('invite-role').value },
    });
    $('invite-to').textContent = made.email;
    $('invite-link').textContent = made.link;
    $('invite-result').hidden = false;
    $('invite-form').reset();
    await loadInvitations();
  } catch (error) {
    showError('invite-error', error);
  }
});

async function start(me) {
  // A viewer's tokens can only read.
  $('token-scope').querySelector('option[value=write]').disabled = me.role === 'viewer';
  try {
    await loadTokens();
    if (me.role === 'admin') {
      await Promise.all([loadUsers(), loadInvitations()]);
      $('users-section').hidden = false;
    }
  } catch (error) {
    if (!(error instanceof SignedOut)) signOutWith(`Cannot reach the API: ${error.message}`);
    return;
  }
  $('sign-in').hidden = true;
  $('sign-out').hidden = false;
  $('app').hidden = false;
}

signInWith({ start, signOut });

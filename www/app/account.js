// The /account page: everyone's language, own password and API tokens (make one, see it
// once, revoke), and for admins the users (role, disable), invitations and their one-time
// links.
//
// The shell (shell.js) signs the page in and speaks the user's language; every value goes
// on the page as text.

import {
  $, LANGUAGES, SignedOut, api, browserLanguage, el, fmt, saveLanguage, signOutWith, startPage, t,
} from './shell.js';

const ROLES = ['admin', 'marketer', 'viewer'];

const day = (iso) => (iso ? fmt.dateTime(iso) : '–');
const roleName = (role) => (ROLES.includes(role) ? t(`common.role_${role}`) : role);

function showError(id, error) {
  if (error instanceof SignedOut) return;
  $(id).textContent = error ? String(error.message || error) : '';
}

function signOut(message = '') {
  $('app').hidden = true;
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
      const revoke = el('button', {
        text: t('account.revoke'),
        attrs: { type: 'button', 'aria-label': t('account.revoke_label', { name: token.name }) },
      });
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
      el('td', { text: t(`account.scope_${token.scope === 'write' ? 'write' : 'read'}`) }),
      el('td', { text: token.user ?? t('account.operator') }),
      el('td', { text: day(token.created_at) }),
      el('td', { text: day(token.expires_at) }),
      el('td', { text: day(token.last_used_at) }),
      el('td', { text: t(`account.state_${state}`), className: 'state' }),
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
    // Focus on the new token, which is shown once: a screen reader reads it out.
    $('new-token').focus();
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
    $('password-status').textContent = t('account.password_changed');
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
    const role = el('select', { attrs: { 'aria-label': t('account.role_of', { email: user.email }) } },
      ROLES.map((r) => el('option', { text: roleName(r), attrs: { value: r } })));
    role.value = user.role;
    role.addEventListener('change', () => patchUser(user.id, { role: role.value }));
    const toggle = el('button', {
      text: t(user.disabled ? 'account.enable' : 'account.disable'),
      attrs: {
        type: 'button',
        'aria-label': t(user.disabled ? 'account.enable_label' : 'account.disable_label', { email: user.email }),
      },
    });
    toggle.addEventListener('click', () => patchUser(user.id, { disabled: !user.disabled }));
    return el('tr', { attrs: { 'data-user': user.email } }, [
      el('td', { text: user.email }),
      el('td', { text: user.name }),
      el('td', {}, [role]),
      el('td', { text: t(user.disabled ? 'account.state_disabled' : 'account.state_active'), className: 'state' }),
      el('td', {}, [toggle]),
    ]);
  });
  $('users').tBodies[0].replaceChildren(...rows);
}

async function loadInvitations() {
  const { items } = await api('/api/v1/invitations');
  $('invitations').replaceChildren(...(items.length === 0
    ? [el('li', { text: t('account.none') })]
    : items.map((i) => el('li', {
      text: t('account.invitation', { email: i.email, name: i.name, role: roleName(i.role), date: day(i.expires_at) }),
    }))));
}

$('invite-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  showError('invite-error', null);
  try {
    const made = await api('/api/v1/invitations', {
      method: 'POST',
      body: { email: $('invite-email').value, name: $('invite-name').value, role: $('invite-role').value },
    });
    $('invite-to').textContent = t('account.invite_result', { email: made.email });
    $('invite-link').textContent = made.link;
    $('invite-result').hidden = false;
    $('invite-form').reset();
    await loadInvitations();
    $('invite-result').focus();
  } catch (error) {
    showError('invite-error', error);
  }
});

// ---- language ------------------------------------------------------------------------

function fillLanguages(me) {
  const browser = LANGUAGES.find((l) => l.code === browserLanguage());
  const options = [
    el('option', { text: t('common.language_browser', { language: browser.name }), attrs: { value: '' } }),
    ...LANGUAGES.map((l) => el('option', { text: l.name, attrs: { value: l.code, lang: l.code } })),
  ];
  $('language').replaceChildren(...options);
  $('language').value = me.preferences?.language ?? '';
}

$('language-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  showError('language-error', null);
  try {
    await saveLanguage($('language').value || null);
    // Every text of the page is in the new language after a reload.
    location.reload();
  } catch (error) {
    if (error instanceof SignedOut) return;
    $('language-error').textContent = t('account.language_failed', { message: error.message });
  }
});

async function start(me) {
  fillLanguages(me);
  // A viewer's tokens can only read.
  $('token-scope').querySelector('option[value=write]').disabled = me.role === 'viewer';
  try {
    await loadTokens();
    if (me.role === 'admin') {
      await Promise.all([loadUsers(), loadInvitations()]);
      $('users-section').hidden = false;
    }
  } catch (error) {
    if (!(error instanceof SignedOut)) signOutWith(t('common.api_failed', { status: error.message }));
    return;
  }
  $('sign-in').hidden = true;
}

startPage({ page: 'account', start, signOut });

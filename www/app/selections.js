// The /selections page: the saved selections with their kind and member count, each opening
// /selections/{id}. Marketers and admins rename and delete them here and start an empty
// static selection; searches are saved as selections on /people.
//
// Names come from users and are set as text only (el()), never as HTML.

import { $, announce, api, el, fmt, startPage, t } from './shell.js';
import { countText, entityText, kindText } from './selection-labels.js';

let canWrite = false;
let selections = [];

function showError(id, error) {
  $(id).textContent = error ? t('common.error', { message: error.message || String(error) }) : '';
}

async function load() {
  const { items } = await api('/api/v1/selections');
  selections = items;
  render();
}

function render(focus) {
  const body = $('selections-body');
  body.replaceChildren(...selections.map(row));
  $('empty').hidden = selections.length > 0;
  $('selections-table').hidden = selections.length === 0;
  $('selection-count').textContent = `(${fmt.number(selections.length)})`;
  if (focus) focus();
}

function row(s) {
  const link = el('a', { text: s.name, attrs: { href: `/selections/${s.id}`, id: `selection-${s.id}-name` } });
  const nameCell = el('th', { attrs: { scope: 'row' } }, [link]);
  const members = s.member_count == null ? '—' : fmt.number(s.member_count);
  const tr = el('tr', { attrs: { 'data-selection': String(s.id) } }, [
    nameCell,
    el('td', {}, [el('span', { text: kindText(s.kind), className: `kind kind-${s.kind}` })]),
    el('td', { text: entityText(s.entity), className: 'col-entity' }),
    el('td', { text: members, className: 'num', attrs: { 'data-members': String(s.member_count ?? '') } }),
  ]);
  if (canWrite) tr.append(actionsCell(s, tr, nameCell));
  return tr;
}

function actionsCell(s, tr, nameCell) {
  const cell = el('td', { className: 'actions' });
  const rename = el('button', {
    text: t('selections.rename'),
    // Named by its text; the row's name tells which selection it acts on.
    attrs: { type: 'button', 'data-action': 'rename', 'aria-describedby': `selection-${s.id}-name` },
  });
  const remove = el('button', {
    text: t('common.delete'),
    className: 'danger',
    attrs: { type: 'button', 'data-action': 'delete', 'aria-describedby': `selection-${s.id}-name` },
  });
  rename.addEventListener('click', () => startRename(s, nameCell, rename));
  remove.addEventListener('click', () => confirmDelete(s, cell, remove));
  cell.append(rename, remove);
  return cell;
}

/** Focus on the row's button `action` after the table is drawn again. */
function focusRow(id, action) {
  return () => $('selections-body').querySelector(`tr[data-selection="${id}"] [data-action="${action}"]`)?.focus();
}

function startRename(s, nameCell, renameButton) {
  const inputId = `rename-${s.id}`;
  const input = el('input', { attrs: { id: inputId, name: 'name', required: '', maxlength: '200', autocomplete: 'off' } });
  input.value = s.name;
  const error = el('span', { className: 'error', attrs: { role: 'alert' } });
  const cancel = el('button', { text: t('common.cancel'), attrs: { type: 'button' } });
  const form = el('form', { className: 'rename-form' }, [
    el('label', { text: t('selections.new_name_for', { name: s.name }), className: 'visually-hidden', attrs: { for: inputId } }),
    input,
    el('button', { text: t('common.save'), attrs: { type: 'submit' } }),
    cancel,
    error,
  ]);
  const before = [...nameCell.childNodes];
  const restore = () => {
    nameCell.replaceChildren(...before);
    renameButton.disabled = false;
    renameButton.focus();
  };
  cancel.addEventListener('click', restore);
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      restore();
    }
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      const changed = await api(`/api/v1/selections/${s.id}`, { method: 'PATCH', body: { name: input.value } });
      const index = selections.findIndex((x) => x.id === s.id);
      selections[index] = { ...selections[index], name: changed.name };
      render(focusRow(s.id, 'rename'));
      announce(t('selections.renamed', { name: changed.name }));
    } catch (err) {
      error.textContent = t('common.error', { message: err.message });
    }
  });
  renameButton.disabled = true;
  nameCell.replaceChildren(form);
  input.focus();
  input.select();
}

function confirmDelete(s, cell, deleteButton) {
  const before = [...cell.childNodes];
  const question = el('span', { text: t('selections.delete_confirm', { name: s.name }), attrs: { id: `delete-q-${s.id}` } });
  const yes = el('button', {
    text: t('common.delete'),
    className: 'danger',
    attrs: { type: 'button', 'data-action': 'confirm-delete', 'aria-describedby': `delete-q-${s.id}` },
  });
  const no = el('button', { text: t('common.cancel'), attrs: { type: 'button', 'aria-describedby': `delete-q-${s.id}` } });
  no.addEventListener('click', () => {
    cell.replaceChildren(...before);
    deleteButton.focus();
  });
  yes.addEventListener('click', async () => {
    try {
      await api(`/api/v1/selections/${s.id}`, { method: 'DELETE' });
    } catch (err) {
      showError('list-error', err);
      return;
    }
    const index = selections.findIndex((x) => x.id === s.id);
    selections.splice(index, 1);
    // Focus goes to the row that took its place, else the list's heading.
    const next = selections[index] || selections[index - 1];
    render(next ? focusRow(next.id, 'delete') : () => $('saved-title').focus());
    announce(t('selections.deleted', { name: s.name }));
  });
  cell.replaceChildren(question, yes, no);
  no.focus();
}

$('new-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  showError('new-error', null);
  try {
    const created = await api('/api/v1/selections', {
      method: 'POST',
      body: { name: $('new-name').value, entity: 'person', kind: 'static' },
    });
    location.assign(`/selections/${created.id}`);
  } catch (err) {
    showError('new-error', err);
  }
});

startPage({
  page: 'selections',
  async start(me) {
    canWrite = me.role === 'admin' || me.role === 'marketer';
    document.body.classList.toggle('can-write', canWrite);
    $('new-section').hidden = !canWrite;
    try {
      await load();
      announce(countText('selections.count', selections.length));
    } catch (err) {
      showError('list-error', err);
    }
  },
  signOut(message = '') {
    $('page-error').textContent = message;
    selections = [];
    $('selections-body').replaceChildren();
    $('app').hidden = true;
  },
});

// The board of a selection of persons: a column per lead status, a card per member. A
// marketer changes a person's status by dragging the card to another column or, without a
// mouse, with the card's "Move to…" menu (arrow keys, Enter, Escape); either way the change
// goes to PATCH /api/v1/persons/{id}, which records it in the status history with who made
// it. When the selection's criteria ask for a status, the board is read again (the person
// may have left it); else the card moves on the page without another reading.
//
// Every value on a card may come from a visitor's URL: set as text only (el()).

import { announce, api, el, fmt, t } from './shell.js';
import { statusLabel } from './columns.js';

const CARDS_PER_COLUMN = 100;
const DRAG_TYPE = 'application/x-leadtrail-person';

let state = null; // { root, selectionId, canWrite, companies, lookupCompanies, onChange, columns, byStatus }

/** True when a criteria tree (of a dynamic selection) names the lead status anywhere. */
function asksForStatus(node) {
  if (!node || typeof node !== 'object') return false;
  if (node.field === 'status') return true;
  return [...(node.all || []), ...(node.any || [])].some(asksForStatus);
}

/**
 * The board of `selection`, drawn into `root`. `companies` maps company ids to names,
 * which `lookupCompanies(ids)` fills; `onChange(board)` runs whenever the columns change.
 */
export async function showBoard({ root, selection, canWrite, companies, lookupCompanies, onChange = () => {} }) {
  state = {
    root,
    selectionId: selection.id,
    canWrite,
    companies,
    lookupCompanies,
    onChange,
    columns: [],
    byStatus: selection.kind === 'dynamic' && asksForStatus(selection.criteria),
  };
  await reload();
}

/** Removes the board and everything fetched for it. */
export function clearBoard() {
  closeMenu(false);
  if (state) state.root.replaceChildren();
  state = null;
}

async function reload(focus) {
  const data = await api(`/api/v1/selections/${state.selectionId}/board?limit=${CARDS_PER_COLUMN}`);
  if (!state) return;
  state.columns = data.columns;
  await state.lookupCompanies(data.columns.flatMap((c) => c.items.map((p) => p.company_id)));
  draw();
  state.onChange(data);
  if (focus) focus();
}

function nameOf(person) {
  return person.name || person.email;
}

function draw() {
  const { root, columns } = state;
  root.replaceChildren(...columns.map(column));
}

function column(col) {
  const headingId = `board-col-${col.status}`;
  const list = el('ul', { className: 'board-cards', attrs: { 'aria-labelledby': headingId } });
  for (const person of col.items) list.append(card(person, col.status));
  if (col.items.length === 0) list.append(el('li', { text: t('board.empty_column'), className: 'board-empty' }));
  const section = el('section', { className: 'board-column', attrs: { 'data-status': col.status } }, [
    el('h3', { attrs: { id: headingId, tabindex: '-1' } }, [
      el('span', { text: statusLabel(col.status) }),
      el('span', { text: ` (${fmt.number(col.total)})`, className: 'count', attrs: { 'data-total': String(col.total) } }),
    ]),
    list,
  ]);
  if (col.total > col.items.length) {
    section.append(
      el('p', {
        className: 'hint',
        text: t('board.showing', { shown: fmt.number(col.items.length), total: fmt.number(col.total) }),
      }),
    );
  }
  if (state.canWrite) dropZone(section, col.status);
  return section;
}

function card(person, status) {
  const name = nameOf(person);
  const nameId = `card-${person.id}-name`;
  const lead = person.lead_generation || {};
  const leadText = [lead.source, lead.campaign].filter(Boolean).join(' · ');
  const company = person.company_id == null ? null : state.companies.get(person.company_id);
  const item = el('li', {
    className: 'card',
    attrs: { 'data-person': String(person.id), 'data-status': status, 'aria-labelledby': nameId },
  }, [
    el('a', { text: name, className: 'card-name', attrs: { id: nameId, href: `/people/${person.id}` } }),
  ]);
  if (person.name) item.append(el('span', { text: person.email, className: 'card-email' }));
  if (company) item.append(el('span', { text: company, className: 'card-company' }));
  item.append(
    el('span', { className: 'card-lead' }, [
      el('span', { text: `${t('board.lead_generation')}: `, className: 'card-label' }),
      el('span', { text: leadText || t('board.no_source') }),
    ]),
  );
  if (state.canWrite) {
    item.draggable = true;
    item.addEventListener('dragstart', (event) => {
      event.dataTransfer.setData(DRAG_TYPE, String(person.id));
      event.dataTransfer.setData('text/plain', name);
      event.dataTransfer.effectAllowed = 'move';
      item.classList.add('dragging');
    });
    item.addEventListener('dragend', () => item.classList.remove('dragging'));
    item.append(moveButton(person, status));
  }
  return item;
}

function dropZone(section, status) {
  const accepts = (event) => event.dataTransfer && [...event.dataTransfer.types].includes(DRAG_TYPE);
  section.addEventListener('dragover', (event) => {
    if (!accepts(event)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'move';
    section.classList.add('drop-target');
  });
  section.addEventListener('dragleave', (event) => {
    if (!section.contains(event.relatedTarget)) section.classList.remove('drop-target');
  });
  section.addEventListener('drop', (event) => {
    if (!accepts(event)) return;
    event.preventDefault();
    section.classList.remove('drop-target');
    const id = Number(event.dataTransfer.getData(DRAG_TYPE));
    if (Number.isSafeInteger(id)) move(id, status, false);
  });
}

function findPerson(id) {
  for (const col of state.columns) {
    const person = col.items.find((p) => p.id === id);
    if (person) return { person, status: col.status };
  }
  return null;
}

/** Changes the person's status; `byKeyboard` puts focus back on the card's button after. */
async function move(id, to, byKeyboard) {
  const found = findPerson(id);
  if (!found || found.status === to) return;
  const name = nameOf(found.person);
  let person;
  try {
    person = await api(`/api/v1/persons/${id}`, { method: 'PATCH', body: { status: to } });
  } catch (error) {
    announce(t('board.move_failed', { name, message: error.message }));
    return;
  }
  if (!state.byStatus) {
    moveHere(person, found.status, to);
    const moved = state.root.querySelector(`.card[data-person="${id}"]`);
    if (byKeyboard) moved?.querySelector('.card-move')?.focus();
    announce(t('board.moved', { name, status: statusLabel(to) }));
    return;
  }
  await reload(() => {
    const moved = state.root.querySelector(`.card[data-person="${id}"]`);
    if (moved) {
      if (byKeyboard) moved.querySelector('.card-move')?.focus();
      announce(t('board.moved', { name, status: statusLabel(to) }));
    } else {
      // A dynamic selection whose criteria the new status no longer meets.
      if (byKeyboard) state.root.querySelector(`#board-col-${to}`)?.focus();
      announce(t('board.moved_out', { name, status: statusLabel(to) }));
    }
  });
}

/** The card of `person` from column `from` to `to`, in id order as the API lists them. */
function moveHere(person, from, to) {
  const source = state.columns.find((c) => c.status === from);
  const target = state.columns.find((c) => c.status === to);
  source.items = source.items.filter((p) => p.id !== person.id);
  source.total -= 1;
  const at = target.items.findIndex((p) => p.id > person.id);
  target.items.splice(at < 0 ? target.items.length : at, 0, person);
  target.total += 1;
  draw();
  state.onChange({ columns: state.columns });
}

// ---- the "Move to…" menu ------------------------------------------------------------------

let open = null; // { button, menu }

function moveButton(person, status) {
  const menuId = `move-menu-${person.id}`;
  const button = el('button', {
    text: t('board.move_to'),
    className: 'card-move',
    attrs: {
      type: 'button',
      'aria-haspopup': 'menu',
      'aria-expanded': 'false',
      'aria-controls': menuId,
      // Named by its text; the card's name tells which person it moves.
      'aria-describedby': `card-${person.id}-name`,
    },
  });
  button.addEventListener('click', () => (open?.button === button ? closeMenu(true) : openMenu(button, person, status, 0)));
  button.addEventListener('keydown', (event) => {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      openMenu(button, person, status, event.key === 'ArrowUp' ? -1 : 0);
    }
  });
  return button;
}

function openMenu(button, person, status, focusIndex) {
  closeMenu(false);
  const menu = el('ul', {
    className: 'move-menu',
    attrs: { role: 'menu', id: button.getAttribute('aria-controls'), 'aria-label': t('board.move_named', { name: nameOf(person) }) },
  });
  for (const col of state.columns) {
    if (col.status === status) continue;
    const item = el('li', {
      text: statusLabel(col.status),
      attrs: { role: 'menuitem', tabindex: '-1', 'data-status': col.status },
    });
    item.addEventListener('click', () => choose(col.status));
    menu.append(item);
  }
  const items = () => [...menu.querySelectorAll('[role=menuitem]')];
  const focusAt = (i) => {
    const all = items();
    all[(i + all.length) % all.length].focus();
  };
  const choose = (to) => {
    closeMenu(false);
    move(person.id, to, true);
  };
  menu.addEventListener('keydown', (event) => {
    const all = items();
    const at = all.indexOf(document.activeElement);
    switch (event.key) {
      case 'ArrowDown':
        focusAt(at + 1);
        break;
      case 'ArrowUp':
        focusAt(at - 1);
        break;
      case 'Home':
        focusAt(0);
        break;
      case 'End':
        focusAt(-1);
        break;
      case 'Enter':
      case ' ':
        if (at >= 0) choose(all[at].dataset.status);
        break;
      case 'Escape':
        closeMenu(true);
        break;
      case 'Tab':
        closeMenu(false);
        return; // Tab moves on as usual.
      default:
        return;
    }
    event.preventDefault();
    event.stopPropagation();
  });
  button.after(menu);
  button.setAttribute('aria-expanded', 'true');
  open = { button, menu };
  focusAt(focusIndex);
}

function closeMenu(returnFocus) {
  if (!open) return;
  const { button, menu } = open;
  open = null;
  menu.remove();
  button.setAttribute('aria-expanded', 'false');
  if (returnFocus) button.focus();
}

// A click elsewhere closes the menu, leaving focus where the click put it.
document.addEventListener('pointerdown', (event) => {
  if (open && !open.menu.contains(event.target) && event.target !== open.button) closeMenu(false);
});

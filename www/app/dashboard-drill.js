// The drill-down: the persons behind a tile's row, in a modal <dialog>. Focus goes to the
// dialog's title when it opens; Escape or "Close" closes it and focus returns to what
// opened it (a row's button, a number, the tile of a chart).

import { $, api, el, fmt, t } from './shell.js';

let opener = null;
let generation = 0;

const dialog = () => $('drill');

function rowOf(person) {
  const name = person.name || person.email;
  const link = el('a', { text: name, attrs: { href: `/people/${encodeURIComponent(person.id)}` } });
  return el('tr', {}, [
    el('td', {}, [link]),
    el('td', { text: person.email }),
    el('td', { text: person.country }),
    el('td', { text: person.lead_generation?.source }),
    el('td', { text: person.lead_generation?.campaign }),
    el('td', { text: person.created_at ? fmt.date(person.created_at) : '' }),
  ]);
}

function message(text, className = '') {
  return el('tr', {}, [el('td', { text, className, attrs: { colspan: '6' } })]);
}

/** Lists the persons of `tileId` (`params`: the filters and the row's key) under `title`. */
export async function openDrill({ tileId, title, params, from }) {
  const box = dialog();
  opener = from || null;
  const mine = ++generation;
  $('drill-title').textContent = title;
  $('drill-count').textContent = '';
  const body = $('drill-table').tBodies[0];
  body.replaceChildren(message(t('dashboard.loading')));
  if (!box.open) box.showModal();
  $('drill-title').focus();
  try {
    const answer = await api(`/api/v1/tiles/${encodeURIComponent(tileId)}/persons?${params}`);
    if (mine !== generation) return;
    body.replaceChildren(...answer.items.map(rowOf));
    if (answer.items.length === 0) body.append(message(t('dashboard.nobody')));
    $('drill-count').textContent = t('dashboard.drill_count', { count: fmt.number(answer.items.length) });
  } catch (error) {
    if (mine !== generation) return;
    body.replaceChildren(message(error.message, 'error'));
  }
}

export function closeDrill() {
  if (dialog().open) dialog().close();
}

export function setUpDrill() {
  const box = dialog();
  $('drill-close').addEventListener('click', () => box.close());
  // Escape closes a modal dialog by itself ('cancel', then 'close'); every way out ends here.
  box.addEventListener('close', () => {
    generation++;
    $('drill-table').tBodies[0].replaceChildren();
    const back = opener;
    opener = null;
    if (back && back.isConnected) back.focus();
  });
  // A click on the backdrop (outside the dialog's box) closes it too.
  box.addEventListener('click', (event) => {
    if (event.target === box) box.close();
  });
}

// The columns gear of the app's tables: the user ticks which columns a table shows and puts
// them in order; the choice is stored per user on the server
// (PUT /api/v1/me/preferences/columns/{table}) and found again on every page load.
//
//   const gear = columnsGear({ table: 'company.persons', columns, defaults, onChange });
//   toolbar.append(gear.button);      // the gear: a <button> that opens the dialog
//   render(gear.visible());           // the visible columns' ids, in order
//   gear.remove();                    // when the page drops the table (the dialog goes too)
//
// `columns` are `{ id, label, value(row) }` (ids: [a-z0-9_.-]{1,64}); `defaults` are the ids
// shown until the user chooses; `onChange(visibleIds)` runs when the stored choice has been
// read and after every save. `saved` (optional) is the stored list when the page already has
// it; else it comes from `me.preferences` or GET /api/v1/me/preferences.
// `personColumns(fmt, { owners, companies })` are the columns every table of persons offers
// (the lead columns among them), `PERSON_DEFAULTS` the ones shown first; `fillTable` draws
// rows in the chosen columns; `statusLabel` and `channelLabel` name a lead status and a
// channel in the user's language.
//
// Labels are the caller's (translated); the gear's own texts are the `columns` area of the
// catalogues. Everything is set as text: column labels and values are never HTML.

import { api, el, me } from './session.js';
import { t, announce } from './shell.js';

let dialogCount = 0;

/** The ids of `columns` a stored list names, in its order; `null` when nothing usable is stored. */
function usable(stored, columns) {
  if (!Array.isArray(stored)) return null;
  const known = new Set(columns.map((c) => c.id));
  const ids = [...new Set(stored.filter((id) => known.has(id)))];
  return ids.length ? ids : null;
}

/** What the server has stored for `table`, or `undefined` when it cannot say. */
async function storedColumns(table) {
  const fromMe = me?.preferences?.columns;
  if (fromMe && typeof fromMe === 'object') return fromMe[table];
  try {
    const prefs = await api('/api/v1/me/preferences');
    return prefs?.columns?.[table];
  } catch {
    return undefined;
  }
}

export function columnsGear({ table, columns, defaults, onChange = () => {}, saved }) {
  const byId = new Map(columns.map((c) => [c.id, c]));
  const fallback = usable(defaults, columns) || columns.map((c) => c.id);
  let current = usable(saved, columns) || fallback;
  const id = `columns-dialog-${++dialogCount}`;

  const button = el('button', {
    className: 'columns-gear',
    attrs: {
      type: 'button',
      'aria-label': t('columns.gear'),
      title: t('columns.gear'),
      'aria-haspopup': 'dialog',
      'aria-expanded': 'false',
      'aria-controls': id,
      'data-table': table,
    },
  });
  // The gear glyph is decoration; the button's name is its aria-label.
  button.append(el('span', { text: '⚙', attrs: { 'aria-hidden': 'true' } }), el('span', { text: t('columns.gear_text'), className: 'columns-gear-text' }));

  const titleId = `${id}-title`;
  const list = el('ol', { className: 'columns-list' });
  const error = el('p', { className: 'columns-error', attrs: { role: 'alert' } });
  const save = el('button', { text: t('columns.save'), attrs: { type: 'submit', value: 'save' } });
  const reset = el('button', { text: t('columns.reset'), attrs: { type: 'button' } });
  const cancel = el('button', { text: t('columns.cancel'), attrs: { type: 'button' } });
  const form = el('form', { attrs: { method: 'dialog' } }, [
    el('h2', { text: t('columns.title'), attrs: { id: titleId } }),
    el('p', { text: t('columns.hint'), className: 'columns-hint' }),
    list,
    error,
    el('div', { className: 'columns-actions' }, [save, reset, cancel]),
  ]);
  const dialog = el('dialog', { className: 'columns-dialog', attrs: { id, 'aria-labelledby': titleId } }, [form]);

  // The dialog's working copy: every column in order, and which are ticked.
  let order = [];
  let shown = new Set();

  function draw(focus) {
    list.replaceChildren();
    order.forEach((colId, index) => {
      const col = byId.get(colId);
      const boxId = `${id}-${index}`;
      const box = el('input', { attrs: { type: 'checkbox', id: boxId, 'data-column': colId } });
      box.checked = shown.has(colId);
      box.addEventListener('change', () => {
        if (box.checked) shown.add(colId);
        else shown.delete(colId);
        error.textContent = '';
      });
      const up = el('button', {
        text: '↑',
        className: 'columns-move',
        attrs: { type: 'button', 'data-move': 'up', 'aria-label': t('columns.move_up', { name: col.label }) },
      });
      const down = el('button', {
        text: '↓',
        className: 'columns-move',
        attrs: { type: 'button', 'data-move': 'down', 'aria-label': t('columns.move_down', { name: col.label }) },
      });
      up.disabled = index === 0;
      down.disabled = index === order.length - 1;
      up.addEventListener('click', () => move(index, -1, 'up'));
      down.addEventListener('click', () => move(index, 1, 'down'));
      list.append(
        el('li', { attrs: { 'data-column': colId } }, [
          box,
          el('label', { text: col.label, attrs: { for: boxId } }),
          el('span', { className: 'columns-moves' }, [up, down]),
        ]),
      );
    });
    if (focus) {
      const item = list.querySelector(`li[data-column="${CSS.escape(focus.column)}"]`);
      const target = item?.querySelector(`[data-move="${focus.move}"]`);
      // At the top or bottom the pressed button is disabled: keep focus in the row.
      (target && !target.disabled ? target : item?.querySelector('button:not([disabled])'))?.focus();
    }
  }

  function move(index, by, direction) {
    const to = index + by;
    if (to < 0 || to >= order.length) return;
    const colId = order[index];
    [order[index], order[to]] = [order[to], order[index]];
    draw({ column: colId, move: direction });
    announce(t('columns.moved', { name: byId.get(colId).label, position: String(to + 1), count: String(order.length) }));
  }

  function open() {
    order = [...current, ...columns.map((c) => c.id).filter((c) => !current.includes(c))];
    shown = new Set(current);
    error.textContent = '';
    draw();
    button.setAttribute('aria-expanded', 'true');
    dialog.showModal();
    list.querySelector('input')?.focus();
  }

  function closed() {
    button.setAttribute('aria-expanded', 'false');
    button.focus();
  }

  function close() {
    if (!dialog.open) return;
    dialog.close();
    closed();
  }

  // Escape closes the dialog without a call to close(): the 'close' event follows it.
  dialog.addEventListener('close', closed);
  button.addEventListener('click', open);
  cancel.addEventListener('click', close);
  reset.addEventListener('click', () => {
    order = [...fallback, ...columns.map((c) => c.id).filter((c) => !fallback.includes(c))];
    shown = new Set(fallback);
    error.textContent = '';
    draw();
    list.querySelector('input')?.focus();
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const chosen = order.filter((c) => shown.has(c));
    if (!chosen.length) {
      error.textContent = t('columns.none_chosen');
      return;
    }
    save.disabled = true;
    try {
      await api(`/api/v1/me/preferences/columns/${encodeURIComponent(table)}`, { method: 'PUT', body: chosen });
    } catch (err) {
      error.textContent = t('columns.save_failed', { reason: err.message });
      return;
    } finally {
      save.disabled = false;
    }
    current = chosen;
    // What the page learnt at sign-in follows the save: a gear made again later (another
    // view of the same table) starts from this choice.
    if (me?.preferences?.columns && typeof me.preferences.columns === 'object') me.preferences.columns[table] = [...chosen];
    close();
    announce(t('columns.saved'));
    onChange(visible());
  });

  function visible() {
    return [...current];
  }

  document.body.append(dialog);
  const ready =
    saved !== undefined
      ? Promise.resolve(visible())
      : storedColumns(table).then((stored) => {
          const ids = usable(stored, columns);
          if (ids) current = ids;
          onChange(visible());
          return visible();
        });

  /** Takes the gear and its dialog off the page (a page that makes the table again). */
  function remove() {
    if (dialog.open) dialog.close();
    dialog.remove();
    button.remove();
  }

  return { button, dialog, visible, ready, close, remove };
}

// The channels the collector classifies into; their names are the person card's texts
// (`person.channel_*`).
const CHANNELS = new Set([
  'direct', 'organic_search', 'paid_search', 'organic_social', 'paid_social', 'email', 'affiliates',
  'referral', 'display', 'organic_video', 'paid_video', 'organic_shopping', 'paid_shopping', 'sms',
  'audio', 'cross_network', 'paid_other', 'mobile_push', 'ai_assistants', 'untracked', 'unassigned',
]);

/** A channel id in the user's language (one the app does not know, as it is). */
export function channelLabel(id) {
  if (!id) return null;
  return CHANNELS.has(id) ? t(`person.channel_${id}`) : id;
}

const STATUSES = ['open', 'in_progress', 'qualified', 'disqualified'];

/** A lead status in the user's language (an unknown one as it is). */
export function statusLabel(status) {
  return STATUSES.includes(status) ? t(`columns.status_${status}`) : status;
}

/**
 * The columns a table of persons offers, with the lead columns: first interaction and lead
 * generation source / medium / campaign (and channel), status, owner, created; and name,
 * e-mail, company, country. `owners` maps an associate id to a name; `companies` a company id to a name.
 */
export function personColumns(fmt, { owners = new Map(), companies = new Map() } = {}) {
  const touch = (role, field) => ({
    id: `${role}.${field}`,
    label: t(`columns.${role}_${field}`),
    value: (p) => p[role]?.[field] ?? null,
  });
  return [
    { id: 'name', label: t('columns.name'), value: (p) => p.name },
    { id: 'email', label: t('columns.email'), value: (p) => p.email },
    {
      id: 'company',
      label: t('columns.company'),
      value: (p) => (p.company_id == null ? null : companies.get(p.company_id) ?? `#${p.company_id}`),
    },
    { id: 'country', label: t('columns.country'), value: (p) => p.country },
    touch('first_interaction', 'source'),
    touch('first_interaction', 'medium'),
    touch('first_interaction', 'campaign'),
    { ...touch('first_interaction', 'channel'), value: (p) => channelLabel(p.first_interaction?.channel) },
    touch('lead_generation', 'source'),
    touch('lead_generation', 'medium'),
    touch('lead_generation', 'campaign'),
    { ...touch('lead_generation', 'channel'), value: (p) => channelLabel(p.lead_generation?.channel) },
    { id: 'status', label: t('columns.status'), value: (p) => statusLabel(p.status) },
    {
      id: 'owner',
      label: t('columns.owner'),
      value: (p) => (p.owner_id == null ? null : owners.get(p.owner_id) ?? `#${p.owner_id}`),
    },
    { id: 'created_at', label: t('columns.created'), value: (p) => (p.created_at ? fmt.date(p.created_at) : null) },
  ];
}

/** The lead columns shown until a user chooses. */
export const PERSON_DEFAULTS = [
  'name',
  'email',
  'first_interaction.source',
  'first_interaction.medium',
  'first_interaction.campaign',
  'lead_generation.source',
  'lead_generation.medium',
  'lead_generation.campaign',
  'status',
  'owner',
  'created_at',
];

/**
 * Fills `table` (a <table> with a <thead> and a <tbody>) with `rows` in the `visibleIds`
 * columns, in order. `href(row)` makes the first column's value a link to the row's page;
 * an empty value shows as `—` (a link as the row's `#id`).
 */
export function fillTable(table, columns, visibleIds, rows, { href } = {}) {
  const byId = new Map(columns.map((c) => [c.id, c]));
  const cols = visibleIds.map((id) => byId.get(id)).filter(Boolean);
  table.tHead.replaceChildren(
    el('tr', {}, cols.map((c) => el('th', { text: c.label, attrs: { scope: 'col', 'data-column': c.id } }))),
  );
  table.tBodies[0].replaceChildren(
    ...rows.map((row) =>
      el(
        'tr',
        {},
        cols.map((c, index) => {
          const value = c.value(row);
          const text = value === null || value === undefined || value === '' ? '—' : String(value);
          if (index === 0 && href) {
            // A link needs a name: an empty first column links as the row's id.
            const name = text === '—' ? `#${row.id}` : text;
            return el('td', { attrs: { 'data-column': c.id } }, [el('a', { text: name, attrs: { href: href(row) } })]);
          }
          return el('td', { text, attrs: { 'data-column': c.id } });
        }),
      ),
    ),
  );
}

// Shows visitors of the demo site what the tracker would attach to a form right now,
// through the public JS API (window.leadtrail). Values are written with textContent only:
// they come from the URL and are never trusted as HTML.
const panel = document.getElementById('attribution');

function withDate(ms) {
  const date = new Date(Number(ms));
  return Number.isNaN(date.getTime()) ? ms : `${ms} (${date.toISOString()})`;
}

if (panel && window.leadtrail) {
  window.leadtrail.ready.then(() => {
    const fields = window.leadtrail.attribution();
    const list = document.createElement('dl');
    list.className = 'touch';
    for (const [name, value] of Object.entries(fields)) {
      const term = document.createElement('dt');
      term.textContent = name;
      const detail = document.createElement('dd');
      detail.textContent = name.endsWith('_at') ? withDate(value) : value;
      list.append(term, detail);
    }
    const status = panel.querySelector('[data-status]');
    status.textContent = Object.keys(fields).length
      ? 'These hidden fields are added to the form when you submit it:'
      : 'The tracker is not active in this browser (blocked, opted out or failed to load); the form still works.';
    panel.append(list);
  });
}

// A customer site whose pages post their forms with the libraries real sites use — htmx,
// jQuery, Preact, plain fetch — and pages under a Content-Security-Policy. It runs on
// `localhost:PORT` (another origin than the collector on 127.0.0.1), embeds the tracker as
// the README says, and serves the libraries from the repository's node_modules, exactly
// as npm installed them.
//
// Each page shows the outcome of its post in `#result` with `data-status` (the HTTP status
// the page saw, or `error`), so a test reads what the visitor would see.

import { readFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { REPO } from './harness.mjs';

/** The library files a page may load, by the path the site serves them at. */
const VENDOR = {
  '/vendor/htmx.min.js': 'node_modules/htmx.org/dist/htmx.min.js',
  '/vendor/jquery.min.js': 'node_modules/jquery/dist/jquery.min.js',
  '/vendor/preact.module.js': 'node_modules/preact/dist/preact.module.js',
  '/vendor/preact-hooks.module.js': 'node_modules/preact/hooks/dist/hooks.module.js',
};

/** The policy a site with a CSP needs for the tracker (see the CSP pages below). */
export function trackerPolicy(collectorUrl, { wasm = true } = {}) {
  return [
    "default-src 'self'",
    `script-src 'self' ${collectorUrl}${wasm ? " 'wasm-unsafe-eval'" : ''}`,
    // The wasm-bindgen glue fetches the module.
    `connect-src 'self' ${collectorUrl}`,
    // The form posts to the collector, which redirects back to the site.
    `form-action 'self' ${collectorUrl}`,
  ].join('; ');
}

function page({ title, head = '', body, collectorUrl }) {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${title} · Acme Industries</title>
<script type="module" src="${collectorUrl}/leadtrail.js"></script>
${head}
</head><body>
<main>${body}</main>
</body></html>`;
}

const fields = `
  <label>Name <input name="name" autocomplete="name"></label>
  <label>Work e-mail <input name="email" type="email" required></label>`;

const pages = {
  // htmx 2 posting across origins: htmx only sends to its own origin unless told
  // otherwise, and adds its HX-* headers (so the browser asks a preflight first). The
  // tracker fills the form on submit; htmx swaps the collector's JSON answer in.
  '/htmx': (c) =>
    page({
      title: 'htmx',
      collectorUrl: c,
      head: `<meta name="htmx-config" content='{"selfRequestsOnly": false}'>
<script src="/vendor/htmx.min.js"></script>`,
      body: `<h1>Get a demo</h1>
<form id="lead" hx-post="${c}/f/htmx-signup" hx-target="#result">${fields}
  <button type="submit">Sign up</button>
</form>
<output id="result"></output>
<script>
document.body.addEventListener('htmx:afterRequest', (event) => {
  document.getElementById('result').dataset.status = event.detail.successful ? String(event.detail.xhr.status) : 'error';
});
</script>`,
    }),

  // jQuery in the form's submit handler: the tracker has filled the form before the
  // handler runs, so serialize() carries the fields. No dataType: Accept is */*.
  '/jquery-submit': (c) =>
    page({
      title: 'jQuery',
      collectorUrl: c,
      head: '<script src="/vendor/jquery.min.js"></script>',
      body: `<h1>Get a demo</h1>
<form id="lead" action="${c}/f/jquery-submit" method="post">${fields}
  <button type="submit">Sign up</button>
</form>
<output id="result"></output>
<script>
$('#lead').on('submit', function (event) {
  event.preventDefault();
  $.ajax({ url: this.action, method: 'POST', data: $(this).serialize() })
    .done((body, _text, xhr) => $('#result').text(xhr.responseText).attr('data-status', xhr.status))
    .fail((xhr) => $('#result').text(xhr.responseText || 'failed').attr('data-status', 'error'));
});
</script>`,
    }),

  // jQuery in a button's click handler: no submit event, so the page asks the tracker for
  // the fields with window.leadtrail.attribution() and adds them itself.
  '/jquery-click': (c) =>
    page({
      title: 'jQuery',
      collectorUrl: c,
      head: '<script src="/vendor/jquery.min.js"></script>',
      body: `<h1>Get a demo</h1>
<div id="lead">${fields}
  <button id="send" type="button">Sign up</button>
</div>
<output id="result"></output>
<script>
$('#send').on('click', async () => {
  await window.leadtrail?.ready;
  const attribution = window.leadtrail?.attribution() ?? {};
  const data = $('#lead :input').serialize() + '&' + $.param(attribution);
  $.ajax({ url: '${c}/f/jquery-click', method: 'POST', data })
    .done((body, _text, xhr) => $('#result').text(xhr.responseText).attr('data-status', xhr.status))
    .fail((xhr) => $('#result').text(xhr.responseText || 'failed').attr('data-status', 'error'));
});
</script>`,
    }),

  // Preact with controlled inputs posting JSON: a framework builds its own body, so it
  // spreads window.leadtrail.attribution() into it.
  '/preact': (c) =>
    page({
      title: 'Preact',
      collectorUrl: c,
      head: `<script type="importmap">{"imports": {"preact": "/vendor/preact.module.js", "preact/hooks": "/vendor/preact-hooks.module.js"}}</script>`,
      body: `<h1>Get a demo</h1><div id="app"></div>
<script type="module">
import { h, render } from 'preact';
import { useState } from 'preact/hooks';

function SignUp() {
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [outcome, setOutcome] = useState(null);
  async function submit(event) {
    event.preventDefault();
    await window.leadtrail?.ready;
    const attribution = window.leadtrail?.attribution() ?? {};
    try {
      const response = await fetch('${c}/f/preact-signup', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({ name, email, ...attribution }),
      });
      setOutcome({ status: String(response.status), text: await response.text() });
    } catch (error) {
      setOutcome({ status: 'error', text: String(error) });
    }
  }
  return h('form', { id: 'lead', onSubmit: submit }, [
    h('label', null, ['Name ', h('input', { name: 'name', value: name, onInput: (e) => setName(e.currentTarget.value) })]),
    h('label', null, ['Work e-mail ', h('input', { name: 'email', type: 'email', required: true, value: email, onInput: (e) => setEmail(e.currentTarget.value) })]),
    h('button', { type: 'submit' }, 'Sign up'),
    outcome && h('output', { id: 'result', 'data-status': outcome.status }, outcome.text),
  ]);
}
render(h(SignUp), document.getElementById('app'));
</script>`,
    }),

  // Plain fetch with new FormData(form): the browser's formdata event lets the tracker
  // add its fields, and fetch sends no Accept of its own.
  '/fetch-formdata': (c) =>
    page({
      title: 'fetch',
      collectorUrl: c,
      body: `<h1>Get a demo</h1>
<form id="lead" action="${c}/f/fetch-formdata" method="post">${fields}
  <button type="submit">Sign up</button>
</form>
<output id="result"></output>
<script>
document.getElementById('lead').addEventListener('submit', async (event) => {
  event.preventDefault();
  const result = document.getElementById('result');
  try {
    const response = await fetch(event.target.action, { method: 'POST', body: new FormData(event.target) });
    result.textContent = await response.text();
    result.dataset.status = String(response.status);
  } catch (error) {
    result.textContent = String(error);
    result.dataset.status = 'error';
  }
});
</script>`,
    }),

  // A plain form under a CSP that allows the tracker (its script and 'wasm-unsafe-eval').
  '/csp-with-wasm': (c) => ({
    csp: trackerPolicy(c),
    html: page({ title: 'CSP', collectorUrl: c, body: cspForm(c, 'csp-with-wasm') }),
  }),
  // The same without 'wasm-unsafe-eval': the module cannot compile, the form still works.
  '/csp-without-wasm': (c) => ({
    csp: trackerPolicy(c, { wasm: false }),
    html: page({ title: 'CSP', collectorUrl: c, body: cspForm(c, 'csp-without-wasm') }),
  }),
  '/thanks': (c) => page({ title: 'Thanks', collectorUrl: c, body: '<h1 id="thanks">Thanks, we will be in touch.</h1>' }),
};

function cspForm(collectorUrl, key) {
  return `<h1>Get a demo</h1>
<form id="lead" method="post" action="${collectorUrl}/f/${key}">
  <input type="hidden" name="_redirect" value="__SITE__/thanks">${fields}
  <button type="submit">Sign up</button>
</form>`;
}

/** Starts the site; `url` is its origin. */
export async function startLibrarySite(collectorUrl) {
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, `http://${req.headers.host}`);
    const site = `http://${req.headers.host}`;
    const send = (status, type, body, extra = {}) => {
      res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store', ...extra });
      res.end(body);
    };
    try {
      if (VENDOR[url.pathname]) {
        return send(200, 'text/javascript; charset=utf-8', await readFile(path.join(REPO, VENDOR[url.pathname])));
      }
      if (url.pathname === '/favicon.ico') return send(204, 'image/x-icon', '');
      const make = pages[url.pathname];
      if (!make) return send(404, 'text/plain', 'not found');
      const made = make(collectorUrl);
      const { html, csp } = typeof made === 'string' ? { html: made } : made;
      return send(200, 'text/html; charset=utf-8', html.replaceAll('__SITE__', site), csp ? { 'Content-Security-Policy': csp } : {});
    } catch (error) {
      return send(error.code === 'ENOENT' ? 404 : 500, 'text/plain', String(error));
    }
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return {
    url: `http://localhost:${server.address().port}`,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// What the tracker costs a page, in headless Chromium (run by `cargo xtask bench tracker`):
// - time from the loader module starting to `window.leadtrail.ready` (fetching the glue
//   and the wasm from the collector on 127.0.0.1, compiling, the first page view);
// - time it adds to a form submit (`requestSubmit()` with the tracker's capture listener,
//   and `new FormData(form)` with its formdata listener), against the same page without it.
// Prints `key value` lines that xtask turns into a table. Env: LEADTRAIL_BIN, CHROMIUM.
import { spawn } from 'node:child_process';
import http from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { chromium } from 'playwright-core';

const RUNS = 15; // page loads measured
const SUBMITS = 300; // submits per page, after warm-up

const bin = process.env.LEADTRAIL_BIN;
const dir = await mkdtemp(path.join(os.tmpdir(), 'leadtrail-tracker-cost-'));
const child = spawn(bin, ['serve', '--addr', '127.0.0.1:0', '--db', path.join(dir, 'db')], {
  stdio: ['ignore', 'pipe', 'inherit'],
  env: { ...process.env, LEADTRAIL_LOG: 'warn' },
});
const base = await new Promise((resolve, reject) => {
  const lines = readline.createInterface({ input: child.stdout });
  lines.once('line', (line) => {
    const m = line.match(/^leadtrail listening on (http:\/\/\S+)$/);
    m ? resolve(m[1]) : reject(new Error(`unexpected first line: ${line}`));
  });
  child.once('exit', (code) => reject(new Error(`collector exited (${code})`)));
});

const page = (withTracker) => `<!doctype html><html><head><meta charset="utf-8">
<script>
  // Notes when the loader module starts (it assigns window.leadtrail first thing) and
  // when its ready promise resolves (assigned in the same task, so read it a tick later).
  let api;
  Object.defineProperty(window, 'leadtrail', {
    configurable: true,
    get() { return api; },
    set(value) {
      api = value;
      window.__moduleStart = performance.now();
      Promise.resolve().then(() => api.ready.then(() => { window.__ready = performance.now(); }));
    },
  });
</script>
${withTracker ? `<script type="module" src="${base}/leadtrail.js"></script>` : ''}
</head><body>
<form id="f" action="${base}/f/bench" method="post">
  <input name="email" value="ada@acme.example"><input name="name" value="Ada">
  <input name="company" value="Acme"><textarea name="message">Hello</textarea>
</form></body></html>`;

// The page comes from a server of its own on the loopback address (another origin than
// the collector, as on a customer's site). Not from a Playwright route: a route makes
// every request of the page, the tracker's files included, wait for this process.
const site = http.createServer((req, res) => {
  const withTracker = req.url.startsWith('/with-tracker.html');
  const known = withTracker || req.url.startsWith('/without-tracker.html');
  res.writeHead(known ? 200 : 404, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(known ? page(withTracker) : 'not found');
});
await new Promise((resolve) => site.listen(0, '127.0.0.1', resolve));
const siteBase = `http://127.0.0.1:${site.address().port}`;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const p90 = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length * 0.9)]; };

async function measure(withTracker, fresh) {
  const context = await browser.newContext();
  const tab = await context.newPage();
  const name = withTracker ? 'with-tracker' : 'without-tracker';
  const url = `${siteBase}/${name}.html?utm_source=linkedin&utm_medium=paid_social&utm_campaign=bench`;
  const readyMs = [];
  for (let i = 0; i < (withTracker ? RUNS : 1); i++) {
    if (fresh) await context.clearCookies();
    await tab.goto(url);
    if (withTracker) {
      await tab.waitForFunction(() => window.__ready !== undefined);
      readyMs.push(await tab.evaluate(() => window.__ready - window.__moduleStart));
    }
  }
  const submit = await tab.evaluate((n) => {
    const form = document.getElementById('f');
    form.addEventListener('submit', (e) => e.preventDefault());
    // Averages over n calls, five times: one call is below the timer's resolution.
    const timeOf = (fn) => {
      const t = [];
      for (let r = 0; r < 5; r++) {
        const t0 = performance.now();
        for (let i = 0; i < n; i++) fn();
        t.push((performance.now() - t0) / n);
      }
      return t;
    };
    timeOf(() => form.requestSubmit()); // warm-up
    const submits = timeOf(() => form.requestSubmit());
    const formData = timeOf(() => new FormData(form));
    const fields = [...new FormData(form).keys()].filter((k) => k.startsWith('lt_')).length;
    return { submits, formData, fields };
  }, SUBMITS);
  await context.close();
  return { readyMs, ...submit };
}

try {
  const without = await measure(false);
  const withTracker = await measure(true);
  const out = (k, v) => console.log(`tracker_cost ${k} ${typeof v === 'number' ? v.toFixed(3) : v}`);
  out('ready_median_ms', median(withTracker.readyMs));
  out('ready_p90_ms', p90(withTracker.readyMs));
  out('page_loads', withTracker.readyMs.length);
  out('submit_without_us', median(without.submits) * 1000);
  out('submit_with_us', median(withTracker.submits) * 1000);
  out('formdata_without_us', median(without.formData) * 1000);
  out('formdata_with_us', median(withTracker.formData) * 1000);
  out('hidden_fields', withTracker.fields);
  if (withTracker.fields < 3) throw new Error('the tracker added no fields: the measurement is void');
} finally {
  await browser.close();
  site.close();
  child.kill('SIGTERM');
  await rm(dir, { recursive: true, force: true });
}

// End-to-end harness: the real collector binary on 127.0.0.1:0 with a fresh SQLite file,
// a "customer site" on another origin (localhost:0) that embeds the tracker from the
// collector, headless Chromium driven by playwright-core, and an API client.
//
// Everything this file starts is stopped by its own handle (child process, PID, server
// object), also when a test fails, and a last-chance exit hook kills what is left by PID.

import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const ARTIFACTS = path.join(REPO, 'tests', 'e2e', 'artifacts');
// Absolute, because the collector runs in a temporary directory of its own.
export const COLLECTOR_BIN = path.resolve(process.env.LEADTRAIL_BIN || path.join(REPO, 'target', 'debug', 'leadtrail'));
export const CHROMIUM_PATH = process.env.CHROMIUM || '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

// Placeholders the files in examples/ use; the customer site swaps in the real origins so
// that the examples integrators copy are the very pages the tests run.
const EXAMPLE_COLLECTOR = 'https://leadtrail.example.com';
const EXAMPLE_SITE = 'https://www.example.com';

const STARTUP_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;

// PIDs still running, killed on process exit if a test run is torn down abruptly
// (an uncaught error, Ctrl-C, the test runner's SIGTERM on timeout).
const livePids = new Set();
function killLeftovers() {
  for (const pid of livePids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  livePids.clear();
}
process.on('exit', killLeftovers);
for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]]) {
  process.once(signal, () => {
    killLeftovers();
    process.exit(code);
  });
}

function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Waits for a child process to exit; resolves with its exit code (or signal name). */
function exited(child) {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve(child.exitCode ?? child.signalCode);
  }
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
}

/**
 * Starts `leadtrail serve` on a free port with a database in `dir`.
 * Resolves once `/healthz` answers 200.
 */
export async function startCollector({ dir, token, env = {} }) {
  const dbPath = path.join(dir, 'e2e.db');
  const child = spawn(COLLECTOR_BIN, ['serve', '--addr', '127.0.0.1:0', '--db', dbPath], {
    cwd: dir,
    env: { ...process.env, ...env, LEADTRAIL_API_TOKEN: token },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const spawnError = new Promise((_, reject) => child.once('error', reject));
  if (child.pid) livePids.add(child.pid);
  child.once('exit', () => livePids.delete(child.pid));

  // Kept for diagnostics: a failing test prints the collector's last words.
  const log = [];
  const remember = (stream) => (line) => {
    log.push(`[${stream}] ${line}`);
    if (log.length > 400) log.shift();
  };
  readline.createInterface({ input: child.stderr }).on('line', remember('stderr'));
  const stdout = readline.createInterface({ input: child.stdout });

  const listening = new Promise((resolve, reject) => {
    stdout.on('line', (line) => {
      remember('stdout')(line);
      const match = /^leadtrail listening on (http:\/\/127\.0\.0\.1:(\d+))$/.exec(line.trim());
      if (match) resolve(match[1]);
    });
    child.once('exit', (code, signal) =>
      reject(new Error(`collector exited (${code ?? signal}) before listening:\n${log.join('\n')}`)),
    );
  });

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode ?? child.signalCode;
    child.kill('SIGTERM');
    try {
      return await withTimeout(exited(child), STOP_TIMEOUT_MS, 'collector shutdown');
    } catch {
      child.kill('SIGKILL');
      return exited(child);
    }
  };

  try {
    const url = await withTimeout(Promise.race([listening, spawnError]), STARTUP_TIMEOUT_MS, 'collector start-up');
    await waitForHealth(url);
    return { url, dbPath, pid: child.pid, log: () => log.join('\n'), stop, exited: () => exited(child) };
  } catch (error) {
    await stop();
    if (error.code === 'ENOENT') {
      throw new Error(`collector binary not found at ${COLLECTOR_BIN} (build it with \`cargo build -p leadtrail-collector\` or set LEADTRAIL_BIN)`);
    }
    throw error;
  }
}

async function waitForHealth(url) {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  let last;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.status === 200) {
        const body = await res.json();
        if (body.status === 'ok') return;
        last = `body ${JSON.stringify(body)}`;
      } else {
        last = `status ${res.status}`;
      }
    } catch (error) {
      last = error.message;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`collector at ${url} never became healthy: ${last}`);
}

/**
 * Makes a user in the collector's database with `leadtrail user create`, the password
 * piped in as a script would. Resolves with `{ email, password, role }`.
 */
export function createUser(dbPath, { email, role, name = 'E2E user', password = `e2e-${randomBytes(9).toString('hex')}` }) {
  const made = spawnSync(
    COLLECTOR_BIN,
    ['user', 'create', '--email', email, '--name', name, '--role', role, '--db', dbPath],
    { input: `${password}\n`, encoding: 'utf8', env: { ...process.env, LEADTRAIL_LOG: 'warn' } },
  );
  if (made.status !== 0) throw new Error(`user create failed: ${made.error ?? ''}${made.stderr}`);
  return { email, password, role };
}

/**
 * Signs `user` in at /login the way a person does, and waits until the page it was sent
 * to (`pathname`) shows its signed-in part.
 */
export async function signIn(page, baseUrl, user, pathname = '/dashboard') {
  await page.goto(`${baseUrl}/login?next=${encodeURIComponent(pathname)}`);
  await page.fill('#email', user.email);
  await page.fill('#password', user.password);
  await Promise.all([page.waitForURL(`${baseUrl}${pathname}`), page.click('#sign-in')]);
  await page.locator('#app').waitFor({ state: 'visible' });
}

/** A JSON client of the collector's API, authenticated with the Bearer token. */
export function apiClient(baseUrl, token) {
  async function get(pathAndQuery) {
    const res = await fetch(`${baseUrl}${pathAndQuery}`, {
      headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' },
    });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`GET ${pathAndQuery} → ${res.status}: ${text}`);
    return JSON.parse(text);
  }
  return {
    get,
    personsByEmail: async (email) => (await get(`/api/v1/persons?email=${encodeURIComponent(email)}`)).items,
    /** The one person with this e-mail; fails when there is none or more than one. */
    async person(email) {
      const items = await this.personsByEmail(email);
      if (items.length !== 1) throw new Error(`expected one person with ${email}, found ${items.length}`);
      return items[0];
    },
    submissions: async (personId) => (await get(`/api/v1/persons/${personId}/submissions`)).items,
    company: (id) => get(`/api/v1/companies/${id}`),
  };
}

const escapeHtml = (text) =>
  String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

/**
 * The customer site: a small company website on `localhost:PORT` (another origin — host
 * name and port — than the collector on 127.0.0.1) that embeds the tracker the way the
 * README tells integrators to. Pages are keyed by path; query strings are the visitor's.
 */
export async function startCustomerSite(collectorUrl, { host = 'localhost' } = {}) {
  const script = (attrs = '') => `<script type="module" src="${collectorUrl}/leadtrail.js"${attrs}></script>`;
  const layout = ({ title, body, tracker = script() }) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)} · Acme Industries</title>
${tracker}
</head><body>
<nav><a id="nav-home" href="/">Home</a> <a id="nav-webinar" href="/webinar">Webinar</a> <a id="nav-signup" href="/signup">Sign up</a></nav>
<main>${body}</main>
</body></html>`;
  const signupForm = (site, { key = 'customer-signup', id = 'signup' } = {}) => `
<form id="${id}" method="post" action="${collectorUrl}/f/${key}">
  <input type="hidden" name="_redirect" value="${site}/thanks">
  <label>Name <input name="name" autocomplete="name"></label>
  <label>Work e-mail <input name="email" type="email" required></label>
  <label>Message <textarea name="message"></textarea></label>
  <button type="submit">Sign up</button>
</form>`;

  const pages = {
    '/': (site) =>
      layout({
        title: 'Home',
        body: `<h1>Acme Industries</h1><p>Industrial sensors that tell you before things break.</p>
<p><a id="cta-signup" href="/signup">Get a demo</a></p>`,
      }),
    '/webinar': () =>
      layout({
        title: 'Webinar',
        body: `<h1>Webinar: predictive maintenance in September</h1><p><a id="cta-signup" href="/signup">Register</a></p>`,
      }),
    '/signup': (site) => layout({ title: 'Sign up', body: `<h1>Get a demo</h1>${signupForm(site)}` }),
    '/thanks': () => layout({ title: 'Thanks', body: '<h1 id="thanks">Thanks, we will be in touch.</h1>' }),
    // The form only exists after the visitor clicks: the tracker must still fill it.
    '/dynamic': (site) =>
      layout({
        title: 'Dynamic form',
        body: `<h1>Contact</h1><button id="show-form" type="button">Contact us</button><div id="slot"></div>
<template id="form-template">${signupForm(site, { key: 'customer-dynamic' })}</template>
<script>
document.getElementById('show-form').addEventListener('click', () => {
  const form = document.getElementById('form-template').content.cloneNode(true);
  document.getElementById('slot').append(form);
});
</script>`,
      }),
    '/short-lookback': (site) =>
      layout({
        title: 'Sign up',
        tracker: script(' data-lookback-days="7"'),
        body: `<h1>Get a demo</h1>${signupForm(site, { key: 'customer-short-lookback' })}`,
      }),
    // A data-forms value that is not CSS: no form matches, and nothing may throw.
    '/bad-selector': (site) =>
      layout({
        title: 'Sign up',
        tracker: script(' data-forms="[[nonsense"'),
        body: `<h1>Get a demo</h1>${signupForm(site, { key: 'customer-bad-selector' })}`,
      }),
    '/no-tracker': (site) => layout({ title: 'Sign up', tracker: '', body: `<h1>Get a demo</h1>${signupForm(site)}` }),
    '/search': (site, url) =>
      layout({ title: 'Search', body: `<h1>Search</h1><p id="query">${escapeHtml(url.search)}</p>` }),
  };

  // Pages a test file adds for itself (`site.addPage`): served like the others, from the
  // loopback address, so that the browser lets them load the collector's script.
  const added = new Map();

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, `http://${req.headers.host}`);
    const site = `http://${req.headers.host}`;
    const send = (status, type, body, headers = {}) => {
      res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store', ...headers });
      res.end(body);
    };
    try {
      const extra = added.get(url.pathname);
      if (extra) return send(200, 'text/html; charset=utf-8', extra.html(collectorUrl, site), extra.headers);
      if (url.pathname.startsWith('/examples/')) {
        const name = path.basename(url.pathname);
        if (!name.endsWith('.html')) return send(404, 'text/plain', 'not found');
        const text = await readFile(path.join(REPO, 'examples', name), 'utf8');
        return send(200, 'text/html; charset=utf-8', text.replaceAll(EXAMPLE_COLLECTOR, collectorUrl).replaceAll(EXAMPLE_SITE, site));
      }
      // Answered so that a browser's automatic favicon request never logs a 404.
      if (url.pathname === '/favicon.ico') return send(204, 'image/x-icon', '');
      const page = pages[url.pathname];
      if (!page) return send(404, 'text/plain', 'not found');
      return send(200, 'text/html; charset=utf-8', page(site, url));
    } catch (error) {
      return send(error.code === 'ENOENT' ? 404 : 500, 'text/plain', String(error));
    }
  });
  // Bound to the IPv4 loopback but addressed as `localhost`: a different host name (and so
  // a different origin and site) than the collector's 127.0.0.1, on every machine. A second
  // site (`host: '127.0.0.2'`, Linux's loopback answers all of 127/8) has a host name of its
  // own again, as an app on another domain has.
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host === 'localhost' ? '127.0.0.1' : host, resolve);
  });
  const url = `http://${host}:${server.address().port}`;
  return {
    url,
    /** Serves `html(collectorUrl, siteUrl)` at `path`, with extra response `headers`. */
    addPage: (path, html, headers = {}) => added.set(path, { html, headers }),
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Headless Chromium as a separate process we hold the handle (and PID) of. Playwright
 * gives it a fresh temporary user-data-dir (and deletes it on close); each test's visitor
 * is a new browser context inside it, with its own localStorage.
 */
export async function startBrowser() {
  const server = await chromium.launchServer({
    executablePath: CHROMIUM_PATH,
    args: CHROMIUM_ARGS,
    headless: true,
  });
  const pid = server.process().pid;
  livePids.add(pid);
  const browser = await chromium.connect(server.wsEndpoint());
  return {
    browser,
    pid,
    async stop() {
      try {
        await withTimeout(browser.close(), STOP_TIMEOUT_MS, 'browser close');
        await withTimeout(server.close(), STOP_TIMEOUT_MS, 'browser server close');
      } catch {
        await server.kill();
      }
      livePids.delete(pid);
    },
  };
}

/**
 * One visitor: a fresh browser context (its own localStorage and cookies) with listeners
 * that record everything the page throws or logs as an error.
 */
async function openVisitor(browser, contextOptions) {
  const context = await browser.newContext(contextOptions);
  const problems = { pageErrors: [], consoleErrors: [], dialogs: [] };
  context.on('page', (page) => {
    page.on('pageerror', (error) => problems.pageErrors.push(`${page.url()}: ${error.stack || error}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error') problems.consoleErrors.push(`${page.url()}: ${msg.text()}`);
    });
    page.on('dialog', (dialog) => {
      problems.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
      dialog.dismiss().catch(() => {});
    });
  });
  const page = await context.newPage();
  return { context, page, problems };
}

async function screenshotAll(context, testName) {
  await mkdir(ARTIFACTS, { recursive: true });
  const slug = testName.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '').slice(0, 80);
  const saved = [];
  for (const [i, page] of context.pages().entries()) {
    const file = path.join(ARTIFACTS, `${slug}-${i}.png`);
    try {
      await page.screenshot({ path: file, fullPage: true, timeout: 5_000 });
      saved.push(file);
    } catch {
      // A crashed or closing page cannot be photographed; the error itself is reported.
    }
  }
  return saved;
}

/**
 * Starts the whole world for one test file. `visit(t, fn, contextOptions)` runs `fn` with
 * a new visitor and saves screenshots of its pages if `fn` fails. With `secondSite`, also
 * `world.app`: the same customer site on another host name (127.0.0.2), as the app a
 * company runs on a domain of its own.
 */
export async function startWorld({ collectorEnv, secondSite = false } = {}) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'leadtrail-e2e-'));
  const token = `e2e-${randomBytes(16).toString('hex')}`;
  const stops = [];
  const world = { dir, token };
  try {
    const collector = await startCollector({ dir, token, env: collectorEnv });
    stops.push(collector.stop);
    // The people who use the pages sign in as themselves; the token is for scripts.
    world.admin = createUser(collector.dbPath, { email: 'admin@example.com', role: 'admin', name: 'E2E admin' });
    const site = await startCustomerSite(collector.url);
    stops.push(site.stop);
    if (secondSite) {
      world.app = await startCustomerSite(collector.url, { host: '127.0.0.2' });
      stops.push(world.app.stop);
    }
    const chromiumProcess = await startBrowser();
    stops.push(chromiumProcess.stop);
    Object.assign(world, {
      collector,
      site,
      browser: chromiumProcess.browser,
      api: apiClient(collector.url, token),
      signIn: (page, pathname, user = world.admin) => signIn(page, collector.url, user, pathname),
      async visit(t, fn, contextOptions = {}) {
        const visitor = await openVisitor(chromiumProcess.browser, contextOptions);
        try {
          return await fn(visitor);
        } catch (error) {
          const shots = await screenshotAll(visitor.context, t.name);
          if (shots.length) t.diagnostic(`screenshots: ${shots.join(', ')}`);
          t.diagnostic(`collector log (tail):\n${collector.log().split('\n').slice(-30).join('\n')}`);
          throw error;
        } finally {
          await visitor.context.close().catch(() => {});
        }
      },
    });
  } catch (error) {
    await stopAll(stops);
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  world.close = async () => {
    await stopAll(stops);
    await rm(dir, { recursive: true, force: true });
  };
  return world;
}

async function stopAll(stops) {
  for (const stop of stops.reverse()) {
    try {
      await stop();
    } catch (error) {
      console.error('cleanup failed:', error);
    }
  }
}

/** Waits (bounded) for `window.leadtrail.ready`; true when it resolved. */
export async function trackerReady(page, timeoutMs = 10_000) {
  return page.evaluate(
    (ms) =>
      window.leadtrail
        ? Promise.race([
            window.leadtrail.ready.then(() => true),
            new Promise((resolve) => setTimeout(() => resolve('timeout'), ms)),
          ])
        : 'no window.leadtrail',
    timeoutMs,
  );
}

/** The fields of a captured POST (urlencoded, multipart or JSON) as a plain object. */
export function postedFields(request) {
  const type = request.headers()['content-type'] || '';
  const body = request.postData() || '';
  if (type.startsWith('application/json')) return JSON.parse(body);
  if (type.startsWith('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(body));
  if (type.startsWith('multipart/form-data')) {
    const fields = {};
    for (const match of body.matchAll(/name="([^"]+)"\r\n\r\n([\s\S]*?)\r\n--/g)) fields[match[1]] = match[2];
    return fields;
  }
  throw new Error(`unexpected content type of the form post: ${type}`);
}

/**
 * Clicks `submitSelector` and returns the form post the browser sent to the collector,
 * its fields and the collector's response, once the browser has followed it.
 */
export async function submitForm(page, submitSelector, collectorUrl) {
  const [request] = await Promise.all([
    page.waitForRequest((r) => r.method() === 'POST' && r.url().startsWith(`${collectorUrl}/f/`)),
    page.click(submitSelector),
  ]);
  const response = await request.response();
  return { request, fields: postedFields(request), response };
}

/** Names of the tracker's wire-contract fields in a set of posted fields. */
export const contractFields = (fields) => Object.keys(fields).filter((name) => name.startsWith('lt_'));

/**
 * Moves a stored touch's `at` (Unix ms) `daysAgo` days into the past in the visitor's
 * localStorage, leaving the rest of the encoded touch as the tracker wrote it.
 */
export async function backdateStoredTouch(page, key, daysAgo) {
  return page.evaluate(
    ([storageKey, ms]) => {
      const encoded = localStorage.getItem(storageKey);
      if (encoded === null) return null;
      const withoutAt = encoded.split('&').filter((pair) => pair && !pair.startsWith('at=')).join('&');
      localStorage.setItem(storageKey, `${withoutAt}&at=${ms}`);
      return localStorage.getItem(storageKey);
    },
    [key, Date.now() - daysAgo * 24 * 60 * 60 * 1000],
  );
}

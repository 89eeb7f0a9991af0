// The pictures in the docs, made from the product as it is: the real collector over demo
// data (`leadtrail demo-data --persons 2000 --seed 1`), signed in on /dashboard, /people and
// /links in headless Chromium. Each picture is taken only once the page shows data — a
// chart and figures above zero, result rows, a built link — and is written to docs/img/
// (committed; the README shows the dashboard).

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { COLLECTOR_BIN, REPO, createUser, signIn, startBrowser, startCollector } from './harness.mjs';

const IMAGES = path.join(REPO, 'docs', 'img');
// A laptop screen: wide enough for the dashboard's grid, small enough for a README.
const VIEWPORT = { width: 1280, height: 860 };
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

let dir;
let token;
let collector;
let chromium;
let admin;

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'leadtrail-shots-'));
  token = `shots-${randomBytes(16).toString('hex')}`;
  // startCollector serves `e2e.db` in `dir`: fill it first, as an operator would.
  const filled = spawnSync(
    COLLECTOR_BIN,
    ['demo-data', '--persons', '2000', '--seed', '1', '--db', path.join(dir, 'e2e.db')],
    { encoding: 'utf8', env: { ...process.env, LEADTRAIL_LOG: 'warn' } },
  );
  assert.equal(filled.status, 0, `demo-data failed: ${filled.error ?? ''}${filled.stderr}`);
  collector = await startCollector({ dir, token });
  admin = createUser(collector.dbPath, { email: 'marta@example.com', role: 'admin', name: 'Marta' });
  chromium = await startBrowser();
  await mkdir(IMAGES, { recursive: true });
});

after(async () => {
  await chromium?.stop();
  await collector?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** A signed-in page at `pathname`, with every page error and console error recorded. */
async function signedIn(pathname) {
  const context = await chromium.browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.stack || error}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console: ${msg.text()}`);
  });
  await signIn(page, collector.url, admin, pathname);
  return { context, page, problems };
}

/** Writes the picture and checks that it is a PNG of some substance. */
async function save(page, name) {
  const file = path.join(IMAGES, name);
  await page.screenshot({ path: file });
  const bytes = await readFile(file);
  assert.ok(bytes.subarray(0, 8).equals(PNG_SIGNATURE), `${name} is a PNG`);
  assert.ok(bytes.length > 20_000, `${name} holds a picture, not a blank page (${bytes.length} bytes)`);
  return file;
}

/** ECharts animates a chart in over about a second; the picture waits for the end. */
const chartsSettled = (page) => page.waitForTimeout(1_500);

test('docs/img/dashboard.png: the marketing dashboard with figures', { timeout: 120_000 }, async () => {
  const { context, page, problems } = await signedIn('/dashboard');
  try {
    await page.selectOption('#dashboard', 'marketing');
    await page.locator('#status', { hasText: ' ms' }).waitFor();
    const tiles = page.locator('#tiles .tile');
    await page.waitForFunction(() => {
      const all = [...document.querySelectorAll('#tiles .tile')];
      return all.length > 0 && all.every((tile) => tile.children.length > 1);
    });
    assert.deepEqual(await page.locator('#tiles .error').allTextContents(), [], 'no tile failed');
    const leads = Number((await page.locator('[data-tile="new-leads-from-forms"] .number').textContent()).replace(/\D/g, ''));
    assert.ok(leads > 0, `new leads from forms is a figure above zero: ${leads}`);
    assert.ok(await page.locator('[data-tile="new-leads-by-channel"] canvas').count() > 0, 'the channel donut is drawn');
    assert.ok(await page.locator('[data-tile="new-leads-by-lead-source"] canvas').count() > 0, 'the source donut is drawn');
    assert.ok((await tiles.count()) >= 8, 'the marketing preset has its tiles');
    await chartsSettled(page);
    await save(page, 'dashboard.png');
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('docs/img/people.png: persons whose lead came from LinkedIn', { timeout: 120_000 }, async () => {
  const { context, page, problems } = await signedIn('/people');
  try {
    await page.click('#add-row');
    const row = page.locator('#criteria-rows .criterion').first();
    await row.locator('[name=field]').selectOption('lead_generation.source');
    await row.locator('[name=op]').selectOption('eq');
    await row.locator('[name=value]').fill('linkedin');
    await page.click('#search');
    // The list first shows the newest leads; the narrowed one says how many match.
    await page.locator('#count', { hasText: 'match' }).waitFor();
    await page.locator('#results tbody tr').nth(4).waitFor();
    const sources = await page.locator('#results tbody td[data-column="lead_generation.source"]').allTextContents();
    assert.ok(sources.length >= 5 && sources.every((s) => s === 'linkedin'), `LinkedIn leads only: ${sources}`);
    await save(page, 'people.png');
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('docs/img/links.png: a campaign link built as you type', { timeout: 120_000 }, async () => {
  const { context, page, problems } = await signedIn('/links');
  try {
    await page.fill('#url', 'https://www.tidewater.example/webinar');
    await page.fill('#source', 'LinkedIn');
    await page.fill('#medium', 'paid_social');
    await page.fill('#campaign', 'Webinar Sept');
    const link = page.locator('#link');
    await link.filter({ hasText: 'utm_campaign=webinar_sept' }).waitFor();
    assert.equal(
      await link.textContent(),
      'https://www.tidewater.example/webinar?utm_source=linkedin&utm_medium=paid_social&utm_campaign=webinar_sept',
    );
    await page.locator('#channel', { hasText: 'Paid Social' }).waitFor();
    await save(page, 'links.png');
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

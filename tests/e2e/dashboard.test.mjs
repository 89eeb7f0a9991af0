// The /dashboard page in Chromium over demo data: sign in as a user, render every
// preset (funnel, donuts, bars, numbers, tables drawn by ECharts and the DOM) without a
// console error, save a screenshot of each, drill down from a table row, and keep hostile
// values from visitors' URLs as text.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { mkdir } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { ARTIFACTS, COLLECTOR_BIN, startWorld } from './harness.mjs';

const HOSTILE = '<img src=x onerror=alert(1)>';

let world;
before(async () => {
  world = await startWorld();
});
after(async () => {
  await world?.close();
});

test('dashboard page: every preset renders, drill-down works, hostile values stay text', { timeout: 120_000 }, async (t) => {
  const { collector, api } = world;
  // Demo data straight into the running collector's database (the tiles load on first use).
  const filled = spawnSync(COLLECTOR_BIN, ['demo-data', '--persons', '1500', '--db', collector.dbPath], { encoding: 'utf8' });
  assert.equal(filled.status, 0, filled.stderr);
  // One lead whose source and campaign are markup, through the real form endpoint.
  const res = await fetch(`${collector.url}/f/contact`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ email: 'mallory@hostile.example', lt_v: '1', lt_last_source: HOSTILE, lt_last_medium: HOSTILE, lt_last_campaign: HOSTILE }),
  });
  const posted = await res.text();
  assert.equal(res.status, 201, posted);
  const { person_id: mallory } = JSON.parse(posted);
  const stored = (await api.get(`/api/v1/persons/${mallory}`)).lead_generation;
  assert.ok(stored.source.includes('<img') && stored.campaign.includes('<img'), JSON.stringify(stored));

  const html = await (await fetch(`${collector.url}/dashboard`)).text();
  assert.ok(html.includes('id="app"') && !html.includes('@'), 'the page carries no data');
  assert.ok(!html.includes('token'), 'no page asks for a token');
  const echarts = await fetch(`${collector.url}/vendor/echarts.min.js`);
  assert.equal(echarts.status, 200, 'ECharts is served from the build output (cargo xtask copies it)');

  const presets = (await api.get('/api/v1/dashboards')).items.filter((d) => d.preset);
  assert.deepEqual(presets.map((d) => d.id), ['marketing', 'lead-nurturing', 'sales']);
  await mkdir(ARTIFACTS, { recursive: true });

  await world.visit(t, async ({ page, problems }) => {
    await page.setViewportSize({ width: 1400, height: 1000 });
    await world.signIn(page, '/dashboard');

    for (const preset of presets) {
      await page.selectOption('#dashboard', preset.id);
      await page.locator('#status', { hasText: ' ms' }).waitFor();
      await page.waitForFunction((n) => document.querySelectorAll('#tiles .tile').length === n
        && [...document.querySelectorAll('#tiles .tile')].every((tile) => tile.children.length > 1), preset.tiles.length);
      const errors = await page.locator('#tiles .error').allTextContents();
      assert.deepEqual(errors, [], `${preset.id}: tiles without errors`);
      // Charts are ECharts canvases; numbers and tables are DOM text.
      const kinds = await page.evaluate(() => [...document.querySelectorAll('#tiles .tile')].map((tile) => ({
        tile: tile.dataset.tile,
        canvas: tile.querySelector('canvas') !== null,
        table: tile.querySelector('table') !== null,
        number: tile.querySelector('.number') !== null,
      })));
      for (const k of kinds) {
        assert.ok(k.canvas || k.table || k.number, `${preset.id}/${k.tile} drew something: ${JSON.stringify(k)}`);
      }
      if (preset.id === 'lead-nurturing') {
        assert.ok(kinds.find((k) => k.tile === 'lead-funnel').canvas, 'the funnel is a chart');
      }
      await page.screenshot({ path: path.join(ARTIFACTS, `dashboard-${preset.id}.png`), fullPage: true });
    }

    // Marketing: the hostile source is a text cell of the source-performance table, and its
    // row drills down to the person.
    await page.selectOption('#dashboard', 'marketing');
    await page.locator('#status', { hasText: ' ms' }).waitFor();
    const cell = page.locator('[data-tile="source-performance"] td', { hasText: stored.source }).first();
    await cell.waitFor();
    assert.equal(await cell.textContent(), stored.source);
    await cell.click();
    await page.locator('#drill-table tbody td', { hasText: 'mallory@hostile.example' }).waitFor();
    const campaignCell = page.locator('#drill-table tbody tr').first().locator('td').nth(4);
    assert.equal(await campaignCell.textContent(), stored.campaign);

    // Filters: a country narrows the figures; the hostile lead has none.
    const before = await page.locator('[data-tile="new-leads-from-forms"] .number').textContent();
    await page.selectOption('#country', 'NO');
    await page.locator('#status', { hasText: ' ms' }).waitFor();
    await page.waitForFunction((b) => document.querySelector('[data-tile="new-leads-from-forms"] .number')?.textContent !== b, before);

    assert.equal(await page.evaluate(() => document.querySelectorAll('img').length), 0, 'no element was made from data');
    assert.deepEqual(problems.dialogs, [], 'no script ran from data');
    assert.deepEqual(problems.pageErrors, []);
    assert.deepEqual(problems.consoleErrors, []);
  });
});

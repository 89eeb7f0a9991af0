// The /dashboard page in Chromium over demo data: sign in as a user, render every preset
// (funnel, donuts, bars, numbers, tables drawn by ECharts and the DOM) without a console
// error and with zero axe-core violations, give every chart a text alternative and a table
// view, open the drill-down from the keyboard and close it with Escape (focus returns),
// lay the tiles out one per row at 390 px, speak Norwegian and Dutch (tile names as the
// help pages name them, numbers in the locale), draw trend tiles over their buckets, and
// keep hostile values from visitors' URLs as text.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { mkdir } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { ARTIFACTS, COLLECTOR_BIN, startWorld } from './harness.mjs';
import { expectNoHorizontalScroll, expectNoRawKeys, expectNoViolations, screenshots } from './a11y.mjs';

const HOSTILE = '<img src=x onerror=alert(1)>';

let world;
let stored;
before(async () => {
  world = await startWorld();
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
  stored = (await api.get(`/api/v1/persons/${mallory}`)).lead_generation;
  assert.ok(stored.source.includes('<img') && stored.campaign.includes('<img'), JSON.stringify(stored));
});
after(async () => {
  await world?.close();
});

/** Waits until every tile of the dashboard shown has drawn (or failed). */
async function tilesDrawn(page, count) {
  await page.locator('#status', { hasText: ' ms' }).waitFor();
  await page.waitForFunction((n) => document.querySelectorAll('#tiles .tile').length === n
    && [...document.querySelectorAll('#tiles .tile .tile-body')].every((body) => body.children.length > 0), count);
}

/** What each chart of the page shows and says, read from ECharts itself. */
function chartFacts(page) {
  return page.evaluate(() => [...document.querySelectorAll('#tiles .tile')].flatMap((tile) => {
    const box = tile.querySelector('.chart');
    if (!box) return [];
    const option = echarts.getInstanceByDom(box).getOption();
    const legend = option.legend?.[0];
    const names = (option.series[0].data || []).map((d) => (typeof d === 'object' ? d.name : null)).filter(Boolean);
    return [{
      tile: tile.dataset.tile,
      type: option.series[0].type,
      aria: [option.aria].flat()[0]?.enabled === true,
      label: box.getAttribute('aria-label') || '',
      role: box.getAttribute('role'),
      yLabel: option.yAxis?.[0]?.axisLabel?.overflow || null,
      legendText: legend && typeof legend.formatter === 'function' ? names.map((n) => legend.formatter(n)) : [],
      slices: names.length,
      rows: tile.querySelectorAll('.as-table tbody tr').length,
    }];
  }));
}

test('dashboard page: every preset renders readable charts, axe-clean, hostile values stay text', { timeout: 240_000 }, async (t) => {
  const { collector, api } = world;
  const html = await (await fetch(`${collector.url}/dashboard`)).text();
  assert.ok(html.includes('id="app"') && !html.includes('@'), 'the page carries no data');
  assert.ok(!html.includes('token'), 'no page asks for a token');
  const echartsFile = await fetch(`${collector.url}/vendor/echarts.min.js`);
  assert.equal(echartsFile.status, 200, 'ECharts is served from the build output (cargo xtask copies it)');

  const presets = (await api.get('/api/v1/dashboards')).items.filter((d) => d.preset);
  assert.deepEqual(presets.map((d) => d.id), ['marketing', 'lead-nurturing', 'sales']);
  await mkdir(ARTIFACTS, { recursive: true });

  await world.visit(t, async ({ page, problems }) => {
    await page.setViewportSize({ width: 1400, height: 1000 });
    await world.signIn(page, '/dashboard');

    for (const preset of presets) {
      await page.selectOption('#dashboard', preset.id);
      await tilesDrawn(page, preset.tiles.length);
      assert.equal(new URL(page.url()).searchParams.get('d'), preset.id, 'the dashboard is in the URL');
      const errors = await page.locator('#tiles .error').allTextContents();
      assert.deepEqual(errors, [], `${preset.id}: tiles without errors`);
      const kinds = await page.evaluate(() => [...document.querySelectorAll('#tiles .tile')].map((tile) => ({
        tile: tile.dataset.tile,
        canvas: tile.querySelector('canvas') !== null,
        table: tile.querySelector('table') !== null,
        number: tile.querySelector('.number') !== null,
      })));
      for (const k of kinds) {
        assert.ok(k.canvas || k.table || k.number, `${preset.id}/${k.tile} drew something: ${JSON.stringify(k)}`);
      }
      // Every chart: ECharts' aria description naming its rows, a table view with a row per
      // figure, and no label cut off with "…".
      for (const chart of await chartFacts(page)) {
        assert.ok(chart.aria && chart.role === 'img', `${chart.tile}: aria on, an image with a name`);
        assert.ok(chart.label.length > 10 && /\d/.test(chart.label), `${chart.tile}: described with its figures: ${chart.label}`);
        assert.ok(chart.rows > 0, `${chart.tile}: a table view with rows`);
        assert.notEqual(chart.yLabel, 'truncate', `${chart.tile}: axis labels wrap, never truncate`);
        if (chart.type === 'pie') {
          assert.ok(chart.slices <= 6, `${chart.tile}: a donut has at most six slices (${chart.slices})`);
          assert.ok(chart.legendText.every((text) => /\d/.test(text)), `${chart.tile}: the legend carries values: ${chart.legendText}`);
        }
      }
      if (preset.id === 'lead-nurturing') {
        assert.ok(kinds.find((k) => k.tile === 'lead-funnel').canvas, 'the funnel is a chart');
      }
      if (preset.id === 'marketing') {
        // Demo data has more than six lead sources: that donut is drawn as bars, largest first.
        const sources = (await api.get('/api/v1/tiles/new-leads-by-lead-source')).rows;
        assert.ok(sources.length > 6, `demo data has many sources (${sources.length})`);
        const facts = (await chartFacts(page)).find((c) => c.tile === 'new-leads-by-lead-source');
        assert.equal(facts.type, 'bar', 'more than six slices become bars');
        const values = await page.evaluate(() => echarts.getInstanceByDom(document.querySelector('[data-tile="new-leads-by-lead-source"] .chart')).getOption().series[0].data);
        assert.deepEqual(values, [...values].sort((a, b) => b - a), 'sorted, largest first');
      }
      await expectNoViolations(page, `dashboard ${preset.id}`);
      await expectNoRawKeys(page, `dashboard ${preset.id}`);
      await page.screenshot({ path: path.join(ARTIFACTS, `dashboard-${preset.id}.png`), fullPage: true });
    }

    // Marketing: the hostile source is a text cell of the source-performance table, and its
    // row drills down to the person.
    await page.selectOption('#dashboard', 'marketing');
    await tilesDrawn(page, presets[0].tiles.length);
    const cell = page.locator('[data-tile="source-performance"] tbody th', { hasText: stored.source }).first();
    await cell.waitFor();
    assert.equal(await cell.textContent(), stored.source);
    await cell.locator('button').click();
    await page.locator('#drill-table tbody td', { hasText: 'mallory@hostile.example' }).first().waitFor();
    const campaignCell = page.locator('#drill-table tbody tr').first().locator('td').nth(4);
    assert.equal(await campaignCell.textContent(), stored.campaign);
    await page.keyboard.press('Escape');
    await page.locator('#drill').waitFor({ state: 'hidden' });

    // Filters: a country narrows the figures and is kept in the URL; the hostile lead has none.
    const before = await page.locator('[data-tile="new-leads-from-forms"] .number').textContent();
    await page.selectOption('#country', 'NO');
    await page.locator('#status', { hasText: ' ms' }).waitFor();
    await page.waitForFunction((b) => document.querySelector('[data-tile="new-leads-from-forms"] .number')?.textContent !== b, before);
    assert.equal(new URL(page.url()).searchParams.get('country'), 'NO');
    await page.reload();
    await tilesDrawn(page, presets[0].tiles.length);
    assert.equal(await page.locator('#country').inputValue(), 'NO', 'the filter survives a reload');

    assert.equal(await page.evaluate(() => document.querySelectorAll('img').length), 0, 'no element was made from data');
    assert.deepEqual(problems.dialogs, [], 'no script ran from data');
    assert.deepEqual(problems.pageErrors, []);
    assert.deepEqual(problems.consoleErrors, []);
  });
});

test('dashboard drill-down by keyboard: focus to its title, Escape closes, focus returns', { timeout: 120_000 }, async (t) => {
  await world.visit(t, async ({ page, problems }) => {
    await page.setViewportSize({ width: 1400, height: 1000 });
    await world.signIn(page, '/dashboard?d=marketing');
    const marketing = (await world.api.get('/api/v1/dashboards/marketing')).tiles.length;
    await tilesDrawn(page, marketing);

    // A table tile's row: its first cell is a button.
    const row = page.locator('[data-tile="source-performance"] tbody .row-open').first();
    await row.focus();
    await page.keyboard.press('Enter');
    await page.locator('#drill').waitFor({ state: 'visible' });
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'drill-title', 'focus is on the drill-down title');
    await page.locator('#drill-table tbody tr td a').first().waitFor();
    assert.ok((await page.locator('#drill-title').textContent()).length > 0);
    await expectNoViolations(page, 'dashboard drill-down');
    await page.keyboard.press('Escape');
    await page.locator('#drill').waitFor({ state: 'hidden' });
    assert.ok(await row.evaluate((node) => node === document.activeElement), 'focus is back on the row that opened it');

    // A chart: "Show as table" by keyboard, then a row of that table.
    const tile = page.locator('[data-tile="new-leads-by-channel"]');
    const toggle = tile.locator('.table-toggle');
    await toggle.focus();
    await page.keyboard.press('Enter');
    assert.equal(await toggle.getAttribute('aria-pressed'), 'true');
    assert.ok(await tile.locator('.chart').isHidden(), 'the table replaces the chart');
    const chartRow = tile.locator('.as-table tbody .row-open').first();
    await chartRow.focus();
    await page.keyboard.press('Enter');
    await page.locator('#drill').waitFor({ state: 'visible' });
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'drill-title');
    await page.locator('#drill-table tbody tr td a').first().waitFor();
    await page.keyboard.press('Escape');
    await page.locator('#drill').waitFor({ state: 'hidden' });
    assert.ok(await chartRow.evaluate((node) => node === document.activeElement), 'focus is back on the table row');

    // A number: the figure is a button; Close (by keyboard) returns focus to it.
    const number = page.locator('[data-tile="new-leads-from-forms"] .number');
    await number.focus();
    await page.keyboard.press('Enter');
    await page.locator('#drill').waitFor({ state: 'visible' });
    await page.locator('#drill-close').focus();
    await page.keyboard.press('Enter');
    await page.locator('#drill').waitFor({ state: 'hidden' });
    assert.ok(await number.evaluate((node) => node === document.activeElement), 'focus is back on the number');

    assert.deepEqual(problems.pageErrors, []);
    assert.deepEqual(problems.consoleErrors, []);
  });
});

test('dashboard at 390 px: one tile per row, no horizontal page scroll', { timeout: 120_000 }, async (t) => {
  await world.visit(t, async ({ page, problems }) => {
    await world.signIn(page, '/dashboard?d=marketing');
    const count = (await world.api.get('/api/v1/dashboards/marketing')).tiles.length;
    await tilesDrawn(page, count);
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(300);
    await expectNoHorizontalScroll(page);
    const boxes = await page.locator('#tiles .tile').evaluateAll((tiles) => tiles.map((tile) => {
      const r = tile.getBoundingClientRect();
      return { left: Math.round(r.left), right: Math.round(r.right), top: Math.round(r.top) };
    }));
    assert.ok(boxes.every((b) => b.left === boxes[0].left), `one column: ${JSON.stringify(boxes)}`);
    assert.ok(boxes.every((b) => b.right <= 390), `every tile inside the screen: ${JSON.stringify(boxes)}`);
    assert.ok(boxes.every((b, i) => i === 0 || b.top > boxes[i - 1].top), 'one tile per row');
    // The charts were drawn for the phone's width, not the desktop's.
    const widths = await page.evaluate(() => [...document.querySelectorAll('#tiles .chart')].map((box) => echarts.getInstanceByDom(box).getWidth()));
    assert.ok(widths.every((w) => w <= 390), `charts fit: ${widths}`);
    await expectNoViolations(page, 'dashboard at 390 px');
    await screenshots(page, 'dashboard');
    assert.deepEqual(problems.pageErrors, []);
    assert.deepEqual(problems.consoleErrors, []);
  });
});

test('dashboard in Norwegian and Dutch: tile names as the help pages name them, trends over buckets', { timeout: 120_000 }, async (t) => {
  const res = await fetch(`${world.collector.url}/api/v1/dashboards`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${world.token}`, 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({
      name: 'Trender',
      tiles: [
        { tile: 'new-leads-trend', bucket: 'month', by: 'channel' },
        { tile: 'conversion-trend' },
        { tile: 'new-leads-by-campaign' },
        { tile: 'new-leads-from-forms' },
      ],
    }),
  });
  const made = await res.json();
  assert.equal(res.status, 201, JSON.stringify(made));
  const trend = await world.api.get('/api/v1/tiles/new-leads-trend?bucket=month&by=channel');
  const buckets = new Set(trend.rows.map((r) => r.bucket));
  const series = new Set(trend.rows.map((r) => r.label));
  const forms = (await world.api.get('/api/v1/tiles/new-leads-from-forms')).rows[0].value;

  for (const [locale, names] of [
    ['nb-NO', { 'new-leads-by-campaign': 'Nye leads etter kampanje', 'new-leads-trend': 'Nye leads over tid', 'new-leads-from-forms': 'Nye leads fra skjemaer' }],
    ['nl-NL', { 'new-leads-by-campaign': 'Nieuwe leads per campagne', 'new-leads-trend': 'Nieuwe leads in de tijd', 'new-leads-from-forms': 'Nieuwe leads vanuit formulieren' }],
  ]) {
    await world.visit(t, async ({ page, problems }) => {
      await page.setViewportSize({ width: 1400, height: 1000 });
      await world.signIn(page, `/dashboard?d=${made.id}`);
      await tilesDrawn(page, 4);
      assert.equal(await page.evaluate(() => document.documentElement.lang), locale.slice(0, 2));
      for (const [tile, name] of Object.entries(names)) {
        assert.equal(await page.locator(`[data-tile="${tile}"] h2`).textContent(), name, `${locale}: ${tile}`);
      }
      assert.equal(await page.locator('[data-tile="new-leads-from-forms"] .number').textContent(), new Intl.NumberFormat(locale).format(forms), 'numbers in the locale');

      // New leads per month by channel: stacked bars, one series per channel, one bar per month.
      const drawn = await page.evaluate(() => {
        const option = (tile) => echarts.getInstanceByDom(document.querySelector(`[data-tile="${tile}"] .chart`)).getOption();
        const leads = option('new-leads-trend');
        return {
          types: [...new Set(leads.series.map((s) => s.type))],
          series: leads.series.length,
          buckets: leads.xAxis[0].data.length,
          stacked: leads.series.every((s) => s.stack === 'total'),
          conversion: [...new Set(option('conversion-trend').series.map((s) => s.type))],
        };
      });
      assert.deepEqual(drawn, { types: ['bar'], series: series.size, buckets: buckets.size, stacked: true, conversion: ['line'] });
      // Its table: a row per month, a column per channel.
      await page.locator('[data-tile="new-leads-trend"] .table-toggle').click();
      assert.equal(await page.locator('[data-tile="new-leads-trend"] .as-table tbody tr').count(), buckets.size);
      assert.equal(await page.locator('[data-tile="new-leads-trend"] .as-table thead th').count(), series.size + 1);
      await expectNoViolations(page, `trends in ${locale}`);
      await expectNoRawKeys(page, `trends in ${locale}`);
      assert.deepEqual(problems.pageErrors, []);
      assert.deepEqual(problems.consoleErrors, []);
    }, { locale });
  }
});

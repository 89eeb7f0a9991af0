// What a dashboard's figures lead to, in Chromium over demo data: every tile of the catalogue
// opens the persons behind its figure from the keyboard (a number, a table row, a chart's
// table row, a trend's point with its bucket and split, a list's persons and its selection),
// an owner or country filter focuses every tile and its drill-down; a dashboard keeps a period
// named relative to today; channels are named in the page's language; and names of 200
// characters from visitors' URLs neither overlap nor push the page sideways at 390 px.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import { COLLECTOR_BIN, startWorld } from './harness.mjs';
import { expectNoHorizontalScroll, expectNoRawKeys, expectNoViolations } from './a11y.mjs';

let world;
let selection;
const LONG = (prefix) => `${prefix} <b>${'&'}</b> ${'Kampanjeveldigvelkjent_'.repeat(12)}`.slice(0, 200);

/** One API call with the token, as a script would make it. */
async function call(method, pathAndQuery, body) {
  const res = await fetch(`${world.collector.url}${pathAndQuery}`, {
    method,
    headers: { Authorization: `Bearer ${world.token}`, Accept: 'application/json', 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

before(async () => {
  world = await startWorld();
  const filled = spawnSync(COLLECTOR_BIN, ['demo-data', '--persons', '1500', '--db', world.collector.dbPath], { encoding: 'utf8' });
  assert.equal(filled.status, 0, filled.stderr);
  // Leads from Iceland (no demo lead is) whose sources and campaigns are 200 characters.
  for (let i = 0; i < 12; i++) {
    const res = await fetch(`${world.collector.url}/f/contact`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ email: `long${i}@example.is`, country: 'IS', lt_v: '1', lt_last_source: LONG(`source${i % 4}`), lt_last_medium: 'cpc', lt_last_campaign: LONG(`campaign${i % 3}`) }),
    });
    assert.equal(res.status, 201, await res.text());
  }
  const made = await call('POST', '/api/v1/selections', { name: 'Open leads', entity: 'person', kind: 'dynamic', criteria: 'status=open' });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  selection = made.body;
});
after(async () => {
  await world?.close();
});

async function tilesDrawn(page, count) {
  await page.locator('#status', { hasText: ' ms' }).waitFor();
  await page.waitForFunction((n) => document.querySelectorAll('#tiles .tile').length === n
    && [...document.querySelectorAll('#tiles .tile .tile-body')].every((body) => body.children.length > 0), count);
}

/** A dashboard of every tile of the catalogue (the list tile with `selection`). */
async function everyTile(name, extra = {}) {
  const catalogue = (await call('GET', '/api/v1/tiles')).body.items;
  const tiles = catalogue.map((info) => {
    if (info.id === 'selection-list') return { tile: info.id, selection: selection.id };
    if (info.id === 'new-leads-trend') return { tile: info.id, bucket: 'month', by: 'channel' };
    return { tile: info.id };
  });
  const made = await call('POST', '/api/v1/dashboards', { name, tiles, ...extra });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  return made.body;
}

/** The persons' ids a drill-down lists (from the links to their cards). */
const drillIds = (page) => page.locator('#drill-table tbody tr td a').evaluateAll((links) => links.map((a) => a.getAttribute('href').split('/').pop()));

/**
 * Opens every tile's persons of `dashboard` by keyboard with the page filtered by `name` =
 * `value` (`country` or `owner`, as in the URL), and checks that the persons listed are of
 * it (`belongs(person)`, the first five of each, read through the API).
 */
async function drillEveryTile(t, dashboard, [name, value], belongs) {
  await world.visit(t, async ({ page, problems }) => {
    await page.setViewportSize({ width: 1400, height: 1000 });
    const tileAnswers = new Map();
    page.on('response', async (res) => {
      const url = new URL(res.url());
      const m = /^\/api\/v1\/tiles\/([a-z-]+)$/.exec(url.pathname);
      if (m && res.status() === 200) tileAnswers.set(m[1], { query: url.searchParams, body: await res.json().catch(() => null) });
    });
    await world.signIn(page, `/dashboard?d=${dashboard.id}&${name}=${value}`);
    await tilesDrawn(page, dashboard.tiles.length);
    assert.deepEqual(await page.locator('#tiles .error').allTextContents(), [], 'no tile failed');

    for (const { tile } of dashboard.tiles) {
      const card = page.locator(`#tiles [data-tile="${tile}"]`);
      assert.equal(tileAnswers.get(tile)?.query.get(name), value, `${tile}: asked for the ${name}`);
      if (tile === 'selection-list') {
        // A list's rows are its persons (each opens the person's card), and the selection
        // opens with all of them.
        const people = card.locator('ul.persons li a');
        assert.ok(await people.count() > 0, 'the list has persons');
        for (const href of await people.evaluateAll((links) => links.map((a) => a.getAttribute('href')))) {
          const id = /^\/people\/(\d+)$/.exec(href)?.[1];
          assert.ok(id, href);
        }
        const shownIds = await people.evaluateAll((links) => links.map((a) => a.getAttribute('href').split('/').pop()));
        for (const id of shownIds.slice(0, 5)) {
          assert.ok(belongs((await call('GET', `/api/v1/persons/${id}`)).body), `the list is focused by the ${name}`);
        }
        assert.equal(await card.locator('a.open-selection').getAttribute('href'), `/selections/${selection.id}`);
        continue;
      }
      // The opener: the number, else the first row of the table (a chart's table view).
      const toggle = card.locator('.table-toggle');
      if (await toggle.count()) {
        await toggle.focus();
        await page.keyboard.press('Enter');
      }
      const opener = card.locator('button.number, .row-open').first();
      assert.ok(await opener.count(), `${tile}: a figure that opens its persons`);
      const asked = page.waitForRequest((req) => req.url().includes(`/api/v1/tiles/${tile}/persons`));
      await opener.focus();
      await page.keyboard.press('Enter');
      const request = new URL((await asked).url());
      await page.locator('#drill').waitFor({ state: 'visible' });
      await page.locator('#drill-count').filter({ hasText: /\d/ }).waitFor();
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'drill-title', `${tile}: focus on the drill-down's title`);
      assert.deepEqual(await page.locator('#drill-table .error').allTextContents(), [], `${tile}: the drill-down answered`);
      for (const id of (await drillIds(page)).slice(0, 5)) {
        assert.ok(belongs((await call('GET', `/api/v1/persons/${id}`)).body), `${tile}: person ${id} is not of ${name} ${value}`);
      }
      assert.equal(request.searchParams.get(name), value);
      const answer = tileAnswers.get(tile).body;
      assert.equal(request.searchParams.get('from'), answer.period.from, `${tile}: the figure's days`);
      assert.equal(request.searchParams.get('to'), answer.period.to);
      if (answer.bucket) {
        assert.equal(request.searchParams.get('bucket'), answer.bucket, `${tile}: the trend's bucket`);
        assert.equal(request.searchParams.get('by'), answer.by, `${tile}: the trend's split`);
        assert.equal(JSON.parse(request.searchParams.get('key')).length, 2, 'a [bucket, series] key');
      }
      await page.keyboard.press('Escape');
      await page.locator('#drill').waitFor({ state: 'hidden' });
      assert.ok(await opener.evaluate((node) => node === document.activeElement), `${tile}: focus back on the figure`);
    }
    assert.deepEqual(problems.pageErrors, []);
    assert.deepEqual(problems.consoleErrors, []);
  });
}

test('every tile opens the persons behind its figure, focused by the country filter', { timeout: 300_000 }, async (t) => {
  const dashboard = await everyTile('Everything');
  await drillEveryTile(t, dashboard, ['country', 'NO'], (person) => person.country === 'NO');
});

test('every tile opens the persons behind its figure, focused by the owner filter', { timeout: 300_000 }, async (t) => {
  const dashboard = await everyTile('Everyone of one owner');
  const owner = (await call('GET', '/api/v1/tiles/filters')).body.owners[0].id;
  await drillEveryTile(t, dashboard, ['owner', String(owner)], (person) => person.owner_id === owner);
});

test('a trend point lists exactly the leads of its bucket and series', { timeout: 120_000 }, async (t) => {
  // A preset's trend tile carries no bucket (the tile's default); one of the dashboard's own
  // carries day and lead source. Either way the point's persons are its leads.
  const made = await call('POST', '/api/v1/dashboards', { name: 'Days', tiles: [{ tile: 'new-leads-trend', bucket: 'day', by: 'lead_source' }, { tile: 'new-leads-trend' }], filters: { period: 'last-90-days' } });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  await world.visit(t, async ({ page, problems }) => {
    await page.setViewportSize({ width: 1400, height: 1000 });
    await world.signIn(page, `/dashboard?d=${made.body.id}`);
    await tilesDrawn(page, 2);
    for (const index of [0, 1]) {
      const card = page.locator('#tiles .tile').nth(index);
      await card.locator('.table-toggle').click();
      // The first point with a few leads (all of them fit in the drill-down's 100).
      const cells = card.locator('.as-table .row-open');
      const texts = await cells.allTextContents();
      const at = texts.findIndex((text) => Number(text.replace(/\D/g, '')) > 0 && Number(text.replace(/\D/g, '')) <= 100);
      assert.ok(at >= 0, `a point with 1 to 100 leads: ${texts.slice(0, 20)}`);
      const value = Number(texts[at].replace(/\D/g, ''));
      const asked = page.waitForRequest((req) => req.url().includes('/api/v1/tiles/new-leads-trend/persons'));
      await cells.nth(at).click();
      const request = new URL((await asked).url());
      await page.locator('#drill-count').filter({ hasText: /\d/ }).waitFor();
      const rows = await page.locator('#drill-table tbody tr td a').count();
      assert.equal(rows, value, `the point's ${value} leads (${request.search})`);
      assert.equal(request.searchParams.get('bucket'), index === 0 ? 'day' : 'week');
      assert.equal(request.searchParams.get('by'), 'lead_source');
      await page.keyboard.press('Escape');
      await page.locator('#drill').waitFor({ state: 'hidden' });
    }
    assert.deepEqual(problems.pageErrors, []);
    assert.deepEqual(problems.consoleErrors, []);
  });
});

test('a dashboard keeps a period relative to today; old links still read', { timeout: 120_000 }, async (t) => {
  const made = await call('POST', '/api/v1/dashboards', { name: 'Rolling', tiles: [{ tile: 'new-leads-by-lead-source' }, { tile: 'new-leads-from-forms' }] });
  assert.equal(made.status, 201);
  const id = made.body.id;
  const expected = (await call('GET', '/api/v1/tiles/new-leads-from-forms?period=last-30-days')).body;
  await world.visit(t, async ({ page, problems }) => {
    await page.setViewportSize({ width: 1400, height: 1000 });
    await world.signIn(page, `/dashboard?d=${id}`);
    await tilesDrawn(page, 2);
    await page.click('#edit-dashboard');
    await page.locator('#editor').waitFor({ state: 'visible' });
    assert.ok(await page.locator('#editor-dates').isHidden(), 'no dates for a named period');
    await page.locator('#editor-period').focus();
    await page.selectOption('#editor-period', 'custom');
    assert.ok(await page.locator('#editor-dates').isVisible(), 'custom dates can be typed');
    await page.selectOption('#editor-period', 'last-30-days');
    await expectNoViolations(page, 'editor with a period');
    const asked = page.waitForRequest((req) => req.url().includes('/api/v1/tiles/new-leads-from-forms?'));
    await page.click('#editor-save');
    await page.locator('#editor').waitFor({ state: 'hidden' });
    assert.equal(new URL((await asked).url()).searchParams.get('period'), 'last-30-days', 'the tiles are asked for the named period');
    await tilesDrawn(page, 2);
    assert.deepEqual((await call('GET', `/api/v1/dashboards/${id}`)).body.filters, { period: 'last-30-days' });
    assert.equal(await page.locator('#period').inputValue(), 'last-30-days');
    assert.equal(await page.locator('#tiles [data-tile="new-leads-from-forms"] .number').textContent(), new Intl.NumberFormat('en-GB').format(expected.rows[0].value), 'the figure of the last 30 days');
    // The days counted, as the server resolved them, are the ones the page says.
    const shownDays = await page.evaluate(({ from, to }) => [from, to].map((d) => new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' }).format(new Date(`${d}T00:00:00Z`))), expected.period);
    const status = await page.locator('#status').textContent();
    assert.ok(shownDays.every((d) => status.includes(d)), `${status} names ${shownDays}`);

    // Reload: the dashboard's own period again; the URL carries only the dashboard.
    await page.reload();
    await tilesDrawn(page, 2);
    assert.equal(await page.locator('#period').inputValue(), 'last-30-days');
    // Another period on the page is in the URL; custom starts from the days shown.
    await page.selectOption('#period', 'this-quarter');
    await page.waitForFunction(() => new URL(location.href).searchParams.get('period') === 'this-quarter');
    await tilesDrawn(page, 2);
    const quarter = (await call('GET', '/api/v1/tiles/new-leads-from-forms?period=this-quarter')).body.period;
    await page.selectOption('#period', 'custom');
    assert.equal(await page.locator('#from').inputValue(), quarter.from);
    assert.equal(await page.locator('#to').inputValue(), quarter.to);
    // A link from before (?period=90) shows the last 90 days.
    await page.goto(`${world.collector.url}/dashboard?d=${id}&period=90`);
    await tilesDrawn(page, 2);
    assert.equal(await page.locator('#period').inputValue(), 'last-90-days');
    assert.deepEqual(problems.pageErrors, []);
    assert.deepEqual(problems.consoleErrors, []);
  });
});

test('channels are named in the page\'s language', { timeout: 120_000 }, async (t) => {
  const made = await call('POST', '/api/v1/dashboards', { name: 'Kanaler', tiles: [{ tile: 'new-leads-by-channel' }, { tile: 'new-leads-trend', bucket: 'month', by: 'channel' }] });
  assert.equal(made.status, 201);
  for (const [locale, paidSocial, paidSearch] of [['nb-NO', 'Betalt sosialt', 'Betalt søk'], ['nl-NL', 'Betaald sociaal', 'Betaald zoeken'], ['en-GB', 'Paid Social', 'Paid Search']]) {
    await world.visit(t, async ({ page, problems }) => {
      await page.setViewportSize({ width: 1400, height: 1000 });
      await world.signIn(page, `/dashboard?d=${made.body.id}`);
      await tilesDrawn(page, 2);
      const names = await page.evaluate(() => {
        const option = (tile) => echarts.getInstanceByDom(document.querySelector(`[data-tile="${tile}"] .chart`)).getOption();
        const channel = option('new-leads-by-channel');
        return {
          channel: channel.series[0].type === 'pie' ? channel.series[0].data.map((d) => d.name) : channel.yAxis[0].data,
          trend: option('new-leads-trend').series.map((s) => s.name),
        };
      });
      for (const list of [names.channel, names.trend]) {
        assert.ok(list.includes(paidSocial) && list.includes(paidSearch), `${locale}: ${list}`);
      }
      if (locale !== 'en-GB') {
        assert.ok(!names.channel.includes('Paid Social') && !names.trend.includes('Paid Social'), `${locale}: no English channel names`);
      }
      // The drill-down's title names the channel so too.
      await page.locator('[data-tile="new-leads-by-channel"] .table-toggle').click();
      await page.locator('[data-tile="new-leads-by-channel"] .as-table .row-open', { hasText: paidSocial }).click();
      await page.locator('#drill-title', { hasText: paidSocial }).waitFor();
      await page.keyboard.press('Escape');
      await expectNoRawKeys(page, `channels in ${locale}`);
      assert.deepEqual(problems.pageErrors, []);
      assert.deepEqual(problems.consoleErrors, []);
    }, { locale });
  }
});

/** The text boxes ECharts drew in a chart (visible ones), in the chart's pixels. */
function chartTexts(page, tile) {
  return page.evaluate((id) => {
    const chart = echarts.getInstanceByDom(document.querySelector(`[data-tile="${id}"] .chart`));
    const hidden = (el) => {
      for (let e = el; e; e = e.parent) if (e.ignore || e.invisible) return true;
      return false;
    };
    const boxes = [];
    for (const el of chart.getZr().storage.getDisplayList(true)) {
      // A label's lines are drawn as 'tspan' elements.
      if ((el.type !== 'tspan' && el.type !== 'text') || hidden(el) || !el.style?.text || el.style.opacity === 0) continue;
      const r = el.getBoundingRect().clone();
      r.applyTransform(el.getComputedTransform());
      if (r.width <= 0 || r.height <= 0) continue;
      // A scrolling legend clips the items of its other pages: those are not seen.
      let clipped = false;
      for (let e = el; e; e = e.parent) if (e.getClipPath?.()) clipped = true;
      if (clipped && (r.x < -1 || r.x + r.width > chart.getWidth() + 1)) continue;
      boxes.push({ text: String(el.style.text).slice(0, 40), x: r.x, y: r.y, w: r.width, h: r.height });
    }
    return { width: chart.getWidth(), height: chart.getHeight(), boxes };
  }, tile);
}

test('names of 200 characters: no overlap, no sideways page, at 1400 and 390 px', { timeout: 180_000 }, async (t) => {
  // The campaign as stored (cleaned on the way in).
  const campaign = (await call('GET', '/api/v1/persons?email=long0%40example.is')).body.items[0].lead_generation.campaign;
  assert.ok(campaign.length > 150, campaign);
  const made = await call('POST', '/api/v1/dashboards', {
    name: LONG('dashboard'),
    tiles: [
      { tile: 'new-leads-by-campaign' }, { tile: 'new-leads-by-lead-source' }, { tile: 'campaign-channel-split', campaign },
      { tile: 'new-leads-trend', bucket: 'month', by: 'lead_source' }, { tile: 'source-performance' }, { tile: 'conversion-rate-by-source' },
    ],
    filters: { country: 'IS', period: 'this-year' },
  });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  for (const locale of ['en-GB', 'nb-NO', 'nl-NL']) {
    await world.visit(t, async ({ page, problems }) => {
      await page.setViewportSize({ width: 1400, height: 1000 });
      await world.signIn(page, `/dashboard?d=${made.body.id}`);
      await tilesDrawn(page, 6);
      for (const width of [1400, 390]) {
        await page.setViewportSize({ width, height: 900 });
        await page.waitForTimeout(400);
        for (const tile of ['new-leads-by-campaign', 'new-leads-by-lead-source', 'campaign-channel-split', 'new-leads-trend', 'conversion-rate-by-source']) {
          const { width: w, boxes } = await chartTexts(page, tile);
          assert.ok(boxes.some((b) => b.text.includes('Kampanjeveld') || b.text.includes('campaign0') || b.text.includes('source')), `${locale} ${width} ${tile}: the long names are drawn: ${JSON.stringify(boxes.map((b) => b.text))}`);
          for (const [i, a] of boxes.entries()) {
            assert.ok(a.x >= -1 && a.x + a.w <= w + 1, `${locale} ${width} ${tile}: "${a.text}" inside the chart (${Math.round(a.x)}..${Math.round(a.x + a.w)} of ${w})`);
            for (const b of boxes.slice(i + 1)) {
              const overlap = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x) > 1 && Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y) > 1;
              assert.ok(!overlap, `${locale} ${width} ${tile}: "${a.text}" overlaps "${b.text}"`);
            }
          }
        }
        // A donut stays inside its chart however narrow (its legend has the other half).
        for (const tile of ['new-leads-by-lead-source', 'campaign-channel-split']) {
          const ring = await page.evaluate((id) => {
            const chart = echarts.getInstanceByDom(document.querySelector(`[data-tile="${id}"] .chart`));
            const series = chart.getModel().getSeriesByIndex(0);
            const layout = series.getData().getItemLayout(0);
            return { type: series.type, left: layout.cx - layout.r, right: layout.cx + layout.r, top: layout.cy - layout.r, bottom: layout.cy + layout.r, width: chart.getWidth(), height: chart.getHeight() };
          }, tile);
          assert.equal(ring.type, 'series.pie', `${tile} is a donut`);
          assert.ok(ring.left >= 0 && ring.right <= ring.width / 2 + 1 && ring.top >= 0 && ring.bottom <= ring.height, `${locale} ${width} ${tile}: the donut inside its half: ${JSON.stringify(ring)}`);
        }
        // Tables wrap the names inside their tile.
        const table = await page.locator('[data-tile="source-performance"]').evaluate((card) => ({ card: card.getBoundingClientRect().right, table: card.querySelector('table').getBoundingClientRect().right }));
        assert.ok(table.table <= table.card, `${locale} ${width}: the table fits its tile: ${JSON.stringify(table)}`);
        if (width === 390) await expectNoHorizontalScroll(page);
      }
      await expectNoViolations(page, `long names in ${locale}`);
      assert.deepEqual(problems.pageErrors, []);
      assert.deepEqual(problems.consoleErrors, []);
    }, { locale });
  }
});

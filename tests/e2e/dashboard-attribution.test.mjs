// Attribution on the dashboard in Chromium, over leads posted with journeys of three and
// four touches (so that the models credit them differently): the editor draws each tile's
// parameters from the catalogue's choices, in the page's language; an attribution tile is
// added under the linear model, and the model picker on the tile switches it to
// position-based by keyboard — the figures change, equal the API's
// /api/v1/attribution?model=… rows, are said aloud and kept in the URL; the drill-down
// lists the API's persons of the row; axe, 390 px, Norwegian labels. With campaign costs in
// euros and kroner, the tile's table adds cost, cost per lead, cost per deal and return on
// spend as the API computes them under the tile's model, written as the page's locale
// writes amounts, two currencies side by side. And every tile of the catalogue, and every
// value of its choices, has its texts in all three catalogues.

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { REPO, startWorld } from './harness.mjs';
import { expectNoHorizontalScroll, expectNoRawKeys, expectNoViolations } from './a11y.mjs';

const DAY_MS = 86_400_000;
let world;

async function call(method, pathAndQuery, body) {
  const res = await fetch(`${world.collector.url}${pathAndQuery}`, {
    method,
    headers: { Authorization: `Bearer ${world.token}`, Accept: 'application/json', 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

/** A lead posted to the form endpoint as the tracker posts it, its journey included. */
async function lead(email, touches) {
  const now = Date.now();
  const at = touches.map((_, i) => now - (touches.length - 1 - i) * 3 * DAY_MS);
  const [first, last] = [touches[0], touches.at(-1)];
  const journey = `1,${touches.map(([source, medium], i) => `source=${source}&medium=${medium}&at=${at[i]}`).join(',')}`;
  const form = new URLSearchParams({
    email,
    lt_v: '1',
    lt_first_source: first[0],
    lt_first_medium: first[1],
    lt_first_at: String(at[0]),
    lt_last_source: last[0],
    lt_last_medium: last[1],
    lt_last_at: String(at.at(-1)),
    lt_journey: journey,
  });
  const res = await fetch(`${world.collector.url}/f/contact`, { method: 'POST', headers: { Accept: 'application/json' }, body: form });
  const answer = await res.json();
  assert.equal(res.status, 201, JSON.stringify(answer));
  return answer.person_id;
}

before(async () => {
  world = await startWorld();
  const journeys = [
    [['linkedin', 'paid_social'], ['newsletter', 'email'], ['google', 'cpc']],
    [['linkedin', 'paid_social'], ['bing', 'cpc'], ['newsletter', 'email'], ['google', 'cpc']],
    [['facebook', 'paid_social'], ['linkedin', 'paid_social'], ['bing', 'cpc']],
    [['newsletter', 'email'], ['facebook', 'paid_social'], ['google', 'cpc']],
    [['google', 'cpc'], ['linkedin', 'paid_social'], ['linkedin', 'paid_social'], ['newsletter', 'email']],
    [['bing', 'cpc'], ['google', 'cpc'], ['facebook', 'paid_social']],
  ];
  const ids = [];
  for (const [i, touches] of journeys.entries()) ids.push(await lead(`journey${i}@example.com`, touches));
  const sale = await call('POST', '/api/v1/sales', { person_id: ids[0], title: 'deal', amount: '300.00', currency: 'EUR', status: 'won' });
  assert.equal(sale.status, 201, JSON.stringify(sale.body));
  // LinkedIn spent in two currencies; the newsletter and Facebook cost nothing.
  const date = new Date().toISOString().slice(0, 10);
  const cost = (source, medium, campaign, amount, currency) => ({ date, source, medium, campaign, amount, currency });
  const costs = await call('POST', '/api/v1/costs', [
    cost('google', 'cpc', 'brand', '120.00', 'EUR'),
    cost('linkedin', 'paid_social', 'abm', '80.00', 'EUR'),
    cost('linkedin', 'paid_social', 'abm', '500.00', 'NOK'),
    cost('bing', 'cpc', 'generic', '1234.56', 'EUR'),
  ]);
  assert.equal(costs.status, 200, JSON.stringify(costs.body));
});
after(async () => {
  await world?.close();
});

test('every catalogue tile and every value of its choices has its texts in en, nb and nl', async () => {
  const { status, body } = await call('GET', '/api/v1/tiles');
  assert.equal(status, 200);
  assert.ok(body.items.some((tile) => tile.id === 'attribution'), 'the catalogue lists the attribution tile');
  for (const lang of ['en', 'nb', 'nl']) {
    const texts = JSON.parse(await readFile(path.join(REPO, 'www', 'app', 'i18n', `${lang}.json`), 'utf8'));
    const missing = [];
    const has = (area, key) => typeof texts[area]?.[key] === 'string' && texts[area][key].trim() !== '';
    for (const tile of body.items) {
      const key = tile.id.replaceAll('-', '_');
      for (const name of [key, `${key}_about`]) if (!has('tiles', name)) missing.push(`tiles.${name}`);
      for (const choice of tile.choices) {
        if (!has('dashboard', choice.param)) missing.push(`dashboard.${choice.param}`);
        for (const value of choice.values) if (!has('dashboard', `${choice.param}_${value}`)) missing.push(`dashboard.${choice.param}_${value} (${tile.id})`);
        if (choice.default === null && !has('dashboard', `${choice.param}_none`)) missing.push(`dashboard.${choice.param}_none (${tile.id})`);
      }
    }
    assert.deepEqual([...new Set(missing)], [], `${lang}.json lacks texts for the catalogue`);
  }
});

/** The attribution tile's rows as its table shows them: [name, leads]. */
const tableRows = (page) => page.locator('#tiles .tile[data-tile="attribution"] .as-table tbody tr').evaluateAll(
  (rows) => rows.map((row) => [row.cells[0].textContent.trim(), row.cells[1].textContent.trim()]),
);

/** The API's rows for `model` (by source), written as the English page writes them. */
async function apiRows(model, period) {
  const { status, body } = await call('GET', `/api/v1/attribution?model=${model}&by=source&from=${period.from}&to=${period.to}`);
  assert.equal(status, 200, JSON.stringify(body));
  assert.equal(body.model, model);
  const number = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 2 });
  return body.rows.map((row) => [row.label, number.format(row.leads)]);
}

/** The tile's cost columns as its table shows them: [name, cost, per lead, per deal, return]. */
const costRows = (page) => page.locator('#tiles .tile[data-tile="attribution"] .as-table tbody tr').evaluateAll(
  (rows) => rows.map((row) => [0, 4, 5, 6, 7].map((i) => row.cells[i]?.textContent.trim())),
);

/** The API's cost figures for `model`, written as `locale` writes amounts. */
async function apiCosts(model, period, locale) {
  const { status, body } = await call('GET', `/api/v1/attribution?model=${model}&by=source&from=${period.from}&to=${period.to}`);
  assert.equal(status, 200, JSON.stringify(body));
  assert.equal(body.costs_counted, true);
  const amounts = (list) => list.map((m) => new Intl.NumberFormat(locale, { style: 'currency', currency: m.currency }).format(m.amount)).join(' · ');
  const ratio = new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  return body.rows.map((row) => [
    row.label,
    amounts(row.cost),
    amounts(row.cost_per_lead),
    amounts(row.cost_per_deal),
    row.return_on_spend.map((r) => `${ratio.format(r.ratio)}×${row.cost.length > 1 ? ` ${r.currency}` : ''}`).join(' · '),
  ]);
}

const headers = (page) => page.locator('#tiles .tile[data-tile="attribution"] .as-table thead th').allTextContents();

test('the attribution tile: added in the editor, its model switched on the tile, figures as the API credits them', { timeout: 180_000 }, async (t) => {
  let dashboardUrl;
  await world.visit(t, async ({ page, problems }) => {
    await page.setViewportSize({ width: 1400, height: 1000 });
    await world.signIn(page, '/dashboard');
    await page.locator('#status', { hasText: ' ms' }).waitFor();

    // The marketing preset carries an attribution tile whose model picker is on the tile.
    await page.locator('#tiles .tile[data-tile="attribution"] select[data-param="model"]').waitFor();

    await page.click('#new-dashboard');
    await page.locator('#editor').waitFor({ state: 'visible' });
    await page.fill('#editor-name', 'Credit');

    // Each tile's pickers come from its choices, with the tile's own default.
    const options = (id) => page.locator(`#${id} option`).evaluateAll((list) => list.map((o) => [o.value, o.textContent]));
    await page.selectOption('#add-tile', 'new-leads-trend');
    assert.deepEqual(await options('add-by'), [['lead_source', 'Lead source'], ['channel', 'Channel'], ['all', 'All leads together']]);
    assert.equal(await page.inputValue('#add-bucket'), 'week');
    await page.selectOption('#add-tile', 'source-performance');
    assert.equal(await page.inputValue('#add-model'), '', 'source performance is drawn without a model unless one is chosen');
    assert.equal(await page.locator('#add-by').count(), 0);
    await page.selectOption('#add-tile', 'attribution');
    assert.deepEqual(await options('add-model'), [
      ['first_interaction', 'First interaction'], ['last_touch', 'Last touch'], ['last_non_direct', 'Last non-direct touch'],
      ['linear', 'Linear'], ['position_based', 'Position-based'], ['time_decay', 'Time decay'],
    ]);
    assert.deepEqual(await options('add-by'), [['source', 'Source'], ['medium', 'Medium'], ['campaign', 'Campaign'], ['channel', 'Channel']]);
    assert.equal(await page.inputValue('#add-model'), 'last_touch');
    assert.equal(await page.inputValue('#add-by'), 'source');
    await page.locator('#add-preview canvas').first().waitFor();
    await page.selectOption('#add-model', 'linear');
    await page.locator('#add-preview h3', { hasText: 'Linear' }).waitFor();
    await page.locator('#add-preview canvas').first().waitFor();
    await expectNoViolations(page, '/dashboard, the editor adding an attribution tile');
    await expectNoHorizontalScroll(page, { label: '/dashboard editor' });
    await page.click('#add-button');
    await page.locator('#editor-tiles li[data-tile="attribution"]', { hasText: 'Linear' }).waitFor();
    await page.click('#editor-save');
    await page.locator('#editor').waitFor({ state: 'hidden' });
    await page.locator('#tiles .tile[data-tile="attribution"] .as-table tbody tr').first().waitFor({ state: 'attached' });

    const saved = (await call('GET', '/api/v1/dashboards')).body.items.find((d) => d.name === 'Credit');
    assert.deepEqual(saved.tiles, [{ tile: 'attribution', model: 'linear', by: 'source' }], 'the editor stores the choices');

    const picker = page.locator('#tile-0-model');
    assert.equal(await picker.inputValue(), 'linear');
    const { body: shownTile } = await call('GET', '/api/v1/tiles/attribution?model=linear&by=source');
    const linear = await apiRows('linear', shownTile.period);
    assert.ok(linear.length >= 4, JSON.stringify(linear));
    assert.deepEqual(await tableRows(page), linear, 'the linear figures are the API\'s');

    // By keyboard: the picker on the tile, one step down is position-based.
    await picker.focus();
    await page.keyboard.press('ArrowDown');
    await page.locator('#announcer', { hasText: 'Position-based' }).waitFor({ state: 'attached' });
    assert.equal(await picker.inputValue(), 'position_based');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'tile-0-model', 'focus stays on the picker');
    assert.equal(new URL(page.url()).searchParams.get('t0.model'), 'position_based');
    const positionBased = await apiRows('position_based', shownTile.period);
    await page.waitForFunction((want) => {
      const rows = [...document.querySelectorAll('#tiles .tile[data-tile="attribution"] .as-table tbody tr')];
      return JSON.stringify(rows.map((r) => [r.cells[0].textContent.trim(), r.cells[1].textContent.trim()])) === JSON.stringify(want);
    }, positionBased);
    assert.notDeepEqual(positionBased, linear, 'the models credit these journeys differently');

    // Cost and return beside the credits, under the tile's model, as the API has them.
    assert.deepEqual(await headers(page), ['Name', 'Leads', 'Deals', 'Revenue', 'Cost', 'Cost per lead', 'Cost per deal', 'Return on spend']);
    const costs = await apiCosts('position_based', shownTile.period, 'en-GB');
    await page.waitForFunction((want) => {
      const rows = [...document.querySelectorAll('#tiles .tile[data-tile="attribution"] .as-table tbody tr')];
      return JSON.stringify(rows.map((r) => [0, 4, 5, 6, 7].map((i) => r.cells[i]?.textContent.trim()))) === JSON.stringify(want);
    }, costs);
    const shown = await costRows(page);
    const linkedin = shown.find((row) => row[0] === 'linkedin');
    assert.match(linkedin[1], /^€80\.00 · NOK\s500\.00$/, 'two currencies side by side, never added');
    assert.match(linkedin[2], /^€\d+\.\d{2} · NOK\s\d+\.\d{2}$/);
    assert.equal(shown.find((row) => row[0] === 'newsletter')[1], '', 'no cost, no figure');
    assert.match(shown.find((row) => row[0] === 'google')[4], /^\d+\.\d{2}×$/, 'return on spend where revenue and cost share a currency');

    // The drill-down of the first row lists the persons the API credits to it.
    const tile = page.locator('#tiles .tile[data-tile="attribution"]');
    await tile.locator('.table-toggle').click();
    const first = tile.locator('.as-table tbody .row-open').first();
    const label = await first.textContent();
    await first.click();
    await page.locator('#drill-count', { hasText: 'persons' }).waitFor();
    const { body: row } = await call('GET', `/api/v1/tiles/attribution?model=position_based&by=source&from=${shownTile.period.from}&to=${shownTile.period.to}`);
    const key = row.rows.find((r) => r.label === label).key;
    const { body: persons } = await call('GET', `/api/v1/tiles/attribution/persons?model=position_based&by=source&key=${encodeURIComponent(key)}&from=${shownTile.period.from}&to=${shownTile.period.to}`);
    assert.ok(persons.items.length > 0);
    const listed = await page.locator('#drill-table tbody tr td:nth-child(2)').allTextContents();
    assert.deepEqual(listed, persons.items.map((p) => p.email));
    await expectNoViolations(page, '/dashboard, the attribution drill-down');
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => !document.getElementById('drill').open);
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), label, 'focus returns to the row');

    // Reload: the model chosen on the tile is the URL's.
    dashboardUrl = page.url();
    await page.reload();
    await page.locator('#tiles .tile[data-tile="attribution"] .as-table tbody tr').first().waitFor({ state: 'attached' });
    assert.equal(await page.inputValue('#tile-0-model'), 'position_based');
    assert.deepEqual(await tableRows(page), positionBased);
    await expectNoViolations(page, '/dashboard with an attribution tile');
    await expectNoHorizontalScroll(page, { label: '/dashboard with an attribution tile' });
    await expectNoRawKeys(page);

    assert.deepEqual(problems.dialogs, []);
    assert.deepEqual(problems.pageErrors, []);
    assert.deepEqual(problems.consoleErrors, []);
  });

  // In Norwegian: the tile's name and the models in bokmål, numbers as nb-NO writes them.
  await world.visit(t, async ({ page, problems }) => {
    await page.setViewportSize({ width: 390, height: 900 });
    await world.signIn(page, new URL(dashboardUrl).pathname + new URL(dashboardUrl).search);
    await page.locator('#tiles .tile[data-tile="attribution"] .as-table tbody tr').first().waitFor({ state: 'attached' });
    assert.equal(await page.locator('#tile-0-title').textContent(), 'Attribusjon');
    const labels = await page.locator('#tile-0-model option').allTextContents();
    assert.deepEqual(labels, ['Første interaksjon', 'Siste kontaktpunkt', 'Siste ikke-direkte kontaktpunkt', 'Lineær', 'Posisjonsbasert', 'Tidsforfall']);
    assert.equal(await page.locator('label.tile-choice span').first().textContent(), 'Modell');
    await page.selectOption('#tile-0-model', 'linear');
    await page.locator('#announcer', { hasText: 'Lineær' }).waitFor({ state: 'attached' });
    const { body: shownTile } = await call('GET', '/api/v1/tiles/attribution?model=linear&by=source');
    const { body } = await call('GET', `/api/v1/attribution?model=linear&by=source&from=${shownTile.period.from}&to=${shownTile.period.to}`);
    const number = new Intl.NumberFormat('nb-NO', { maximumFractionDigits: 2 });
    await page.waitForFunction((want) => {
      const rows = [...document.querySelectorAll('#tiles .tile[data-tile="attribution"] .as-table tbody tr')];
      return JSON.stringify(rows.map((r) => [r.cells[0].textContent.trim(), r.cells[1].textContent.trim()])) === JSON.stringify(want);
    }, body.rows.map((r) => [r.label, number.format(r.leads)]));
    // The cost columns in bokmål, amounts as nb-NO writes them; the table scrolls inside
    // its tile, never the page.
    await page.locator('#tiles .tile[data-tile="attribution"] .table-toggle').click();
    assert.deepEqual(await headers(page), ['Navn', 'Leads', 'Salg', 'Inntekter', 'Kostnad', 'Kostnad per lead', 'Kostnad per salg', 'Avkastning på annonsekostnad']);
    const costs = await apiCosts('linear', shownTile.period, 'nb-NO');
    assert.deepEqual(await costRows(page), costs);
    const linkedin = (await costRows(page)).find((row) => row[0] === 'linkedin');
    assert.match(linkedin[1], /^80,00\s€ · 500,00\skr$/);
    assert.match(linkedin[2], /^\d+,\d{2}\s€ · \d+,\d{2}\skr$/);
    await expectNoViolations(page, '/dashboard in Norwegian, attribution tile');
    await expectNoHorizontalScroll(page, { label: '/dashboard in Norwegian at 390 px' });
    await expectNoRawKeys(page);
    await page.click('#edit-dashboard');
    await page.locator('#editor').waitFor({ state: 'visible' });
    await page.selectOption('#add-tile', 'attribution');
    assert.equal(await page.locator('#add-model-label span').textContent(), 'Modell');
    assert.deepEqual(await page.locator('#add-by option').allTextContents(), ['Kilde', 'Medium', 'Kampanje', 'Kanal']);
    await page.locator('#add-preview canvas').first().waitFor();
    await expectNoViolations(page, '/dashboard in Norwegian, the editor');
    await expectNoHorizontalScroll(page, { label: '/dashboard editor in Norwegian at 390 px' });
    assert.deepEqual(problems.pageErrors, []);
    assert.deepEqual(problems.consoleErrors, []);
  }, { locale: 'nb-NO' });
});

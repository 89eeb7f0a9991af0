// The dashboard editor in Chromium: a marketer builds a dashboard from three catalogue
// tiles (each previewed first) and a dynamic selection as a list tile, renames it, reorders
// it with the buttons and the keyboard, reloads and finds it again (in the API too); copies
// a preset into an editable dashboard and deletes it; a viewer reads the dashboard and is
// offered no change. axe-core finds no violation in the editor or the custom dashboard.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import { COLLECTOR_BIN, createUser, startWorld } from './harness.mjs';
import { expectNoHorizontalScroll, expectNoRawKeys, expectNoViolations } from './a11y.mjs';

let world;
let selection;

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
  const filled = spawnSync(COLLECTOR_BIN, ['demo-data', '--persons', '600', '--db', world.collector.dbPath], { encoding: 'utf8' });
  assert.equal(filled.status, 0, filled.stderr);
  const made = await call('POST', '/api/v1/selections', { name: 'Open leads in Norway', entity: 'person', kind: 'dynamic', criteria: 'country=NO&status=open' });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  selection = made.body;
});
after(async () => {
  await world?.close();
});

const order = (page) => page.locator('#editor-tiles li').evaluateAll((items) => items.map((li) => li.dataset.tile));
const shown = (page) => page.locator('#tiles .tile').evaluateAll((tiles) => tiles.map((tile) => tile.dataset.tile));

async function tilesDrawn(page, count) {
  await page.locator('#status', { hasText: ' ms' }).waitFor();
  await page.waitForFunction((n) => document.querySelectorAll('#tiles .tile').length === n
    && [...document.querySelectorAll('#tiles .tile .tile-body')].every((body) => body.children.length > 0), count);
}

/** Chooses a tile in "Add a tile", waits for its preview, adds it. */
async function addTile(page, id, previewSelector) {
  await page.selectOption('#add-tile', id);
  await page.locator(`#add-preview ${previewSelector}`).first().waitFor();
  await page.click('#add-button');
  await page.locator(`#editor-tiles li[data-tile="${id}"]`).last().waitFor();
}

test('a marketer builds, renames, reorders and finds a dashboard again; copies and deletes', { timeout: 180_000 }, async (t) => {
  await world.visit(t, async ({ page, problems }) => {
    await page.setViewportSize({ width: 1400, height: 1000 });
    await world.signIn(page, '/dashboard');
    await page.locator('#status', { hasText: ' ms' }).waitFor();

    // Presets offer Copy, not Edit or Delete.
    assert.ok(await page.locator('#copy-dashboard').isVisible());
    assert.ok(await page.locator('#edit-dashboard').isHidden());
    assert.ok(await page.locator('#delete-dashboard').isHidden());

    await page.click('#new-dashboard');
    await page.locator('#editor').waitFor({ state: 'visible' });
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'editor-title', 'focus moves to the editor');
    await page.fill('#editor-name', 'Webinar follow-up');
    await page.selectOption('#editor-country', 'NO');
    await addTile(page, 'new-leads-by-channel', 'canvas');
    await addTile(page, 'new-leads-from-forms', '.number');
    await addTile(page, 'source-performance', 'table');
    await page.selectOption('#add-tile', 'selection-list');
    await page.locator('#add-selection-label').waitFor({ state: 'visible' });
    await page.selectOption('#add-selection', String(selection.id));
    await page.locator('#add-preview ul.persons li').first().waitFor();
    await page.click('#add-button');
    assert.deepEqual(await order(page), ['new-leads-by-channel', 'new-leads-from-forms', 'source-performance', 'selection-list']);
    await expectNoViolations(page, 'dashboard editor');
    await expectNoRawKeys(page, 'dashboard editor');
    // On a phone the editor, its pickers and the preview stay within the screen.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.selectOption('#add-tile', 'campaign-channel-split');
    await page.locator('#add-preview canvas').waitFor();
    await expectNoHorizontalScroll(page);
    await page.setViewportSize({ width: 1400, height: 1000 });

    // Reorder: the first tile down with its button (Enter), the selection up with Alt+ArrowUp.
    await page.locator('#editor-tiles li').first().locator('[data-action="down"]').focus();
    await page.keyboard.press('Enter');
    assert.deepEqual(await order(page), ['new-leads-from-forms', 'new-leads-by-channel', 'source-performance', 'selection-list']);
    assert.equal(await page.evaluate(() => document.activeElement?.closest('li')?.dataset.tile), 'new-leads-by-channel', 'focus follows the moved tile');
    await page.locator('#editor-tiles li').last().locator('[data-action="up"]').focus();
    await page.keyboard.press('Alt+ArrowUp');
    await page.keyboard.press('Alt+ArrowUp');
    assert.deepEqual(await order(page), ['new-leads-from-forms', 'selection-list', 'new-leads-by-channel', 'source-performance']);
    await page.locator('#announcer', { hasText: '2' }).waitFor({ state: 'attached' });

    await page.click('#editor-save');
    await page.locator('#editor').waitFor({ state: 'hidden' });
    await tilesDrawn(page, 4);
    const id = new URL(page.url()).searchParams.get('d');
    assert.match(id, /^\d+$/, 'the new dashboard is in the URL');
    assert.equal(await page.locator('#dashboard-title').textContent(), 'Webinar follow-up');
    assert.deepEqual(await shown(page), ['new-leads-from-forms', 'selection-list', 'new-leads-by-channel', 'source-performance']);
    assert.equal(await page.locator('#country').inputValue(), 'NO', 'the default filter applies');
    assert.equal(await page.locator('[data-tile="selection-list"] h2').textContent(), 'Selection: Open leads in Norway', 'a list tile is named after its selection');
    const members = await page.locator('[data-tile="selection-list"] ul.persons li a').count();
    assert.ok(members > 0, 'the selection lists its persons');
    assert.match(await page.locator('[data-tile="selection-list"] ul.persons li a').first().getAttribute('href'), /^\/people\/\d+$/);
    await expectNoViolations(page, 'custom dashboard');

    // Rename, and remove the number tile.
    await page.click('#edit-dashboard');
    await page.locator('#editor').waitFor({ state: 'visible' });
    await page.fill('#editor-name', 'Webinar follow-up (Norway)');
    await page.locator('#editor-tiles li[data-tile="new-leads-from-forms"] [data-action="remove"]').click();
    assert.deepEqual(await order(page), ['selection-list', 'new-leads-by-channel', 'source-performance']);
    await page.click('#editor-save');
    await tilesDrawn(page, 3);
    assert.equal(await page.locator('#dashboard-title').textContent(), 'Webinar follow-up (Norway)');

    // Reload: the same dashboard, name and order; the API agrees.
    await page.reload();
    await tilesDrawn(page, 3);
    assert.equal(await page.locator('#dashboard').inputValue(), id);
    assert.equal(await page.locator('#dashboard-title').textContent(), 'Webinar follow-up (Norway)');
    assert.deepEqual(await shown(page), ['selection-list', 'new-leads-by-channel', 'source-performance']);
    const saved = (await call('GET', `/api/v1/dashboards/${id}`)).body;
    assert.equal(saved.name, 'Webinar follow-up (Norway)');
    assert.deepEqual(saved.tiles, [{ tile: 'selection-list', selection: selection.id }, { tile: 'new-leads-by-channel' }, { tile: 'source-performance' }]);
    assert.deepEqual(saved.filters, { country: 'NO' });

    // Copy a preset: an editable dashboard with the preset's tiles.
    await page.selectOption('#dashboard', 'sales');
    await tilesDrawn(page, (await call('GET', '/api/v1/dashboards/sales')).body.tiles.length);
    await page.click('#copy-dashboard');
    await page.locator('#dashboard-title', { hasText: 'Copy of Sales' }).waitFor();
    const copyId = new URL(page.url()).searchParams.get('d');
    assert.match(copyId, /^\d+$/);
    const copy = (await call('GET', `/api/v1/dashboards/${copyId}`)).body;
    assert.equal(copy.preset, false);
    assert.deepEqual(copy.tiles, (await call('GET', '/api/v1/dashboards/sales')).body.tiles);
    assert.ok(await page.locator('#edit-dashboard').isVisible(), 'the copy can be changed');

    // Delete the copy (asked first; Cancel keeps it).
    await page.click('#delete-dashboard');
    await page.locator('#delete-confirm').waitFor({ state: 'visible' });
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'delete-cancel');
    await expectNoViolations(page, 'dashboard delete question');
    await page.click('#delete-yes');
    await page.locator('#delete-confirm').waitFor({ state: 'hidden' });
    assert.equal((await call('GET', `/api/v1/dashboards/${copyId}`)).status, 404);
    assert.equal(await page.locator(`#dashboard option[value="${copyId}"]`).count(), 0);

    // Back and forward walk the dashboards shown: back from the copy's deletion is the
    // deleted copy's URL, which shows the first dashboard; back again, Sales.
    await page.goBack();
    await page.goBack();
    await page.waitForFunction(() => document.querySelector('#dashboard').value === 'sales');
    assert.equal(new URL(page.url()).searchParams.get('d'), 'sales');

    assert.deepEqual(problems.dialogs, []);
    assert.deepEqual(problems.pageErrors, []);
    assert.deepEqual(problems.consoleErrors, []);
  });
});

test('a viewer reads dashboards and is offered no change', { timeout: 120_000 }, async (t) => {
  const made = await call('POST', '/api/v1/dashboards', { name: 'Team view', tiles: [{ tile: 'lead-funnel' }, { tile: 'selection-list', selection: selection.id }] });
  assert.equal(made.status, 201);
  const viewer = createUser(world.collector.dbPath, { email: 'vera@example.com', role: 'viewer', name: 'Vera' });
  await world.visit(t, async ({ page, problems }) => {
    await page.setViewportSize({ width: 390, height: 844 });
    await world.signIn(page, `/dashboard?d=${made.body.id}`, viewer);
    await tilesDrawn(page, 2);
    for (const id of ['new-dashboard', 'edit-dashboard', 'copy-dashboard', 'delete-dashboard']) {
      assert.ok(await page.locator(`#${id}`).isHidden(), `${id} is not offered to a viewer`);
    }
    await expectNoHorizontalScroll(page);
    await expectNoViolations(page, 'custom dashboard for a viewer at 390 px');
    assert.deepEqual(problems.pageErrors, []);
    assert.deepEqual(problems.consoleErrors, []);
  });
});

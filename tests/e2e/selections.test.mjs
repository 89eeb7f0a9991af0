// /selections and /selections/{id} in Chromium, as a marketer works them: leads arrive
// through the real form endpoint; a dynamic selection of them opens as a list and as the
// board; a card dragged to another column (HTML5 drag and drop, real dragstart/drop events)
// and a card moved with its "Move to…" menu by keyboard change the person's status in the
// API, with the marketer named in the status history; the view is in the URL (reload, back,
// forward); a static selection gets members added and removed; selections are renamed and
// deleted. axe-core finds nothing on the list, the board and the open menu; at 390 px the
// board scrolls inside its own box and the page never sideways. A hostile campaign stays text.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createUser, startWorld } from './harness.mjs';
import { expectNoHorizontalScroll, expectNoRawKeys, expectNoViolations, screenshots } from './a11y.mjs';

const HOSTILE = '<img src=x onerror="window.__owned=1">';

let world;
let marketer;
let viewer;
before(async () => {
  world = await startWorld();
  marketer = createUser(world.collector.dbPath, { email: 'mia@example.com', role: 'marketer', name: 'Mia Marketer' });
  viewer = createUser(world.collector.dbPath, { email: 'vic@example.com', role: 'viewer', name: 'Vic Viewer' });
});
after(async () => {
  await world?.close();
});

/** A lead posted to the form endpoint as a browser's form would, with its last touch. */
async function lead(email, name, company, touch) {
  const fields = { email, name, company, lt_v: '1' };
  for (const [key, value] of Object.entries(touch)) fields[`lt_last_${key}`] = value;
  const res = await fetch(`${world.collector.url}/f/webinar`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
    body: new URLSearchParams(fields).toString(),
  });
  const text = await res.text();
  assert.equal(res.status, 201, text);
  return JSON.parse(text).person_id;
}

async function call(method, path, body) {
  const res = await fetch(`${world.collector.url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${world.token}`, 'Content-Type': 'application/json', Accept: 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  assert.ok(res.ok, `${method} ${path} → ${res.status}: ${text}`);
  return text ? JSON.parse(text) : null;
}

async function memberIds(selectionId) {
  const page = await call('GET', `/api/v1/selections/${selectionId}/members?limit=100`);
  return page.items.map((p) => p.id).sort((a, b) => a - b);
}

/** The last status change of a person, as the API reports it. */
async function lastChange(personId) {
  const { items } = await call('GET', `/api/v1/persons/${personId}/status_changes`);
  return items.at(-1);
}

function noProblems(problems) {
  assert.deepEqual(problems.pageErrors, [], 'no page errors');
  assert.deepEqual(problems.consoleErrors, [], 'no console errors (a missing text logs one)');
  assert.deepEqual(problems.dialogs, [], 'no dialogs');
}

let ann;
let annCampaign; // the hostile campaign as the collector cleaned it
let ben;
let cy;
let dot;
let dynamicId;
let staticId;

test('leads through the form endpoint, selections saved through the API', async () => {
  ann = await lead('ann@acme.example', 'Ann Andersen', 'Acme Industries', { source: 'linkedin', medium: 'paid_social', campaign: HOSTILE });
  ben = await lead('ben@beta.example', 'Ben Berg', 'Beta AS', { source: 'linkedin', medium: 'paid_social', campaign: 'webinar_sept' });
  cy = await lead('cy@gamma.example', 'Cy Claes', 'Gamma BV', { source: 'linkedin', medium: 'cpc', campaign: 'webinar_sept' });
  dot = await lead('dot@delta.example', 'Dot Dahl', 'Delta', { source: 'newsletter', medium: 'email', campaign: 'spring' });
  annCampaign = (await call('GET', `/api/v1/persons/${ann}`)).lead_generation.campaign;
  assert.ok(annCampaign.includes('<img'), `the hostile campaign is stored as markup-like text: ${annCampaign}`);
  dynamicId = (await call('POST', '/api/v1/selections', {
    name: 'LinkedIn leads', entity: 'person', kind: 'dynamic', criteria: 'lead_generation.source=linkedin',
  })).id;
  staticId = (await call('POST', '/api/v1/selections', { name: 'Event list', entity: 'person', kind: 'static' })).id;
  await call('POST', '/api/v1/selections', { name: 'Old test', entity: 'person', kind: 'static' });
  const { items } = await call('GET', '/api/v1/selections');
  assert.deepEqual(items.map((s) => [s.name, s.member_count]), [['LinkedIn leads', 3], ['Event list', 0], ['Old test', 0]]);
});

test('the list of selections: kinds and counts, rename and delete; axe-clean', { timeout: 90_000 }, async (t) => {
  await world.visit(t, async ({ page, problems }) => {
    await world.signIn(page, '/selections', marketer);
    const rows = page.locator('#selections-body tr');
    await rows.nth(2).waitFor();
    const cells = await rows.evaluateAll((trs) => trs.map((tr) => [...tr.cells].slice(0, 4).map((c) => c.textContent.trim())));
    assert.deepEqual(cells, [
      ['LinkedIn leads', 'dynamic', 'persons', '3'],
      ['Event list', 'static', 'persons', '0'],
      ['Old test', 'static', 'persons', '0'],
    ]);
    assert.equal(await page.locator('#selections-body a').first().getAttribute('href'), `/selections/${dynamicId}`);
    assert.equal(await page.locator('nav a[aria-current="page"]').textContent(), 'Selections');
    await expectNoViolations(page, 'selections list');
    await expectNoRawKeys(page, '/selections');
    await screenshots(page, 'selections');

    // Rename by keyboard: the field takes focus, Enter saves, focus returns to the button.
    const event = rows.filter({ hasText: 'Event list' });
    await event.locator('[data-action="rename"]').click();
    const field = event.locator('input[name="name"]');
    assert.equal(await field.evaluate((el) => el === document.activeElement), true);
    await field.fill('Event list 2026');
    await field.press('Enter');
    await rows.filter({ hasText: 'Event list 2026' }).locator('[data-action="rename"]').waitFor();
    assert.equal(await page.evaluate(() => document.activeElement.dataset.action), 'rename');
    await page.locator('#announcer', { hasText: 'Renamed to “Event list 2026”' }).waitFor();
    assert.equal((await call('GET', `/api/v1/selections/${staticId}`)).name, 'Event list 2026');

    // Escape leaves a rename without saving.
    await event.locator('[data-action="rename"]').click();
    await event.locator('input[name="name"]').fill('Not this');
    await event.locator('input[name="name"]').press('Escape');
    assert.equal(await event.locator('th a').textContent(), 'Event list 2026');

    // Delete asks first; Cancel keeps it, Delete removes it.
    const old = rows.filter({ hasText: 'Old test' });
    await old.locator('[data-action="delete"]').click();
    await expectNoViolations(page, 'delete question');
    await old.getByRole('button', { name: 'Cancel' }).click();
    await old.locator('[data-action="delete"]').click();
    await old.locator('[data-action="confirm-delete"]').click();
    await page.locator('#announcer', { hasText: '“Old test” deleted.' }).waitFor();
    assert.equal(await rows.count(), 2);
    assert.deepEqual((await call('GET', '/api/v1/selections')).items.map((s) => s.name), ['LinkedIn leads', 'Event list 2026']);

    // A new static selection starts empty and opens on its page.
    await page.fill('#new-name', 'Fair visitors');
    await page.press('#new-name', 'Enter');
    await page.waitForURL(/\/selections\/\d+$/);
    await page.locator('#members-empty').waitFor();
    assert.equal(await page.locator('#selection-name').textContent(), 'Fair visitors');
    const made = (await call('GET', '/api/v1/selections')).items.find((s) => s.name === 'Fair visitors');
    assert.deepEqual([made.kind, made.member_count, page.url().endsWith(`/selections/${made.id}`)], ['static', 0, true]);
    await call('DELETE', `/api/v1/selections/${made.id}`);

    await page.goto(`${world.collector.url}/selections`);
    await rows.first().waitFor();
    await page.setViewportSize({ width: 390, height: 844 });
    await expectNoHorizontalScroll(page);
    noProblems(problems);
  });
});

test('a dynamic selection as a list and as the board: drag and keyboard move the status, the view stays in the URL', { timeout: 120_000 }, async (t) => {
  await world.visit(t, async ({ page, problems }) => {
    await world.signIn(page, '/selections', marketer);
    await page.locator('#selections-body a', { hasText: 'LinkedIn leads' }).click();
    await page.waitForURL(`${world.collector.url}/selections/${dynamicId}`);
    await page.locator('#members tbody tr').nth(2).waitFor();
    assert.equal(await page.locator('#selection-name').textContent(), 'LinkedIn leads');
    assert.match(await page.locator('#selection-note').textContent(), /found again from its criteria/);
    assert.equal(await page.locator('#members tbody tr').count(), 3);
    assert.ok(await page.locator('#members th[data-column="lead_generation.source"]').count(), 'the lead columns');
    assert.ok(await page.locator('.columns-gear[data-table="selection.members"]').isVisible(), 'the columns gear');
    assert.equal(await page.locator('#view-list').getAttribute('aria-current'), 'page');
    // The hostile campaign is text in the table.
    assert.equal(await page.locator(`#members tr:has(a[href="/people/${ann}"]) td[data-column="lead_generation.campaign"]`).textContent(), annCampaign);
    await expectNoViolations(page, 'selection list view');
    await expectNoRawKeys(page, 'the list view');
    await expectNoHorizontalScroll(page, { label: 'the list view' });
    await screenshots(page, 'selection-list');

    // The switch pushes ?view=board.
    await page.click('#view-board');
    await page.waitForURL(`${world.collector.url}/selections/${dynamicId}?view=board`);
    const column = (status) => page.locator(`.board-column[data-status="${status}"]`);
    const card = (id) => page.locator(`.card[data-person="${id}"]`);
    await column('open').locator('.card').nth(2).waitFor();
    assert.equal(await page.locator('.board-column').count(), 4);
    assert.equal(await page.locator('#view-board').getAttribute('aria-current'), 'page');
    assert.ok(await page.locator('#list-view').isHidden());
    const annCard = card(ann);
    assert.equal(await annCard.locator('.card-name').textContent(), 'Ann Andersen');
    assert.equal(await annCard.locator('.card-email').textContent(), 'ann@acme.example');
    assert.equal(await annCard.locator('.card-company').textContent(), 'Acme Industries');
    assert.ok((await annCard.locator('.card-lead').textContent()).includes(`linkedin · ${annCampaign}`));
    assert.equal(await page.evaluate(() => window.__owned), undefined, 'the campaign ran no script');
    await expectNoViolations(page, 'board');
    await expectNoRawKeys(page, 'the board');
    await screenshots(page, 'selection-board', { docs: true });

    // Drag Ann's card to Qualified: real dragstart, dragover and drop events.
    await annCard.dragTo(column('qualified'));
    await column('qualified').locator(`.card[data-person="${ann}"]`).waitFor();
    await page.locator('#announcer', { hasText: 'Ann Andersen moved to Qualified.' }).waitFor();
    assert.equal((await call('GET', `/api/v1/persons/${ann}`)).status, 'qualified');
    const dragged = await lastChange(ann);
    assert.equal(dragged.status, 'qualified');
    assert.equal(dragged.actor, marketer.email, 'the history names who moved the card');
    assert.equal(await column('qualified').locator('h3 .count').getAttribute('data-total'), '1');
    assert.equal(await column('open').locator('h3 .count').getAttribute('data-total'), '2');

    // By keyboard: Ben's "Move to…" opens a menu; arrows move, Escape closes and returns focus.
    const benMove = card(ben).locator('.card-move');
    await benMove.focus();
    await page.keyboard.press('Enter');
    const menu = card(ben).locator('[role="menu"]');
    await menu.waitFor();
    assert.equal(await benMove.getAttribute('aria-expanded'), 'true');
    const focused = () => page.evaluate(() => document.activeElement.dataset.status || document.activeElement.className);
    assert.equal(await focused(), 'in_progress', 'focus on the first other column');
    await page.keyboard.press('ArrowDown');
    assert.equal(await focused(), 'qualified');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowUp');
    assert.equal(await focused(), 'disqualified', 'the arrows wrap around');
    await expectNoViolations(page, 'board with the move menu open');
    await page.keyboard.press('Escape');
    assert.equal(await menu.count(), 0);
    assert.equal(await benMove.evaluate((el) => el === document.activeElement), true, 'focus is back on the button');
    assert.equal(await benMove.getAttribute('aria-expanded'), 'false');
    // Open again and choose In progress with Enter.
    await page.keyboard.press('Enter');
    await menu.waitFor();
    await page.keyboard.press('Home');
    await page.keyboard.press('Enter');
    await column('in_progress').locator(`.card[data-person="${ben}"]`).waitFor();
    await page.locator('#announcer', { hasText: 'Ben Berg moved to In progress.' }).waitFor();
    assert.equal(
      await page.evaluate(() => document.activeElement.closest('.card')?.dataset.person),
      String(ben),
      'focus stays on the moved card',
    );
    assert.equal((await call('GET', `/api/v1/persons/${ben}`)).status, 'in_progress');
    assert.equal((await lastChange(ben)).actor, marketer.email);

    // Reload keeps the board; back goes to the list, forward to the board again.
    await page.reload();
    await column('qualified').locator(`.card[data-person="${ann}"]`).waitFor();
    assert.equal(new URL(page.url()).search, '?view=board');
    await page.goBack();
    await page.locator('#members tbody tr').first().waitFor();
    assert.ok(await page.locator('#board-view').isHidden());
    assert.equal(await page.locator('#view-list').getAttribute('aria-current'), 'page');
    await page.goForward();
    await column('open').locator('.card').first().waitFor();
    assert.ok(await page.locator('#list-view').isHidden());

    // At 390 px the columns scroll inside the board, never the page.
    await page.setViewportSize({ width: 390, height: 844 });
    await expectNoHorizontalScroll(page);
    const board = await page.locator('#board').evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth, overflow: getComputedStyle(el).overflowX }));
    assert.ok(board.scroll > board.client, `the board is wider than the phone and scrolls in its box: ${JSON.stringify(board)}`);
    assert.equal(board.overflow, 'auto');
    await expectNoViolations(page, 'board at 390 px');
    noProblems(problems);
  });
});

test('a card moved out of what a dynamic selection asks for leaves its board, and focus stays on the board', { timeout: 60_000 }, async (t) => {
  const openOnes = (await call('POST', '/api/v1/selections', {
    name: 'Open LinkedIn leads', entity: 'person', kind: 'dynamic', criteria: 'lead_generation.source=linkedin&status=open',
  })).id;
  await world.visit(t, async ({ page, problems }) => {
    await world.signIn(page, `/selections/${openOnes}?view=board`, marketer);
    const cyMove = page.locator(`.card[data-person="${cy}"] .card-move`);
    await cyMove.focus();
    await page.keyboard.press('ArrowDown');
    await page.locator('[role="menu"] [data-status="disqualified"]').waitFor();
    await page.keyboard.press('End');
    await page.keyboard.press('Enter');
    await page.locator('#announcer', { hasText: 'Cy Claes moved to Disqualified, and no longer matches this selection.' }).waitFor();
    assert.equal(await page.locator(`.card[data-person="${cy}"]`).count(), 0);
    assert.equal(await page.evaluate(() => document.activeElement.id), 'board-col-disqualified');
    assert.equal((await lastChange(cy)).actor, marketer.email);
    assert.match(await page.locator('#selection-members').textContent(), /^0 members$/);
    noProblems(problems);
  });
});

test('a selection of companies opens as a list with the company columns, without a board', { timeout: 60_000 }, async (t) => {
  const companies = (await call('POST', '/api/v1/selections', {
    name: 'LinkedIn companies', entity: 'company', kind: 'dynamic', criteria: 'source.source=linkedin',
  })).id;
  await world.visit(t, async ({ page, problems }) => {
    await world.signIn(page, `/selections/${companies}?view=board`, marketer);
    await page.locator('#members tbody tr').nth(2).waitFor();
    assert.ok(await page.locator('#view-switch').isHidden(), 'no board for companies');
    assert.ok(await page.locator('#board-view').isHidden());
    const names = await page.locator('#members td[data-column="name"]').allTextContents();
    assert.deepEqual(names.sort(), ['Acme Industries', 'Beta AS', 'Gamma BV']);
    assert.equal(await page.locator('#members td[data-column="name"] a').first().getAttribute('href').then((h) => /^\/companies\/\d+$/.test(h)), true);
    assert.ok(await page.locator('.columns-gear[data-table="selection.companies"]').isVisible());
    await expectNoViolations(page, 'a selection of companies');
    noProblems(problems);
  });
});

test('a viewer sees the board without moving cards', { timeout: 60_000 }, async (t) => {
  await world.visit(t, async ({ page, problems }) => {
    await world.signIn(page, `/selections/${dynamicId}?view=board`, viewer);
    await page.locator('.board-column .card').first().waitFor();
    assert.equal(await page.locator('.card-move').count(), 0);
    assert.equal(await page.locator('.card[draggable="true"]').count(), 0);
    assert.equal(await page.locator('#add-section').isHidden(), true);

    // An id with no selection says so, in words and without a broken page.
    await page.goto(`${world.collector.url}/selections/987654`);
    await page.locator('#page-error', { hasText: 'no selection with id 987654' }).waitFor();
    assert.equal(await page.locator('#selection-name').textContent(), 'Selection not found');
    assert.ok(await page.locator('#view-switch').isHidden());
    await expectNoViolations(page, 'an unknown selection');
    // The page's own request for the unknown id is the one 404 Chromium logs.
    problems.consoleErrors = problems.consoleErrors.filter((e) => !/404/.test(e));
    noProblems(problems);
  });
});

test('a static selection: members added by e-mail and by id, removed from the list; in Norwegian', { timeout: 90_000 }, async (t) => {
  await world.visit(t, async ({ page, problems }) => {
    await world.signIn(page, `/selections/${staticId}`, marketer);
    await page.locator('#members-empty').waitFor();
    assert.match(await page.locator('#selection-note').textContent(), /keeps the members/);
    await expectNoViolations(page, 'empty static selection');

    await page.fill('#find-text', 'ann@acme');
    await page.press('#find-text', 'Enter');
    await page.locator(`#candidates [data-add="${ann}"]`).click();
    await page.locator('#members tbody tr').first().waitFor();
    await page.locator('#announcer', { hasText: 'Ann Andersen added to the selection.' }).waitFor();
    await page.fill('#find-text', String(dot));
    await page.click('#find');
    await page.locator(`#candidates [data-add="${dot}"]`).click();
    await page.locator('#members tbody tr').nth(1).waitFor();
    assert.deepEqual(await memberIds(staticId), [ann, dot].sort((a, b) => a - b));
    assert.match(await page.locator('#selection-members').textContent(), /^2 members$/);
    await expectNoViolations(page, 'static selection with members');
    await expectNoRawKeys(page, 'a static selection');
    await expectNoHorizontalScroll(page, { label: 'a static selection' });
    await screenshots(page, 'selection-static');

    await page.locator(`#members [data-remove="${ann}"]`).click();
    await page.locator('#announcer', { hasText: 'Ann Andersen removed from the selection.' }).waitFor();
    assert.equal(await page.locator('#members tbody tr').count(), 1);
    assert.equal(await page.evaluate(() => document.activeElement.dataset.remove), String(dot), 'focus on the next row');
    assert.deepEqual(await memberIds(staticId), [dot]);
    noProblems(problems);
  });

  // The same pages in Norwegian, from the browser's language.
  await world.visit(t, async ({ page, problems }) => {
    await world.signIn(page, `/selections/${dynamicId}?view=board`, marketer);
    await page.locator('.board-column .card').first().waitFor();
    assert.equal(await page.locator('html').getAttribute('lang'), 'nb');
    assert.equal(await page.locator('#view-board').textContent(), 'Tavle');
    assert.match(await page.locator('#selection-members').textContent(), /^3 medlemmer$/);
    await page.goto(`${world.collector.url}/selections`);
    await page.locator('#selections-body tr').first().waitFor();
    assert.equal(await page.locator('h1').textContent(), 'Utvalg');
    assert.equal(await page.locator('#selections-body tr').first().locator('td').first().textContent(), 'dynamisk');
    noProblems(problems);
  }, { locale: 'nb-NO' });
});

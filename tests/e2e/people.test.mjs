// The /people page in Chromium: sign in with e-mail and password, search by lead-generation
// source, download the CSV, save a selection, open its board — with a hostile campaign
// name that must stay text everywhere.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startWorld } from './harness.mjs';

const HOSTILE = '<img src=x onerror=alert(1)>';

let world;
before(async () => {
  world = await startWorld();
});
after(async () => {
  await world?.close();
});

async function submit(email, name, lastTouch) {
  const fields = { email, name, lt_v: '1' };
  for (const [key, value] of Object.entries(lastTouch)) fields[`lt_last_${key}`] = value;
  const res = await fetch(`${world.collector.url}/f/webinar`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify(fields),
  });
  const text = await res.text();
  assert.equal(res.status, 201, text);
  return JSON.parse(text).person_id;
}

async function patchPerson(id, body) {
  const res = await fetch(`${world.collector.url}/api/v1/persons/${id}`, {
    method: 'PATCH',
    headers: { Authorization: `Bearer ${world.token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  assert.equal(res.status, 200, await res.text());
}

test('people page: sign in, search, CSV, save a selection, board; hostile values stay text', { timeout: 90_000 }, async (t) => {
  const { collector, api } = world;
  const ann = await submit('ann@hostile.example', 'Ann', { source: 'linkedin', medium: 'paid_social', campaign: HOSTILE });
  const ben = await submit('ben@example.org', 'Ben', { source: 'linkedin', medium: 'paid_social', campaign: 'webinar_sept' });
  await submit('cy@example.org', 'Cy', { source: 'facebook', medium: 'paid_social', campaign: 'spring' });
  await patchPerson(ben, { status: 'qualified' });
  const stored = (await api.get(`/api/v1/persons/${ann}`)).lead_generation.campaign;
  assert.ok(stored.includes('<img'), `the hostile campaign is stored as given: ${stored}`);

  // The page itself carries no data: it is the same file for everyone.
  const html = await (await fetch(`${collector.url}/people`)).text();
  assert.ok(html.includes('id="app"') && !html.includes('token'), 'no page asks for a token');
  assert.ok(!html.includes('ann@hostile.example'));

  await world.visit(t, async ({ page, problems }) => {
    // Not signed in: the page sends the visitor to /login, and back after signing in.
    await page.goto(`${collector.url}/people`);
    await page.waitForURL(`${collector.url}/login?next=%2Fpeople`);
    await page.fill('#email', world.admin.email);
    await page.fill('#password', 'not the password');
    await page.click('#sign-in');
    await page.locator('#login-error', { hasText: 'the e-mail or the password is wrong' }).waitFor();
    // The 401s themselves (the page's /me, the wrong password) are logged by Chromium.
    assert.ok(problems.consoleErrors.every((e) => e.includes('401')), problems.consoleErrors.join('\n'));
    problems.consoleErrors.length = 0;
    await page.fill('#password', world.admin.password);
    await Promise.all([page.waitForURL(`${collector.url}/people`), page.click('#sign-in')]);
    await page.locator('#app').waitFor({ state: 'visible' });
    assert.match(await page.locator('#who').textContent(), /E2E admin · admin/);
    assert.deepEqual(await page.evaluate(() => [document.cookie, Object.keys(sessionStorage)]), ['', []],
      'the session cookie is out of the scripts\' reach, and nothing is kept in the tab');

    // Search by lead-generation source.
    const row = page.locator('#criteria-rows .criterion').first();
    await row.locator('[name=field]').selectOption('lead_generation.source');
    await row.locator('[name=op]').selectOption('eq');
    await row.locator('[name=value]').fill('LinkedIn');
    await page.click('#search');
    await page.locator('#results tbody tr').nth(1).waitFor();
    assert.equal(await page.locator('#results tbody tr').count(), 2);
    const headers = await page.locator('#results thead th').allTextContents();
    for (const column of ['first interaction source', 'lead generation source', 'lead generation medium', 'lead generation campaign']) {
      assert.ok(headers.includes(column), `${column} in ${headers}`);
    }
    const campaignColumn = headers.indexOf('lead generation campaign');
    const annRow = page.locator('#results tbody tr', { hasText: 'ann@hostile.example' });
    assert.equal(await annRow.locator('td').nth(campaignColumn).textContent(), stored, 'shown as text');
    assert.equal(await page.locator('#results img').count(), 0, 'no element made from data');

    // CSV of the same criteria.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-csv')]);
    assert.equal(download.suggestedFilename(), 'persons.csv');
    const chunks = [];
    for await (const chunk of await download.createReadStream()) chunks.push(chunk);
    const csv = Buffer.concat(chunks).toString('utf8');
    const lines = csv.trim().split('\r\n');
    assert.equal(lines.length, 3, csv);
    assert.ok(lines[0].includes('lead_generation.source') && lines[0].includes('first_interaction.campaign'), lines[0]);
    assert.ok(csv.includes('ben@example.org') && !csv.includes('cy@example.org'));

    // Save as a dynamic selection; it shows in the list.
    await page.fill('#selection-name', 'LinkedIn leads');
    await page.selectOption('#selection-kind', 'dynamic');
    await page.click('#save');
    await page.locator('#save-status', { hasText: 'Saved' }).waitFor();
    const saved = page.locator('#selections li', { hasText: 'LinkedIn leads' });
    await saved.waitFor();
    const { items: selections } = await api.get('/api/v1/selections');
    assert.equal(selections.length, 1);
    assert.deepEqual(selections[0].criteria, {
      all: [{ field: 'lead_generation.source', op: 'eq', value: 'LinkedIn' }],
    });

    // The board: a column per status, in order; Ben is qualified, Ann open.
    await saved.locator('button', { hasText: 'Board' }).click();
    await page.locator('#board .column').nth(3).waitFor();
    const statuses = await page.locator('#board .column').evaluateAll((cols) => cols.map((c) => c.dataset.status));
    assert.deepEqual(statuses, ['open', 'in_progress', 'qualified', 'disqualified']);
    assert.ok((await page.locator('#board [data-status=open]').textContent()).includes('ann@hostile.example'));
    assert.ok((await page.locator('#board [data-status=qualified]').textContent()).includes('ben@example.org'));
    assert.ok((await page.locator('#board [data-status=open]').textContent()).includes(stored), 'campaign as text');
    assert.equal(await page.locator('#board img').count(), 0);

    // Members of the selection in the result list.
    await saved.locator('button', { hasText: 'Members' }).click();
    await page.locator('#results tbody tr', { hasText: 'ben@example.org' }).waitFor();

    // Signing out ends the session and leaves the data behind.
    await Promise.all([page.waitForURL(`${collector.url}/login`), page.click('#sign-out')]);
    assert.equal(await page.locator('#results').count(), 0);
    const after = await page.evaluate(() => fetch('/api/v1/me').then((r) => r.status));
    assert.equal(after, 401, 'the session is gone on the server too');
    problems.consoleErrors.splice(0, problems.consoleErrors.length,
      ...problems.consoleErrors.filter((e) => !e.includes('401')));

    assert.deepEqual(problems.dialogs, [], 'no script ran from data');
    assert.deepEqual(problems.pageErrors, []);
    assert.deepEqual(problems.consoleErrors, []);
  });
});

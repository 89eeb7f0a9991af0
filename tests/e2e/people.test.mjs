// The /people page in Chromium: sign in with e-mail and password; the page opens on the
// newest leads with their count, a page at a time; the criteria builder narrows them and
// the criteria live in the URL (reload, back and forward restore them); CSV of the same
// list; save it as a selection — with a hostile campaign name that must stay text
// everywhere. axe on each state; at 390 px no sideways scroll.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startWorld } from './harness.mjs';
import { expectNoHorizontalScroll, expectNoRawKeys, expectNoViolations, screenshots } from './a11y.mjs';

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

async function call(method, path, body) {
  const res = await fetch(`${world.collector.url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${world.token}`, 'Content-Type': 'application/json', Accept: 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  assert.ok(res.status < 300, `${method} ${path} → ${res.status}: ${text}`);
  return text ? JSON.parse(text) : null;
}

test('people page: newest first with the count, paging, criteria in the URL, CSV, a selection; hostile values stay text', { timeout: 180_000 }, async (t) => {
  const { collector, api } = world;
  // 52 older leads from a chat integration, then three from the webinar form.
  for (let i = 0; i < 52; i++) {
    await call('POST', '/api/v1/submissions', { form: 'chat', channel: 'chat', email: `old${i}@example.net`, touch: { source: 'google', medium: 'organic' } });
  }
  const ann = await submit('ann@hostile.example', 'Ann', { source: 'linkedin', medium: 'paid_social', campaign: HOSTILE });
  const ben = await submit('ben@example.org', 'Ben', { source: 'linkedin', medium: 'paid_social', campaign: 'webinar_sept' });
  const cy = await submit('cy@example.org', 'Cy', { source: 'facebook', medium: 'paid_social', campaign: 'spring' });
  await call('PATCH', `/api/v1/persons/${ben}`, { status: 'qualified' });
  const stored = (await api.get(`/api/v1/persons/${ann}`)).lead_generation.campaign;
  assert.ok(stored.includes('<img'), `the hostile campaign is stored as given: ${stored}`);

  // The page itself carries no data: it is the same file for everyone.
  const html = await (await fetch(`${collector.url}/people`)).text();
  assert.ok(html.includes('id="app"') && !html.includes('token'), 'no page asks for a token');
  assert.ok(!html.includes('ann@hostile.example'));

  await world.visit(t, async ({ page, problems }) => {
    await page.setViewportSize({ width: 1400, height: 900 });
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
    assert.match(await page.locator('#who').textContent(), /E2E admin/);

    // The newest leads first, with how many there are, said to screen readers too.
    const count = page.locator('#count');
    await count.filter({ hasText: '55 people' }).waitFor();
    await page.locator('#announcer', { hasText: '55 people' }).waitFor();
    const emails = () => page.locator('#results tbody td[data-column="email"]').allTextContents();
    assert.deepEqual((await emails()).slice(0, 3), ['cy@example.org', 'ben@example.org', 'ann@hostile.example']);
    assert.equal(await page.locator('#results tbody tr').count(), 50);
    assert.equal(await page.locator('#page-range').textContent(), '1–50 of 55');
    const headers = await page.locator('#results thead th').allTextContents();
    for (const column of ['E-mail', 'First interaction source', 'Lead generation source', 'Lead generation medium', 'Lead generation campaign', 'Status']) {
      assert.ok(headers.includes(column), `${column} in ${headers}`);
    }
    // Each row's link opens the person card.
    assert.equal(await page.locator('#results tbody tr').first().locator('a').getAttribute('href'), `/people/${cy}`);
    // Hostile values are text.
    const annRow = page.locator('#results tbody tr', { hasText: 'ann@hostile.example' });
    assert.equal(await annRow.locator('td[data-column="lead_generation.campaign"]').textContent(), stored, 'shown as text');
    assert.equal(await page.locator('#results img').count(), 0, 'no element made from data');
    await expectNoViolations(page, 'people list');
    await screenshots(page, 'people-list');

    // Paging: the older ones, in the URL; back returns to the newest.
    await page.click('#next-page');
    await page.locator('#page-range', { hasText: '51–55 of 55' }).waitFor();
    assert.equal(await page.locator('#results tbody tr').count(), 5);
    assert.equal(new URL(page.url()).searchParams.get('page'), '2');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'count', 'focus on the new count');
    assert.equal(await page.locator('#next-page').isVisible(), false);
    await page.goBack();
    await page.locator('#page-range', { hasText: '1–50 of 55' }).waitFor();

    // Narrow by lead-generation source: the criterion is in the URL.
    await page.click('#add-row');
    const row = page.locator('#criteria-rows .criterion').first();
    assert.equal(await page.evaluate(() => document.activeElement?.name), 'field', 'focus on the new row');
    await row.locator('[name=field]').selectOption('lead_generation.source');
    await row.locator('[name=op]').selectOption('eq');
    await row.locator('[name=value]').fill('LinkedIn');
    await page.click('#search');
    await count.filter({ hasText: '2 people match' }).waitFor();
    await page.locator('#announcer', { hasText: '2 people match' }).waitFor();
    assert.deepEqual(await emails(), ['ben@example.org', 'ann@hostile.example']);
    assert.equal(new URL(page.url()).searchParams.get('lead_generation.source[eq]'), 'LinkedIn');
    await expectNoViolations(page, 'people list with criteria');
    await expectNoRawKeys(page, 'people list with criteria');
    await expectNoHorizontalScroll(page, { label: 'people list with criteria' });

    // A reload restores the criteria and the list.
    await page.reload();
    await count.filter({ hasText: '2 people match' }).waitFor();
    assert.equal(await page.locator('#criteria-rows .criterion').count(), 1);
    assert.equal(await page.locator('#criteria-rows [name=field]').inputValue(), 'lead_generation.source');
    assert.equal(await page.locator('#criteria-rows [name=value]').inputValue(), 'LinkedIn');

    // A second criterion from a list: status is Qualified.
    await page.click('#add-row');
    const second = page.locator('#criteria-rows .criterion').nth(1);
    await second.locator('[name=field]').selectOption('status');
    await second.locator('[name=value]').selectOption('qualified');
    await page.click('#search');
    await count.filter({ hasText: '1 person matches' }).waitFor();
    assert.deepEqual(await emails(), ['ben@example.org']);
    // Back: one criterion again, forward: two.
    await page.goBack();
    await count.filter({ hasText: '2 people match' }).waitFor();
    assert.equal(await page.locator('#criteria-rows .criterion').count(), 1);
    await page.goForward();
    await count.filter({ hasText: '1 person matches' }).waitFor();
    assert.equal(await page.locator('#criteria-rows .criterion').count(), 2);
    await page.goBack();
    await count.filter({ hasText: '2 people match' }).waitFor();

    // CSV of the same criteria, newest first.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-csv')]);
    assert.equal(download.suggestedFilename(), 'persons.csv');
    const chunks = [];
    for await (const chunk of await download.createReadStream()) chunks.push(chunk);
    const csv = Buffer.concat(chunks).toString('utf8');
    const lines = csv.trim().split('\r\n');
    assert.equal(lines.length, 3, csv);
    assert.ok(lines[0].includes('lead_generation.source') && lines[0].includes('first_interaction.campaign'), lines[0]);
    assert.ok(lines[1].includes('ben@example.org') && lines[2].includes('ann@hostile.example'), csv);
    assert.ok(!csv.includes('cy@example.org'));

    // Save as a dynamic selection; the status links to it.
    await page.fill('#selection-name', 'LinkedIn leads');
    await page.selectOption('#selection-kind', 'dynamic');
    await page.click('#save');
    await page.locator('#save-status', { hasText: 'Saved “LinkedIn leads”.' }).waitFor();
    const { items: selections } = await api.get('/api/v1/selections');
    assert.equal(selections.length, 1);
    assert.deepEqual(selections[0].criteria, {
      all: [{ field: 'lead_generation.source', op: 'eq', value: 'LinkedIn' }],
    });
    assert.equal(await page.locator('#save-status a').getAttribute('href'), `/selections/${selections[0].id}`);

    // "Show all" drops the criteria.
    await page.click('#clear');
    await count.filter({ hasText: '55 people' }).waitFor();
    assert.equal(await page.locator('#criteria-rows .criterion').count(), 0);
    assert.equal(new URL(page.url()).search, '');

    // At 390 px: no sideways page scroll (the table scrolls in its box).
    await expectNoHorizontalScroll(page, { label: 'people list' });

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

test('people page in Norwegian: texts and numbers in the user\'s language', { timeout: 90_000 }, async (t) => {
  await world.visit(
    t,
    async ({ page, problems }) => {
      await world.signIn(page, '/people');
      await page.locator('#count', { hasText: '55 personer' }).waitFor();
      assert.equal(await page.locator('html').getAttribute('lang'), 'nb');
      assert.equal(await page.locator('h1').textContent(), 'Personer');
      assert.equal(await page.locator('#add-row').textContent(), 'Legg til kriterium');
      assert.equal(await page.locator('#page-range').textContent(), '1–50 av 55');
      await page.click('#add-row');
      const groups = await page.locator('#criteria-rows optgroup').evaluateAll((g) => g.map((x) => x.label));
      assert.ok(groups.includes('Person › Lead') && groups.includes('Bedrift › Lead'), groups.join(', '));
      await expectNoViolations(page, 'people list, Norwegian');
      await expectNoRawKeys(page, 'people list, Norwegian');
      assert.deepEqual(problems.pageErrors, []);
      assert.deepEqual(problems.consoleErrors, []);
    },
    { locale: 'nb-NO' },
  );
});

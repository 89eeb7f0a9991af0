// People sign in as themselves, in Chromium: an admin signs in with e-mail and password,
// uses each page (dashboards, people, links, the API reference), and signs out; a viewer
// is offered no export or change, and the API answers 403 when the viewer's page tries
// anyway. No page asks for a token.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createUser, startWorld } from './harness.mjs';

let world;
before(async () => {
  world = await startWorld();
  for (const [email, source] of [['ida@example.org', 'linkedin'], ['jon@example.org', 'newsletter']]) {
    const res = await fetch(`${world.collector.url}/f/accounts-e2e`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ email, lt_v: '1', lt_last_source: source, lt_last_medium: 'email' }),
    });
    assert.equal(res.status, 201, await res.text());
  }
});
after(async () => {
  await world?.close();
});

const PAGES = ['/dashboard', '/people', '/links'];

test('no page asks for a token', async () => {
  for (const pathname of [...PAGES, '/login']) {
    const html = await (await fetch(`${world.collector.url}${pathname}`)).text();
    assert.ok(!/token/i.test(html), `${pathname} mentions a token`);
  }
  const login = await (await fetch(`${world.collector.url}/login`)).text();
  assert.ok(login.includes('type="email"') && login.includes('type="password"'));
});

test('an admin signs in, uses each page, and signs out', { timeout: 120_000 }, async (t) => {
  const { collector } = world;
  await world.visit(t, async ({ page, problems }) => {
    // Not signed in: every page sends the visitor to /login.
    for (const pathname of PAGES) {
      await page.goto(`${collector.url}${pathname}`);
      await page.waitForURL(`${collector.url}/login?next=${encodeURIComponent(pathname)}`);
    }
    assert.ok(problems.consoleErrors.every((e) => e.includes('401')), problems.consoleErrors.join('\n'));
    problems.consoleErrors.length = 0;

    await world.signIn(page, '/dashboard');
    assert.match(await page.locator('#who').textContent(), /E2E admin · admin/);
    await page.locator('#tiles .tile').first().waitFor();

    await page.goto(`${collector.url}/people`);
    await page.locator('#app').waitFor({ state: 'visible' });
    assert.equal(await page.locator('#download-csv').isVisible(), true, 'an admin may export');
    await page.click('#add-row');
    const row = page.locator('#criteria-rows .criterion').first();
    await row.locator('[name=field]').selectOption('lead_generation.source');
    await row.locator('[name=op]').selectOption('eq');
    await row.locator('[name=value]').fill('linkedin');
    await page.click('#search');
    await page.locator('#results tbody tr', { hasText: 'ida@example.org' }).waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-csv')]);
    assert.equal(download.suggestedFilename(), 'persons.csv');

    await page.goto(`${collector.url}/links`);
    await page.locator('#app').waitFor({ state: 'visible' });
    await page.fill('#url', 'https://www.example.com/webinar');
    await page.fill('#source', 'newsletter');
    await page.fill('#medium', 'email');
    await page.fill('#campaign', 'spring');
    await page.locator('#link', { hasText: 'utm_campaign=spring' }).waitFor();
    assert.equal(await page.locator('#save-form').isVisible(), true);

    await page.goto(`${collector.url}/api/docs`);
    await page.locator('.opblock').first().waitFor();

    // Signing out ends the session: the pages send the visitor back to /login.
    await page.goto(`${collector.url}/dashboard`);
    await page.locator('#app').waitFor({ state: 'visible' });
    await Promise.all([page.waitForURL(`${collector.url}/login`), page.click('#sign-out')]);
    await page.goto(`${collector.url}/people`);
    await page.waitForURL(`${collector.url}/login?next=%2Fpeople`);

    const log = await world.api.get('/api/v1/audit?action=session.');
    const actions = log.items.map((e) => `${e.action} ${e.actor}`);
    assert.deepEqual(actions.slice(0, 2), ['session.delete admin@example.com', 'session.create admin@example.com']);

    assert.deepEqual(problems.pageErrors, []);
    assert.deepEqual(problems.dialogs, []);
    assert.ok(problems.consoleErrors.every((e) => e.includes('401')), problems.consoleErrors.join('\n'));
  });
});

test('a viewer is offered no export or change, and the API refuses them with 403', { timeout: 90_000 }, async (t) => {
  const { collector } = world;
  const viewer = createUser(collector.dbPath, { email: 'vic@example.com', role: 'viewer', name: 'Vic' });
  await world.visit(t, async ({ page, problems }) => {
    await world.signIn(page, '/people', viewer);
    assert.match(await page.locator('#who').textContent(), /Vic · viewer/);
    // Reading works; exporting and saving are not offered.
    await page.click('#add-row');
    await page.locator('#criteria-rows [name=value]').first().fill('newsletter');
    await page.click('#search');
    await page.locator('#results tbody tr', { hasText: 'jon@example.org' }).waitFor();
    assert.equal(await page.locator('#download-csv').isVisible(), false, 'no export button for a viewer');
    assert.equal(await page.locator('#save-form').isVisible(), false);

    // Tried anyway, from the page (the session, the page's own origin): 403 with a reason.
    const tried = await page.evaluate(async () => {
      const csv = await fetch('/api/v1/persons?format=csv');
      const patch = await fetch('/api/v1/persons/1', {
        method: 'PATCH',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ status: 'qualified' }),
      });
      const erase = await fetch('/api/v1/persons/1', { method: 'DELETE' });
      return [
        [csv.status, (await csv.json()).error],
        [patch.status, (await patch.json()).error],
        [erase.status, (await erase.json()).error],
      ];
    });
    assert.deepEqual(tried.map(([status]) => status), [403, 403, 403], JSON.stringify(tried));
    assert.match(tried[0][1], /viewer may not export/);
    assert.match(tried[1][1], /a viewer may not/);
    const person = await world.api.get('/api/v1/persons/1');
    assert.equal(person.status, 'open', 'nothing changed');

    await page.goto(`${collector.url}/links`);
    await page.locator('#app').waitFor({ state: 'visible' });
    assert.equal(await page.locator('#save-form').isVisible(), false);
    assert.equal(await page.locator('#check').isVisible(), false);
    await page.goto(`${collector.url}/dashboard`);
    await page.locator('#tiles .tile').first().waitFor();

    assert.deepEqual(problems.pageErrors, []);
    // Chromium logs the three refused calls the test made.
    assert.ok(problems.consoleErrors.every((e) => e.includes('403')), problems.consoleErrors.join('\n'));
    assert.equal(problems.consoleErrors.length, 3, problems.consoleErrors.join('\n'));
  });
});

test('/account: a token made, used and revoked; an invitation link makes a user who is signed in', { timeout: 120_000 }, async (t) => {
  const { collector } = world;
  let link;
  await world.visit(t, async ({ page, problems }) => {
    await world.signIn(page, '/account');
    await page.locator('#users-section').waitFor({ state: 'visible' });

    await page.fill('#token-name', 'e2e script');
    await page.selectOption('#token-scope', 'read');
    await page.click('#make-token');
    await page.locator('#new-token').waitFor({ state: 'visible' });
    const token = await page.locator('#new-token-value').textContent();
    assert.match(token, /^ltk_[0-9a-f]{64}$/);
    const row = page.locator('#tokens tbody tr', { hasText: 'e2e script' });
    await row.waitFor();
    assert.equal(await row.getAttribute('data-state'), 'active');
    const me = await fetch(`${collector.url}/api/v1/me`, { headers: { Authorization: `Bearer ${token}` } });
    assert.equal(me.status, 200);
    assert.equal((await me.json()).scope, 'read');
    await row.locator('button', { hasText: 'Revoke' }).click();
    await page.locator('#tokens tbody tr[data-state=revoked]', { hasText: 'e2e script' }).waitFor();
    const after = await fetch(`${collector.url}/api/v1/me`, { headers: { Authorization: `Bearer ${token}` } });
    assert.equal(after.status, 401, 'a revoked token is refused');

    await page.fill('#invite-email', 'newcomer@example.com');
    await page.fill('#invite-name', 'Newcomer');
    await page.selectOption('#invite-role', 'viewer');
    await page.click('#invite');
    await page.locator('#invite-result').waitFor({ state: 'visible' });
    link = await page.locator('#invite-link').textContent();
    assert.ok(link.startsWith(`${collector.url}/invite#`), link);
    await page.locator('#invitations li', { hasText: 'newcomer@example.com' }).waitFor();

    assert.deepEqual(problems.pageErrors, []);
    assert.deepEqual(problems.consoleErrors, []);
  });

  await world.visit(t, async ({ page, problems }) => {
    await page.goto(link);
    await page.fill('#password', 'short');
    await page.fill('#again', 'short');
    await page.click('#accept');
    await page.locator('#invite-error', { hasText: 'at least 10 characters' }).waitFor();
    await page.fill('#password', 'a fresh long passphrase');
    await page.fill('#again', 'a fresh long passphrase');
    await Promise.all([page.waitForURL(`${collector.url}/dashboard`), page.click('#accept')]);
    await page.locator('#app').waitFor({ state: 'visible' });
    assert.match(await page.locator('#who').textContent(), /Newcomer · viewer/);

    // Their own password, on /account: a viewer cannot make a write token.
    await page.goto(`${collector.url}/account`);
    await page.locator('#app').waitFor({ state: 'visible' });
    assert.equal(await page.locator('#users-section').isVisible(), false, 'users are for admins');
    assert.equal(await page.locator('#token-scope option[value=write]').isDisabled(), true);
    await page.fill('#current-password', 'a fresh long passphrase');
    await page.fill('#new-password', 'an even fresher passphrase');
    await page.click('#change-password');
    await page.locator('#password-status', { hasText: 'Changed' }).waitFor();
    await page.reload();
    await page.locator('#app').waitFor({ state: 'visible' });
    const signIn = (password) => fetch(`${collector.url}/api/v1/session`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: 'newcomer@example.com', password }),
    }).then((r) => r.status);
    assert.equal(await signIn('an even fresher passphrase'), 200);
    assert.deepEqual(problems.pageErrors, []);
    // The refused short password is the only error Chromium logged.
    assert.ok(problems.consoleErrors.every((e) => e.includes('422')), problems.consoleErrors.join('\n'));
  });
  const again = await fetch(`${collector.url}/api/v1/invitations/accept`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ token: link.split('#')[1], password: 'another passphrase here' }),
  });
  assert.equal(again.status, 422, 'the link worked once');
});

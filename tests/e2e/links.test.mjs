// The /links page in Chromium: sign in with e-mail and password, build a link live, see a
// "did you mean" warning against a source already in the data, save the link, and check
// that hostile values stay text.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startWorld } from './harness.mjs';

let world;
before(async () => {
  world = await startWorld();
});
after(async () => {
  await world?.close();
});

const HOSTILE = '<img src=x onerror="window.__pwned=1">';

test('/links builds a link live, warns, saves it, and keeps hostile values as text', { timeout: 90_000 }, async (t) => {
  const { collector, api } = world;
  // `linkedin` is in the data: a new `Linked In` should get a "did you mean".
  const posted = await fetch(`${collector.url}/f/links-e2e`, {
    method: 'POST',
    headers: { Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ email: 'known@acme.example', lt_v: '1', lt_last_source: 'linkedin', lt_last_medium: 'paid_social' }),
  });
  assert.equal(posted.status, 201);

  await world.visit(t, async ({ page, problems }) => {
    const html = await (await fetch(`${collector.url}/links`)).text();
    assert.ok(!html.includes('acme.example'), 'the page itself carries no data');
    assert.ok(!html.includes('token'), 'no page asks for a token');

    await world.signIn(page, '/links');

    await page.fill('#url', 'https://www.acme.example/webinar?ref=nav#form');
    await page.fill('#source', 'Linked In');
    await page.fill('#medium', 'Paid Social');
    await page.fill('#campaign', 'Webinar Sept');
    await page.fill('#content', HOSTILE);
    const link = page.locator('#link');
    await link.filter({ hasText: 'utm_campaign=webinar_sept' }).waitFor();
    const url = await link.textContent();
    assert.ok(
      url.startsWith('https://www.acme.example/webinar?ref=nav&utm_source=linked_in&utm_medium=paid_social&utm_campaign=webinar_sept&utm_content=%3Cimg'),
      url,
    );
    assert.ok(url.endsWith('#form'), url);
    const similar = page.locator('#warnings li[data-kind=similar_to_known]');
    await similar.waitFor();
    assert.match(await similar.textContent(), /did you mean "linkedin"/);
    assert.match(await page.locator('#channel').textContent(), /Paid Social/);

    // An error names the field, and clears when fixed.
    await page.fill('#url', 'ftp://files.example/');
    await page.locator('#error').filter({ hasText: 'url:' }).waitFor();
    assert.equal(await page.locator('#save').isDisabled(), true);
    await page.fill('#url', 'https://www.acme.example/webinar?ref=nav#form');
    await page.waitForFunction(() => document.getElementById('error').textContent === '');
    await link.filter({ hasText: 'utm_source=linked_in' }).waitFor();

    await page.fill('#save-name', HOSTILE);
    await page.click('#save');
    await page.locator('#save-result').filter({ hasText: 'Saved' }).waitFor();
    const name = page.locator('#saved tbody td.name');
    await name.first().waitFor();
    assert.equal(await name.first().textContent(), HOSTILE, 'the name is shown as text');
    assert.equal(await page.locator('#saved img, #result img').count(), 0, 'no element was made from a value');
    assert.equal(await page.evaluate(() => window.__pwned), undefined);

    const saved = await api.get('/api/v1/links/saved?campaign=webinar_sept');
    assert.equal(saved.items.length, 1);
    assert.equal(saved.items[0].name, HOSTILE);
    assert.equal(saved.items[0].url, url);

    // The session survives a reload of the tab, not a sign-out.
    await page.reload();
    await page.locator('#saved tbody tr').first().waitFor();
    await Promise.all([page.waitForURL(`${collector.url}/login`), page.click('#sign-out')]);
    await page.goto(`${collector.url}/links`);
    await page.waitForURL(`${collector.url}/login?next=%2Flinks`);

    assert.deepEqual(problems.pageErrors, []);
    assert.deepEqual(problems.dialogs, []);
    // The console shows only the answers the test provoked: the signed-out page's 401 and
    // the ftp: URL's 422.
    assert.ok(
      problems.consoleErrors.every((e) => / (401|422) /.test(e)),
      problems.consoleErrors.join('\n'),
    );
  });
});

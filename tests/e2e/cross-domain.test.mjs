// The journey across domains, end to end in Chromium: a LinkedIn ad brings a visitor to the
// company's website (localhost), whose tag names the app's domain (127.0.0.2); a click on
// "Start a free trial" takes the visitor to the app, where they sign up. The lead's first
// interaction and lead generation are the website's LinkedIn touch. A tampered or expired
// link is ignored: the app's own reading (a referral from the website) counts.

import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { deflateRawSync } from 'node:zlib';
import { startWorld, submitForm, trackerReady } from './harness.mjs';

let world;
before(async () => {
  world = await startWorld({ secondSite: true });
  const appHost = new URL(world.app.url).hostname;
  world.site.addPage(
    '/product',
    (collectorUrl) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Acme Cloud</title>
<script type="module" src="${collectorUrl}/leadtrail.js" data-link-domains="${appHost}"></script>
</head><body><h1>Acme Cloud</h1>
<p><a id="start-trial" href="${world.app.url}/signup?plan=trial">Start a free trial</a></p>
</body></html>`,
  );
});
after(async () => {
  await world?.close();
});

const AD = 'utm_source=linkedin&utm_medium=paid_social&utm_campaign=abm_q4&li_fat_id=LiFat-XD1';

/** Opens the website from the LinkedIn ad and waits until the collector signed its journey. */
async function landFromTheAd(page) {
  const { site, collector } = world;
  const signed = page.waitForResponse((r) => r.url() === `${collector.url}/t/link`);
  await page.goto(`${site.url}/product?${AD}`);
  assert.equal(await trackerReady(page), true);
  const answer = await signed;
  assert.equal(answer.status(), 200, 'the collector signs the journey');
  return (await answer.json()).token;
}

/** Signs up on the app's page the visitor is on; the form post's fields. */
async function signUp(page, email) {
  assert.equal(await trackerReady(page), true, 'tracker ready on the app');
  await page.fill('#signup input[name=email]', email);
  const { fields } = await submitForm(page, '#signup button[type=submit]', world.collector.url);
  await page.locator('#thanks').waitFor();
  return fields;
}

test('a LinkedIn ad on the website, a click to the app, sign-up there: the website’s touches', { timeout: 90_000 }, async (t) => {
  const { app, collector, api } = world;
  await world.visit(t, async ({ page, problems }) => {
    await landFromTheAd(page);
    const followed = page.waitForRequest((r) => r.url().startsWith(`${app.url}/signup`));
    const adopted = page.waitForResponse((r) => r.url() === `${collector.url}/t/adopt`);
    await page.click('#start-trial');
    const link = new URL((await followed).url());
    assert.match(link.searchParams.get('lt_link') ?? '', /^1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/, 'the link carried the token');
    assert.equal(link.searchParams.get('plan'), 'trial', 'the link’s own parameters stay');
    assert.equal((await adopted).status(), 200, 'the collector vouches for the token');
    assert.equal(await trackerReady(page), true);
    assert.equal(page.url(), `${app.url}/signup?plan=trial`, 'the token is off the address bar');

    const fields = await signUp(page, 'trial@xd-customer.example');
    assert.equal(fields.lt_first_source, 'linkedin');
    assert.equal(fields.lt_first_click_id, 'LiFat-XD1');
    assert.equal(fields.lt_last_source, 'linkedin', 'the click from the website is no referral');
    assert.ok(fields.lt_first_landing_page.startsWith(`${world.site.url}/product?`), fields.lt_first_landing_page);

    const person = await api.person('trial@xd-customer.example');
    for (const touch of [person.first_interaction, person.lead_generation]) {
      assert.equal(touch.source, 'linkedin');
      assert.equal(touch.medium, 'paid_social');
      assert.equal(touch.campaign, 'abm_q4');
      assert.equal(touch.click_id, 'LiFat-XD1');
      assert.ok(touch.landing_page.startsWith(`${world.site.url}/product?utm_source=linkedin`), touch.landing_page);
    }
    assert.deepEqual(problems.pageErrors, [], 'no uncaught errors on either site');
  });
});

/** A token as the collector makes it, under its key, with the given expiry. */
async function forge(journey, expiresAt) {
  const key = Buffer.from((await readFile(path.join(world.dir, 'e2e.db-link-key'), 'utf8')).trim(), 'hex');
  const data = deflateRawSync(`${expiresAt}\n${journey}`).toString('base64url');
  const signature = createHmac('sha256', key).update(`leadtrail link ${data}`).digest().subarray(0, 16).toString('base64url');
  return `1.${data}.${signature}`;
}

test('a tampered or expired link is ignored: the app’s own touches count', { timeout: 90_000 }, async (t) => {
  const { site, app, collector, api } = world;
  const cases = [
    [
      'tampered',
      async (token) => {
        // One character of the signature changed (not the last, part of which is padding).
        const at = token.length - 5;
        return token.slice(0, at) + (token[at] === 'A' ? 'B' : 'A') + token.slice(at + 1);
      },
    ],
    ['expired', async (_token, journey) => forge(journey, Math.floor(Date.now() / 1000) - 60)],
  ];
  for (const [name, spoil] of cases) {
    await world.visit(t, async ({ page, problems }) => {
      const token = await landFromTheAd(page);
      const journey = await page.evaluate(() => localStorage.getItem('leadtrail.journey'));
      const spoilt = await spoil(token, journey);
      const refused = page.waitForResponse((r) => r.url() === `${collector.url}/t/adopt`);
      await page.goto(`${app.url}/signup?lt_link=${spoilt}`, { referer: `${site.url}/product` });
      const answer = await refused;
      assert.equal(answer.status(), 422, `${name}: refused`);
      assert.match((await answer.json()).error, name === 'expired' ? /expired/ : /signature does not match/);
      assert.equal(page.url(), `${app.url}/signup`, `${name}: the token is off the address bar all the same`);

      const email = `${name}@xd-customer.example`;
      const fields = await signUp(page, email);
      assert.equal(fields.lt_first_source, 'localhost', `${name}: the app's own first interaction`);
      assert.equal(fields.lt_first_medium, 'referral');
      const person = await api.person(email);
      assert.equal(person.first_interaction.source, 'localhost');
      assert.equal(person.lead_generation.source, 'localhost');
      assert.equal(person.lead_generation.medium, 'referral');
      assert.deepEqual(problems.pageErrors, [], `${name}: the page is not broken`);
    });
  }
});

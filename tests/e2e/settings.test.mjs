// The /settings page in Chromium, as an admin works it: a visitor signs up through the
// customer site's real tracker with campaign parameters; the form is listed with UTM
// tracking on; the admin switches it off by keyboard (announced, and off in the API); the
// next visitor's sign-up with other campaign parameters is stored without touches and the
// new person is (direct); on again, touches are back. The tag to paste follows the
// look-back days chosen (kept in the URL) and is copied with the copy announced. A
// marketer is told the page is for admins, in their browser's language. axe finds nothing
// on either; at 390 px the page never scrolls sideways.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createUser, startWorld, submitForm, trackerReady } from './harness.mjs';
import { expectNoHorizontalScroll, expectNoRawKeys, expectNoViolations, screenshots } from './a11y.mjs';

const FORM = 'customer-signup';

let world;
let marketer;
before(async () => {
  world = await startWorld();
  marketer = createUser(world.collector.dbPath, { email: 'marit@example.com', role: 'marketer', name: 'Marit Marketer' });
});
after(async () => {
  await world?.close();
});

/** A visitor lands on the customer site's sign-up page with `query` and signs up. */
async function signUpThroughTheSite(t, email, query) {
  await world.visit(t, async ({ page, problems }) => {
    await page.goto(`${world.site.url}/signup?${query}`);
    assert.equal(await trackerReady(page), true, 'the tracker starts');
    await page.fill('input[name="email"]', email);
    await page.fill('textarea[name="message"]', 'We would like a demo.');
    const { fields, response } = await submitForm(page, 'button[type="submit"]', world.collector.url);
    assert.ok(fields.lt_v, 'the tracker added its fields');
    assert.equal(response.status(), 303);
    assert.deepEqual(problems.pageErrors, []);
  });
}

/** The announcer's text once it says something matching `pattern`. */
async function announced(page, pattern) {
  await page.waitForFunction(
    (source) => new RegExp(source).test(document.getElementById('announcer')?.textContent || ''),
    pattern.source,
    { timeout: 5_000 },
  );
  return page.locator('#announcer').textContent();
}

test('settings: UTM capture switched off by keyboard stores the next sign-up without touches; the tag is copied; axe and 390 px', { timeout: 240_000 }, async (t) => {
  const { api, collector } = world;
  // Before any post: no form yet, and the page says how one appears.
  await world.visit(t, async ({ page }) => {
    await world.signIn(page, '/settings');
    assert.equal(await page.locator('#forms-empty').isVisible(), true);
    assert.match(await page.locator('#forms-empty').textContent(), /No form has been posted yet/);
    assert.match(await page.locator('#form-urls').textContent(), new RegExp(`${collector.url}/f/contact`));
    await expectNoRawKeys(page, 'settings without forms');
    await expectNoViolations(page, 'settings without forms');
  });
  await signUpThroughTheSite(t, 'first@acme.example', 'utm_source=linkedin&utm_medium=paid_social&utm_campaign=launch');
  const first = await api.person('first@acme.example');
  assert.equal(first.lead_generation.source, 'linkedin');
  const [firstSubmission] = await api.submissions(first.id);
  assert.equal(firstSubmission.utm_capture, true);
  assert.equal(firstSubmission.conversion.campaign, 'launch');

  await world.visit(
    t,
    async ({ page, context, problems }) => {
      await page.setViewportSize({ width: 1400, height: 1000 });
      await world.signIn(page, '/settings');
      assert.equal(await page.locator('h1').textContent(), 'Settings');
      await assert.doesNotReject(announced(page, /1 form/));
      const card = page.locator(`li.form-card[data-form="${FORM}"]`);
      const capture = card.getByRole('checkbox', { name: 'Enable UTM tracking for form submissions' });
      assert.equal(await capture.isChecked(), true);
      assert.match(await card.locator('.field-names').textContent(), /email.*message/s);
      await expectNoRawKeys(page, 'settings with a form');
      await expectNoViolations(page, 'settings with a form');

      // Off, by keyboard: from the form's name field, Shift+Tab reaches the switch.
      await card.getByLabel('Name').focus();
      await page.keyboard.press('Shift+Tab');
      assert.equal(await page.evaluate(() => document.activeElement?.type), 'checkbox');
      await page.keyboard.press('Space');
      assert.match(await announced(page, /off for/), new RegExp(`UTM tracking is off for ${FORM}`));
      assert.equal(await capture.isChecked(), false);
      assert.equal(await page.evaluate(() => document.activeElement?.type), 'checkbox', 'focus stays on the switch');
      assert.equal((await api.get(`/api/v1/forms/${FORM}`)).utm_capture, false);

      // A name, saved with Enter, shows as the card's legend.
      await card.getByLabel('Name').fill('Demo requests');
      await page.keyboard.press('Enter');
      await announced(page, /Name saved/);
      assert.match(await card.locator('legend').textContent(), /Demo requests/);

      // The tag: the look-back days go into it and into the URL; the copy is announced.
      const snippet = page.locator('#snippet');
      assert.equal(await snippet.textContent(), `<script type="module" src="${collector.url}/leadtrail.js"></script>`);
      await page.fill('#lookback', '30');
      assert.equal(await snippet.textContent(), `<script type="module" src="${collector.url}/leadtrail.js" data-lookback-days="30"></script>`);
      assert.match(page.url(), /\?lookback=30$/);
      await page.fill('#lookback', '0');
      assert.match(await page.locator('#lookback-error').textContent(), /from 1 to/);
      await page.fill('#lookback', '30');
      assert.equal(await page.locator('#lookback-error').textContent(), '');
      await page.locator('#copy-snippet').focus();
      await page.keyboard.press('Enter');
      assert.match(await announced(page, /copied/), /The tag is copied/);
      assert.equal(await page.evaluate(() => navigator.clipboard.readText()), await snippet.textContent());
      assert.match(await page.locator('#form-urls').textContent(), new RegExp(`${collector.url}/f/${FORM}`));

      // The configuration is shown, and said to be read-only here.
      const config = await page.locator('#config').textContent();
      assert.match(config, /Any site/);
      assert.match(config, /90 days/);
      assert.match(await page.locator('#admin-settings').textContent(), /cannot be changed on this page/);

      await page.reload();
      await page.locator('#admin-settings').waitFor({ state: 'visible' });
      assert.equal(await page.inputValue('#lookback'), '30', 'the look-back days survive a reload');
      assert.equal(await capture.isChecked(), false, 'the switch shows what is stored');
      await expectNoViolations(page, 'settings, capture off');
      await screenshots(page, 'settings');
      await page.setViewportSize({ width: 390, height: 844 });
      await expectNoHorizontalScroll(page);
      assert.deepEqual(problems.pageErrors, []);
      assert.deepEqual(problems.consoleErrors, []);
    },
    { permissions: ['clipboard-read', 'clipboard-write'] },
  );

  // The next sign-up, with other campaign parameters, keeps none of them.
  await signUpThroughTheSite(t, 'second@beta.example', 'utm_source=facebook&utm_medium=paid_social&utm_campaign=retarget');
  const second = await api.person('second@beta.example');
  assert.equal(second.first_interaction.source, '(direct)');
  assert.equal(second.lead_generation.source, '(direct)');
  assert.equal(second.lead_generation.campaign, null);
  const [secondSubmission] = await api.submissions(second.id);
  assert.equal(secondSubmission.utm_capture, false);
  assert.equal(secondSubmission.conversion.source, null);
  assert.equal(secondSubmission.conversion.campaign, null);

  // On again, by keyboard: the sign-up after it is attributed.
  await world.visit(t, async ({ page }) => {
    await world.signIn(page, '/settings');
    const capture = page.locator(`li.form-card[data-form="${FORM}"]`).getByRole('checkbox');
    await capture.focus();
    await page.keyboard.press('Space');
    await announced(page, /is on for/);
  });
  assert.equal((await api.get(`/api/v1/forms/${FORM}`)).utm_capture, true);
  await signUpThroughTheSite(t, 'third@gamma.example', 'utm_source=newsletter&utm_medium=email&utm_campaign=may');
  const third = await api.person('third@gamma.example');
  assert.equal(third.lead_generation.source, 'newsletter');
  const [thirdSubmission] = await api.submissions(third.id);
  assert.equal(thirdSubmission.utm_capture, true);
  assert.equal(thirdSubmission.conversion.campaign, 'may');
});

test('settings: a marketer is told it is for admins, in their language; axe and 390 px', { timeout: 120_000 }, async (t) => {
  await world.visit(
    t,
    async ({ page, problems }) => {
      await world.signIn(page, '/settings', marketer);
      assert.equal(await page.locator('h1').textContent(), 'Innstillinger');
      assert.equal(await page.locator('#admins-only').isVisible(), true);
      assert.match(await page.locator('#admins-only').textContent(), /Bare administratorer/);
      assert.equal(await page.locator('#admin-settings').isVisible(), false);
      assert.equal(await page.locator('#forms li').count(), 0, 'no form is fetched for them');
      // The navigation offers Settings to admins only.
      assert.equal(await page.locator('.app-nav a[href="/settings"]').count(), 0);
      await expectNoRawKeys(page, 'settings for a marketer');
      await expectNoViolations(page, 'settings for a marketer');
      await page.setViewportSize({ width: 390, height: 844 });
      await expectNoHorizontalScroll(page);
      assert.deepEqual(problems.pageErrors, []);
      assert.deepEqual(problems.consoleErrors, []);
    },
    { locale: 'nb-NO' },
  );
});

// The demo site the collector serves at / (www/): the tracker embedded same-origin, and the
// collector's Referer fallback for a visitor without JavaScript.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { contractFields, startWorld, submitForm, trackerReady } from './harness.mjs';

let world;
before(async () => {
  world = await startWorld();
});
after(async () => {
  await world?.close();
});

async function fillDemoForm(page, { name, email, company, country }) {
  await page.fill('#name', name);
  await page.fill('#email', email);
  await page.fill('#company', company);
  await page.selectOption('#country', country);
}

test('JavaScript off: a plain form post is attributed from its Referer', { timeout: 60_000 }, async (t) => {
  const { collector, api } = world;
  await world.visit(
    t,
    async ({ page, problems }) => {
      await page.goto(`${collector.url}/?utm_source=partner_b&utm_medium=webinar&utm_campaign=q4_launch`);
      await fillDemoForm(page, {
        name: 'Per Hansen',
        email: 'per@nordlys-analytics.no',
        company: 'Nordlys Analytics',
        country: 'NO',
      });
      const { fields, response } = await submitForm(page, '#demo-signup button[type=submit]', collector.url);
      assert.deepEqual(contractFields(fields), [], 'no tracker ran, so no hidden fields');
      assert.equal(response.status(), 303);
      assert.equal(response.headers().location, '/thanks.html', 'the form\'s own _redirect is followed');
      await page.waitForURL(`${collector.url}/thanks.html`);
      await page.locator('#thanks').waitFor();

      const person = await api.person('per@nordlys-analytics.no');
      assert.equal(person.name, 'Per Hansen');
      assert.equal(person.country, 'NO');
      assert.deepEqual(
        [person.lead_generation.source, person.lead_generation.medium, person.lead_generation.campaign],
        ['partner_b', 'webinar', 'q4_launch'],
        'campaign parameters read from the Referer',
      );
      assert.ok(
        person.lead_generation.landing_page.startsWith(`${collector.url}/?utm_source=partner_b`),
        `the page the form was on is the landing page: ${person.lead_generation.landing_page}`,
      );
      assert.equal(person.first_interaction.source, 'partner_b');
      const company = await api.company(person.company_id);
      assert.equal(company.name, 'Nordlys Analytics', 'company from the form field');
      assert.equal(company.source.source, 'partner_b');
      const [submission] = await api.submissions(person.id);
      assert.equal(submission.form, 'demo-signup');
      assert.equal(submission.conversion.campaign, 'q4_launch');
      assert.deepEqual(problems.pageErrors, []);
    },
    { javaScriptEnabled: false },
  );
});

test('demo site: campaign on the webinar page, sign-up on the home page', { timeout: 60_000 }, async (t) => {
  const { collector, api } = world;
  await world.visit(t, async ({ context, page, problems }) => {
    const foreignRequests = [];
    context.on('request', (request) => {
      if (!request.url().startsWith(`${collector.url}/`)) foreignRequests.push(request.url());
    });

    await page.goto(`${collector.url}/webinar.html?utm_source=linkedin&utm_medium=paid_social&utm_campaign=demo_day`);
    assert.equal(await trackerReady(page), true);
    await Promise.all([page.waitForURL(`${collector.url}/#signup`), page.click('#to-signup')]);
    assert.equal(await trackerReady(page), true);

    // The page's own panel shows what the JS API returns.
    await page.click('#attribution summary');
    await page.locator('#attribution dl.touch').waitFor();
    const panel = await page.textContent('#attribution');
    assert.match(panel, /lt_last_source\s*linkedin/);
    assert.match(panel, /lt_last_campaign\s*demo_day/);

    // Every form control is labelled (the page is meant to be usable with a screen reader).
    const unlabelled = await page.evaluate(() =>
      [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
        .filter((el) => el.labels.length === 0)
        .map((el) => el.id || el.name),
    );
    assert.deepEqual(unlabelled, []);

    await fillDemoForm(page, { name: 'Eva de Vries', email: 'eva@havenwerk.nl', company: '', country: 'NL' });
    const { fields, response } = await submitForm(page, '#demo-signup button[type=submit]', collector.url);
    assert.equal(response.headers().location, '/thanks.html', 'the form\'s own _redirect is followed');
    await page.waitForURL(`${collector.url}/thanks.html`);
    assert.equal(fields.lt_last_source, 'linkedin');
    assert.equal(fields.lt_first_source, 'linkedin');

    const person = await api.person('eva@havenwerk.nl');
    assert.equal(person.lead_generation.campaign, 'demo_day');
    assert.ok(person.lead_generation.landing_page.startsWith(`${collector.url}/webinar.html?`));
    const company = await api.company(person.company_id);
    assert.equal(company.domain, 'havenwerk.nl', 'company from the e-mail domain when the field is empty');
    assert.equal(company.source.source, 'linkedin');

    assert.deepEqual(foreignRequests, [], 'the demo site loads nothing from elsewhere');
    assert.deepEqual(problems.pageErrors, []);
    assert.deepEqual(problems.consoleErrors, []);
  });
});

// The acceptance journey, end to end: a visitor comes from a LinkedIn ad, leaves, comes back
// from a Facebook ad, navigates to a page without parameters and signs up on a customer
// site that embeds the tracker from the collector on another origin. Later the same person
// returns through a newsletter link and signs up again. Checked through the API.

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

const EMAIL = 'kari.nordmann@acme-industries.no';
const LINKEDIN_CLICK = 'LiFat-AbC123xyz';
const FACEBOOK_CLICK = 'IwAR0Fb_Xy-Z789';

/** Asserts that an API touch's `at` is an RFC 3339 UTC time within [from, to]. */
function assertAtBetween(touch, from, to) {
  assert.match(touch.at, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/, `at is RFC 3339 UTC: ${touch.at}`);
  const ms = Date.parse(touch.at);
  assert.ok(ms >= from - 1000 && ms <= to + 1000, `at ${touch.at} lies in the test's time window`);
}

function assertNoProblems(problems) {
  assert.deepEqual(problems.pageErrors, [], 'no uncaught errors in the pages');
  assert.deepEqual(problems.consoleErrors, [], 'no console errors');
  assert.deepEqual(problems.dialogs, [], 'no dialogs');
}

test('LinkedIn ad, leave, Facebook ad, sign up; then back through the newsletter', { timeout: 90_000 }, async (t) => {
  const { site, collector, api } = world;
  await world.visit(t, async ({ context, page, problems }) => {
    // 1. LinkedIn ad → webinar page; the visitor reads and leaves.
    const startedAt = Date.now();
    await page.goto(
      `${site.url}/webinar?utm_source=linkedin&utm_medium=paid_social&utm_campaign=webinar_sept&li_fat_id=${LINKEDIN_CLICK}`,
    );
    assert.equal(await trackerReady(page), true, 'tracker ready on the LinkedIn landing page');
    const storedFirst = await page.evaluate(() => localStorage.getItem('leadtrail.first'));
    assert.ok(storedFirst, 'the first interaction is in localStorage');
    assert.match(storedFirst, /(^|&)source=linkedin(&|$)/);
    await page.close();

    // 2. Later: Facebook ad → home page → link to /signup (no parameters) → submit.
    const facebookAt = Date.now();
    const home = await context.newPage();
    await home.goto(`${site.url}/?utm_source=facebook&utm_medium=paid_social&utm_campaign=spring&fbclid=${FACEBOOK_CLICK}`);
    assert.equal(await trackerReady(home), true);
    await Promise.all([home.waitForURL(`${site.url}/signup`), home.click('#cta-signup')]);
    assert.equal(await trackerReady(home), true, 'tracker ready on the sign-up page');
    await home.fill('#signup input[name=name]', 'Kari Nordmann');
    await home.fill('#signup input[name=email]', EMAIL);
    await home.fill('#signup textarea[name=message]', 'We run 40 pumps; call me.');
    const first = await submitForm(home, '#signup button[type=submit]', collector.url);
    await home.waitForURL(`${site.url}/thanks`);
    await home.locator('#thanks').waitFor();
    const submittedAt = Date.now();

    // What went over the wire: both touches, in the contract's hidden fields.
    assert.equal(first.response.status(), 303, 'a plain form post is answered with a redirect');
    assert.equal(first.fields.lt_v, '1');
    assert.equal(first.fields.lt_first_source, 'linkedin');
    assert.equal(first.fields.lt_first_medium, 'paid_social');
    assert.equal(first.fields.lt_first_campaign, 'webinar_sept');
    assert.equal(first.fields.lt_first_click_id, LINKEDIN_CLICK);
    assert.equal(first.fields.lt_first_click_id_type, 'li_fat_id');
    assert.equal(first.fields.lt_last_source, 'facebook');
    assert.equal(first.fields.lt_last_medium, 'paid_social');
    assert.equal(first.fields.lt_last_campaign, 'spring');
    assert.equal(first.fields.lt_last_click_id, FACEBOOK_CLICK);
    assert.equal(first.fields.lt_last_click_id_type, 'fbclid');
    assert.match(first.fields.lt_first_at, /^\d{13}$/, 'at is Unix milliseconds');
    assert.equal(first.fields.email, EMAIL, 'the site’s own fields are untouched');

    // Through the API: one person, first interaction LinkedIn, lead generation Facebook.
    const person = await api.person(EMAIL);
    assert.equal(person.email, EMAIL);
    assert.equal(person.name, 'Kari Nordmann');
    assert.ok(Date.parse(person.created_at) >= startedAt - 1000, 'created_at is RFC 3339 and recent');
    assert.deepEqual(
      {
        source: person.first_interaction.source,
        medium: person.first_interaction.medium,
        campaign: person.first_interaction.campaign,
        click_id: person.first_interaction.click_id,
        click_id_type: person.first_interaction.click_id_type,
        referrer: person.first_interaction.referrer,
      },
      {
        source: 'linkedin',
        medium: 'paid_social',
        campaign: 'webinar_sept',
        click_id: LINKEDIN_CLICK,
        click_id_type: 'li_fat_id',
        referrer: null,
      },
    );
    assert.ok(
      person.first_interaction.landing_page.startsWith(`${site.url}/webinar?utm_source=linkedin`),
      `first interaction landed on the webinar page: ${person.first_interaction.landing_page}`,
    );
    assertAtBetween(person.first_interaction, startedAt, facebookAt);

    assert.equal(person.lead_generation.source, 'facebook');
    assert.equal(person.lead_generation.medium, 'paid_social');
    assert.equal(person.lead_generation.campaign, 'spring');
    assert.equal(person.lead_generation.click_id, FACEBOOK_CLICK);
    assert.equal(person.lead_generation.click_id_type, 'fbclid');
    assert.ok(
      person.lead_generation.landing_page.startsWith(`${site.url}/?utm_source=facebook`),
      `the Facebook touch survived the navigation to /signup: ${person.lead_generation.landing_page}`,
    );
    assertAtBetween(person.lead_generation, facebookAt, submittedAt);

    // The company, created from the e-mail's domain together with the person: source Facebook.
    assert.equal(typeof person.company_id, 'number', 'a company was created from the work e-mail');
    const company = await api.company(person.company_id);
    assert.equal(company.id, person.company_id);
    assert.equal(company.domain, 'acme-industries.no');
    assert.equal(company.source.source, 'facebook');
    assert.equal(company.source.medium, 'paid_social');
    assert.equal(company.source.campaign, 'spring');

    let submissions = await api.submissions(person.id);
    assert.equal(submissions.length, 1);
    assert.equal(submissions[0].form, 'customer-signup');
    assert.equal(submissions[0].conversion.source, 'facebook');
    assert.equal(submissions[0].conversion.campaign, 'spring');
    assert.equal(submissions[0].payload.message, 'We run 40 pumps; call me.');
    assert.deepEqual(
      Object.keys(submissions[0].payload).filter((k) => k.startsWith('lt_') || ['email', 'name', '_redirect'].includes(k)),
      [],
      'the payload holds only the site’s own extra fields',
    );
    await home.close();

    // 3. Weeks later: the newsletter brings the same person back; they sign up again,
    // typing their address with different capitals.
    const back = await context.newPage();
    await back.goto(`${site.url}/?utm_source=newsletter&utm_medium=email&utm_campaign=nov_digest`);
    assert.equal(await trackerReady(back), true);
    await Promise.all([back.waitForURL(`${site.url}/signup`), back.click('#cta-signup')]);
    assert.equal(await trackerReady(back), true);
    await back.fill('#signup input[name=name]', 'Kari Nordmann');
    await back.fill('#signup input[name=email]', 'Kari.Nordmann@Acme-Industries.NO');
    await back.fill('#signup textarea[name=message]', 'Interested in the November offer.');
    const second = await submitForm(back, '#signup button[type=submit]', collector.url);
    await back.waitForURL(`${site.url}/thanks`);
    assert.equal(second.response.status(), 303);
    assert.equal(second.fields.lt_first_source, 'linkedin', 'the browser still remembers the first interaction');
    assert.equal(second.fields.lt_last_source, 'newsletter');

    const persons = await api.personsByEmail(EMAIL);
    assert.equal(persons.length, 1, 'still one person (e-mail matched case-insensitively)');
    const again = persons[0];
    assert.equal(again.id, person.id);
    assert.deepEqual(again.first_interaction, person.first_interaction, 'first interaction unchanged');
    assert.deepEqual(again.lead_generation, person.lead_generation, 'lead generation unchanged');
    assert.deepEqual(await api.company(person.company_id), company, 'company and its source unchanged');

    submissions = await api.submissions(person.id);
    assert.equal(submissions.length, 2);
    assert.equal(submissions[0].conversion.source, 'facebook', 'oldest first');
    assert.deepEqual(
      [submissions[1].conversion.source, submissions[1].conversion.medium, submissions[1].conversion.campaign],
      ['newsletter', 'email', 'nov_digest'],
    );
    assert.ok(Date.parse(submissions[1].created_at) >= Date.parse(submissions[0].created_at));
    assert.equal(submissions[1].payload.message, 'Interested in the November offer.');
    assert.equal(contractFields(submissions[1].payload).length, 0);

    assertNoProblems(problems);
  });
});

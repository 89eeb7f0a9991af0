// The journey on the cards, from real visits: on the customer site (the real tracker), Ada
// comes through a LinkedIn ad, a Google ad and a newsletter link whose campaign is hostile,
// and signs up; her colleague Bo (same company domain) comes through a Facebook ad between
// her visits and signs up after her. A deal of Ada's is won between her Google ad and the
// newsletter. Her person card lists her touches in order with their channels and the
// lead-generation submission; the company card lists both persons' touches on one
// timeline in order, with the first won deal among them. Hostile campaign values stay
// text; axe finds nothing; at 390 px nothing scrolls sideways. Both cards again in
// Norwegian and Dutch.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startWorld, submitForm, trackerReady } from './harness.mjs';
import { expectNoHorizontalScroll, expectNoRawKeys, expectNoViolations, screenshots } from './a11y.mjs';

const HOSTILE = '<img src=x onerror="window.__pwned=1">';
const ADA = 'ada.lovelace@acme-journey.example';
const BO = 'bo.berg@acme-journey.example';

let world;
before(async () => {
  world = await startWorld();
});
after(async () => {
  await world?.close();
});

/** Lands on the customer site through a campaign URL and waits for the tracker. */
async function land(page, pathname, source, medium, campaign) {
  const query = new URLSearchParams({ utm_source: source, utm_medium: medium, utm_campaign: campaign });
  await page.goto(`${world.site.url}${pathname}?${query}`);
  assert.equal(await trackerReady(page), true, `tracker ready after ${source}`);
}

/** From the landing page to the sign-up form, and the post the browser sends. */
async function signUp(page, name, email) {
  await Promise.all([page.waitForURL(`${world.site.url}/signup`), page.click('#cta-signup')]);
  assert.equal(await trackerReady(page), true);
  await page.fill('#signup input[name=name]', name);
  await page.fill('#signup input[name=email]', email);
  const posted = await submitForm(page, '#signup button[type=submit]', world.collector.url);
  await page.waitForURL(`${world.site.url}/thanks`);
  assert.equal(posted.response.status(), 303);
  assert.match(posted.fields.lt_journey ?? '', /^1,/, 'the journey is posted');
  return posted;
}

/** Each list item of a journey as `[kind, text of its parts]`, in the page's order. */
function readJourney(page, list) {
  return page.locator(`#${list} > li`).evaluateAll((items) =>
    items.map((li) => ({
      kind: li.dataset.kind,
      channel: li.querySelector('.journey-channel')?.textContent ?? null,
      campaign: li.querySelector('.journey-campaign')?.textContent ?? null,
      form: li.querySelector('.journey-form')?.textContent ?? null,
      who: li.querySelector('.journey-who')?.textContent ?? null,
      badge: li.querySelector('.journey-badge')?.textContent ?? null,
      note: li.querySelector('.journey-note')?.textContent ?? null,
      time: li.querySelector('time')?.getAttribute('datetime') ?? null,
    })),
  );
}

test('the journey on the person card and the account timeline on the company card', { timeout: 180_000 }, async (t) => {
  const { api } = world;
  let dealAt;
  // Two visitors, each with their own browser (own localStorage); their visits interleave.
  await world.visit(t, async ({ page: ada, problems: adaProblems }) => {
    await world.visit(t, async ({ page: bo, problems: boProblems }) => {
      await land(ada, '/webinar', 'linkedin', 'paid_social', 'nordic_launch');
      await land(bo, '/', 'facebook', 'paid_social', 'retargeting');
      await land(ada, '/', 'google', 'cpc', 'brand_search');
      await new Promise((resolve) => setTimeout(resolve, 20));
      dealAt = new Date().toISOString();
      await new Promise((resolve) => setTimeout(resolve, 20));
      await land(ada, '/', 'newsletter', 'email', HOSTILE);
      await signUp(ada, 'Ada Lovelace', ADA);
      await signUp(bo, 'Bo Berg', BO);
      for (const problems of [adaProblems, boProblems]) {
        assert.deepEqual(problems.pageErrors, []);
        assert.deepEqual(problems.consoleErrors, []);
      }
    });
  });

  const ada = await api.person(ADA);
  const bo = await api.person(BO);
  assert.equal(typeof ada.company_id, 'number');
  assert.equal(bo.company_id, ada.company_id, 'one company from the shared domain');
  const journey = await api.get(`/api/v1/persons/${ada.id}/journey`);
  const hostile = journey.touches[2].touch.campaign;
  assert.ok(hostile.includes('<img'), `the hostile campaign is stored as given, cleaned: ${hostile}`);
  // A won deal of Ada's, dated between her Google ad and the newsletter.
  const sale = await fetch(`${world.collector.url}/api/v1/sales`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${world.token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ person_id: ada.id, title: 'Pilot', amount: '900', currency: 'EUR', status: 'won', at: dealAt }),
  });
  assert.equal(sale.status, 201, await sale.text());

  await world.visit(t, async ({ page, problems }) => {
    await page.setViewportSize({ width: 1400, height: 900 });
    await world.signIn(page, `/people/${ada.id}`);
    await page.locator('#journey > li').first().waitFor();

    // The person card: Ada's three touches in order, then her lead-generation submission.
    const items = await readJourney(page, 'journey');
    assert.deepEqual(
      items.map(({ kind, channel, campaign }) => [kind, channel, campaign]),
      [
        ['touch', 'Paid Social', 'linkedin / paid_social / nordic_launch'],
        ['touch', 'Paid Search', 'google / cpc / brand_search'],
        ['touch', 'Email', `newsletter / email / ${hostile}`],
        ['submission', null, null],
      ],
    );
    assert.equal(items[3].form, 'Form customer-signup');
    assert.equal(items[3].badge, 'Lead generation', 'the lead-generation submission is marked');
    assert.ok(items.every((item) => item.time), 'every entry has its time');
    const times = items.map((item) => Date.parse(item.time));
    assert.deepEqual([...times].sort((a, b) => a - b), times, 'oldest first');
    // Times in the user's locale (en → en-GB), not raw ISO.
    const shown = await page.locator('#journey time').first().textContent();
    const expected = await page.evaluate(
      (iso) => new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso)),
      items[0].time,
    );
    assert.equal(shown, expected, 'the time is formatted for the user');
    assert.equal(await page.locator('#journey-none').isVisible(), false);
    // Hostile values are text: no element made of them, nothing ran.
    assert.equal(await page.locator('#journey img').count(), 0);
    assert.equal(await page.evaluate(() => window.__pwned), undefined);
    await expectNoViolations(page, 'person card with the journey');
    await expectNoRawKeys(page, 'person card with the journey');
    await expectNoHorizontalScroll(page, { label: 'person card with the journey' });
    await screenshots(page, 'person-journey');

    // The company card: both persons' touches on one timeline, the first won deal between
    // Ada's Google ad and the newsletter, then both sign-ups.
    await page.goto(`${world.collector.url}/companies/${ada.company_id}`);
    await page.locator('#company-journey > li').first().waitFor();
    const account = await readJourney(page, 'company-journey');
    assert.deepEqual(
      account.map(({ kind, who, channel, campaign, note }) => [kind, who, channel, campaign, note]),
      [
        ['touch', 'Ada Lovelace', 'Paid Social', 'linkedin / paid_social / nordic_launch', null],
        ['touch', 'Bo Berg', 'Paid Social', 'facebook / paid_social / retargeting', null],
        ['touch', 'Ada Lovelace', 'Paid Search', 'google / cpc / brand_search', null],
        ['deal', null, null, null, null],
        ['touch', 'Ada Lovelace', 'Email', `newsletter / email / ${hostile}`, 'after the first deal'],
        ['submission', 'Ada Lovelace', null, null, null],
        ['submission', 'Bo Berg', null, null, null],
      ],
    );
    assert.deepEqual(account.filter((i) => i.kind === 'submission').map((i) => i.badge), ['Lead generation', 'Lead generation']);
    assert.equal(
      await page.locator('#company-journey .journey-who').first().getAttribute('href'),
      `/people/${ada.id}`,
      'each entry leads to its person',
    );
    assert.ok((await page.locator('#company-journey [data-kind="deal"]').textContent()).includes('First deal won'));
    assert.equal(await page.locator('#no-journey').isVisible(), false);
    assert.equal(await page.locator('#company-journey img').count(), 0);
    assert.equal(await page.evaluate(() => window.__pwned), undefined);
    await expectNoViolations(page, 'company card with the account journey');
    await expectNoRawKeys(page, 'company card with the account journey');
    await expectNoHorizontalScroll(page, { label: 'company card with the account journey' });
    await screenshots(page, 'company-journey');

    assert.deepEqual(problems.pageErrors, []);
    assert.deepEqual(problems.consoleErrors, []);
  });
});

// The same cards in Norwegian and Dutch (the browser's language): the journey's texts and
// channel names translated, times in the locale, no catalogue key shown; axe and 390 px.
for (const [locale, texts] of [
  ['nb-NO', { person: 'Kundereise', account: 'Kontoens kundereise', channel: 'Betalt sosialt', lead: 'Leadgenerering', deal: 'Første avtale vunnet' }],
  ['nl-NL', { person: 'Klantreis', account: 'Klantreis van het account', channel: 'Betaald sociaal', lead: 'Leadgeneratie', deal: 'Eerste deal gewonnen' }],
]) {
  test(`the journey on both cards in ${locale}`, { timeout: 120_000 }, async (t) => {
    const ada = await world.api.person(ADA);
    await world.visit(
      t,
      async ({ page, problems }) => {
        await page.setViewportSize({ width: 390, height: 800 });
        await world.signIn(page, `/people/${ada.id}`);
        await page.locator('#journey > li').first().waitFor();
        assert.equal(await page.locator('#journey-title').textContent(), texts.person);
        assert.equal(await page.locator('#journey .journey-channel').first().textContent(), texts.channel);
        assert.equal(await page.locator('#journey .journey-badge').textContent(), texts.lead);
        const time = page.locator('#journey time').first();
        const expected = await page.evaluate(
          ([iso, tag]) => new Intl.DateTimeFormat(tag, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso)),
          [await time.getAttribute('datetime'), locale],
        );
        assert.equal(await time.textContent(), expected);
        await expectNoViolations(page, `person card journey, ${locale}`);
        await expectNoRawKeys(page, `person card journey, ${locale}`);
        await expectNoHorizontalScroll(page, { label: `person card journey, ${locale}` });

        await page.goto(`${world.collector.url}/companies/${ada.company_id}`);
        await page.locator('#company-journey > li').first().waitFor();
        assert.equal(await page.locator('#journey-title').textContent(), texts.account);
        assert.ok((await page.locator('#company-journey [data-kind="deal"]').textContent()).includes(texts.deal));
        await expectNoViolations(page, `company card journey, ${locale}`);
        await expectNoRawKeys(page, `company card journey, ${locale}`);
        await expectNoHorizontalScroll(page, { label: `company card journey, ${locale}` });
        assert.deepEqual(problems.pageErrors, []);
        assert.deepEqual(problems.consoleErrors, []);
      },
      { locale },
    );
  });
}

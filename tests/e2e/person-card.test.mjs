// The person card in Chromium, as a marketer works it: a lead posted with UTM values
// through the real form endpoint shows at the top of /people; it opens from the list by
// keyboard (Enter on the row's link) and by a click; the Privacy tab (reached with the
// arrow keys) shows first interaction and lead generation under E-marketing after
// "Show more"; a status change shows in the history (with who made it) and in the API;
// submissions, sales and consent are there; an admin erases the person after typing the
// e-mail; a viewer sees no controls that change anything. A hostile campaign stays text;
// axe finds nothing on the list, the card, the open Privacy tab and the erase dialog; at
// 390 px nothing scrolls sideways.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createUser, startWorld } from './harness.mjs';
import { expectNoHorizontalScroll, expectNoRawKeys, expectNoViolations, screenshots } from './a11y.mjs';

const HOSTILE = '<img src=x onerror="window.__pwned=1">';
const EMAIL = 'kari.nordmann@fjordkraft-demo.no';
const FIRST_AT = Date.parse('2026-11-02T08:15:00Z');
const LAST_AT = Date.parse('2026-11-20T13:40:00Z');

let world;
let viewer;
before(async () => {
  world = await startWorld();
  viewer = createUser(world.collector.dbPath, { email: 'vera@example.com', role: 'viewer', name: 'Vera Viewer' });
});
after(async () => {
  await world?.close();
});

/** A post to the form endpoint as the tracker sends it (JSON, with lt_* fields). */
async function post(form, fields) {
  const res = await fetch(`${world.collector.url}/f/${form}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ lt_v: '1', ...fields }),
  });
  const text = await res.text();
  assert.equal(res.status, 201, text);
  return JSON.parse(text);
}

/** An API call with the scripts' token. */
async function call(method, path, body) {
  const res = await fetch(`${world.collector.url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${world.token}`, 'Content-Type': 'application/json', Accept: 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

/** The <dd> of a fact in a <dl> by its data-field. */
const fact = (page, list, field) => page.locator(`#${list} dd[data-field="${field}"]`).textContent();

test('person card: open from the list by keyboard and click, Privacy › E-marketing, status, erase; viewer; axe and 390 px', { timeout: 240_000 }, async (t) => {
  const { collector, api } = world;
  // An older lead, then Kari: first through LinkedIn, converting from a newsletter whose
  // campaign is hostile.
  await post('contact', { email: 'older@example.org', name: 'Older Lead', lt_last_source: 'bing', lt_last_medium: 'cpc' });
  const kari = await post('webinar', {
    email: EMAIL,
    name: 'Kari Nordmann',
    phone: '+47 22 33 44 55',
    company: 'Fjordkraft Demo AS',
    country: 'NO',
    consent_e_marketing: 'yes',
    lt_first_source: 'linkedin',
    lt_first_medium: 'paid_social',
    lt_first_campaign: 'nordic_launch',
    lt_first_term: 'energy software',
    lt_first_content: 'carousel_a',
    lt_first_landing_page: 'https://www.fjordkraft-demo.no/webinar?utm_source=linkedin',
    lt_first_referrer: 'https://www.linkedin.com/',
    lt_first_at: String(FIRST_AT),
    lt_last_source: 'newsletter',
    lt_last_medium: 'email',
    lt_last_campaign: HOSTILE,
    lt_last_term: 'Webinar Sept',
    lt_last_content: 'header_link',
    lt_last_landing_page: 'https://www.fjordkraft-demo.no/signup?utm_campaign=x',
    lt_last_referrer: 'https://mail.example.net/',
    lt_last_at: String(LAST_AT),
  });
  const id = kari.person_id;
  const stored = await api.get(`/api/v1/persons/${id}`);
  const hostileCampaign = stored.lead_generation.campaign;
  assert.ok(hostileCampaign.includes('<img'), `stored as given: ${hostileCampaign}`);
  assert.equal(stored.phone, '+47 22 33 44 55');
  // An owner to choose, and a sale.
  const owner = await call('POST', '/api/v1/associates', { name: 'Ola Selger', email: 'ola.selger@example.com' });
  assert.equal(owner.status, 201, JSON.stringify(owner.body));
  const sale = await call('POST', '/api/v1/sales', { person_id: id, title: 'Pilot', amount: '12500.50', currency: 'NOK', status: 'won' });
  assert.equal(sale.status, 201, JSON.stringify(sale.body));
  // Kari comes back through the contact form (the older lead registered it) after an admin
  // switched its UTM capture off: that submission is stored without touches, and the card
  // says why.
  const off = await call('PATCH', '/api/v1/forms/contact', { utm_capture: false });
  assert.equal(off.status, 200, JSON.stringify(off.body));
  const again = await post('contact', { email: EMAIL, lt_last_source: 'facebook', lt_last_medium: 'paid_social', lt_last_campaign: 'retargeting' });
  assert.equal(again.person_id, id);

  await world.visit(t, async ({ page, problems }) => {
    await page.setViewportSize({ width: 1400, height: 900 });
    await world.signIn(page, '/people');

    // The list opens on the newest leads: Kari first, with the count.
    await page.locator('#count', { hasText: '2 people' }).waitFor();
    await page.locator('#announcer', { hasText: '2 people' }).waitFor();
    const link = page.locator('#results tbody tr').first().locator('a');
    assert.equal(await link.textContent(), EMAIL);
    assert.equal(await link.getAttribute('href'), `/people/${id}`);
    await expectNoViolations(page, 'people list');
    await expectNoRawKeys(page, 'people list');

    // Keyboard: focus the row's link, Enter opens the card.
    await link.focus();
    await Promise.all([page.waitForURL(`${collector.url}/people/${id}`), page.keyboard.press('Enter')]);
    await page.locator('#person-name', { hasText: 'Kari Nordmann' }).waitFor();
    // Back to the list, and a click opens it too.
    await Promise.all([page.waitForURL(`${collector.url}/people`), page.goBack()]);
    await page.locator('#results tbody tr').first().waitFor();
    await Promise.all([page.waitForURL(`${collector.url}/people/${id}`), page.locator(`#results a[href="/people/${id}"]`).click()]);
    await page.locator('#details dd').first().waitFor();

    // The card: details, the company linked, focus on the name.
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'person-name');
    assert.equal(await page.locator('#person-email-line').textContent(), EMAIL);
    const details = await page.locator('#details').textContent();
    for (const text of ['+47 22 33 44 55', 'NO', EMAIL]) assert.ok(details.includes(text), `${text} in ${details}`);
    const company = page.locator('#company-link');
    assert.equal(await company.getAttribute('href'), `/companies/${stored.company_id}`);
    assert.equal(await company.textContent(), (await api.company(stored.company_id)).name);
    assert.equal(await page.locator('#status-value').textContent(), 'Open');
    assert.equal(await page.locator('#owner-value').textContent(), 'No owner');
    await expectNoViolations(page, 'person card');
    await screenshots(page, 'person-overview');

    // Tabs: ARIA roles, and the arrow keys move between them.
    assert.equal(await page.locator('[role="tablist"] [role="tab"]').count(), 4);
    const overview = page.locator('#tab-overview');
    assert.equal(await overview.getAttribute('aria-selected'), 'true');
    await overview.focus();
    await page.keyboard.press('ArrowRight');
    assert.equal(await page.locator('#tab-submissions').getAttribute('aria-selected'), 'true');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'tab-submissions');
    assert.equal(await page.locator('#panel-submissions').isVisible(), true);
    assert.equal(await page.locator('#panel-overview').isVisible(), false);
    // The submissions, newest first, each with its form and conversion touch (the hostile
    // campaign as text); the one stored with capture off says so.
    const events = page.locator('#timeline .event');
    assert.equal(await events.count(), 2);
    const [newest, oldest] = [events.nth(0), events.nth(1)];
    assert.ok((await newest.locator('h3').textContent()).includes('contact'));
    assert.equal(await newest.locator('.capture-off').textContent(), 'UTM capture was off for this form: the submission was stored without touches.');
    assert.ok(!(await newest.locator('.touch').textContent()).includes('facebook'), 'no touch stored');
    assert.ok((await oldest.locator('h3').textContent()).includes('webinar'));
    assert.equal(await oldest.locator('.touch').textContent(), `newsletter / email / ${hostileCampaign}`);
    assert.equal(await oldest.locator('.capture-off').count(), 0);
    await page.keyboard.press('ArrowRight');
    assert.equal(await page.locator('#tab-sales').getAttribute('aria-selected'), 'true');
    assert.equal(await page.locator('#sales tbody tr').count(), 1);
    assert.ok((await page.locator('#sales tbody tr').textContent()).includes('Pilot'));
    assert.ok((await page.locator('#sales tbody tr').textContent()).includes('12,500.50'), 'the amount in the locale');
    await page.keyboard.press('ArrowRight');
    const privacyTab = page.locator('#tab-privacy');
    assert.equal(await privacyTab.getAttribute('aria-selected'), 'true');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'tab-privacy');
    assert.equal(new URL(page.url()).searchParams.get('tab'), 'privacy', 'the open tab is in the URL');
    // Wraps around, and Home/End reach the ends.
    await page.keyboard.press('ArrowRight');
    assert.equal(await overview.getAttribute('aria-selected'), 'true');
    await page.keyboard.press('End');
    assert.equal(await privacyTab.getAttribute('aria-selected'), 'true');

    // Privacy: consent per purpose, and E-marketing with the attribution behind "Show more".
    assert.ok((await page.locator('#consents [data-purpose="e_marketing"]').textContent()).includes('Given'));
    await page.locator('#emarketing h3', { hasText: 'E-marketing' }).waitFor();
    const more = page.locator('#attribution-toggle');
    assert.equal(await more.textContent(), 'Show more');
    assert.equal(await more.getAttribute('aria-expanded'), 'false');
    assert.equal(await page.locator('#attribution').isVisible(), false);
    await more.focus();
    await page.keyboard.press('Enter');
    assert.equal(await more.getAttribute('aria-expanded'), 'true');
    assert.equal(await more.textContent(), 'Show less');
    await page.locator('#attribution').waitFor();
    assert.equal(await fact(page, 'first-interaction', 'source'), 'linkedin');
    assert.equal(await fact(page, 'first-interaction', 'medium'), 'paid_social');
    assert.equal(await fact(page, 'first-interaction', 'campaign'), 'nordic_launch');
    assert.equal(await fact(page, 'first-interaction', 'term'), 'energy software');
    assert.equal(await fact(page, 'first-interaction', 'content'), 'carousel_a');
    assert.equal(await fact(page, 'first-interaction', 'channel'), 'Paid Social');
    assert.equal(await fact(page, 'first-interaction', 'referrer'), stored.first_interaction.referrer);
    assert.equal(await fact(page, 'first-interaction', 'landing_page'), stored.first_interaction.landing_page);
    assert.ok((await fact(page, 'first-interaction', 'at')).includes('2026'));
    assert.equal(await fact(page, 'lead-generation', 'source'), 'newsletter');
    assert.equal(await fact(page, 'lead-generation', 'medium'), 'email');
    assert.equal(await fact(page, 'lead-generation', 'campaign'), hostileCampaign, 'the hostile campaign as text');
    assert.equal(await fact(page, 'lead-generation', 'term'), 'Webinar Sept');
    assert.equal(await fact(page, 'lead-generation', 'content'), 'header_link');
    assert.equal(await fact(page, 'lead-generation', 'channel'), 'Email');
    assert.equal(await fact(page, 'lead-generation', 'landing_page'), stored.lead_generation.landing_page);
    assert.equal(await fact(page, 'lead-generation', 'referrer'), stored.lead_generation.referrer);
    assert.ok((await fact(page, 'lead-generation', 'at')).includes('2026'));
    await expectNoViolations(page, 'privacy tab, expanded');
    await screenshots(page, 'person-card', { docs: true });
    // A reload opens the same tab.
    await page.reload();
    await page.locator('#tab-privacy[aria-selected="true"]').waitFor();
    await page.locator('#panel-privacy').waitFor();

    // Status and owner: change them, see the history and the API.
    await page.locator('#tab-overview').click();
    await page.selectOption('#status-select', 'qualified');
    await page.selectOption('#owner-select', String(owner.body.id));
    await page.click('#lead-save');
    await page.locator('#lead-status', { hasText: 'Saved' }).waitFor();
    assert.equal(await page.locator('#status-value').textContent(), 'Qualified');
    assert.equal(await page.locator('#owner-value').textContent(), 'Ola Selger');
    assert.equal(await page.locator('#status-badge').textContent(), 'Qualified');
    const latest = page.locator('#history li').first();
    assert.equal(await latest.getAttribute('data-status'), 'qualified');
    assert.ok((await latest.textContent()).includes('Qualified'));
    const changes = (await api.get(`/api/v1/persons/${id}/status_changes`)).items;
    assert.equal(changes.at(-1).status, 'qualified');
    assert.equal(changes.at(-1).actor, world.admin.email, 'the history names who changed it');
    assert.ok((await latest.textContent()).includes(`by ${world.admin.email}`), await latest.textContent());
    const changed = await api.get(`/api/v1/persons/${id}`);
    assert.equal(changed.status, 'qualified');
    assert.equal(changed.owner_id, owner.body.id);

    // The export downloads the person's JSON.
    await page.locator('#tab-privacy').click();
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export')]);
    assert.equal(download.suggestedFilename(), `person-${id}.json`);
    const chunks = [];
    for await (const chunk of await download.createReadStream()) chunks.push(chunk);
    const exported = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    assert.equal(exported.person.email, EMAIL);

    // At 390 px: no sideways scroll on the open Privacy tab, the submissions and the overview.
    await expectNoHorizontalScroll(page, { label: 'privacy tab' });
    await page.locator('#tab-submissions').click();
    await expectNoHorizontalScroll(page, { label: 'submissions tab' });
    await page.locator('#tab-overview').click();
    await expectNoHorizontalScroll(page, { label: 'overview tab' });
    await expectNoRawKeys(page, 'person card');
    await page.locator('#tab-privacy').click();

    // Nothing ran from data.
    assert.equal(await page.locator('main img').count(), 0);
    assert.equal(await page.evaluate(() => window.__pwned), undefined);

    // Erase: the button enables only once the e-mail is typed; then back to /people.
    await page.click('#erase');
    const dialog = page.locator('#erase-dialog[open]');
    await dialog.waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'erase-email');
    const confirm = page.locator('#erase-confirm');
    assert.equal(await confirm.isDisabled(), true);
    await page.keyboard.type('kari@wrong.example');
    assert.equal(await confirm.isDisabled(), true);
    await expectNoViolations(page, 'erase dialog');
    await expectNoHorizontalScroll(page, { label: 'erase dialog' });
    await screenshots(page, 'person-erase-dialog');
    // Escape closes it, nothing erased, focus back on the button.
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' }).catch(() => {});
    assert.equal(await page.locator('#erase-dialog').evaluate((d) => d.open), false);
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'erase');
    assert.equal((await api.get(`/api/v1/persons/${id}`)).id, id);
    await page.click('#erase');
    await page.fill('#erase-email', EMAIL);
    assert.equal(await confirm.isDisabled(), false);
    await Promise.all([page.waitForURL(`${collector.url}/people`), confirm.click()]);
    await page.locator('#count', { hasText: '1 person' }).waitFor();
    const gone = await call('GET', `/api/v1/persons/${id}`);
    assert.equal(gone.status, 404);

    assert.deepEqual(problems.dialogs, [], 'no script ran from data');
    assert.deepEqual(problems.pageErrors, []);
    assert.deepEqual(problems.consoleErrors, []);
  });
});

test('person card for a viewer: everything to read, nothing to change, no export', { timeout: 120_000 }, async (t) => {
  const { person_id: id } = await post('newsletter', {
    email: 'lesley@example.org',
    name: 'Lesley Reader',
    lt_first_source: 'google',
    lt_first_medium: 'organic',
    lt_last_source: 'google',
    lt_last_medium: 'cpc',
    lt_last_campaign: 'brand',
  });
  await world.visit(t, async ({ page, problems }) => {
    await world.signIn(page, `/people/${id}`, viewer);
    await page.locator('#person-name', { hasText: 'Lesley Reader' }).waitFor();
    assert.equal(await page.locator('#status-value').textContent(), 'Open');
    assert.equal(await page.locator('#lead-form').count(), 0, 'no status or owner controls');
    assert.equal(await page.locator('#status-select, #owner-select, #lead-save').count(), 0);
    assert.equal(await page.locator('#export').count(), 0, 'a viewer may not export');
    assert.equal(await page.locator('#erase').count(), 0);
    // Privacy still reads.
    await page.locator('#tab-privacy').click();
    await page.click('#attribution-toggle');
    assert.equal(await fact(page, 'lead-generation', 'campaign'), 'brand');
    assert.equal(await fact(page, 'first-interaction', 'medium'), 'organic');
    await expectNoViolations(page, 'person card, viewer');
    // The list offers no CSV and no saving either.
    await page.goto(`${world.collector.url}/people`);
    await page.locator('#results tbody tr').first().waitFor();
    assert.equal(await page.locator('#download-csv').isVisible(), false);
    assert.equal(await page.locator('#save-form').isVisible(), false);
    assert.deepEqual(problems.pageErrors, []);
    assert.deepEqual(problems.consoleErrors, []);
  });
});

test('person card: an unknown id says so and leads back to the list', { timeout: 60_000 }, async (t) => {
  await world.visit(t, async ({ page, problems }) => {
    await world.signIn(page, '/people/987654321');
    await page.locator('h1', { hasText: 'Person not found' }).waitFor();
    assert.equal(await page.locator('main a[href="/people"]').count() > 0, true);
    await expectNoViolations(page, 'person not found');
    // The 404 of the API call itself is logged by Chromium.
    assert.ok(problems.consoleErrors.every((e) => e.includes('404')), problems.consoleErrors.join('\n'));
    assert.deepEqual(problems.pageErrors, []);
  });
});

test('person card in Dutch and Norwegian: tabs, purpose and formats in the user\'s language', { timeout: 90_000 }, async (t) => {
  const { person_id: id } = await post('newsletter', {
    email: 'sanne@example.nl',
    name: 'Sanne de Vries',
    lt_first_source: 'google',
    lt_first_medium: 'cpc',
    lt_first_at: String(FIRST_AT),
    lt_last_source: 'google',
    lt_last_medium: 'cpc',
  });
  const sale = await call('POST', '/api/v1/sales', { person_id: id, title: 'Licentie', amount: '1234.50', currency: 'EUR' });
  assert.equal(sale.status, 201, JSON.stringify(sale.body));
  for (const [locale, texts] of [
    ['nl-NL', { privacy: 'Privacy', purpose: 'E-marketing', more: 'Meer tonen', channel: 'Betaald zoeken', amount: '€ 1.234,50', first: 'Eerste interactie' }],
    ['nb-NO', { privacy: 'Personvern', purpose: 'E-markedsføring', more: 'Vis mer', channel: 'Betalt søk', amount: '1 234,50 €', first: 'Første interaksjon' }],
  ]) {
    await world.visit(
      t,
      async ({ page, problems }) => {
        await world.signIn(page, `/people/${id}`);
        await page.locator('#person-name', { hasText: 'Sanne de Vries' }).waitFor();
        await page.locator('#tab-sales').click();
        const amount = (await page.locator('#sales tbody td.num').textContent()).replace(/\s/g, ' ');
        assert.equal(amount, texts.amount.replace(/\s/g, ' '), `${locale}: ${amount}`);
        const privacy = page.locator('#tab-privacy');
        assert.equal(await privacy.textContent(), texts.privacy);
        await privacy.click();
        assert.equal(await page.locator('#emarketing-title').textContent(), texts.purpose);
        assert.equal(await page.locator('#attribution-toggle').textContent(), texts.more);
        await page.click('#attribution-toggle');
        assert.equal(await page.locator('#first-title').textContent(), texts.first);
        assert.equal(await fact(page, 'first-interaction', 'channel'), texts.channel);
        assert.ok((await fact(page, 'first-interaction', 'at')).includes('2026'));
        await expectNoRawKeys(page, `person card, ${locale}`);
        await expectNoViolations(page, `person card, ${locale}`);
        assert.deepEqual(problems.pageErrors, []);
        assert.deepEqual(problems.consoleErrors, []);
      },
      { locale },
    );
  }
});

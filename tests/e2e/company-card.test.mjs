// The company card in Chromium, as a marketer works it: leads posted from one company's
// domain through the real form endpoint; /companies lists the company with its count; its
// card shows the company source and its persons with the lead columns holding the UTM
// values; the columns gear (by keyboard) hides a column and moves one up, the choice is
// kept across a reload and is the user's own (another user sees the defaults); a person
// opens from the list. Hostile values stay text; axe finds nothing on the list, the card
// and the open gear; at 390 px the page never scrolls sideways, the tables do in their box.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createUser, startWorld } from './harness.mjs';
import { expectNoHorizontalScroll, expectNoRawKeys, expectNoViolations, screenshots } from './a11y.mjs';

const HOSTILE = '<img src=x onerror="window.__pwned=1">';
const HOSTILE_COMPANY = '<b>Evil & Co</b><script>window.__pwned=2</script>';
const DOMAIN = 'nordlys-maskin.no';

let world;
let marketer;
let colleague;
let viewer;
before(async () => {
  // Over a hundred leads come from this one test address: no per-minute limit on form posts.
  world = await startWorld({ collectorEnv: { LEADTRAIL_FORM_POSTS_PER_MINUTE: '0' } });
  marketer = createUser(world.collector.dbPath, { email: 'marit@example.com', role: 'marketer', name: 'Marit Marketer' });
  colleague = createUser(world.collector.dbPath, { email: 'kai@example.com', role: 'marketer', name: 'Kai Colleague' });
  viewer = createUser(world.collector.dbPath, { email: 'vera@example.com', role: 'viewer', name: 'Vera Viewer' });
});
after(async () => {
  await world?.close();
});

/** A lead through the form endpoint, with the fields the tracker adds. */
async function post(form, email, name, first, last, extra = {}) {
  const fields = { email, name, lt_v: '1', ...extra };
  for (const [key, value] of Object.entries(first)) fields[`lt_first_${key}`] = value;
  for (const [key, value] of Object.entries(last)) fields[`lt_last_${key}`] = value;
  const res = await fetch(`${world.collector.url}/f/${form}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify(fields),
  });
  const text = await res.text();
  assert.equal(res.status, 201, text);
  return JSON.parse(text).person_id;
}

/** An API call with the token; the answer's JSON, after checking its status. */
async function send(method, path, body, status) {
  const res = await fetch(`${world.collector.url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${world.token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  assert.equal(res.status, status, text);
  return JSON.parse(text);
}

/** The header texts of the persons table, in order. */
const headers = (page) => page.locator('#persons thead th').allTextContents();

/** The signed-in page at `pathname` for `user`, in a fresh context's page. */
async function signInAs(page, user, pathname) {
  await world.signIn(page, pathname, user);
}

const DEFAULT_HEADERS = [
  'Name',
  'E-mail',
  'First interaction source',
  'First interaction medium',
  'First interaction campaign',
  'Lead generation source',
  'Lead generation medium',
  'Lead generation campaign',
  'Status',
  'Owner',
  'Created',
];

test('company card: persons with lead columns, the columns gear kept per user, a person opens; hostile values stay text; axe and 390 px', { timeout: 180_000 }, async (t) => {
  const { collector, api } = world;
  // Three leads of one company, the first of which brought it in (its source), and one
  // lead of another company who must not be listed.
  const kari = await post(
    'webinar',
    `kari@${DOMAIN}`,
    'Kari Nordmann',
    { source: 'linkedin', medium: 'paid_social', campaign: 'nordic_launch' },
    { source: 'newsletter', medium: 'email', campaign: 'webinar_sept' },
  );
  const ola = await post(
    'contact',
    `ola@${DOMAIN}`,
    HOSTILE,
    { source: 'google', medium: 'cpc', campaign: HOSTILE },
    { source: 'google', medium: 'cpc', campaign: 'brand_no' },
  );
  const per = await post(
    'webinar',
    `per@${DOMAIN}`,
    'Per Hansen',
    { source: 'facebook', medium: 'paid_social', campaign: 'spring' },
    { source: 'facebook', medium: 'paid_social', campaign: 'spring' },
  );
  await post('contact', 'someone@other-company.example', 'Other Person', { source: 'bing' }, { source: 'bing', medium: 'cpc' });
  // A company named in the form (a free-mail address has no company domain): its name is
  // the visitor's text.
  await post('contact', 'evil@gmail.com', 'Eve', {}, { source: 'reddit' }, { company: HOSTILE_COMPANY });
  // Kari is worked by an owner and qualified: the card names the owner and the status.
  const owner = await send('POST', '/api/v1/associates', { name: 'Siri Selger' }, 201);
  await send('PATCH', `/api/v1/persons/${kari}`, { owner_id: owner.id, status: 'qualified' }, 200);
  const companyId = (await api.get(`/api/v1/persons/${kari}`)).company_id;
  assert.ok(companyId, 'a person from a company domain brings a company');
  for (const id of [ola, per]) assert.equal((await api.get(`/api/v1/persons/${id}`)).company_id, companyId);
  const company = await api.get(`/api/v1/companies/${companyId}`);
  assert.equal(company.domain, DOMAIN);
  assert.equal(company.source.campaign, 'webinar_sept', "the company source is its first person's lead generation");

  await world.visit(t, async ({ page, problems }) => {
    await page.setViewportSize({ width: 1400, height: 900 });
    await signInAs(page, marketer, '/companies');

    // The list: both companies, the count said, each row links to the card.
    const count = page.locator('#count');
    await count.filter({ hasText: '3 companies' }).waitFor();
    await page.locator('#announcer', { hasText: '3 companies' }).waitFor();
    assert.equal(await page.locator('#companies tbody tr').count(), 3);
    // Newest first: the company named in a form came last.
    assert.deepEqual(await page.locator('#companies tbody td:nth-child(2)').allTextContents(), ['—', 'other-company.example', DOMAIN]);
    assert.equal(await page.locator('#companies tbody tr').first().locator('a').textContent(), HOSTILE_COMPANY);
    assert.equal(await page.locator('#companies b, #companies script').count(), 0, 'the name is text');
    const link = page.locator('#companies tbody a', { hasText: company.name });
    assert.equal(await link.getAttribute('href'), `/companies/${companyId}`);
    await expectNoViolations(page, 'companies list');
    await expectNoRawKeys(page, 'companies list');
    await screenshots(page, 'companies-list');

    // The filter narrows by a part of the domain, and is in the URL (reload keeps it).
    await page.fill('#q', 'nordlys');
    await page.press('#q', 'Enter');
    await count.filter({ hasText: '1 company' }).waitFor();
    assert.equal(new URL(page.url()).searchParams.get('q'), 'nordlys');
    await page.reload();
    await count.filter({ hasText: '1 company' }).waitFor();
    assert.equal(await page.inputValue('#q'), 'nordlys');
    assert.equal(await page.locator('#companies tbody tr').count(), 1);

    // The card.
    await Promise.all([page.waitForURL(`${collector.url}/companies/${companyId}`), link.click()]);
    await page.locator('#persons tbody tr').nth(2).waitFor();
    assert.equal(await page.locator('#company-name').textContent(), company.name);
    assert.equal(await page.locator('#details [data-field="domain"]').textContent(), DOMAIN);
    assert.equal(await page.locator('#source [data-field="source"]').textContent(), 'newsletter');
    assert.equal(await page.locator('#source [data-field="medium"]').textContent(), 'email');
    assert.equal(await page.locator('#source [data-field="campaign"]').textContent(), 'webinar_sept');
    assert.equal(await page.locator('#persons tbody tr').count(), 3, 'only the company\'s persons');
    assert.equal(await page.locator('#persons-count').textContent(), '(3)');
    assert.deepEqual(await headers(page), DEFAULT_HEADERS);
    assert.deepEqual(
      await page.locator('#persons tbody td[data-column="email"]').allTextContents(),
      [`per@${DOMAIN}`, `ola@${DOMAIN}`, `kari@${DOMAIN}`],
      'newest first',
    );

    // Each person's row holds their UTM values in the lead columns.
    const row = (email) => page.locator('#persons tbody tr', { has: page.locator('td[data-column="email"]', { hasText: email }) });
    const cell = (email, column) => row(email).locator(`td[data-column="${column}"]`).textContent();
    assert.equal(await cell(`kari@${DOMAIN}`, 'first_interaction.source'), 'linkedin');
    assert.equal(await cell(`kari@${DOMAIN}`, 'first_interaction.campaign'), 'nordic_launch');
    assert.equal(await cell(`kari@${DOMAIN}`, 'lead_generation.medium'), 'email');
    assert.equal(await cell(`kari@${DOMAIN}`, 'lead_generation.campaign'), 'webinar_sept');
    assert.equal(await cell(`per@${DOMAIN}`, 'lead_generation.source'), 'facebook');
    assert.equal(await cell(`per@${DOMAIN}`, 'status'), 'Open');
    assert.equal(await cell(`per@${DOMAIN}`, 'owner'), '—');
    assert.equal(await cell(`kari@${DOMAIN}`, 'status'), 'Qualified');
    assert.equal(await cell(`kari@${DOMAIN}`, 'owner'), 'Siri Selger');

    // Hostile values are text: the name and the campaign read as typed, nothing ran.
    assert.equal(await row(`ola@${DOMAIN}`).locator('td[data-column="name"] a').textContent(), HOSTILE);
    const storedCampaign = (await api.get(`/api/v1/persons/${ola}`)).first_interaction.campaign;
    assert.equal(await cell(`ola@${DOMAIN}`, 'first_interaction.campaign'), storedCampaign);
    assert.equal(await page.locator('#persons img').count(), 0);
    assert.equal(await page.evaluate(() => window.__pwned), undefined);
    await expectNoViolations(page, 'company card');
    await expectNoRawKeys(page, 'company card');
    await screenshots(page, 'company-card', { docs: true });

    // The gear, by keyboard: focus it, open it with Enter; the first checkbox has focus.
    const gear = page.locator('button.columns-gear');
    await gear.focus();
    await page.keyboard.press('Enter');
    const dialog = page.locator('dialog.columns-dialog[open]');
    await dialog.waitFor();
    assert.equal(await gear.getAttribute('aria-expanded'), 'true');
    assert.equal(await page.evaluate(() => document.activeElement?.dataset.column), 'name');
    await expectNoViolations(page, 'columns gear open');
    await expectNoRawKeys(page, 'columns gear open');
    await screenshots(page, 'company-columns-gear');

    // Hide "First interaction medium": Tab to its checkbox, Space.
    await focusByTab(page, '[data-column="first_interaction.medium"] input');
    await page.keyboard.press('Space');
    // Move "Lead generation campaign" up one place: Tab to its up button, Enter.
    await focusByTab(page, 'li[data-column="lead_generation.campaign"] [data-move="up"]');
    await page.keyboard.press('Enter');
    await page.locator('#announcer', { hasText: 'Lead generation campaign: position 7 of' }).waitFor();
    // Focus stays on the moved column's button.
    assert.equal(
      await page.evaluate(() => document.activeElement?.closest('li')?.dataset.column),
      'lead_generation.campaign',
    );
    // Save with the keyboard too.
    await focusByTab(page, 'dialog.columns-dialog button[type="submit"]');
    const saved = page.waitForResponse((r) => r.url().includes('/api/v1/me/preferences/columns/company.persons') && r.request().method() === 'PUT');
    await page.keyboard.press('Enter');
    assert.equal((await saved).status() < 300, true);
    await dialog.waitFor({ state: 'detached' });
    assert.equal(await page.evaluate(() => document.activeElement?.classList.contains('columns-gear')), true, 'focus returns to the gear');
    assert.equal(await gear.getAttribute('aria-expanded'), 'false');
    const chosen = [
      'Name',
      'E-mail',
      'First interaction source',
      'First interaction campaign',
      'Lead generation source',
      'Lead generation campaign',
      'Lead generation medium',
      'Status',
      'Owner',
      'Created',
    ];
    assert.deepEqual(await headers(page), chosen);

    // After a reload the choice is still there: it is stored on the server.
    await page.reload();
    await page.locator('#persons tbody tr').nth(2).waitFor();
    assert.deepEqual(await headers(page), chosen);

    // Rename the company, by keyboard: the form opens with the name, saves, says so and
    // gives focus back to the button.
    await page.locator('#rename').focus();
    await page.keyboard.press('Enter');
    await page.locator('#rename-form:not([hidden])').waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'rename-name');
    assert.equal(await page.inputValue('#rename-name'), DOMAIN);
    await expectNoViolations(page, 'company card, rename form open');
    await page.fill('#rename-name', '  ');
    await page.keyboard.press('Enter');
    await page.locator('#rename-error', { hasText: 'Give the company a name.' }).waitFor();
    await page.fill('#rename-name', 'Nordlys Maskin AS');
    await page.keyboard.press('Enter');
    await page.locator('#announcer', { hasText: 'The company is now called Nordlys Maskin AS' }).waitFor();
    assert.equal(await page.locator('#company-name').textContent(), 'Nordlys Maskin AS');
    assert.equal(await page.locator('#details [data-field="name"]').textContent(), 'Nordlys Maskin AS');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'rename');
    assert.equal(await page.locator('#rename-form').isHidden(), true);
    assert.equal((await api.get(`/api/v1/companies/${companyId}`)).name, 'Nordlys Maskin AS');

    // 390 px: no sideways page scroll; the persons table scrolls within its own box.
    await page.setViewportSize({ width: 390, height: 844 });
    await expectNoHorizontalScroll(page);
    assert.ok(
      await page.locator('#persons').evaluate((table) => {
        const wrap = table.closest('.table-wrap');
        return wrap.scrollWidth > wrap.clientWidth && getComputedStyle(wrap).overflowX === 'auto';
      }),
      'the table is wider than a phone and scrolls inside its wrapper',
    );
    // The gear's dialog fits a phone too.
    await page.locator('button.columns-gear').click();
    await page.locator('dialog.columns-dialog[open]').waitFor();
    await expectNoHorizontalScroll(page, { label: 'the columns gear at 390 px' });
    await page.keyboard.press('Escape');
    await page.locator('dialog.columns-dialog[open]').waitFor({ state: 'detached' });
    assert.equal(await page.evaluate(() => document.activeElement?.classList.contains('columns-gear')), true, 'Escape returns focus to the gear');
    assert.deepEqual(await headers(page), chosen, 'Escape changes nothing');
    await page.goto(`${collector.url}/companies`);
    await page.locator('#companies tbody tr').nth(1).waitFor();
    await expectNoHorizontalScroll(page);

    // A person opens from the card's list.
    await page.setViewportSize({ width: 1400, height: 900 });
    await page.goto(`${collector.url}/companies/${companyId}`);
    const perLink = row(`per@${DOMAIN}`).locator('td[data-column="name"] a');
    await perLink.waitFor();
    // The same persons on /people, where they are exported or saved as a selection.
    assert.equal(await page.locator('#to-people').getAttribute('href'), `/people?company_id=${companyId}`);
    await Promise.all([page.waitForURL(`${collector.url}/people?company_id=${companyId}`), page.click('#to-people')]);
    await page.locator('#results tbody tr').nth(2).waitFor();
    const onPeople = await page.locator('#results tbody').textContent();
    for (const email of [`kari@${DOMAIN}`, `ola@${DOMAIN}`, `per@${DOMAIN}`]) assert.ok(onPeople.includes(email), email);
    assert.equal(await page.locator('#results tbody tr').count(), 3, 'only the company\'s persons');
    await page.goBack();
    await perLink.waitFor();
    assert.equal(await perLink.getAttribute('href'), `/people/${per}`);
    const [personPage] = await Promise.all([page.waitForResponse(`${collector.url}/people/${per}`), perLink.click()]);
    await page.waitForURL(`${collector.url}/people/${per}`);
    assert.equal(personPage.status(), 200);

    assert.deepEqual(problems.pageErrors, []);
    assert.deepEqual(problems.consoleErrors, []);
    assert.deepEqual(problems.dialogs, []);
  });

  // Another user sees the defaults: the choice was the marketer's own. This one's browser
  // speaks Dutch, and so does the card.
  await world.visit(
    t,
    async ({ page, problems }) => {
      await signInAs(page, colleague, `/companies/${companyId}`);
      await page.locator('#persons tbody tr').nth(2).waitFor();
      assert.equal(await page.getAttribute('html', 'lang'), 'nl');
      assert.deepEqual(await headers(page), [
        'Naam',
        'E-mail',
        'Eerste interactie – bron',
        'Eerste interactie – medium',
        'Eerste interactie – campagne',
        'Leadgeneratie – bron',
        'Leadgeneratie – medium',
        'Leadgeneratie – campagne',
        'Status',
        'Eigenaar',
        'Aangemaakt',
      ]);
      assert.equal(await page.locator('#source-title').textContent(), 'Bedrijfsbron');
      assert.equal(await page.locator('button.columns-gear').getAttribute('aria-label'), 'Kolommen kiezen');
      await page.locator('#announcer', { hasText: '3 personen' }).waitFor();
      assert.deepEqual(problems.pageErrors, []);
      assert.deepEqual(problems.consoleErrors, []);
    },
    { locale: 'nl-NL' },
  );

  // In Norwegian, for a viewer: the list's texts and its count; the card without renaming.
  await world.visit(
    t,
    async ({ page, problems }) => {
      await signInAs(page, viewer, `/companies/${companyId}`);
      await page.locator('#persons tbody tr').nth(2).waitFor();
      assert.equal(await page.locator('#company-name').textContent(), 'Nordlys Maskin AS');
      assert.equal(await page.locator('#rename').isVisible(), false, 'a viewer is not offered renaming');
      await expectNoViolations(page, 'company card (nb, viewer)');
      await page.goto(`${collector.url}/companies`);
      await page.locator('#count', { hasText: '3 bedrifter' }).waitFor();
      assert.equal(await page.locator('h1').textContent(), 'Bedrifter');
      assert.equal(await page.locator('label[for="q"]').textContent(), 'Navn eller domene');
      await expectNoViolations(page, 'companies list (nb)');
      await expectNoRawKeys(page, 'companies list (nb)');
      assert.deepEqual(problems.pageErrors, []);
      assert.deepEqual(problems.consoleErrors, []);
    },
    { locale: 'nb-NO' },
  );
});

test('company card: an unknown company says so; the list pages through many companies', { timeout: 120_000 }, async (t) => {
  const { collector } = world;
  // 55 companies more than the first test made: more than one page of 50.
  for (let i = 0; i < 55; i += 1) {
    await post('contact', `lead@firm${String(i).padStart(2, '0')}.example`, `Lead ${i}`, {}, { source: 'google', medium: 'organic' });
  }
  await world.visit(t, async ({ page, problems }) => {
    await signInAs(page, marketer, '/companies');
    await page.locator('#companies tbody tr').nth(49).waitFor();
    const total = await page.locator('#count').textContent();
    assert.match(total, /^\d+ companies$/);
    const all = Number(total.split(' ')[0]);
    assert.ok(all >= 55, total);
    assert.equal(await page.locator('#companies tbody tr').count(), 50);
    const firstPage = await page.locator('#companies tbody a').allTextContents();

    // The next page: a new history entry; back shows the first page again.
    await page.click('#next-page');
    await page.waitForURL(/cursor=/);
    await page.waitForFunction(() => document.querySelectorAll('#companies tbody tr').length < 50);
    const secondPage = await page.locator('#companies tbody a').allTextContents();
    assert.equal(secondPage.length, all - 50);
    assert.ok(secondPage.every((name) => !firstPage.includes(name)), 'no company on both pages');
    assert.equal(await page.locator('#count').textContent(), total, 'the count is of every match, on every page');
    await page.goBack();
    await page.waitForFunction(() => document.querySelectorAll('#companies tbody tr').length === 50);
    assert.deepEqual(await page.locator('#companies tbody a').allTextContents(), firstPage);

    // A filter that matches nothing says so.
    await page.fill('#q', 'no-such-firm');
    await page.press('#q', 'Enter');
    await page.locator('#empty:not([hidden])').waitFor();
    assert.equal(await page.locator('#companies tbody tr').count(), 0);
    await page.locator('#count', { hasText: '0 companies' }).waitFor();

    // A company of 52 persons: its card pages through them, 50 at a time, back included.
    let big;
    for (let i = 0; i < 52; i += 1) {
      const id = await post('webinar', `p${i}@bigfirm.example`, `Person ${i}`, {}, { source: 'linkedin' });
      big ??= (await world.api.get(`/api/v1/persons/${id}`)).company_id;
    }
    await page.goto(`${collector.url}/companies/${big}`);
    await page.locator('#persons tbody tr').nth(49).waitFor();
    assert.equal(await page.locator('#persons-count').textContent(), '(52)');
    assert.equal(await page.locator('#persons tbody tr').count(), 50);
    assert.equal(await page.locator('#persons tbody td[data-column="email"]').first().textContent(), 'p51@bigfirm.example');
    await page.click('#persons-next');
    await page.waitForURL(/\/companies\/\d+\?cursor=/);
    await page.waitForFunction(() => document.querySelectorAll('#persons tbody tr').length === 2);
    assert.deepEqual(await page.locator('#persons tbody td[data-column="email"]').allTextContents(), ['p1@bigfirm.example', 'p0@bigfirm.example']);
    await page.reload();
    await page.waitForFunction(() => document.querySelectorAll('#persons tbody tr').length === 2);
    await page.goBack();
    await page.waitForFunction(() => document.querySelectorAll('#persons tbody tr').length === 50);

    // A look-alike domain (a Cyrillic е in "acme"): the card warns, and no other card does.
    const fake = await post('contact', 'kari@acm\u0435.example', 'Kari', {}, { source: 'google' });
    const fakeCompany = (await world.api.get(`/api/v1/persons/${fake}`)).company_id;
    await page.goto(`${collector.url}/companies/${fakeCompany}`);
    await page.locator('#lookalike:not([hidden])').waitFor();
    assert.equal(await page.locator('#details [data-field="domain"]').textContent(), 'xn--acm-tdd.example');
    await page.goto(`${collector.url}/companies/1`);
    await page.locator('#persons tbody tr').first().waitFor();
    assert.equal(await page.locator('#lookalike').isHidden(), true);

    // An unknown company: the card says it cannot be read, with the way back.
    await page.goto(`${collector.url}/companies/999999`);
    await page.locator('#page-error', { hasText: 'The company cannot be read' }).waitFor();
    assert.equal(await page.locator('.back a').getAttribute('href'), '/companies');
    assert.deepEqual(problems.pageErrors, []);
    // The 404 of the unknown company is logged by Chromium; nothing else may be.
    assert.ok(problems.consoleErrors.every((e) => e.includes('404')), problems.consoleErrors.join('\n'));
  });
});

/** Presses Tab (at most 60 times) until `selector` has focus. */
async function focusByTab(page, selector) {
  for (let i = 0; i < 60; i += 1) {
    if (await page.evaluate((s) => document.activeElement?.matches(s), selector)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached ${selector}`);
}

// The whole app walked as a marketer would, over demo data (`leadtrail demo-data`, 20 000
// persons unless LEADTRAIL_WALK_PERSONS says otherwise): every page of the navigation and
// every record page, in English, Norwegian bokmål and Dutch, at 1400 px and 390 px wide.
// On each: axe-core finds nothing, no catalogue key and no English text is shown in the
// other languages, the page does not scroll sideways at 390 px, and screenshots are kept
// (tests/e2e/artifacts/walk-<lang>-<page>-<width>.png; the English ones also in docs/img/app-*).
// Then the header's navigation by keyboard, deep links through a reload, back and forward.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { DESKTOP_WIDTH, PHONE_WIDTH, expectNoHorizontalScroll, expectNoRawKeys, expectNoViolations, screenshots } from './a11y.mjs';
import { COLLECTOR_BIN, REPO, createUser, startBrowser, startCollector } from './harness.mjs';

const PERSONS = process.env.LEADTRAIL_WALK_PERSONS || '20000';
const LANGUAGES = [
  { code: 'en', locale: 'en-GB' },
  { code: 'nb', locale: 'nb-NO' },
  { code: 'nl', locale: 'nl-NL' },
];
const NAV = ['dashboard', 'people', 'companies', 'selections', 'links', 'settings'];

let dir;
let token;
let collector;
let chromium;
let admin;
let catalogues;
const ids = {};

async function call(method, pathAndQuery, body) {
  const res = await fetch(`${collector.url}${pathAndQuery}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, Accept: 'application/json', 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  assert.ok(res.ok, `${method} ${pathAndQuery} → ${res.status}: ${text}`);
  return text ? JSON.parse(text) : null;
}

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'leadtrail-walk-'));
  token = `walk-${randomBytes(16).toString('hex')}`;
  const filled = spawnSync(COLLECTOR_BIN, ['demo-data', '--persons', PERSONS, '--seed', '7', '--db', path.join(dir, 'e2e.db')], {
    encoding: 'utf8',
    env: { ...process.env, LEADTRAIL_LOG: 'warn' },
  });
  assert.equal(filled.status, 0, `demo-data failed: ${filled.error ?? ''}${filled.stderr}`);
  collector = await startCollector({ dir, token });
  admin = createUser(collector.dbPath, { email: 'marta@example.com', role: 'admin', name: 'Marta Berg' });
  chromium = await startBrowser();
  catalogues = {};
  for (const { code } of LANGUAGES) {
    catalogues[code] = JSON.parse(await readFile(path.join(REPO, 'www', 'app', 'i18n', `${code}.json`), 'utf8'));
  }
  // A person with a company and a lead, that company, and a dynamic selection for the board.
  const persons = (await call('GET', '/api/v1/persons?limit=100')).items;
  const person = persons.find((p) => p.company_id && p.lead_generation);
  assert.ok(person, 'the demo data has a person with a company and a lead');
  ids.person = person.id;
  ids.company = person.company_id;
  ids.selection = (await call('POST', '/api/v1/selections', {
    name: 'LinkedIn leads',
    entity: 'person',
    kind: 'dynamic',
    criteria: 'lead_generation.source=linkedin',
  })).id;
});

after(async () => {
  await chromium?.stop();
  await collector?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The app's pages: the navigation's, the record pages, the board and the account. */
const pages = () => [
  { name: 'dashboard', url: '/dashboard', nav: 'dashboard' },
  { name: 'people', url: '/people', nav: 'people' },
  { name: 'person', url: `/people/${ids.person}`, nav: 'people' },
  { name: 'companies', url: '/companies', nav: 'companies' },
  { name: 'company', url: `/companies/${ids.company}`, nav: 'companies' },
  { name: 'selections', url: '/selections', nav: 'selections' },
  { name: 'selection', url: `/selections/${ids.selection}`, nav: 'selections' },
  { name: 'board', url: `/selections/${ids.selection}?view=board`, nav: 'selections' },
  { name: 'links', url: '/links', nav: 'links' },
  { name: 'settings', url: '/settings', nav: 'settings' },
  { name: 'account', url: '/account', nav: null },
];

/** A browser of `locale` with every page error and console error recorded. */
async function visitor(locale) {
  const context = await chromium.browser.newContext({ locale, viewport: { width: DESKTOP_WIDTH, height: 900 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (error) => problems.push(`${page.url()} pageerror: ${error.stack || error}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`${page.url()} console: ${msg.text()}`);
  });
  return { context, page, problems };
}

/** Signs in at /login with the keyboard only, as someone without a mouse does. */
async function signInByKeyboard(page, next) {
  await page.goto(`${collector.url}/login?next=${encodeURIComponent(next)}`);
  await page.locator('#email').waitFor();
  await page.waitForFunction(() => document.documentElement.lang !== '');
  await tabTo(page, '#email');
  await page.keyboard.type(admin.email);
  await page.keyboard.press('Tab');
  await page.keyboard.type(admin.password);
  await Promise.all([page.waitForURL(`${collector.url}${next}`), page.keyboard.press('Enter')]);
  await page.locator('#app').waitFor({ state: 'visible' });
}

/** Presses Tab (or Shift+Tab, `backwards`) until `selector` has focus. */
async function tabTo(page, selector, { limit = 60, backwards = false } = {}) {
  for (let i = 0; i < limit; i += 1) {
    if (await page.evaluate((sel) => document.activeElement?.matches(sel), selector)) return;
    await page.keyboard.press(backwards ? 'Shift+Tab' : 'Tab');
  }
  assert.fail(`${selector} cannot be reached with the keyboard`);
}

/** The page has drawn what it fetched: shown, and no request left in flight. */
async function settled(page) {
  await page.locator('#app').waitFor({ state: 'visible' });
  await page.waitForLoadState('networkidle');
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
}

// Values stored on touches, shown as they are in every language (the medium of a direct
// visit, as analytics tools write it), which an English catalogue text happens to equal.
const STORED_VALUES = new Set(['(none)', '(direct)']);

/**
 * Texts on the page (text, the attributes people hear, the title) that are an English
 * catalogue text whose translation in `lang` differs: English left on a translated page.
 */
async function englishLeftovers(page, lang) {
  if (lang === 'en') return [];
  const english = new Set();
  const translated = new Set();
  for (const [area, texts] of Object.entries(catalogues.en)) {
    for (const [key, text] of Object.entries(texts)) {
      const there = catalogues[lang][area]?.[key];
      if (typeof there === 'string') translated.add(there.trim());
      if (typeof there === 'string' && there !== text && /[a-z]{3}/i.test(text) && !text.includes('{')) english.add(text.trim());
    }
  }
  const shown = await page.evaluate(() => {
    // Where a text is: the nearest element with an id, and the element itself.
    const where = (el) => {
      const named = el.closest('[id]');
      return `${named ? `#${named.id} ` : ''}${el.tagName.toLowerCase()}${el.className && typeof el.className === 'string' ? `.${el.className.split(' ')[0]}` : ''}`;
    };
    const found = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = node.parentElement;
      if (!parent || parent.closest('script, style, [hidden]')) continue;
      found.push([node.textContent.trim(), where(parent)]);
    }
    for (const el of document.querySelectorAll('[aria-label], [placeholder], [title], [alt]')) {
      for (const attr of ['aria-label', 'placeholder', 'title', 'alt']) {
        const value = el.getAttribute(attr);
        if (value) found.push([value.trim(), `${where(el)}[${attr}]`]);
      }
    }
    for (const part of document.title.split(' · ')) found.push([part.trim(), '<title>']);
    return found;
  });
  const left = shown
    .filter(([text]) => english.has(text) && !translated.has(text) && !STORED_VALUES.has(text)).map(([text, at]) => `${JSON.stringify(text)} at ${at}`);
  return [...new Set(left)];
}

/**
 * Numbers and dates not in the locale's format: a raw ISO time anywhere, and on the
 * Norwegian and Dutch pages thousands with a comma (20,000) or an English month (7 Dec 2026).
 */
async function formatLeftovers(page, lang) {
  return page.evaluate((lang) => {
    const patterns = [/\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/];
    if (lang !== 'en') {
      patterns.push(/(^|[^\d.,])\d{1,3}(,\d{3})+(?![\d,])/, /\b\d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4}\b/);
    }
    const found = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = node.parentElement;
      // Code (a snippet, a token, a URL to copy) is shown as it is.
      if (!parent || parent.closest('script, style, [hidden], code, pre')) continue;
      const text = node.textContent.trim();
      if (patterns.some((p) => p.test(text))) found.push(`${JSON.stringify(text.slice(0, 80))} in ${parent.closest('[id]')?.id ?? parent.tagName}`);
    }
    return found;
  }, lang);
}

/** The header's navigation: its link texts and the one marked as the current page. */
async function nav(page) {
  const links = page.locator('#app-header nav a');
  return {
    hrefs: await links.evaluateAll((all) => all.map((a) => a.getAttribute('href'))),
    names: await links.allTextContents(),
    current: await page.locator('#app-header nav a[aria-current="page"]').evaluateAll((all) => all.map((a) => a.getAttribute('href'))),
  };
}

for (const { code, locale } of LANGUAGES) {
  test(`every page in ${code}: axe, no raw keys, no English, no sideways scroll at 390 px, screenshots`, { timeout: 600_000 }, async () => {
    const { context, page, problems } = await visitor(locale);
    try {
      await signInByKeyboard(page, '/dashboard');
      // After sign-in, focus is on the page's heading.
      await page.waitForFunction(() => document.activeElement?.matches('main h1'), null, { timeout: 10_000 });
      const texts = catalogues[code];
      // Every page is walked whatever an earlier one showed; the test lists all findings.
      const findings = [];
      const check = async (what, fn) => {
        try {
          await fn();
        } catch (error) {
          findings.push(`${what}: ${error.message}`);
        }
      };
      for (const target of pages()) {
        const label = `${target.url} (${code})`;
        await page.goto(`${collector.url}${target.url}`);
        await settled(page);
        await check(label, async () => {
          assert.equal(await page.getAttribute('html', 'lang'), code, '<html lang>');
          const header = await nav(page);
          assert.deepEqual(header.hrefs, NAV.map((name) => `/${name}`), 'the navigation');
          assert.deepEqual(header.names, NAV.map((name) => texts.nav[name]), "the navigation's names");
          assert.deepEqual(header.current, target.nav ? [`/${target.nav}`] : [], 'the current page');
          assert.equal(await page.locator('main h1').count(), 1, 'one main heading');
          if (target.name === 'people') {
            // The total in the locale's digits (20 000, 20.000, 20,000), and said aloud.
            const total = new Intl.NumberFormat(locale).format(Number(PERSONS));
            const count = await page.locator('#count').textContent();
            assert.ok(count.includes(total), `the count ${JSON.stringify(count)} shows ${total}`);
            await page.waitForFunction((text) => document.getElementById('announcer')?.textContent === text, count);
          }
          if (target.name === target.nav && target.name !== 'links') {
            assert.equal(await page.title(), `${texts.nav[target.nav]} · leadtrail`, 'the window title');
          }
        });
        await check(label, async () => assert.deepEqual(await englishLeftovers(page, code), [], `English left on the ${code} page`));
        await check(label, async () => assert.deepEqual(await formatLeftovers(page, code), [], `numbers or dates not in the ${locale} format`));
        await check(label, () => expectNoRawKeys(page, label));
        await check(label, () => expectNoViolations(page, `${label} at ${DESKTOP_WIDTH} px`));
        await page.setViewportSize({ width: PHONE_WIDTH, height: 900 });
        try {
          await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
          await check(label, () => expectNoViolations(page, `${label} at ${PHONE_WIDTH} px`));
          await check(label, () => expectNoHorizontalScroll(page, { label }));
        } finally {
          await page.setViewportSize({ width: DESKTOP_WIDTH, height: 900 });
        }
        await screenshots(page, `walk-${code}-${target.name}`);
        // The docs show what a reader sees first: the window, not the whole page.
        if (code === 'en') await screenshots(page, `app-${target.name}`, { docs: true, fullPage: false });
      }
      findings.push(...problems);
      assert.ok(findings.length === 0, `${findings.length} finding(s) in ${code}:\n${findings.join('\n\n')}`);
    } finally {
      await context.close();
    }
  });
}

for (const { code, locale } of LANGUAGES) {
  test(`/links in ${code}: a link with warnings, copied and saved, in the language`, { timeout: 180_000 }, async () => {
    const { context, page, problems } = await visitor(locale);
    const texts = catalogues[code];
    try {
      await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: collector.url });
      await signInByKeyboard(page, '/links');
      await page.fill('#url', 'https://www.tidewater.example/webinar?gclid=abc');
      // A look-alike of a known source and an unknown medium; each language its own, since a
      // saved link's values are known ones.
      const [typed, carried] = { en: ['Linked In', 'linked_in'], nb: ['Linked-In', 'linked-in'], nl: ['Linked.In', 'linked.in'] }[code];
      await page.fill('#source', typed);
      await page.fill('#medium', `carrier_pigeon_${code}`);
      await page.fill('#campaign', 'Webinar Sept');
      // The link is built as the fields are typed: wait for the answer to all of them.
      await page.waitForFunction(() =>
        ['similar_to_known', 'unknown_medium', 'click_id_in_target'].every((kind) => document.querySelector(`#warnings li[data-kind=${kind}]`)),
      );
      const warnings = await page.locator('#warnings li').evaluateAll((all) => Object.fromEntries(all.map((li) => [li.dataset.kind, li.textContent])));
      for (const kind of ['similar_to_known', 'unknown_medium', 'click_id_in_target']) {
        assert.ok(warnings[kind], `a ${kind} warning: ${JSON.stringify(warnings)}`);
      }
      // Each warning is the catalogue's text with the values filled in, not the API's English.
      const field = (name) => texts.links[name];
      // The known look-alike is linkedin, or the look-alike another language's test saved.
      const similar = texts.links.warning_similar_to_known
        .replace(/[.*+?^$()|[\]\\]/g, '\\$&')
        .replace('{field}', field('source'))
        .replace('{value}', carried)
        .replaceAll('{known}', '(linkedin|linked_in|linked-in)');
      assert.match(warnings.similar_to_known, new RegExp(`^${similar}$`));
      assert.equal(warnings.click_id_in_target, texts.links.warning_click_id_in_target.replace('{param}', 'gclid'));
      // The ad click id makes it Paid Search, named in the language.
      assert.equal(
        warnings.unknown_medium,
        texts.links.warning_unknown_medium.replace('{value}', `carrier_pigeon_${code}`).replace('{channel}', texts.person.channel_paid_search),
      );
      const channel = await page.locator('#channel').textContent();
      assert.ok(channel.startsWith(texts.links.channel.split('{name}')[0]), channel);
      if (code !== 'en') assert.equal(await page.locator('#channel span').getAttribute('lang'), 'en', "the rule's English is marked as such");

      // Copied and said so; saved and listed with the channel in the language.
      await page.click('#copy');
      await page.waitForFunction((text) => document.getElementById('announcer')?.textContent === text, texts.links.copied);
      assert.equal(await page.evaluate(() => navigator.clipboard.readText()), await page.locator('#link').textContent());
      await page.fill('#save-name', `Ad ${code}`);
      await page.click('#save');
      await page.locator('#saved tbody tr', { hasText: `Ad ${code}` }).waitFor();
      const row = page.locator('#saved tbody tr', { hasText: `Ad ${code}` });
      const cells = await row.locator('td').allTextContents();
      assert.ok(cells.some((cell) => Object.entries(texts.person).some(([k, v]) => k.startsWith('channel_') && v === cell)), `a channel name in ${code}: ${cells}`);

      const label = `/links with warnings (${code})`;
      assert.deepEqual(await englishLeftovers(page, code), [], `${label}: English left`);
      await expectNoRawKeys(page, label);
      await expectNoViolations(page, label);
      await expectNoHorizontalScroll(page, { label });
      await screenshots(page, `walk-${code}-links-built`);
      assert.deepEqual(problems, [], 'no script error and nothing logged as an error');
    } finally {
      await context.close();
    }
  });
}

test('/account by keyboard in Dutch: a new token and an invitation take the focus, so they are read out', { timeout: 120_000 }, async () => {
  const { context, page, problems } = await visitor('nl-NL');
  try {
    await signInByKeyboard(page, '/account');
    await tabTo(page, '#token-name');
    await page.keyboard.type('crm-koppeling');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.activeElement?.id === 'new-token');
    const token = await page.locator('#new-token-value').textContent();
    assert.ok(token.length >= 20, `the token is shown: ${token}`);
    assert.ok((await page.locator('#new-token').textContent()).startsWith(catalogues.nl.account.new_token));
    await tabTo(page, '#invite-email');
    await page.keyboard.type('nieuw@example.com');
    await page.keyboard.press('Tab');
    await page.keyboard.type('Nieuwe Collega');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.activeElement?.id === 'invite-result');
    assert.match(await page.locator('#invite-link').textContent(), /\/invite#/);
    await expectNoViolations(page, '/account with a new token and an invitation (nl)');
    await expectNoRawKeys(page, '/account (nl)');
    assert.deepEqual(await englishLeftovers(page, 'nl'), []);
    await expectNoHorizontalScroll(page, { label: '/account with a new token (nl)' });
    assert.deepEqual(problems, [], 'no script error and nothing logged as an error');
  } finally {
    await context.close();
  }
});

test('by keyboard on a phone in Norwegian: narrow the leads, save them as a selection, open its board, move a card', { timeout: 300_000 }, async () => {
  const { context, page, problems } = await visitor('nb-NO');
  const nb = catalogues.nb;
  try {
    await page.setViewportSize({ width: PHONE_WIDTH, height: 844 });
    await signInByKeyboard(page, '/people');
    // A criterion: lead generation source is linkedin. Each control is reached with Tab.
    await tabTo(page, '#add-row');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.activeElement?.name === 'field');
    await page.locator('#criteria-rows [name=field]').first().selectOption('lead_generation.source');
    await tabTo(page, '#criteria-rows [name=op]');
    await page.locator('#criteria-rows [name=op]').first().selectOption('eq');
    await tabTo(page, '#criteria-rows [name=value]');
    await page.keyboard.type('linkedin');
    await page.keyboard.press('Enter');
    const matching = nb.people.count_filtered_other.split('{count}')[1];
    await page.locator('#count', { hasText: matching }).waitFor();
    const total = Number((await page.locator('#count').textContent()).replace(/\D/g, ''));
    const api = await call('GET', '/api/v1/persons?lead_generation.source=linkedin&limit=1');
    assert.equal(total, api.total, 'the count is the API\'s total');
    await expectNoHorizontalScroll(page, { label: '/people with a criterion (nb, 390 px)' });

    // Saved as a dynamic selection, then opened from the link the page offers.
    await tabTo(page, '#selection-name', { limit: 400 });
    await page.keyboard.type('LinkedIn-leads på mobilen');
    await tabTo(page, '#selection-kind');
    await page.locator('#selection-kind').selectOption('dynamic');
    await tabTo(page, '#save');
    await page.keyboard.press('Enter');
    const open = page.locator('#save-status a');
    await open.waitFor();
    await tabTo(page, '#save-status a');
    await Promise.all([page.waitForURL(/\/selections\/\d+$/), page.keyboard.press('Enter')]);
    await settled(page);
    assert.equal(await page.locator('main h1').textContent(), 'LinkedIn-leads på mobilen');

    // The board, by its link; a card moved with its "Move to…" menu.
    await tabTo(page, '#view-board', { limit: 400 });
    await page.keyboard.press('Enter');
    await page.waitForURL(/view=board/);
    const firstCard = page.locator('.board-column[data-status="open"] .card').first();
    await firstCard.waitFor();
    const person = await firstCard.getAttribute('data-person');
    await tabTo(page, `.card[data-person="${person}"] .card-move`, { limit: 400 });
    await page.keyboard.press('Enter');
    await page.locator(`.card[data-person="${person}"] [role="menu"]`).waitFor();
    await expectNoViolations(page, 'the board at 390 px with the move menu open (nb)');
    await page.keyboard.press('Home');
    const to = await page.evaluate(() => document.activeElement?.dataset.status);
    assert.ok(to && to !== 'open', `a status other than open has focus: ${to}`);
    await page.keyboard.press('Enter');
    await page.locator(`.board-column[data-status="${to}"] .card[data-person="${person}"]`).waitFor();
    assert.equal((await call('GET', `/api/v1/persons/${person}`)).status, to, 'the status changed in the API');
    // Said aloud: "<name> er flyttet til <status>."
    const moved = await call('GET', `/api/v1/persons/${person}`);
    const said = nb.board.moved.replace('{name}', moved.name || moved.email).replace('{status}', nb.columns[`status_${to}`]);
    await page.waitForFunction((text) => document.getElementById('announcer')?.textContent === text, said);
    await expectNoHorizontalScroll(page, { label: 'the board (nb, 390 px)' });
    await expectNoRawKeys(page, 'the board (nb)');
    assert.deepEqual(await englishLeftovers(page, 'nb'), []);
    assert.deepEqual(problems, [], 'no script error and nothing logged as an error');
  } finally {
    await context.close();
  }
});

test('the navigation by keyboard; deep links survive a reload; back and forward', { timeout: 300_000 }, async () => {
  const { context, page, problems } = await visitor('nb-NO');
  try {
    await signInByKeyboard(page, '/dashboard');
    const texts = catalogues.nb;
    // Every page of the header's navigation, reached with Tab and opened with Enter.
    const visited = ['/dashboard'];
    for (const name of NAV.slice(1)) {
      // Focus is on the page's heading after the page opens: the header is before it.
      await tabTo(page, `#app-header nav a[href="/${name}"]`, { backwards: true });
      await Promise.all([page.waitForURL(`${collector.url}/${name}`), page.keyboard.press('Enter')]);
      await settled(page);
      assert.deepEqual((await nav(page)).current, [`/${name}`]);
      assert.equal(await page.evaluate(() => document.activeElement?.matches('main h1')), true, `/${name}: focus on the heading`);
      visited.push(`/${name}`);
    }
    // Back through them all, then forward again.
    for (const url of visited.slice(0, -1).reverse()) {
      await page.goBack();
      await page.waitForURL(`${collector.url}${url}`);
      await settled(page);
      assert.deepEqual((await nav(page)).current, [url]);
    }
    await page.goForward();
    await page.waitForURL(`${collector.url}/people`);
    await settled(page);

    // Deep links: each record page shows the same record after a reload.
    for (const url of [`/people/${ids.person}`, `/companies/${ids.company}`, `/selections/${ids.selection}?view=board`]) {
      await page.goto(`${collector.url}${url}`);
      await settled(page);
      const heading = await page.locator('main h1').textContent();
      const title = await page.title();
      await page.reload();
      await settled(page);
      assert.equal(page.url(), `${collector.url}${url}`, `${url} stays after a reload`);
      assert.equal(await page.locator('main h1').textContent(), heading, `${url}: the same record after a reload`);
      assert.equal(await page.title(), title);
    }
    // The board keeps its view in the address: back to the list view and forward again.
    const board = page.locator('#view-switch a, #view-switch button');
    assert.ok((await board.count()) >= 2, 'the selection offers its views');
    const person = await call('GET', `/api/v1/persons/${ids.person}`);
    const company = await call('GET', `/api/v1/companies/${ids.company}`);
    // From the person card to its company by the card's link, and back.
    await page.goto(`${collector.url}/people/${ids.person}`);
    await settled(page);
    await page.locator(`main a[href="/companies/${ids.company}"]`).first().click();
    await page.waitForURL(`${collector.url}/companies/${ids.company}`);
    await settled(page);
    assert.equal(await page.locator('main h1').textContent(), company.name);
    await page.goBack();
    await page.waitForURL(`${collector.url}/people/${ids.person}`);
    await settled(page);
    assert.ok((await page.locator('main h1').textContent()).includes(person.name || person.email));
    assert.equal(await page.title(), `${person.name || person.email} · leadtrail`);
    assert.equal(texts.nav.people, 'Personer');
    assert.deepEqual(problems, [], 'no script error and nothing logged as an error');
  } finally {
    await context.close();
  }
});

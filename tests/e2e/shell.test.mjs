// The app's shell in Chromium: the pages speak the browser's language until the user
// chooses one on /account (kept on the server, so it holds after a reload and in any
// browser); the header's navigation marks the page and hides what the role may not open;
// focus lands on the page's heading after sign-in; the skip link and the focus ring work;
// numbers and amounts follow the locale; /login, /invite, /links and /account have no axe-core
// violation, no sideways scroll at 390 px and no catalogue key shown instead of a text.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { expectNoHorizontalScroll, expectNoRawKeys, expectNoViolations, screenshots } from './a11y.mjs';
import { createUser, startWorld } from './harness.mjs';

let world;
before(async () => {
  world = await startWorld();
});
after(async () => {
  await world?.close();
});

/** The texts of the header's navigation, in order, and the one marked current. */
async function nav(page) {
  const links = page.locator('#app-header nav a');
  await links.first().waitFor();
  return {
    names: await links.allTextContents(),
    current: await page.locator('#app-header nav a[aria-current="page"]').allTextContents(),
  };
}

async function checkPage(page, label, name) {
  await expectNoViolations(page, label);
  await expectNoHorizontalScroll(page, { label });
  await expectNoRawKeys(page, label);
  if (name) await screenshots(page, name);
}

/** Presses Tab (or Shift+Tab) until `selector` has focus, as a keyboard user would. */
async function tabTo(page, selector, { backwards = false } = {}) {
  for (let i = 0; i < 40; i += 1) {
    if (await page.evaluate((sel) => document.activeElement?.matches(sel), selector)) return;
    await page.keyboard.press(backwards ? 'Shift+Tab' : 'Tab');
  }
  assert.fail(`${selector} cannot be reached with the keyboard`);
}

function noProblems(problems) {
  assert.deepEqual(problems.pageErrors, [], 'no script error');
  assert.deepEqual(problems.consoleErrors, [], 'nothing logged as an error (a missing text would be)');
}

test('a Norwegian browser gets Norwegian pages; Dutch chosen on /account stays after reloads', { timeout: 120_000 }, async (t) => {
  const { collector } = world;
  const kari = createUser(collector.dbPath, { email: 'kari@example.com', role: 'viewer', name: 'Kari Nordmann' });
  await world.visit(t, async ({ page, problems }) => {
    await page.goto(`${collector.url}/login?next=/links`);
    // The page says it speaks Norwegian once its texts are in.
    await page.waitForSelector('html[lang="nb"]');
    await page.locator('h1', { hasText: 'Logg inn' }).waitFor();
    assert.equal(await page.title(), 'Logg inn · leadtrail');
    assert.equal(await page.locator('label[for=password]').textContent(), 'Passord');
    await checkPage(page, '/login (nb)', 'login-nb');

    // The invitation page too; a link cut short says so.
    await page.goto(`${collector.url}/invite#0123`);
    await page.locator('#invite-error', { hasText: 'Denne lenken er ikke fullstendig' }).waitFor();
    assert.equal(await page.locator('h1').textContent(), 'Velg passordet ditt');
    assert.equal(await page.locator('#accept').isDisabled(), true);
    await checkPage(page, '/invite (nb)');
    await page.goto(`${collector.url}/login?next=/links`);
    await page.waitForSelector('html[lang="nb"]');

    // A wrong password is said in Norwegian too.
    await page.fill('#email', kari.email);
    await page.fill('#password', 'not the password');
    await page.click('#sign-in');
    await page.locator('#login-error', { hasText: 'E-postadressen eller passordet er feil.' }).waitFor();
    problems.consoleErrors.length = 0; // Chromium logs the 401 itself.

    await page.fill('#password', kari.password);
    await Promise.all([page.waitForURL(`${collector.url}/links`), page.click('#sign-in')]);
    await page.locator('#app').waitFor({ state: 'visible' });
    assert.equal(await page.getAttribute('html', 'lang'), 'nb');
    assert.deepEqual(await nav(page), {
      names: ['Dashbord', 'Personer', 'Bedrifter', 'Utvalg', 'Lenker'],
      current: ['Lenker'],
    }, 'a viewer has no Settings');
    assert.equal(await page.locator('#who').textContent(), 'Kari Nordmann · leser');
    assert.equal(await page.locator('main h1').textContent(), 'Kampanjelenker');
    // After sign-in, focus is on the page's heading, not lost on the body.
    await page.waitForFunction(() => document.activeElement?.matches('main h1'));
    await checkPage(page, '/links (nb, viewer)', 'links-nb');

    // Dutch, chosen on /account.
    await page.click('#who');
    await page.waitForURL(`${collector.url}/account`);
    await page.locator('#app').waitFor({ state: 'visible' });
    assert.equal(await page.locator('#language').inputValue(), '', 'no language chosen yet: the browser\'s');
    assert.equal(await page.locator('#language option[value=""]').textContent(), 'Som nettleseren (Norsk bokmål)');
    assert.deepEqual((await nav(page)).current, [], 'the account is no page of the navigation');
    assert.equal(await page.getAttribute('#who', 'aria-current'), 'page');
    await checkPage(page, '/account (nb, viewer)');
    await page.selectOption('#language', 'nl');
    await Promise.all([page.waitForEvent('load'), page.click('#save-language')]);
    await page.locator('#app').waitFor({ state: 'visible' });
    assert.equal(await page.getAttribute('html', 'lang'), 'nl');
    assert.equal(await page.locator('#language').inputValue(), 'nl');
    assert.equal(await page.locator('#tokens-title').textContent(), 'Je API-tokens');
    const stored = await page.evaluate(async () => (await fetch('/api/v1/me/preferences')).json());
    assert.equal(stored.language, 'nl');

    await page.reload();
    await page.locator('#app').waitFor({ state: 'visible' });
    assert.equal(await page.getAttribute('html', 'lang'), 'nl');
    assert.deepEqual((await nav(page)).names, ['Dashboards', 'Personen', 'Bedrijven', 'Selecties', 'Links']);
    await checkPage(page, '/account (nl, viewer)', 'account-nl');

    await page.goto(`${collector.url}/links`);
    await page.locator('#app').waitFor({ state: 'visible' });
    assert.equal(await page.locator('main h1').textContent(), 'Campagnelinks');
    assert.equal(await page.locator('#saved-empty').textContent(), 'Nog geen opgeslagen links.');

    // Back to the browser's language.
    await page.goto(`${collector.url}/account`);
    await page.locator('#app').waitFor({ state: 'visible' });
    await page.selectOption('#language', '');
    await Promise.all([page.waitForEvent('load'), page.click('#save-language')]);
    await page.locator('#app').waitFor({ state: 'visible' });
    assert.equal(await page.getAttribute('html', 'lang'), 'nb');
    noProblems(problems);
  }, { locale: 'nb-NO' });
});

test('an English browser, an admin: Settings in the navigation, the skip link, a focus ring of 3 : 1, sign-out', { timeout: 120_000 }, async (t) => {
  const { collector } = world;
  await world.visit(t, async ({ page, problems }) => {
    await page.goto(`${collector.url}/login`);
    await page.waitForSelector('html[lang="en"]');
    await page.locator('h1', { hasText: 'Sign in' }).waitFor();
    await checkPage(page, '/login (en)', 'login');
    await world.signIn(page, '/account');
    assert.deepEqual(await nav(page), {
      names: ['Dashboards', 'People', 'Companies', 'Selections', 'Links', 'Settings'],
      current: [],
    });
    await page.locator('#users-section').waitFor({ state: 'visible' });
    await checkPage(page, '/account (en, admin)', 'account');

    await page.goto(`${collector.url}/links`);
    await page.locator('#app').waitFor({ state: 'visible' });
    assert.equal((await nav(page)).current[0], 'Links');
    await checkPage(page, '/links (en, admin)', 'links');

    // The skip link is the first stop of the keyboard; focused, it shows and takes focus
    // past the header.
    const first = await page.evaluate(() => {
      const stops = [...document.querySelectorAll('a[href], button, input, select, textarea, [tabindex]')]
        .filter((n) => n.tabIndex >= 0 && !n.disabled);
      return stops[0]?.className;
    });
    assert.equal(first, 'skip');
    assert.equal(await page.locator('.skip').boundingBox().then((b) => b.y < 0), true, 'hidden until focused');
    await tabTo(page, '.skip', { backwards: true });
    assert.ok((await page.locator('.skip').boundingBox()).y >= 0, 'shown when focused');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.activeElement?.id === 'main');

    // The focus ring of a navigation link against the header, and of a button against the page.
    for (const [selector, background] of [['#app-header nav a', '#app-header'], ['#copy', 'body']]) {
      if (selector === '#copy') {
        await page.fill('#url', 'https://www.example.com/');
        await page.fill('#source', 'news');
        await page.fill('#medium', 'email');
        await page.fill('#campaign', 'december');
        await page.waitForFunction(() => !document.getElementById('copy').disabled);
        await page.focus('#campaign');
        await tabTo(page, '#copy');
      } else {
        await tabTo(page, selector, { backwards: true });
      }
      const ring = await page.evaluate(([sel, bg]) => {
        const focused = document.activeElement;
        const style = getComputedStyle(focused);
        const parse = (c) => c.match(/\d+(\.\d+)?/g).slice(0, 3).map(Number);
        const luminance = ([r, g, b]) => {
          const f = (v) => {
            const s = v / 255;
            return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
          };
          return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
        };
        let back = document.querySelector(bg);
        let color = getComputedStyle(back).backgroundColor;
        while (color === 'rgba(0, 0, 0, 0)' && back.parentElement) {
          back = back.parentElement;
          color = getComputedStyle(back).backgroundColor;
        }
        const [a, b] = [luminance(parse(style.outlineColor)), luminance(parse(color))].sort((x, y) => y - x);
        return {
          matches: focused.matches(sel),
          style: style.outlineStyle,
          width: parseFloat(style.outlineWidth),
          ratio: (a + 0.05) / (b + 0.05),
        };
      }, [selector, background]);
      assert.ok(ring.matches, `${selector} has focus`);
      assert.equal(ring.style, 'solid', selector);
      assert.ok(ring.width >= 2, `${selector}: a ring of ${ring.width} px`);
      assert.ok(ring.ratio >= 3, `${selector}: the ring's contrast is ${ring.ratio.toFixed(2)} : 1`);
    }

    await Promise.all([page.waitForURL(`${collector.url}/login`), page.click('#sign-out')]);
    const me = await page.evaluate(async () => (await fetch('/api/v1/me')).status);
    assert.equal(me, 401);
    problems.consoleErrors.length = 0; // Chromium logs that 401 itself.
    noProblems(problems);
  });
});

test('numbers, amounts and dates in the locale; texts with placeholders; a missing text is reported', { timeout: 60_000 }, async (t) => {
  const { collector } = world;
  await world.visit(t, async ({ page, problems }) => {
    await page.goto(`${collector.url}/login`);
    const formatted = await page.evaluate(async () => {
      const shell = await import('/app/shell.js');
      const out = {};
      for (const lang of ['en', 'nb', 'nl']) {
        await shell.useLanguage(lang);
        out[lang] = {
          lang: document.documentElement.lang,
          locale: shell.currentLocale(),
          number: shell.fmt.number(1234.5),
          nok: shell.fmt.money(1234.5, 'NOK'),
          eur: shell.fmt.money(1234.5, 'EUR'),
          percent: shell.fmt.percent(0.125),
          date: shell.fmt.date('2026-03-01'),
          text: shell.t('links.saved', { name: '<b>x</b>', campaign: 'spring' }),
          plural: [shell.t('links.saved_count', { count: 1 }), shell.t('links.saved_count', { count: 1234 })],
        };
      }
      out.missing = shell.t('nowhere.to_be_found');
      out.languageOf = [
        shell.languageOf(['nn-NO']), shell.languageOf(['no']), shell.languageOf(['nl-BE', 'en']),
        shell.languageOf(['de-DE', 'nb']), shell.languageOf(['fr']), shell.languageOf([]),
      ];
      return out;
    });
    const nbsp = '\u00a0';
    assert.deepEqual(formatted.nb, {
      lang: 'nb',
      locale: 'nb-NO',
      number: `1${nbsp}234,5`,
      nok: `1${nbsp}234,50${nbsp}kr`,
      eur: `1${nbsp}234,50${nbsp}€`,
      percent: `12,5${nbsp}%`,
      date: '1. mars 2026',
      text: 'Lagret «<b>x</b>» i spring.',
      plural: ['1 lagret lenke', `1${nbsp}234 lagrede lenker`],
    });
    assert.deepEqual(formatted.nl, {
      lang: 'nl',
      locale: 'nl-NL',
      number: '1.234,5',
      nok: `NOK${nbsp}1.234,50`,
      eur: `€${nbsp}1.234,50`,
      percent: '12,5%',
      date: '1 mrt 2026',
      text: '‘<b>x</b>’ opgeslagen in spring.',
      plural: ['1 opgeslagen link', '1.234 opgeslagen links'],
    });
    assert.deepEqual(formatted.en, {
      lang: 'en',
      locale: 'en-GB',
      number: '1,234.5',
      nok: `NOK${nbsp}1,234.50`,
      eur: '€1,234.50',
      percent: '12.5%',
      date: '1 Mar 2026',
      text: 'Saved “<b>x</b>” in spring.',
      plural: ['1 saved link', '1,234 saved links'],
    });
    assert.equal(formatted.missing, 'nowhere.to_be_found');
    assert.deepEqual(formatted.languageOf, ['nb', 'nb', 'nl', 'nb', 'en', 'en']);
    assert.deepEqual(problems.consoleErrors.map((e) => e.replace(/^.*?: /, '')), ['missing text: nowhere.to_be_found (nl)']);
    assert.deepEqual(problems.pageErrors, []);

    // The page checks fail on what they are for: a field without a label, a key shown.
    await page.evaluate(() => {
      const field = document.createElement('input');
      field.id = 'unlabelled';
      const key = document.createElement('p');
      key.textContent = 'links.no_such_text';
      document.querySelector('main').append(field, key);
    });
    await assert.rejects(expectNoViolations(page, 'a broken /login'), /label.*\n.*\n.*#unlabelled/s);
    await assert.rejects(expectNoRawKeys(page, 'a broken /login'), /links\.no_such_text/);
  });
});

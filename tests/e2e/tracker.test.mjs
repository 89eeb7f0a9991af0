// The tracker in a real browser on a customer site (another origin than the collector):
// forms added later, form.submit(), hidden fields refreshed and set on script-built
// FormData, broken, full or tampered storage, hostile URLs, the look-back window, the JS
// API for fetch posts, the data-forms selector, and a tracker that cannot load.
// Every test checks what reached the collector through its API.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { backdateStoredTouch, contractFields, postedFields, startWorld, submitForm, trackerReady } from './harness.mjs';

let world;
before(async () => {
  world = await startWorld();
});
after(async () => {
  await world?.close();
});

/** Fills the customer site's sign-up form and submits it with a real click. */
async function signUp(page, email, { form = '#signup' } = {}) {
  await page.fill(`${form} input[name=name]`, 'Test Visitor');
  await page.fill(`${form} input[name=email]`, email);
  const posted = await submitForm(page, `${form} button[type=submit]`, world.collector.url);
  await page.waitForURL(`${world.site.url}/thanks`);
  assert.equal(posted.response.status(), 303);
  return posted;
}

function assertNoProblems(problems, { allowFailedLoads = false } = {}) {
  assert.deepEqual(problems.pageErrors, [], 'nothing thrown into the page');
  const consoleErrors = allowFailedLoads
    ? problems.consoleErrors.filter((text) => !/Failed to load resource|net::ERR_/.test(text))
    : problems.consoleErrors;
  assert.deepEqual(consoleErrors, [], 'no console errors');
  assert.deepEqual(problems.dialogs, [], 'no dialogs');
}

const sourceMediumCampaign = (touch) => [touch.source, touch.medium, touch.campaign];

test('a form added to the page after load still gets the fields', { timeout: 60_000 }, async (t) => {
  await world.visit(t, async ({ page, problems }) => {
    await page.goto(`${world.site.url}/dynamic?utm_source=partner_a&utm_medium=email&utm_campaign=autumn_offer`);
    assert.equal(await trackerReady(page), true);
    assert.equal(await page.locator('form').count(), 0, 'no form before the click');
    await page.click('#show-form');
    const { fields } = await signUp(page, 'dyn@dynamic-forms.example');
    assert.equal(fields.lt_v, '1');
    assert.equal(fields.lt_last_source, 'partner_a');
    assert.equal(fields.lt_last_campaign, 'autumn_offer');

    const person = await world.api.person('dyn@dynamic-forms.example');
    assert.deepEqual(sourceMediumCampaign(person.lead_generation), ['partner_a', 'email', 'autumn_offer']);
    const [submission] = await world.api.submissions(person.id);
    assert.equal(submission.form, 'customer-dynamic');
    assertNoProblems(problems);
  });
});

test('form.submit() (no submit event) still carries the fields', { timeout: 60_000 }, async (t) => {
  await world.visit(t, async ({ page, problems }) => {
    await page.goto(`${world.site.url}/signup?utm_source=bing&utm_medium=cpc&utm_campaign=brand`);
    assert.equal(await trackerReady(page), true);
    await page.fill('#signup input[name=email]', 'programmatic@submit-call.example');
    const [request] = await Promise.all([
      page.waitForRequest((r) => r.method() === 'POST' && r.url().startsWith(`${world.collector.url}/f/`)),
      page.evaluate(() => document.getElementById('signup').submit()),
    ]);
    await page.waitForURL(`${world.site.url}/thanks`);
    const fields = Object.fromEntries(new URLSearchParams(request.postData()));
    assert.equal(fields.lt_last_source, 'bing');
    const person = await world.api.person('programmatic@submit-call.example');
    assert.deepEqual(sourceMediumCampaign(person.lead_generation), ['bing', 'cpc', 'brand']);
    assertNoProblems(problems);
  });
});

test('hidden fields: added on submit, refreshed without duplicates, set on script-built FormData, gone after optOut()', { timeout: 60_000 }, async (t) => {
  await world.visit(t, async ({ page, problems }) => {
    await page.goto(`${world.site.url}/signup?utm_source=linkedin&utm_medium=paid_social&utm_campaign=webinar_sept`);
    assert.equal(await trackerReady(page), true);
    const seen = await page.evaluate(async () => {
      const form = document.createElement('form');
      form.innerHTML = '<input name="email" value="ada@example.com">';
      // The site's own handler stops the navigation; it runs after the tracker's capture listener.
      form.addEventListener('submit', (e) => e.preventDefault());
      document.body.append(form);
      const hidden = () =>
        [...form.querySelectorAll('input[type=hidden]')].map((i) => [i.name, i.value]).filter(([name]) => name.startsWith('lt_'));
      form.requestSubmit();
      const once = hidden();
      form.requestSubmit();
      const twice = hidden();
      // Never submitted: only the formdata event can add the fields (fetch with new FormData(form)).
      const other = document.createElement('form');
      other.innerHTML = '<input name="email" value="bob@example.com">';
      document.body.append(other);
      const built = Object.fromEntries(new FormData(other));
      const otherHidden = other.querySelectorAll('input[type=hidden]').length;
      await window.leadtrail.optOut();
      form.requestSubmit();
      return { once, twice, built, otherHidden, afterOptOut: hidden(), builtAfterOptOut: Object.fromEntries(new FormData(other)) };
    });
    const once = Object.fromEntries(seen.once);
    assert.equal(once.lt_v, '1');
    assert.equal(once.lt_first_source, 'linkedin');
    assert.equal(once.lt_last_campaign, 'webinar_sept');
    assert.deepEqual(seen.twice, seen.once, 'a second submit replaces the fields, no duplicates');
    assert.equal(new Set(seen.once.map(([name]) => name)).size, seen.once.length);
    assert.equal(seen.built.email, 'bob@example.com');
    assert.equal(seen.built.lt_last_source, 'linkedin');
    assert.equal(seen.otherHidden, 0, 'FormData gets the fields without inputs in the form');
    assert.deepEqual(seen.afterOptOut, [], 'after optOut() the fields the form had are gone');
    assert.deepEqual(contractFields(seen.builtAfterOptOut), []);
    assertNoProblems(problems);
  });
});

test('a data-forms value that is not CSS matches no form and breaks nothing', { timeout: 60_000 }, async (t) => {
  await world.visit(t, async ({ page, problems }) => {
    await page.goto(`${world.site.url}/bad-selector?utm_source=partner_h&utm_medium=email`);
    assert.equal(await trackerReady(page), true);
    assert.equal((await page.evaluate(() => window.leadtrail.attribution())).lt_last_source, 'partner_h', 'the tracker runs');
    const { fields } = await signUp(page, 'selector@bad-selector.example');
    assert.deepEqual(contractFields(fields), []);
    assert.equal((await world.api.personsByEmail('selector@bad-selector.example')).length, 1);
    assertNoProblems(problems);
  });
});

test('touches tampered with in localStorage are cleaned again, or replaced when unusable', { timeout: 60_000 }, async (t) => {
  await world.visit(t, async ({ page, problems }) => {
    await page.goto(`${world.site.url}/`);
    assert.equal(await trackerReady(page), true);
    await page.evaluate(() => {
      localStorage.setItem('leadtrail.first', 'source=%20%3Cb%3ENews%0Aletter&medium=E%E2%80%AEmail&at=not-a-time&click_id_type=evil');
      localStorage.setItem('leadtrail.last', 'garbage&&==');
    });
    await page.goto(`${world.site.url}/signup`);
    assert.equal(await trackerReady(page), true);
    const { fields } = await signUp(page, 'tampered@storage.example');
    assert.equal(fields.lt_first_source, '<b>newsletter');
    assert.equal(fields.lt_first_medium, 'email');
    assert.equal(fields.lt_first_at, undefined, 'a time that is no number is dropped');
    assert.equal(fields.lt_first_click_id_type, undefined);
    assert.equal(fields.lt_last_source, '(direct)', 'an unusable last touch is no touch');

    const person = await world.api.person('tampered@storage.example');
    assert.equal(person.first_interaction.source, '<b>newsletter');
    assert.equal(person.lead_generation.source, '(direct)');
    assertNoProblems(problems);
  });
});

// Both ways storage fails in the wild: blocked (the getter throws, as with some privacy
// settings) and full (every write throws). Only the memory across visits may be lost.
const brokenStorage = {
  'blocked localStorage (the getter throws)': () => {
    Object.defineProperty(window, 'localStorage', {
      configurable: true,
      get() {
        throw new DOMException('The operation is insecure.', 'SecurityError');
      },
    });
  },
  'full localStorage (every write throws)': () => {
    Storage.prototype.setItem = function setItem() {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    };
  },
};

for (const [name, breakStorage] of Object.entries(brokenStorage)) {
  test(`${name}: the form still submits with the current visit's touch`, { timeout: 60_000 }, async (t) => {
    await world.visit(t, async ({ context, page, problems }) => {
      await context.addInitScript(breakStorage);
      await page.goto(`${world.site.url}/signup?utm_source=google&utm_medium=cpc&utm_campaign=brand_search&gclid=Cj0KCQ-e2e`);
      const storageWorks = await page.evaluate(() => {
        try {
          localStorage.setItem('probe', '1');
          return true;
        } catch {
          return false;
        }
      });
      assert.equal(storageWorks, false, 'the init script really broke storage');
      assert.equal(await trackerReady(page), true);
      const email = `storage-${name.split(' ')[0]}@broken-storage.example`;
      const { fields } = await signUp(page, email);
      assert.equal(fields.lt_last_source, 'google');
      assert.equal(fields.lt_last_click_id, 'Cj0KCQ-e2e');

      const person = await world.api.person(email);
      assert.deepEqual(sourceMediumCampaign(person.lead_generation), ['google', 'cpc', 'brand_search']);
      assert.equal(person.lead_generation.click_id_type, 'gclid');
      assert.equal(person.first_interaction.source, 'google', 'with no memory the current touch is also the first');
      assertNoProblems(problems);
    });
  });
}

test('hostile URL values break nothing and are stored cleaned', { timeout: 60_000 }, async (t) => {
  await world.visit(t, async ({ page, problems }) => {
    const longContent = 'x'.repeat(3000);
    const query = [
      'utm_source=Evil%00%07Source%E2%80%AE',
      'utm_medium=CPC',
      `utm_campaign=${encodeURIComponent('<img src=x onerror=alert(1)>')}`,
      'utm_term=a%0Ab%0D%09c%1B',
      `utm_content=${longContent}`,
      `utm_id=${encodeURIComponent('"><svg onload=alert(2)>')}`,
      'utm_broken=%E0%A4%A',
    ].join('&');
    await page.goto(`${world.site.url}/signup?${query}#token=secret`);
    assert.equal(await trackerReady(page), true);
    const { fields } = await signUp(page, 'hostile@hostile-urls.example');
    assert.equal(fields.lt_last_source, 'evilsource');
    assert.equal(fields.lt_last_campaign, '<img_src=x_onerror=alert(1)>');

    const touch = (await world.api.person('hostile@hostile-urls.example')).lead_generation;
    assert.equal(touch.source, 'evilsource', 'control and bidi characters removed, lower-cased');
    assert.equal(touch.medium, 'cpc');
    assert.equal(touch.campaign, '<img_src=x_onerror=alert(1)>', 'stored as text, normalised');
    assert.equal(touch.term, 'abc', 'control characters removed');
    assert.equal(touch.content, 'x'.repeat(256), 'long values capped');
    assert.equal(touch.id, '"><svg onload=alert(2)>');
    assert.ok(!touch.landing_page.includes('#') && !touch.landing_page.includes('secret'), 'the fragment is dropped');
    for (const [field, value] of Object.entries(touch)) {
      // eslint-disable-next-line no-control-regex
      if (typeof value === 'string') assert.doesNotMatch(value, /[\u0000-\u001f\u007f\u202e]/, `${field} is clean`);
    }
    assertNoProblems(problems);
  });
});

test('look-back window: an expired last touch makes a direct visit (direct)', { timeout: 90_000 }, async (t) => {
  // [days since the campaign visit, page of the later direct visit, expected lead generation]
  const cases = [
    [100, '/signup', '(direct)'],
    [10, '/signup', 'partner_b'],
    [10, '/short-lookback', '(direct)'], // data-lookback-days="7"
  ];
  for (const [daysAgo, signupPath, expected] of cases) {
    await world.visit(t, async ({ page, problems }) => {
      await page.goto(`${world.site.url}/?utm_source=partner_b&utm_medium=email&utm_campaign=trade_fair`);
      assert.equal(await trackerReady(page), true);
      assert.ok(await backdateStoredTouch(page, 'leadtrail.first', daysAgo), 'first touch stored');
      assert.ok(await backdateStoredTouch(page, 'leadtrail.last', daysAgo), 'last touch stored');

      // The visitor comes back by typing the address: no parameters, no referrer.
      await page.goto(`${world.site.url}${signupPath}`);
      assert.equal(await trackerReady(page), true);
      const email = `lookback-${daysAgo}${signupPath.replace('/', '-')}@lookback.example`;
      await signUp(page, email);

      const person = await world.api.person(email);
      assert.equal(person.lead_generation.source, expected, `${daysAgo} days on ${signupPath}`);
      if (expected === '(direct)') assert.equal(person.lead_generation.medium, '(none)');
      assert.equal(person.first_interaction.source, 'partner_b', 'the first interaction never expires');
      assertNoProblems(problems);
    });
  }
});

test('a page posting with fetch uses window.leadtrail.attribution() (examples/fetch-post.html)', { timeout: 60_000 }, async (t) => {
  await world.visit(t, async ({ page, problems }) => {
    await page.goto(
      `${world.site.url}/examples/fetch-post.html?utm_source=youtube&utm_medium=video&utm_campaign=demo_reel&utm_content=${encodeURIComponent('Cut B')}`,
    );
    assert.equal(await trackerReady(page), true);
    const attribution = await page.evaluate(() => window.leadtrail.attribution());
    assert.equal(attribution.lt_v, '1');
    assert.equal(attribution.lt_last_source, 'youtube');
    assert.equal(attribution.lt_first_source, 'youtube');

    await page.fill('#email', 'fetch@fetch-posting.example');
    await page.fill('#name', 'Fetch Poster');
    const [request] = await Promise.all([
      page.waitForRequest((r) => r.method() === 'POST' && r.url().startsWith(`${world.collector.url}/f/`)),
      page.click('#send'),
    ]);
    await page.locator('#result[data-status]').waitFor();
    assert.equal(await page.getAttribute('#result', 'data-status'), '201');
    const answer = JSON.parse(await page.textContent('#result'));
    assert.equal(answer.person_created, true);
    assert.equal(JSON.parse(request.postData()).lt_last_content, 'Cut B');

    const person = await world.api.person('fetch@fetch-posting.example');
    assert.equal(person.id, answer.person_id);
    assert.deepEqual(sourceMediumCampaign(person.lead_generation), ['youtube', 'video', 'demo_reel']);
    assert.equal(person.lead_generation.content, 'Cut B');
    const [submission] = await world.api.submissions(person.id);
    assert.equal(submission.id, answer.submission_id);
    assertNoProblems(problems);
  });
});

test('a form outside data-forms gets no fields (examples/embed.html)', { timeout: 60_000 }, async (t) => {
  await world.visit(t, async ({ page, problems }) => {
    const landing = `${world.site.url}/examples/embed.html?utm_source=linkedin&utm_medium=social&utm_campaign=launch`;
    await page.goto(landing);
    assert.equal(await trackerReady(page), true);

    // The site search is not a lead form: its GET request shows everything it sent.
    await page.fill('#site-search input[name=q]', 'pumps');
    await Promise.all([page.waitForURL(/\/search\?/), page.click('#site-search button[type=submit]')]);
    const sent = new URL(page.url()).searchParams;
    assert.equal(sent.get('q'), 'pumps');
    assert.deepEqual(contractFields(Object.fromEntries(sent)), [], 'no lt_* fields on the search form');

    await page.goto(landing);
    assert.equal(await trackerReady(page), true);
    await page.fill('form.lead-form input[name=email]', 'scoped@data-forms.example');
    const posted = await submitForm(page, 'form.lead-form button[type=submit]', world.collector.url);
    assert.equal(posted.fields.lt_last_source, 'linkedin', 'the lead form does get them');
    await page.waitForURL(`${world.site.url}/thanks`);
    const person = await world.api.person('scoped@data-forms.example');
    assert.equal(person.lead_generation.campaign, 'launch');
    assertNoProblems(problems);
  });
});

// The tracker's files can fail to arrive (blocked by an extension, a proxy, a bad deploy):
// the page must not notice, and the form must still reach the collector.
const brokenDownloads = {
  'the .wasm download is aborted': (route) => route.abort(),
  'the .wasm is not WebAssembly': (route) =>
    route.fulfill({ status: 200, contentType: 'application/wasm', body: 'this is not wasm' }),
  'the wasm-bindgen glue is missing (404)': (route) =>
    route.fulfill({ status: 404, contentType: 'text/plain', body: 'not found' }),
};
const brokenFile = {
  'the .wasm download is aborted': 'leadtrail_tracker_bg.wasm',
  'the .wasm is not WebAssembly': 'leadtrail_tracker_bg.wasm',
  'the wasm-bindgen glue is missing (404)': 'leadtrail_tracker.js',
};

for (const [name, handler] of Object.entries(brokenDownloads)) {
  test(`${name}: the form still submits and the page shows no error`, { timeout: 60_000 }, async (t) => {
    await world.visit(t, async ({ page, problems }) => {
      await page.route(`${world.collector.url}/${brokenFile[name]}`, handler);
      await page.goto(`${world.site.url}/signup?utm_source=partner_c&utm_medium=referral&utm_campaign=broken`);
      assert.equal(await trackerReady(page), true, 'ready resolves (never rejects) even on failure');
      assert.deepEqual(await page.evaluate(() => window.leadtrail.attribution()), {}, 'attribution() is empty on failure');
      const email = `${brokenFile[name].replace(/[^a-z]/g, '')}-${Object.keys(brokenDownloads).indexOf(name)}@broken-tracker.example`;
      await signUp(page, email);
      await page.locator('#thanks').waitFor();
      const person = await world.api.person(email);
      assert.equal((await world.api.submissions(person.id)).length, 1);
      assertNoProblems(problems, { allowFailedLoads: true });
    });
  });
}

const storedTouches = (page) =>
  page.evaluate(() => ['leadtrail.first', 'leadtrail.last', 'leadtrail.opt_out'].map((key) => localStorage.getItem(key)));

test('optOut() forgets the touches and stops the fields; optIn() starts again', { timeout: 60_000 }, async (t) => {
  await world.visit(t, async ({ page, problems }) => {
    await page.goto(`${world.site.url}/signup?utm_source=partner_d&utm_medium=email&utm_campaign=privacy`);
    assert.equal(await trackerReady(page), true);
    assert.ok((await storedTouches(page))[0], 'a first touch was stored before opting out');
    await page.evaluate(() => window.leadtrail.optOut());
    assert.deepEqual(await storedTouches(page), [null, null, '1'], 'touches forgotten, opt-out remembered');
    assert.deepEqual(await page.evaluate(() => window.leadtrail.attribution()), {});

    // A later campaign visit of the opted-out browser stores and sends nothing.
    await page.goto(`${world.site.url}/signup?utm_source=partner_e&utm_medium=cpc&utm_campaign=after_opt_out`);
    assert.equal(await trackerReady(page), true);
    const { fields } = await signUp(page, 'optout@privacy.example');
    assert.deepEqual(contractFields(fields), [], 'no lt_* fields while opted out');
    assert.deepEqual(await storedTouches(page), [null, null, '1']);
    assert.equal((await world.api.personsByEmail('optout@privacy.example')).length, 1, 'the lead itself still arrives');

    await page.goto(`${world.site.url}/signup?utm_source=partner_f&utm_medium=cpc&utm_campaign=opted_in`);
    assert.equal(await trackerReady(page), true);
    await page.evaluate(() => window.leadtrail.optIn());
    assert.equal((await storedTouches(page))[2], null, 'opt-out flag cleared');
    const again = await signUp(page, 'optin@privacy.example');
    assert.equal(again.fields.lt_last_source, 'partner_f', 'optIn() records the current page view');
    assertNoProblems(problems);
  });
});

test('data-respect-gpc: with Global Privacy Control on, nothing is stored or sent', { timeout: 60_000 }, async (t) => {
  await world.visit(t, async ({ context, page, problems }) => {
    await context.addInitScript(() => {
      Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { configurable: true, get: () => true });
    });
    // examples/embed.html carries data-respect-gpc.
    await page.goto(`${world.site.url}/examples/embed.html?utm_source=partner_g&utm_medium=cpc&utm_campaign=gpc`);
    assert.equal(await trackerReady(page), true);
    assert.deepEqual(await storedTouches(page), [null, null, null], 'nothing in localStorage');
    await page.fill('form.lead-form input[name=email]', 'gpc@privacy.example');
    const { fields } = await submitForm(page, 'form.lead-form button[type=submit]', world.collector.url);
    await page.waitForURL(`${world.site.url}/thanks`);
    assert.deepEqual(contractFields(fields), [], 'no lt_* fields under GPC');
    assert.equal((await world.api.personsByEmail('gpc@privacy.example')).length, 1);
    assertNoProblems(problems);
  });
});

test('a single-page app whose router drops the query at once keeps the campaign', { timeout: 60_000 }, async (t) => {
  await world.visit(t, async ({ page, problems }) => {
    world.site.addPage('/spa', (collector, site) => `<!doctype html><html><head><meta charset="utf-8">
<script type="module" src="${collector}/leadtrail.js"></script>
<script type="module">
  // The app's router, right after the tracker's tag: it rewrites the URL and drops the query.
  history.replaceState(null, '', '/app/signup');
  document.getElementById('app').innerHTML = '<form id="signup" method="post" action="${collector}/f/spa-signup">'
    + '<input type="hidden" name="_redirect" value="${site}/thanks">'
    + '<input name="name"><input name="email" type="email"><button type="submit">Sign up</button></form>';
</script></head><body><div id="app"></div></body></html>`);
    await page.goto(`${world.site.url}/spa?utm_source=linkedin&utm_medium=paid_social&utm_campaign=spa_launch`);
    assert.equal(await trackerReady(page), true);
    assert.equal(new URL(page.url()).pathname, '/app/signup', 'the router rewrote the URL');
    assert.equal(new URL(page.url()).search, '', 'and dropped the campaign from it');
    const { fields } = await signUp(page, 'spa@single-page.example');
    assert.equal(fields.lt_last_campaign, 'spa_launch');
    assert.match(fields.lt_last_landing_page, /\/spa\?utm_source=linkedin/);
    const person = await world.api.person('spa@single-page.example');
    assert.deepEqual(sourceMediumCampaign(person.lead_generation), ['linkedin', 'paid_social', 'spa_launch']);
    assertNoProblems(problems);
  });
});

// A web component with its form in a shadow root, which neither `submit` nor `formdata`
// leaves: open ones the tracker finds (on the page at start, or when a visitor touches
// them), closed ones the component hands over with window.leadtrail.observe(root).
const leadFormComponent = (collector, site) => `<script>
customElements.define('lead-form', class extends HTMLElement {
  connectedCallback() {
    if (this.form) return;
    const closed = this.getAttribute('mode') === 'closed';
    const root = this.attachShadow({ mode: closed ? 'closed' : 'open' });
    root.innerHTML = '<form method="post" action="${collector}/f/' + this.id + '">'
      + '<input type="hidden" name="_redirect" value="${site}/thanks">'
      + '<input name="name"><input name="email" type="email"><button type="submit">Send</button></form>';
    this.form = root.querySelector('form');
    if (closed) window.leadtrail.observe(root);
  }
  // For the test, which cannot reach into a closed root.
  send(email) {
    this.form.elements.email.value = email;
    this.form.requestSubmit();
  }
});
</script>`;

for (const [name, which] of [
  ['on the page when the tracker starts', 'early'],
  ['added after the tracker started, then filled in', 'late'],
]) {
  test(`a form in an open shadow root ${name} gets the fields`, { timeout: 60_000 }, async (t) => {
    await world.visit(t, async ({ page, problems }) => {
      world.site.addPage('/components', (collector, site) => `<!doctype html><html><head><meta charset="utf-8">
<script type="module" src="${collector}/leadtrail.js"></script>${leadFormComponent(collector, site)}</head>
<body><lead-form id="shadow-early"></lead-form><div id="slot"></div></body></html>`);
      await page.goto(`${world.site.url}/components?utm_source=partner_s&utm_medium=email&utm_campaign=components`);
      assert.equal(await trackerReady(page), true);
      if (which === 'late') {
        await page.evaluate(() => document.getElementById('slot').append(Object.assign(document.createElement('lead-form'), { id: 'shadow-late' })));
      }
      const form = `lead-form#shadow-${which}`;
      await page.fill(`${form} input[name=name]`, 'Shadow Visitor');
      const email = `${which}@shadow-root.example`;
      await page.fill(`${form} input[name=email]`, email);
      const posted = await submitForm(page, `${form} button[type=submit]`, world.collector.url);
      await page.waitForURL(`${world.site.url}/thanks`);
      assert.equal(posted.fields.lt_last_campaign, 'components');
      const person = await world.api.person(email);
      assert.deepEqual(sourceMediumCampaign(person.lead_generation), ['partner_s', 'email', 'components']);
      assertNoProblems(problems);
    });
  });
}

test('a form in a closed shadow root gets the fields once handed to window.leadtrail.observe()', { timeout: 60_000 }, async (t) => {
  await world.visit(t, async ({ page, problems }) => {
    world.site.addPage('/closed-component', (collector, site) => `<!doctype html><html><head><meta charset="utf-8">
<script type="module" src="${collector}/leadtrail.js"></script>${leadFormComponent(collector, site)}</head>
<body><div id="slot"></div></body></html>`);
    await page.goto(`${world.site.url}/closed-component?utm_source=partner_t&utm_medium=cpc&utm_campaign=closed_root`);
    assert.equal(await trackerReady(page), true);
    const [request] = await Promise.all([
      page.waitForRequest((r) => r.method() === 'POST' && r.url().startsWith(`${world.collector.url}/f/`)),
      page.evaluate(() => {
        const form = Object.assign(document.createElement('lead-form'), { id: 'shadow-closed' });
        form.setAttribute('mode', 'closed');
        document.getElementById('slot').append(form);
        // observe() waits for the tracker: the submit comes a task later, as a visitor's would.
        setTimeout(() => form.send('closed@shadow-root.example'), 50);
      }),
    ]);
    await page.waitForURL(`${world.site.url}/thanks`);
    assert.equal(postedFields(request).lt_last_campaign, 'closed_root');
    const person = await world.api.person('closed@shadow-root.example');
    assert.deepEqual(sourceMediumCampaign(person.lead_generation), ['partner_t', 'cpc', 'closed_root']);
    assertNoProblems(problems);
  });
});

// A site's Content-Security-Policy must allow the collector's script, the fetch of the
// module (connect-src) and compiling it ('wasm-unsafe-eval'). Without the last one the
// tracker cannot run: the loader says so once, and the form still posts.
for (const [name, wasm, expectFields] of [
  ["without 'wasm-unsafe-eval'", '', false],
  ["with 'wasm-unsafe-eval'", " 'wasm-unsafe-eval'", true],
]) {
  test(`a Content-Security-Policy ${name}`, { timeout: 60_000 }, async (t) => {
    await world.visit(t, async ({ page, problems }) => {
      const warnings = [];
      page.on('console', (msg) => {
        if (msg.type() === 'warning') warnings.push(msg.text());
      });
      const policy = (collector) =>
        `default-src 'self'; script-src 'self' ${collector}${wasm}; connect-src 'self' ${collector}; form-action 'self' ${collector}`;
      world.site.addPage(
        '/csp',
        (collector, site) => `<!doctype html><html><head><meta charset="utf-8">
<script type="module" src="${collector}/leadtrail.js"></script></head><body>
<form id="signup" method="post" action="${collector}/f/csp-signup">
<input type="hidden" name="_redirect" value="${site}/thanks">
<input name="name"><input name="email" type="email"><button type="submit">Sign up</button></form></body></html>`,
        { 'Content-Security-Policy': policy(world.collector.url) },
      );
      await page.goto(`${world.site.url}/csp?utm_source=partner_u&utm_medium=email&utm_campaign=csp`);
      assert.equal(await trackerReady(page), true, 'ready resolves either way');
      const email = `csp${expectFields ? '-wasm' : ''}@policy.example`;
      const { fields } = await signUp(page, email);
      const mine = warnings.filter((text) => text.startsWith('leadtrail:'));
      if (expectFields) {
        assert.equal(fields.lt_last_campaign, 'csp');
        assert.deepEqual(mine, []);
        assertNoProblems(problems);
      } else {
        assert.deepEqual(contractFields(fields), [], 'no fields without the tracker');
        assert.equal(mine.length, 1, `one warning: ${JSON.stringify(warnings)}`);
        assert.match(mine[0], /'wasm-unsafe-eval'/);
        assert.match(mine[0], /script-src/);
        // Chromium reports the refused compile itself; nothing else may go wrong.
        const others = problems.consoleErrors.filter((text) => !/Content Security Policy|wasm-unsafe-eval/.test(text));
        assert.deepEqual({ ...problems, consoleErrors: others }, { pageErrors: [], consoleErrors: [], dialogs: [] });
      }
      assert.equal((await world.api.personsByEmail(email)).length, 1, 'the lead arrives');
    });
  });
}

test('the journey: 25 campaign visits keep 20 touches with the first; direct visits are not touches; lt_journey is posted and stored', { timeout: 120_000 }, async (t) => {
  await world.visit(t, async ({ page, problems }) => {
    // A direct first visit: the first interaction, the journey's first touch.
    await page.goto(`${world.site.url}/`);
    assert.equal(await trackerReady(page), true);
    for (let n = 1; n <= 25; n += 1) {
      await page.goto(`${world.site.url}/webinar?utm_source=s${n}&utm_medium=email&utm_campaign=c${n}`);
      assert.equal(await trackerReady(page), true);
      // A direct return and internal navigation add nothing.
      await page.goto(`${world.site.url}/`);
      assert.equal(await trackerReady(page), true);
    }
    await page.click('#nav-signup');
    await page.waitForURL(`${world.site.url}/signup`);
    assert.equal(await trackerReady(page), true);
    const stored = await page.evaluate(() => localStorage.getItem('leadtrail.journey'));
    const { fields } = await signUp(page, 'journey25@journeys.example');

    assert.equal(fields.lt_journey, stored, 'the field carries the stored journey');
    const parts = fields.lt_journey.split(',');
    assert.equal(parts[0], '1', 'versioned');
    assert.equal(parts.length, 21, 'the version and 20 touches');
    const sources = parts.slice(1).map((touch) => new URLSearchParams(touch).get('source'));
    assert.deepEqual(sources, ['(direct)', ...Array.from({ length: 19 }, (_, i) => `s${i + 7}`)]);
    assert.ok(fields.lt_journey.length <= 8_000, 'bounded in bytes');

    const person = await world.api.person('journey25@journeys.example');
    assert.equal(person.first_interaction.source, '(direct)');
    assert.equal(person.lead_generation.source, 's25');
    const journey = await world.api.get(`/api/v1/persons/${person.id}/journey`);
    assert.deepEqual(journey.touches.map((touch) => touch.touch.source), sources);
    assert.deepEqual(journey.touches.map((touch) => touch.touch.campaign).slice(1, 3), ['c7', 'c8']);
    assert.ok(journey.touches.every((touch) => touch.before_lead));
    assert.equal(journey.touches[1].touch.channel, 'email');
    assert.equal(journey.submissions.length, 1);
    assert.equal(journey.submissions[0].lead_generation, true);
    assertNoProblems(problems);
  });
});

// Real sites post their forms with libraries, not only with a plain form: htmx, jQuery
// (in a submit handler and in a button's click handler), Preact posting JSON, plain fetch
// with FormData; and sites with a Content-Security-Policy. Each page runs on another
// origin than the collector, with the libraries from npm; each test checks that the page
// saw success and that the lead arrived with its campaign, through the API.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { contractFields, postedFields, startWorld, submitForm, trackerReady } from './harness.mjs';
import { startLibrarySite } from './library-site.mjs';

let world;
let site;
before(async () => {
  world = await startWorld();
  site = await startLibrarySite(world.collector.url);
});
after(async () => {
  await site?.stop();
  await world?.close();
});

function assertNoProblems(problems, { allowConsoleErrors = () => false } = {}) {
  assert.deepEqual(problems.pageErrors, [], 'nothing thrown into the page');
  assert.deepEqual(problems.consoleErrors.filter((text) => !allowConsoleErrors(text)), [], 'no console errors');
  assert.deepEqual(problems.dialogs, [], 'no dialogs');
}

const campaignQuery = (campaign) => `utm_source=linkedin&utm_medium=paid_social&utm_campaign=${campaign}`;

/** Opens `path` with a campaign, fills the form, sends it with `submitSelector`, and
 * returns the post the browser sent and what the page showed. */
async function postWith(page, path, campaign, email, submitSelector = '#lead button') {
  await page.goto(`${site.url}${path}?${campaignQuery(campaign)}`);
  assert.equal(await trackerReady(page), true);
  await page.fill('input[name=name]', 'Library Visitor');
  await page.fill('input[name=email]', email);
  const [request] = await Promise.all([
    page.waitForRequest((r) => r.method() === 'POST' && r.url().startsWith(`${world.collector.url}/f/`)),
    page.click(submitSelector),
  ]);
  const result = page.locator('#result[data-status]');
  await result.waitFor();
  return { request, fields: postedFields(request), status: await result.getAttribute('data-status'), shown: await result.textContent() };
}

/** The lead is stored once, with the campaign the visitor came with, from `form`. */
async function assertLead(email, campaign, form) {
  const person = await world.api.person(email);
  assert.deepEqual(
    [person.lead_generation.source, person.lead_generation.medium, person.lead_generation.campaign],
    ['linkedin', 'paid_social', campaign],
  );
  const submissions = await world.api.submissions(person.id);
  assert.equal(submissions.length, 1);
  assert.equal(submissions[0].form, form);
  return { person, submission: submissions[0] };
}

test('htmx 2 posts across origins with its HX-* headers (preflight) and swaps the answer in', { timeout: 60_000 }, async (t) => {
  await world.visit(t, async ({ page, problems }) => {
    const email = 'htmx@libraries.example';
    const posted = await postWith(page, '/htmx', 'htmx_launch', email);
    assert.equal(posted.request.headers()['hx-request'], 'true', 'htmx sent its headers');
    assert.equal(posted.fields.lt_last_campaign, 'htmx_launch', 'the tracker filled the form htmx sent');
    assert.equal(posted.status, '201', 'htmx saw success');
    const answer = JSON.parse(posted.shown);
    const { person, submission } = await assertLead(email, 'htmx_launch', 'htmx-signup');
    assert.equal(answer.person_id, person.id);
    assert.equal(answer.submission_id, submission.id);
    assertNoProblems(problems);
  });
});

test('jQuery $.ajax in a submit handler (no dataType) sees success', { timeout: 60_000 }, async (t) => {
  await world.visit(t, async ({ page, problems }) => {
    const email = 'jquery-submit@libraries.example';
    const posted = await postWith(page, '/jquery-submit', 'jquery_submit', email);
    assert.match(posted.request.headers().accept, /^\*\/\*/, 'jQuery asked for anything');
    assert.equal(posted.fields.lt_last_source, 'linkedin', 'serialize() read the fields the tracker added');
    assert.equal(posted.status, '201', `jQuery saw success: ${posted.shown}`);
    await assertLead(email, 'jquery_submit', 'jquery-submit');
    assertNoProblems(problems);
  });
});

test("jQuery $.ajax in a button's click handler adds window.leadtrail.attribution()", { timeout: 60_000 }, async (t) => {
  await world.visit(t, async ({ page, problems }) => {
    const email = 'jquery-click@libraries.example';
    const posted = await postWith(page, '/jquery-click', 'jquery_click', email, '#send');
    assert.equal(posted.fields.lt_v, '1');
    assert.equal(posted.fields.lt_first_campaign, 'jquery_click');
    assert.equal(posted.status, '201', `jQuery saw success: ${posted.shown}`);
    await assertLead(email, 'jquery_click', 'jquery-click');
    assertNoProblems(problems);
  });
});

test('Preact posting JSON spreads window.leadtrail.attribution() into the body', { timeout: 60_000 }, async (t) => {
  await world.visit(t, async ({ page, problems }) => {
    const email = 'preact@libraries.example';
    const posted = await postWith(page, '/preact', 'preact_app', email);
    assert.equal(posted.request.headers()['content-type'], 'application/json');
    assert.equal(posted.fields.lt_last_campaign, 'preact_app');
    assert.equal(posted.fields.email, email);
    assert.equal(posted.status, '201');
    const { person } = await assertLead(email, 'preact_app', 'preact-signup');
    assert.equal(JSON.parse(posted.shown).person_id, person.id);
    assertNoProblems(problems);
  });
});

test('plain fetch with new FormData(form) gets the fields from the formdata event', { timeout: 60_000 }, async (t) => {
  await world.visit(t, async ({ page, problems }) => {
    const email = 'fetch-formdata@libraries.example';
    const posted = await postWith(page, '/fetch-formdata', 'fetch_formdata', email);
    assert.match(posted.request.headers()['content-type'], /^multipart\/form-data/);
    assert.equal(posted.fields.lt_last_medium, 'paid_social');
    assert.equal(posted.status, '201', `fetch saw success: ${posted.shown}`);
    await assertLead(email, 'fetch_formdata', 'fetch-formdata');
    assertNoProblems(problems);
  });
});

test("a CSP with the collector's script and 'wasm-unsafe-eval': the tracker works", { timeout: 60_000 }, async (t) => {
  await world.visit(t, async ({ page, problems }) => {
    const email = 'csp-with-wasm@libraries.example';
    await page.goto(`${site.url}/csp-with-wasm?${campaignQuery('csp_ok')}`);
    assert.equal(await trackerReady(page), true);
    assert.equal((await page.evaluate(() => window.leadtrail.attribution())).lt_last_campaign, 'csp_ok');
    await page.fill('input[name=email]', email);
    const posted = await submitForm(page, '#lead button', world.collector.url);
    await page.waitForURL(`${site.url}/thanks`);
    assert.equal(posted.response.status(), 303);
    assert.equal(posted.fields.lt_last_campaign, 'csp_ok');
    await assertLead(email, 'csp_ok', 'csp-with-wasm');
    assertNoProblems(problems);
  });
});

test("a CSP without 'wasm-unsafe-eval': the tracker cannot run and says so once, the form still posts", { timeout: 60_000 }, async (t) => {
  await world.visit(t, async ({ page, problems }) => {
    const warnings = [];
    page.on('console', (msg) => {
      if (msg.type() === 'warning') warnings.push(msg.text());
    });
    const email = 'csp-without-wasm@libraries.example';
    await page.goto(`${site.url}/csp-without-wasm?${campaignQuery('csp_blocked')}`);
    assert.equal(await trackerReady(page), true, 'ready resolves (never rejects) when the module cannot compile');
    assert.deepEqual(await page.evaluate(() => window.leadtrail.attribution()), {});
    await page.fill('input[name=email]', email);
    const posted = await submitForm(page, '#lead button', world.collector.url);
    await page.waitForURL(`${site.url}/thanks`);
    assert.equal(posted.response.status(), 303);
    assert.deepEqual(contractFields(posted.fields), [], 'no tracker, no lt_* fields');
    const person = await world.api.person(email);
    assert.equal((await world.api.submissions(person.id)).length, 1, 'the lead arrived');
    // A browser posting across origins sends only the site's origin as Referer: without
    // the tracker the campaign cannot be known.
    assert.notEqual(person.lead_generation.campaign, 'csp_blocked');
    // The site's developer is told once what the policy lacks (a debug line would go unseen).
    assert.equal(
      warnings.filter((w) => w.startsWith('leadtrail:') && w.includes("'wasm-unsafe-eval'")).length,
      1,
      `one warning naming the missing directive: ${JSON.stringify(warnings)}`,
    );
    // Chromium itself reports the refused compile as a console error; nothing else may be.
    assertNoProblems(problems, { allowConsoleErrors: (text) => /wasm-unsafe-eval|Content Security Policy/.test(text) });
  });
});

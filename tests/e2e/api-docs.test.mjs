// The API reference at /api/docs in Chromium: Swagger UI, served by the collector under the
// page's strict Content-Security-Policy, renders every operation of /api/v1/openapi.json
// and runs one on the session of the user who signed in; the app's pages link to it.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startWorld } from './harness.mjs';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

let world;
before(async () => {
  world = await startWorld();
});
after(async () => {
  await world?.close();
});

test('/api/docs renders the operations of the OpenAPI document and runs one', { timeout: 120_000 }, async (t) => {
  const { collector } = world;
  const document = await (await fetch(`${collector.url}/api/v1/openapi.json`)).json();
  const operations = Object.entries(document.paths)
    .flatMap(([path, item]) => METHODS.filter((m) => item[m]).map((m) => `${m.toUpperCase()} ${path}`))
    .sort();
  assert.ok(operations.includes('GET /api/v1/tiles/{tile}'), 'the document lists the tiles');

  for (const file of ['swagger-ui-bundle.js', 'swagger-ui.css']) {
    const res = await fetch(`${collector.url}/vendor/${file}`);
    assert.equal(res.status, 200, `${file} is served from the build output (cargo xtask copies it)`);
  }

  await world.visit(t, async ({ page, problems }) => {
    const violations = [];
    await page.exposeFunction('reportViolation', (v) => violations.push(v));
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) =>
        window.reportViolation(`${e.violatedDirective}: ${e.blockedURI}`));
    });
    await page.setViewportSize({ width: 1400, height: 1000 });
    await world.signIn(page, '/dashboard');
    const response = await page.goto(`${collector.url}/api/docs`);
    assert.equal(response.status(), 200);
    const csp = await page.getAttribute('meta[http-equiv="Content-Security-Policy"]', 'content');
    assert.match(csp, /script-src 'self';/);
    assert.match(csp, /style-src 'self';/);

    // Every operation of the document, each once, as the viewer lists them.
    await page.locator('.opblock').first().waitFor();
    await page.waitForFunction((n) => document.querySelectorAll('.opblock').length >= n, operations.length);
    const rendered = await page.$$eval('.opblock', (blocks) => blocks.map((b) => {
      const method = b.querySelector('.opblock-summary-method').textContent.trim();
      const path = b.querySelector('.opblock-summary-path').getAttribute('data-path');
      return `${method} ${path}`;
    }));
    assert.deepEqual([...new Set(rendered)].sort(), operations);

    // A call through the viewer, on the session (nothing typed into "Authorize").
    const tiles = page.locator('#operations-dashboards-list_tiles');
    await tiles.locator('.opblock-summary').click();
    await tiles.locator('button.try-out__btn').click();
    await tiles.locator('button.execute').click();
    const status = tiles.locator('.live-responses-table .response .response-col_status');
    await status.first().waitFor();
    assert.equal((await status.first().textContent()).trim(), '200');
    const body = await tiles.locator('.live-responses-table .response-col_description pre').first().textContent();
    assert.ok(body.includes('new-leads-by-channel'), body.slice(0, 200));

    assert.deepEqual(violations, [], 'nothing is refused by the page\'s CSP');
    assert.deepEqual(problems.pageErrors, []);
    assert.deepEqual(problems.consoleErrors, []);
  });
});

test('the app pages link to /api/docs', { timeout: 60_000 }, async (t) => {
  await world.visit(t, async ({ page }) => {
    await world.signIn(page, '/links');
    for (const pathname of ['/dashboard', '/people', '/links', '/account']) {
      await page.goto(`${world.collector.url}${pathname}`);
      // The shell's header, on every signed-in page.
      await page.locator('#app-header a[href="/api/docs"]').waitFor();
    }
  });
});

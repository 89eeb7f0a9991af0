// Accessibility and layout checks for the app's pages in the end-to-end tests: axe-core
// (the npm package) run in the page, the 390 px phone layout, and screenshots at a laptop's
// and a phone's width kept as test artifacts (and in docs/img/ for the pages the docs show).
//
// The pages' Content-Security-Policy allows scripts from the collector only, so axe is not
// added as a <script>: its source is evaluated through the browser's DevTools protocol
// (page.evaluate), which the policy does not govern.

import assert from 'node:assert/strict';
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { ARTIFACTS, REPO } from './harness.mjs';

const require = createRequire(import.meta.url);
const AXE_PATH = require.resolve('axe-core/axe.min.js');
const DOCS_IMAGES = path.join(REPO, 'docs', 'img');

/** A phone (an iPhone 12 to 15 in portrait) and a laptop. */
export const PHONE_WIDTH = 390;
export const DESKTOP_WIDTH = 1400;

let axeSource;

async function injectAxe(page) {
  const present = await page.evaluate(() => typeof window.axe === 'object');
  if (present) return;
  axeSource ??= await readFile(AXE_PATH, 'utf8');
  await page.evaluate(axeSource);
}

function describe(violations) {
  return violations
    .map((v) => {
      const nodes = v.nodes
        .slice(0, 8)
        .map((n) => `    - ${n.target.join(' ')}\n      ${(n.failureSummary || '').replace(/\n/g, '\n      ')}`)
        .join('\n');
      const more = v.nodes.length > 8 ? `\n    … and ${v.nodes.length - 8} more` : '';
      return `  ${v.id} (${v.impact}): ${v.help}\n    ${v.helpUrl}\n${nodes}${more}`;
    })
    .join('\n');
}

/**
 * Runs axe-core on the page as it is now (every rule axe runs by default: WCAG 2.x A and
 * AA, and its best practices) and fails with a readable list of what is wrong. `label`
 * names the page and state in the failure (`'/people, board view'`). `options.exclude`
 * (CSS selectors) leaves out parts that are not the app's (none so far).
 */
export async function expectNoViolations(page, label, { exclude = [] } = {}) {
  await injectAxe(page);
  const results = await page.evaluate(async (excluded) => {
    const context = excluded.length ? { include: [document], exclude: excluded.map((s) => [s]) } : document;
    const answer = await window.axe.run(context, { resultTypes: ['violations'] });
    return answer.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      helpUrl: v.helpUrl,
      nodes: v.nodes.map((n) => ({ target: n.target.map(String), failureSummary: n.failureSummary })),
    }));
  }, exclude);
  assert.equal(results.length, 0, `axe-core found ${results.length} kind(s) of violation on ${label}:\n${describe(results)}`);
}

async function withWidth(page, width, fn) {
  const before = page.viewportSize();
  const height = before?.height ?? 900;
  await page.setViewportSize({ width, height });
  try {
    // Layout and any resize handler (charts) settle within a couple of frames.
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    return await fn();
  } finally {
    if (before) await page.setViewportSize(before);
  }
}

/**
 * At 390 px wide the page does not scroll sideways: the document is no wider than the
 * window. A failure names the elements that reach past the right edge.
 */
export async function expectNoHorizontalScroll(page, { width = PHONE_WIDTH, label = page.url() } = {}) {
  const found = await withWidth(page, width, () =>
    page.evaluate(() => {
      const viewport = document.documentElement.clientWidth;
      const scrollWidth = Math.max(document.documentElement.scrollWidth, document.body.scrollWidth);
      const wide = [];
      if (scrollWidth > viewport) {
        for (const node of document.body.querySelectorAll('*')) {
          const box = node.getBoundingClientRect();
          if (box.width === 0 || box.right <= viewport + 0.5) continue;
          // Only the outermost culprits: a child of an element already listed says nothing new.
          if (wide.some((w) => w.node.contains(node))) continue;
          const name = node.tagName.toLowerCase() + (node.id ? `#${node.id}` : '') +
            (node.classList.length ? `.${[...node.classList].join('.')}` : '');
          wide.push({ node, text: `${name} reaches ${Math.round(box.right)} px` });
        }
      }
      return { viewport, scrollWidth, wide: wide.slice(0, 10).map((w) => w.text) };
    }),
  );
  assert.ok(
    found.scrollWidth <= found.viewport,
    `${label} scrolls sideways at ${width} px: the page is ${found.scrollWidth} px wide in a ` +
      `${found.viewport} px window\n  ${found.wide.join('\n  ')}`,
  );
}

/**
 * Saves full-page screenshots of the page at 1400 px and 390 px wide as
 * tests/e2e/artifacts/<name>-1400.png and <name>-390.png; with `docs: true` also as
 * docs/img/<name>.png and docs/img/<name>-390.png (for the pages the docs show).
 * `fullPage: false` keeps the window's height only (what a reader sees first).
 * Resolves with the artifact paths.
 */
export async function screenshots(page, name, { docs = false, fullPage = true } = {}) {
  await mkdir(ARTIFACTS, { recursive: true });
  const files = [];
  for (const width of [DESKTOP_WIDTH, PHONE_WIDTH]) {
    const file = path.join(ARTIFACTS, `${name}-${width}.png`);
    await withWidth(page, width, () => page.screenshot({ path: file, fullPage }));
    files.push(file);
  }
  if (docs) {
    await mkdir(DOCS_IMAGES, { recursive: true });
    await copyFile(files[0], path.join(DOCS_IMAGES, `${name}.png`));
    await copyFile(files[1], path.join(DOCS_IMAGES, `${name}-390.png`));
  }
  return files;
}

/**
 * Text on the page that looks like a catalogue key the shell could not find (`people.title`,
 * `common.save`): `t()` answers a missing key with the key itself. Checks text and the
 * attributes people read (aria-label, placeholder, title, alt, value of buttons).
 */
export async function rawKeysShown(page, areas) {
  return page.evaluate((names) => {
    const key = new RegExp(`^(?:${names.join('|')})\\.[a-z0-9_]+$`);
    const found = new Set();
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.textContent.trim();
      if (key.test(text)) found.add(text);
    }
    for (const el of document.querySelectorAll('[aria-label], [placeholder], [title], [alt], input[type="button"], input[type="submit"]')) {
      for (const attr of ['aria-label', 'placeholder', 'title', 'alt', 'value']) {
        const value = el.getAttribute(attr)?.trim();
        if (value && key.test(value)) found.add(`${attr}="${value}"`);
      }
    }
    if (key.test(document.title.trim())) found.add(`<title>${document.title}`);
    return [...found];
  }, areas);
}

/** The top-level areas of the English catalogue (`common`, `nav`, `people`, …). */
export async function catalogueAreas() {
  const en = JSON.parse(await readFile(path.join(REPO, 'www', 'app', 'i18n', 'en.json'), 'utf8'));
  return Object.keys(en);
}

/** Fails when the page shows a catalogue key instead of its text. */
export async function expectNoRawKeys(page, label = page.url()) {
  const shown = await rawKeysShown(page, await catalogueAreas());
  assert.deepEqual(shown, [], `${label} shows catalogue keys instead of texts: ${shown.join(', ')}`);
}

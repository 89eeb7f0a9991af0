// The app's texts: one catalogue per language (www/app/i18n/en.json, nb.json, nl.json),
// nested by area. Every key is in every catalogue with the same placeholders, every text
// is a non-empty string, and every key the pages name literally (t('area.key') in
// www/app/*.js, data-i18n and data-i18n-attr in www/*.html) exists, itself or as plural
// forms (`key_one`, `key_other`). No browser needed.

import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { REPO } from './harness.mjs';

const LANGUAGES = ['en', 'nb', 'nl'];
const I18N = path.join(REPO, 'www', 'app', 'i18n');

async function catalogue(lang) {
  const text = await readFile(path.join(I18N, `${lang}.json`), 'utf8');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`www/app/i18n/${lang}.json is not JSON: ${error.message}`);
  }
}

/** `{ 'area.key': text }` of a catalogue; areas are objects of texts. */
function flatten(lang, tree) {
  const flat = new Map();
  for (const [area, texts] of Object.entries(tree)) {
    assert.ok(texts && typeof texts === 'object' && !Array.isArray(texts), `${lang}: area ${area} is not an object`);
    for (const [key, text] of Object.entries(texts)) {
      assert.match(key, /^[a-z0-9_]+$/, `${lang}: ${area}.${key}: keys are flat snake_case`);
      flat.set(`${area}.${key}`, text);
    }
  }
  return flat;
}

const placeholders = (text) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

/** The keys in `a` that `b` lacks, as `key (in x, not in y)`. */
function missing(a, aName, b, bName) {
  return [...a.keys()].filter((k) => !b.has(k)).map((k) => `${k} (in ${aName}, not in ${bName})`);
}

test('every key is in every catalogue, with the same placeholders and a text', async () => {
  const flat = {};
  const areas = {};
  for (const lang of LANGUAGES) {
    const tree = await catalogue(lang);
    areas[lang] = Object.keys(tree).sort();
    flat[lang] = flatten(lang, tree);
  }
  for (const lang of LANGUAGES.slice(1)) {
    assert.deepEqual(areas[lang], areas.en, `the areas of ${lang}.json differ from en.json's`);
  }
  const gaps = [];
  for (const a of LANGUAGES) {
    for (const b of LANGUAGES) {
      if (a !== b) gaps.push(...missing(flat[a], `${a}.json`, flat[b], `${b}.json`));
    }
  }
  assert.deepEqual(gaps, [], `keys missing from a catalogue:\n  ${gaps.join('\n  ')}`);

  const wrong = [];
  for (const [key, en] of flat.en) {
    for (const lang of LANGUAGES) {
      const text = flat[lang].get(key);
      if (typeof text !== 'string' || text.trim() === '') {
        wrong.push(`${lang}: ${key} is not a non-empty string`);
      } else if (placeholders(text).join() !== placeholders(en).join()) {
        wrong.push(`${lang}: ${key} has {${placeholders(text).join('}, {')}} where en has {${placeholders(en).join('}, {')}}`);
      }
    }
  }
  assert.deepEqual(wrong, [], wrong.join('\n'));
});

test('the test above fails on a key that one catalogue lacks', () => {
  const en = flatten('en', { common: { save: 'Save', cancel: 'Cancel' } });
  const nb = flatten('nb', { common: { save: 'Lagre' } });
  assert.deepEqual(missing(en, 'en.json', nb, 'nb.json'), ['common.cancel (in en.json, not in nb.json)']);
  assert.deepEqual(missing(nb, 'nb.json', en, 'en.json'), []);
});

test('every key the pages name literally is in the catalogues', async () => {
  const en = flatten('en', await catalogue('en'));
  const named = new Map();
  const note = (key, where) => {
    if (!named.has(key)) named.set(key, where);
  };
  const app = path.join(REPO, 'www', 'app');
  for (const file of (await readdir(app)).filter((f) => f.endsWith('.js'))) {
    const source = await readFile(path.join(app, file), 'utf8');
    for (const m of source.matchAll(/\bt\(\s*'([a-z0-9_]+\.[a-z0-9_]+)'/g)) note(m[1], `www/app/${file}`);
  }
  const www = path.join(REPO, 'www');
  for (const file of (await readdir(www)).filter((f) => f.endsWith('.html'))) {
    const html = await readFile(path.join(www, file), 'utf8');
    for (const m of html.matchAll(/data-i18n="([^"]+)"/g)) note(m[1], `www/${file}`);
    for (const m of html.matchAll(/data-i18n-attr="([^"]+)"/g)) {
      for (const pair of m[1].split(';')) {
        const key = pair.split(':')[1]?.trim();
        if (key) note(key, `www/${file}`);
      }
    }
  }
  assert.ok(named.size > 0, 'no page names a key: the scan is broken');
  // A text with plural forms is `key_one` / `key_other` (t picks one by `count`).
  const known = (key) => en.has(key) || en.has(`${key}_other`);
  const unknown = [...named].filter(([key]) => !known(key)).map(([key, where]) => `${key} (${where})`);
  assert.deepEqual(unknown, [], `keys named by the pages but in no catalogue:\n  ${unknown.join('\n  ')}`);
});

// Every translation key exists in every language, no value is empty, and every namespace has both files.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const I18N = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src/i18n');
const LANGUAGES = ['en', 'ko'];

/** `{ a: { b: 'x' } }` → `{ 'a.b': 'x' }`. */
function flatten(value: unknown, prefix = '', out: Record<string, unknown> = {}): Record<string, unknown> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else out[prefix] = value;
  return out;
}
function load(lang: string): Record<string, Record<string, unknown>> {
  const dir = path.join(I18N, lang);
  return Object.fromEntries(
    readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => [f.replace(/\.json$/, ''), flatten(JSON.parse(readFileSync(path.join(dir, f), 'utf8')))]),
  );
}

/** What is wrong with the translations: keys in one language only, empty or non-string values, missing files. */
export function problems(bundles: Record<string, Record<string, Record<string, unknown>>>): string[] {
  const out: string[] = [];
  const namespaces = new Set(Object.values(bundles).flatMap((b) => Object.keys(b)));
  for (const ns of namespaces) {
    for (const lang of Object.keys(bundles)) if (!bundles[lang][ns]) out.push(`${lang}/${ns}.json is missing`);
    const keys = new Set(Object.keys(bundles).flatMap((lang) => Object.keys(bundles[lang][ns] ?? {})));
    for (const key of keys) {
      for (const lang of Object.keys(bundles)) {
        if (!bundles[lang][ns]) continue;
        const v = bundles[lang][ns][key];
        if (v === undefined) out.push(`${lang}/${ns}.json lacks "${key}"`);
        else if (typeof v !== 'string' || v.trim() === '') out.push(`${lang}/${ns}.json "${key}" is empty or not text`);
      }
    }
  }
  return out;
}

describe('i18n', () => {
  const bundles = Object.fromEntries(LANGUAGES.map((l) => [l, load(l)]));

  it('has the same keys in English and Korean, none empty', () => {
    assert.deepEqual(problems(bundles), []);
  });

  it('has the shared namespaces and one per screen', () => {
    for (const ns of ['common', 'auth', 'nav', 'settings', 'dashboard', 'events', 'users', 'worlds', 'maintenance', 'whitelist', 'clientVersions', 'notices', 'apiKeys', 'webhooks', 'audit', 'monitoring']) {
      assert.ok(bundles.en[ns], `en/${ns}.json`);
    }
  });

  it('the check catches a key missing in one language and an empty value', () => {
    const broken = structuredClone(bundles);
    delete broken.ko.common['appName'];
    broken.en.auth['title'] = ' ';
    const found = problems(broken);
    assert.ok(found.includes('ko/common.json lacks "appName"'), found.join('\n'));
    assert.ok(found.includes('en/auth.json "title" is empty or not text'), found.join('\n'));
  });

  it('translates the console_forbidden sign-in refusal in both languages', () => {
    assert.equal(bundles.en.auth['consoleForbidden'], 'Players cannot sign in to the console');
    assert.ok(String(bundles.ko.auth['consoleForbidden']).length > 0);
  });
});

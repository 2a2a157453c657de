/**
 * i18next with English and Korean. One JSON file per namespace per language: src/i18n/<lang>/<namespace>.json
 * (common, auth, nav, settings, and one per screen, loaded with its screen). A new namespace is a new pair of files;
 * nothing to register.
 * test/i18n.test.ts fails when a key exists in one language only or a value is empty.
 */
import i18n, { type BackendModule, type ResourceKey } from 'i18next';
import { initReactI18next } from 'react-i18next';

export const LANGUAGES = ['en', 'ko'] as const;
export type Language = (typeof LANGUAGES)[number];
const STORAGE_KEY = 'gatrix.language';

/** What the sign-in page and the shell need before any screen: in the initial bundle. */
const SHELL_NAMESPACES = ['common', 'auth', 'nav', 'settings'];
const files = import.meta.glob<{ default: Record<string, unknown> }>('./*/{common,auth,nav,settings}.json', { eager: true });
// A screen's namespace is its own chunk, loaded with the screen (useTranslation suspends until it is there): the
// initial JS does not grow with every screen's texts.
const screenFiles = import.meta.glob<{ default: Record<string, unknown> }>(['./*/*.json', '!./*/{common,auth,nav,settings}.json']);
const resources: Record<string, Record<string, Record<string, unknown>>> = {};
for (const [path, mod] of Object.entries(files)) {
  const m = /^\.\/(\w+)\/(\w+)\.json$/.exec(path);
  if (!m) continue;
  (resources[m[1]] ??= {})[m[2]] = mod.default;
}

const screenBackend: BackendModule = {
  type: 'backend',
  init: () => undefined,
  read(language, namespace, callback) {
    const load = screenFiles[`./${language}/${namespace}.json`];
    if (!load) return callback(null, {});
    load().then(
      (mod) => callback(null, mod.default as ResourceKey),
      (err: unknown) => callback(err instanceof Error ? err : new Error(String(err)), null),
    );
  },
};

function initialLanguage(): Language {
  const saved = typeof localStorage !== 'undefined' ? localStorage.getItem(STORAGE_KEY) : null;
  if (saved && (LANGUAGES as readonly string[]).includes(saved)) return saved as Language;
  const nav = typeof navigator !== 'undefined' ? navigator.language.slice(0, 2) : 'en';
  return nav === 'ko' ? 'ko' : 'en';
}

void i18n
  .use(screenBackend)
  .use(initReactI18next)
  .init({
    resources,
    partialBundledLanguages: true,
    lng: initialLanguage(),
    fallbackLng: 'en',
    ns: SHELL_NAMESPACES,
    defaultNS: 'common',
    interpolation: { escapeValue: false },
    returnNull: false,
  });
document.documentElement.lang = i18n.language;

/** Switches the language and remembers it (localStorage). */
export function setLanguage(lang: Language): void {
  localStorage.setItem(STORAGE_KEY, lang);
  void i18n.changeLanguage(lang);
  document.documentElement.lang = lang;
}

export default i18n;

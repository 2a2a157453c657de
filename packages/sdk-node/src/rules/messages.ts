/** Messages in several languages: BCP-47 tag → text. */
export type MessagesMap = Record<string, string>;

/** The key of `messages` that serves `lang`: the exact tag, else its language (`ko` for `ko-KR`), else none. */
export function pickLanguage(messages: Readonly<Record<string, unknown>>, lang: string | undefined): string | undefined {
  if (!lang) return undefined;
  const lower = lang.toLowerCase();
  const keys = Object.keys(messages);
  const base = lower.split('-')[0];
  return (
    keys.find((k) => k.toLowerCase() === lower) ??
    keys.find((k) => k.toLowerCase() === base) ??
    keys.find((k) => k.toLowerCase().split('-')[0] === base)
  );
}

/** The message for `lang`, falling back to the default message, then to any message. */
export function localized(message: string | null, messages: MessagesMap, lang: string | undefined): string | null {
  const key = pickLanguage(messages, lang);
  return key !== undefined ? messages[key] : (message ?? Object.values(messages)[0] ?? null);
}

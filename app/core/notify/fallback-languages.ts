/**
 * What the publish form tells the publisher about languages (issue 16, item 2): which readers of
 * the audience get the notice in their own language, and which get the source's title and summary
 * with a note. Pure.
 */
import { NOTICE_LANGUAGES, noticeLanguage } from "./messages";

export type AudienceLanguage = {
  /** The language (the catalogue's, or the subscribers' own when it has no catalogue). */
  language: string;
  subscribers: number;
  /** The surrounding words are in this language (else English). */
  catalogue: boolean;
  /** Title and summary come from a published translation (else the source, with a note). */
  translated: boolean;
};

export function audienceLanguages(
  documentLocale: string,
  locales: { locale: string; subscribers: number }[],
  translatedLocales: string[],
): AudienceLanguage[] {
  const source = documentLocale.split(/[-_]/)[0].toLowerCase();
  const translated = new Set(translatedLocales.map((l) => l.split(/[-_]/)[0].toLowerCase()));
  const byLanguage = new Map<string, AudienceLanguage>();
  for (const { locale, subscribers } of locales) {
    const language = locale.split(/[-_]/)[0].toLowerCase();
    const entry = byLanguage.get(language) ?? {
      language,
      subscribers: 0,
      catalogue:
        (NOTICE_LANGUAGES as readonly string[]).includes(noticeLanguage(locale)) &&
        noticeLanguage(locale) === language,
      translated: language === source || translated.has(language),
    };
    entry.subscribers += subscribers;
    byLanguage.set(language, entry);
  }
  return [...byLanguage.values()].sort(
    (a, b) => b.subscribers - a.subscribers || a.language.localeCompare(b.language),
  );
}

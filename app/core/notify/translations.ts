/**
 * Which published translation speaks for a notice (issue 16, item 2). A translation is its own
 * document (`translationOfId`); its first version records the source version it translates
 * (`basedOnVersionId`), later ones only their own predecessor. Pure.
 */

/** A published version of a translation document, as the model reads it. */
export type TranslationCandidate = {
  locale: string;
  title: string;
  number: number;
  summary: string | null;
  publishedAt: string;
  /** The version it was based on, and that version's document. */
  basedOnVersionId: number | null;
  basedOnDocumentId: number | null;
};

export type NoticeTranslation = { locale: string; title: string; summary: string; number: number };

/**
 * Per locale, the translation of source version `source`: a published translation version that
 * names it as its basis, or — when it names no source version — one published at or after it
 * (the same rule the public page uses for "this translation may be outdated"). One based on another
 * source version never speaks for this one. It must carry a summary: a notice without one in the
 * reader's language falls back to the source.
 */
export function pickTranslations(
  source: { documentId: number; versionId: number; publishedAt: string },
  candidates: TranslationCandidate[],
): Map<string, NoticeTranslation> {
  const picked = new Map<string, NoticeTranslation>();
  for (const c of candidates) {
    const summary = c.summary?.trim();
    if (!summary) continue;
    const fits =
      c.basedOnVersionId === source.versionId ||
      (c.basedOnDocumentId !== source.documentId && c.publishedAt >= source.publishedAt);
    if (!fits) continue;
    const best = picked.get(c.locale);
    if (!best || c.number > best.number) {
      picked.set(c.locale, { locale: c.locale, title: c.title, summary, number: c.number });
    }
  }
  return picked;
}

/** The translation for a subscriber's locale: exact locale first ("pt-BR"), then its language. */
export function translationFor(
  translations: ReadonlyMap<string, NoticeTranslation>,
  locale: string,
): NoticeTranslation | null {
  const exact = [...translations.values()].find((t) => t.locale.toLowerCase() === locale.toLowerCase());
  if (exact) return exact;
  const language = locale.split(/[-_]/)[0].toLowerCase();
  return [...translations.values()].find((t) => t.locale.split(/[-_]/)[0].toLowerCase() === language) ?? null;
}

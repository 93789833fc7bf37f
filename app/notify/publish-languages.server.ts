/** The publish form's language facts (issue 16, item 2): who reads the notice in which language. */

import type { Document } from "../../db/tables";
import type { AudienceLanguage } from "../core/notify/fallback-languages";
import { audienceLanguages } from "../core/notify/fallback-languages";
import { listRelatedDocuments } from "../models/documents.server";
import { audienceLocales } from "../models/notice-translations.server";

export type PublishLanguages = {
  sourceLocale: string;
  /** Every active subscriber, by language; the version being published has no translation yet. */
  languages: AudienceLanguage[];
  /** Locales with a translation document: their banner switches once its version is published. */
  translationLocales: string[];
};

export async function publishLanguages(document: Document): Promise<PublishLanguages> {
  const related = await listRelatedDocuments(document);
  return {
    sourceLocale: document.locale,
    languages: audienceLanguages(document.locale, await audienceLocales(null), []),
    translationLocales: related.filter((d) => d.translationOfId === document.id).map((d) => d.locale),
  };
}

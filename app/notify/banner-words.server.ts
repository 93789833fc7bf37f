/**
 * The banner's words in the reader's language (issue 16, item 2): the translation's title and
 * summary when one is published, else the source's with a one-line note, and every label from the
 * message catalogues. Formatted here so that /embed/notices.js stays a small script without a
 * message library.
 */
import { calendarDate, noticeMessages } from "../core/notify/messages";
import { translationFor } from "../core/notify/translations";
import type { PendingNotice } from "../models/acknowledgements.server";
import { noticeTranslations } from "../models/notice-translations.server";

export type BannerNotice = PendingNotice & {
  /** The language of the words below, and whether title and summary are a translation. */
  language: string;
  translated: boolean;
  text: {
    region: string;
    heading: string;
    effective: string;
    whatChanged: string;
    readPolicy: string;
    /** "I acknowledge" when acknowledgement is required, else "Dismiss". */
    button: string;
    thanks: string;
    retry: string;
    /** The one-line note when the reader's language has no translation; null otherwise. */
    untranslated: string | null;
  };
};

export async function bannerNotices(notices: PendingNotice[], locale: string): Promise<BannerNotice[]> {
  const messages = noticeMessages(locale);
  const { t, language, languageName } = messages;
  return Promise.all(
    notices.map(async (notice) => {
      const translation = translationFor(await noticeTranslations(notice.id), locale);
      const title = translation?.title ?? notice.title;
      const sameLanguage = notice.locale.split(/[-_]/)[0].toLowerCase() === language;
      return {
        ...notice,
        title,
        summary: translation?.summary ?? notice.summary,
        language,
        translated: !!translation,
        text: {
          region: t("bannerRegion"),
          heading: t("bannerTitle", { title }),
          effective: t("bannerEffective", { date: calendarDate(notice.effectiveAt) }),
          whatChanged: t("bannerWhatChanged"),
          readPolicy: t("bannerReadPolicy"),
          button: t(notice.requiresAck ? "acknowledge" : "dismiss"),
          thanks: t("thanks", { title }),
          retry: t("retry"),
          untranslated:
            translation || sameLanguage
              ? null
              : t("untranslated", { language: languageName(language), source: languageName(notice.locale) }),
        },
      };
    }),
  );
}

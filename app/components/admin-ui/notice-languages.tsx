/**
 * Part of the publish form (issue 16, item 2), kept in its own file: which readers get the notice
 * in their language and which get the source's title and summary with a one-line note.
 */
import type { AudienceLanguage } from "~/core/notify/fallback-languages";
import { languageName } from "~/core/public/locales";

export function NoticeLanguages({
  sourceLocale,
  languages,
  translationLocales,
}: {
  sourceLocale: string;
  languages: AudienceLanguage[];
  translationLocales: string[];
}) {
  const fallBack = languages.filter((l) => !l.translated);
  if (languages.length === 0) return null;
  const label = (l: AudienceLanguage) => `${languageName(l.language)} (${l.subscribers})`;
  return (
    <div className="help notice-languages" data-testid="notice-languages">
      <p>
        Readers in {languageName(sourceLocale)} get this summary as written.
        {fallBack.length > 0 ? (
          <>
            {" "}
            These readers get it in {languageName(sourceLocale)}, with a one-line note in their language:{" "}
            <strong>{fallBack.map(label).join(", ")}</strong>.
          </>
        ) : null}
      </p>
      {fallBack.some((l) => !l.catalogue) ? (
        <p>
          Buttons and dates are in English for:{" "}
          {fallBack
            .filter((l) => !l.catalogue)
            .map((l) => languageName(l.language))
            .join(", ")}
          .
        </p>
      ) : null}
      {translationLocales.length > 0 ? (
        <p>
          Translations exist in {translationLocales.map(languageName).join(", ")}: once their version for this
          change is published with a summary, the banner and emails not yet sent use it.
        </p>
      ) : null}
    </div>
  );
}

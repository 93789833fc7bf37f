import { displayTextProblem } from "./display-text";
import { isLocale, isSlug, LOCALE_RULE, SLUG_RULE } from "./identifiers";
import { Refusal } from "./refusal";

/** Longest document title (the admin form's limit, and what fits a page heading and an email subject). */
const MAX_TITLE_LENGTH = 200;

/**
 * Checks what names a new document — the one slug rule, the one locale rule, a title of 1–200
 * characters without control or text-direction characters — for every way in: command line,
 * workspace, first start. Returns the title trimmed; refuses ("invalid") saying which rule failed.
 */
export function checkNewDocument({
  slug,
  locale,
  title,
}: {
  slug: string;
  locale: string;
  title: string;
}): string {
  if (!isSlug(slug)) throw new Refusal("invalid", `"${slug.slice(0, 120)}" is not a slug: use ${SLUG_RULE}`);
  if (!isLocale(locale)) throw new Refusal("invalid", `"${locale.slice(0, 40)}" is not ${LOCALE_RULE}`);
  const trimmed = title.trim();
  if (!trimmed || trimmed.length > MAX_TITLE_LENGTH) {
    throw new Refusal("invalid", `the title must be 1–${MAX_TITLE_LENGTH} characters`);
  }
  const problem = displayTextProblem("the title", trimmed);
  if (problem) throw new Refusal("invalid", problem);
  return trimmed;
}

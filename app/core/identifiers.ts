/**
 * The one rule for a document's slug and for a language tag, shared by the command line, the admin
 * forms, the models, the public routes and the response cache: a slug that can be stored can be
 * reached, and a slug that cannot be reached is never stored. Pure, safe for the browser.
 */

/** Longest slug: it is a path segment of every public URL. */
export const MAX_SLUG_LENGTH = 100;
/** The slug's shape without anchors or length, for an HTML `pattern` attribute or a larger expression. */
export const SLUG_SHAPE = "[a-z0-9]+(?:-[a-z0-9]+)*";
const SLUG_PATTERN = new RegExp(`^${SLUG_SHAPE}$`);
/** What a slug may be, in words, for error messages. */
export const SLUG_RULE = `lowercase letters, digits and single dashes, at most ${MAX_SLUG_LENGTH} characters`;

/**
 * Whether `value` is a slug: lowercase letters, digits and single dashes, 1–100 characters.
 * @example isSlug("privacy") // true
 * @example isSlug("Privacy Policy") // false
 */
export function isSlug(value: unknown): boolean {
  return typeof value === "string" && value.length <= MAX_SLUG_LENGTH && SLUG_PATTERN.test(value);
}

/** Longest language tag (BCP 47 allows longer ones; no policy needs them). */
export const MAX_LOCALE_LENGTH = 35;
/** A language tag's shape: a lowercase language, then subtags ("de", "pt-BR", "zh-Hant-TW"). */
export const LOCALE_SHAPE = "[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*";
const LOCALE_PATTERN = new RegExp(`^${LOCALE_SHAPE}$`);
/** What a language tag may be, in words, for error messages. */
export const LOCALE_RULE = `a language tag such as "en" or "pt-BR" (at most ${MAX_LOCALE_LENGTH} characters)`;
export const DEFAULT_LOCALE = "en";

/**
 * Whether `value` is a language tag as documents, subscribers and `?lang=` use them.
 * @example isLocale("pt-BR") // true
 * @example isLocale("EN") // false
 */
export function isLocale(value: unknown): boolean {
  return typeof value === "string" && value.length <= MAX_LOCALE_LENGTH && LOCALE_PATTERN.test(value);
}

/**
 * A positive whole number as written in a URL or on the command line — an id, a version number,
 * a paging cursor: digits without sign, leading zero, exponent or spaces, at most 10 of them
 * (more than any table here holds, and never long enough to lose precision). Null for anything
 * else, which names nothing: the caller answers "not found" or "invalid" as it sees fit.
 * @example parsePositiveInteger("12") // 12
 * @example parsePositiveInteger("012") // null
 */
export function parsePositiveInteger(value: string | null | undefined): number | null {
  return typeof value === "string" && /^[1-9]\d{0,9}$/.test(value) ? Number(value) : null;
}

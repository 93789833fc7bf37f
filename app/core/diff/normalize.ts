// Text normalisation shared by alignment, formatting detection and the materiality heuristics.

const SINGLE_QUOTES = /[\u2018\u2019\u201a\u201b\u2032\u0060\u00b4]/g;
const DOUBLE_QUOTES = /[\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb]/g;
const DASHES = /[\u2010-\u2015\u2212]/g;
const NON_ASCII = /\P{ASCII}/u;
/**
 * Runs of the spaces collapseWhitespace folds (\s, no-break, en/em and zero-width spaces) that are not
 * already one plain space: two or more of them, or one other than " ". Replacing every single space
 * by itself rebuilds the whole string for nothing; the result is the same as replacing every run.
 */
const SPACES_TO_FOLD =
  /[\s\u00a0\u2000-\u200b\u202f\u205f\u3000]{2,}|[\t\n\v\f\r\u00a0\u1680\u2000-\u200b\u2028\u2029\u202f\u205f\u3000\ufeff]/g;

/** Same typography, same text: curly quotes, dash variants and odd spaces become their plain forms. */
export function normalizeTypography(text: string): string {
  // Plain ASCII needs none of this; skipping it keeps block extraction cheap on long documents.
  if (!NON_ASCII.test(text)) return text;
  return text
    .normalize("NFKC")
    .replace(SINGLE_QUOTES, "'")
    .replace(DOUBLE_QUOTES, '"')
    .replace(DASHES, "-")
    .replace(/\u2026/g, "...");
}

export function collapseWhitespace(text: string): string {
  return text.replace(SPACES_TO_FOLD, " ").trim();
}

/**
 * Removes punctuation, except between digits: "1.5" and "15", or "1,000" and "1000", are not the same
 * number, so those marks stay.
 */
const PUNCTUATION_NOT_IN_NUMBER = /(?<!\d)\p{P}|\p{P}(?!\d)/gu;
/** The same for ASCII text (the ASCII members of \p{P}), several times faster than the Unicode class. */
const ASCII_PUNCTUATION_NOT_IN_NUMBER =
  /(?<!\d)[!"#%&'()*,\-./:;?@[\\\]_{}]|[!"#%&'()*,\-./:;?@[\\\]_{}](?!\d)/g;

function stripPunctuation(text: string): string {
  const pattern = NON_ASCII.test(text) ? PUNCTUATION_NOT_IN_NUMBER : ASCII_PUNCTUATION_NOT_IN_NUMBER;
  return collapseWhitespace(text.replace(pattern, " "));
}

// The same numbering headingAnchor() ignores: "5.", "5.1", "V.", "Section 5:", "§ 5", "(a)".
const LEADING_NUMBER =
  /^\s*(?:(?:section|article|clause|part)\s+)?(?:§\s*)?(?:\d+(?:\.\d+)*[.):]?|\(?[ivxlcdm]+[.):]|\(?[a-z][.):])\s+/i;

/** "5. Data Sharing" → "Data Sharing"; text without a number comes back unchanged. */
export function stripHeadingNumber(text: string): string {
  const stripped = text.replace(LEADING_NUMBER, "");
  return stripped.trim() === "" ? text : stripped;
}

/** The text compared when formatting does not count: typography, whitespace and punctuation ignored. */
export function looseText(text: string): string {
  return stripPunctuation(normalizeTypography(text));
}

/** Lowercase words (letters and digits) for similarity and search. */
export function words(text: string): string[] {
  const lower = text.toLowerCase();
  // The ASCII pattern is several times faster than Unicode property classes on long documents.
  if (!NON_ASCII.test(lower)) return lower.match(/[a-z0-9]+/g) ?? [];
  return normalizeTypography(lower).match(/[\p{L}\p{N}]+/gu) ?? [];
}

/**
 * Runs of non-word characters other than a lone " ", which is the most common run by far and is
 * already its own replacement: the same result as replacing every run, with a fraction of the matches.
 * A run starting with a space needs a second character to match, so it is matched from its start.
 */
const ASCII_SEPARATORS_TO_FOLD = / ?[^a-z0-9 ][^a-z0-9]*| {2,}[^a-z0-9]*/g;
const NON_ASCII_BEYOND_PUNCTUATION = /[^\p{ASCII}\u00a0\u00ab\u00bb\u2000-\u206f]/u;
const SEPARATORS_TO_FOLD = / ?[^\p{L}\p{N} ][^\p{L}\p{N}]*| {2,}[^\p{L}\p{N}]*/gu;

/**
 * Lowercase words joined by single spaces, in one pass: the formatting-insensitive form used as an
 * alignment key.
 */
export function wordKey(text: string): string {
  const lower = text.toLowerCase();
  // Non-ASCII that is only no-break spaces, guillemets and general punctuation (curly quotes,
  // dashes, odd spaces; no letter or digit among them) separates words like ASCII punctuation does.
  if (!NON_ASCII_BEYOND_PUNCTUATION.test(lower)) return lower.replace(ASCII_SEPARATORS_TO_FOLD, " ").trim();
  // Most non-ASCII in policies is quotes, dashes and spaces, which are separators anyway: only text
  // with non-ASCII letters or digits left pays for Unicode normalisation.
  const stripped = lower.replace(SEPARATORS_TO_FOLD, " ").trim();
  if (!NON_ASCII.test(stripped)) return stripped;
  return normalizeTypography(lower).replace(SEPARATORS_TO_FOLD, " ").trim();
}

/** Number of words a reader would count in a text. */
export function countWords(text: string): number {
  return text.match(/[\p{L}\p{N}]+(?:['’][\p{L}]+)*/gu)?.length ?? 0;
}

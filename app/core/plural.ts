/**
 * A count with its noun in the right form, by the locale's plural rules (Intl.PluralRules), so that
 * the workspace never says "1 batches". The workspace's text is English; the forms are given per
 * plural category, "other" being required. Pure, safe for the browser.
 * @example countOf(1, { one: "batch", other: "batches" }) // "1 batch"
 */
export function countOf(
  count: number,
  forms: Partial<Record<Intl.LDMLPluralRule, string>> & { other: string },
  locale = "en",
): string {
  const category = new Intl.PluralRules(locale).select(count);
  return `${count} ${forms[category] ?? forms.other}`;
}

/** "1 word", "2 words". */
export const WORDS = { one: "word", other: "words" } as const;

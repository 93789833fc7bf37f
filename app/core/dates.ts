/** Calendar dates (YYYY-MM-DD, UTC) as the policy world uses them: "Last updated", "Effective". */

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Whether `value` is a real calendar date written YYYY-MM-DD (2026-02-30 is not). */
export function isIsoDate(value: string): boolean {
  const match = ISO_DATE.exec(value);
  if (!match) return false;
  const date = new Date(Date.UTC(+match[1], +match[2] - 1, +match[3]));
  return date.toISOString().slice(0, 10) === value;
}

/** The UTC calendar date of an instant. */
export function isoDateOf(instant: Date): string {
  return instant.toISOString().slice(0, 10);
}

/** `date` plus `days` calendar days. */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split("-").map(Number);
  return isoDateOf(new Date(Date.UTC(y, m - 1, d + days)));
}

/**
 * A date as people read it on a policy page.
 * @example formatLongDate("2026-11-27") // "27 November 2026"
 */
export function formatLongDate(date: string, locale = "en-GB"): string {
  const [y, m, d] = date.split("-").map(Number);
  try {
    return longDateFormat(locale).format(new Date(Date.UTC(y, m - 1, d)));
  } catch {
    return formatLongDate(date, "en-GB");
  }
}

// Creating an Intl.DateTimeFormat costs far more than formatting with one: a page lists dozens.
const longDateFormats = new Map<string, Intl.DateTimeFormat>();

function longDateFormat(locale: string): Intl.DateTimeFormat {
  let format = longDateFormats.get(locale);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, {
      day: "numeric",
      month: "long",
      year: "numeric",
      timeZone: "UTC",
    });
    // Locales come from stored documents and Accept-Language: keep a bounded few.
    if (longDateFormats.size < 64) longDateFormats.set(locale, format);
  }
  return format;
}

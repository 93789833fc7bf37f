/**
 * Calendar dates (YYYY-MM-DD, UTC) as the policy world uses them — "Last updated", "Effective" — and
 * the one way Redline prints dates and times (issue 15 item 14). One rule:
 * - a calendar date: day, month in words, year, in the reader's locale — "27 November 2026" for
 *   English, "27. November 2026" for German — on public pages, in emails, the feed and the embeds;
 * - an instant (when something happened): "30 Nov 2026, 19:04 UTC" in the workspace, always UTC, so
 *   that what two people in different time zones see, and what the audit log says, is the same.
 * English is written day-month-year ("en" reads as en-GB), wherever the reader is.
 * Nothing else formats dates: no toLocale*String, no Intl.DateTimeFormat outside this file.
 */

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

/** The locale dates are written in: English as en-GB; an unknown tag falls back to it. */
function dateLocale(locale: string | null | undefined): string {
  if (!locale || locale === "en" || locale.startsWith("en-")) return "en-GB";
  try {
    return Intl.DateTimeFormat.supportedLocalesOf([locale]).length > 0 ? locale : "en-GB";
  } catch {
    return "en-GB";
  }
}

/**
 * A date as people read it on a policy page or in an email, in the reader's locale.
 * @example formatLongDate("2026-11-27") // "27 November 2026"
 */
export function formatLongDate(date: string, locale = "en-GB"): string {
  const [y, m, d] = date.split("-").map(Number);
  return longDateFormat(dateLocale(locale)).format(new Date(Date.UTC(y, m - 1, d)));
}

/**
 * An instant as the workspace shows it, in UTC: "30 Nov 2026, 19:04 UTC". A missing value is "—";
 * something that is not a time is shown as it is.
 */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${dateTimeFormat.format(date)} UTC`;
}

const dateTimeFormat = new Intl.DateTimeFormat("en-GB", {
  day: "numeric",
  month: "short",
  year: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  timeZone: "UTC",
});

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

import { describe, expect, it } from "vitest";
import { addDays, formatDateTime, formatLongDate, isIsoDate } from "./dates";

describe("policy dates", () => {
  it("accepts only real calendar dates written YYYY-MM-DD", () => {
    expect(isIsoDate("2026-11-27")).toBe(true);
    expect(isIsoDate("2028-02-29")).toBe(true);
    expect(isIsoDate("2026-02-29")).toBe(false);
    expect(isIsoDate("2026-13-01")).toBe(false);
    expect(isIsoDate("27/11/2026")).toBe(false);
    expect(isIsoDate("2026-11-27T00:00:00Z")).toBe(false);
  });

  it("adds days across month and year ends", () => {
    expect(addDays("2026-11-27", 30)).toBe("2026-12-27");
    expect(addDays("2026-12-15", 30)).toBe("2027-01-14");
  });

  it("prints dates the way a policy page does", () => {
    expect(formatLongDate("2026-11-27")).toBe("27 November 2026");
    expect(formatLongDate("2026-01-05", "de-DE")).toBe("5. Januar 2026");
  });
});

describe("one date and time style", () => {
  it("writes English dates day-month-year whatever English the reader has", () => {
    expect(formatLongDate("2026-12-30", "en")).toBe("30 December 2026");
    expect(formatLongDate("2026-12-30", "en-US")).toBe("30 December 2026");
    expect(formatLongDate("2026-12-30", "fr")).toBe("30 décembre 2026");
  });

  it("falls back to English for a locale it does not know", () => {
    expect(formatLongDate("2026-12-30", "xx-unknown")).toBe("30 December 2026");
  });

  it("shows an instant in the workspace in UTC, on a 24-hour clock", () => {
    expect(formatDateTime("2026-11-30T19:04:45.123Z")).toBe("30 Nov 2026, 19:04 UTC");
    expect(formatDateTime("2026-11-30T00:05:00Z")).toBe("30 Nov 2026, 00:05 UTC");
    expect(formatDateTime(null)).toBe("—");
    expect(formatDateTime("not a time")).toBe("not a time");
  });
});

import { describe, expect, it } from "vitest";
import { addDays, formatLongDate, isIsoDate } from "./dates";

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

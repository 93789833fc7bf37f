import { describe, expect, it } from "vitest";
import { planPublication } from "./publication";

const base = { contentHash: "new", today: "2026-11-27", noticePeriodDays: 30 };
const v1 = { number: 1, contentHash: "old", effectiveAt: "2026-01-01" };

describe("planning a publication", () => {
  it("refuses content identical to the latest published version as no changes", () => {
    expect(() =>
      planPublication({ ...base, contentHash: "old", latestPublished: v1, request: { material: false } }),
    ).toThrow("no changes: the content is identical to published version 1");
  });

  it("dates a non-material change today unless told otherwise", () => {
    expect(planPublication({ ...base, latestPublished: v1, request: { material: false } })).toMatchObject({
      lastUpdated: "2026-11-27",
      effectiveAt: "2026-11-27",
    });
    expect(
      planPublication({
        ...base,
        latestPublished: v1,
        request: { material: false, lastUpdated: "2026-12-01" },
      }),
    ).toMatchObject({ lastUpdated: "2026-12-01", effectiveAt: "2026-11-27" });
  });

  it("gives a material change the notice period before it takes effect", () => {
    const plan = planPublication({
      ...base,
      latestPublished: v1,
      request: { material: true, summary: "New processor." },
    });
    expect(plan).toMatchObject({ effectiveAt: "2026-12-27", material: true, noticePeriodShortened: false });
  });

  it("records when a material change takes effect sooner than the notice period", () => {
    const plan = planPublication({
      ...base,
      latestPublished: v1,
      request: { material: true, summary: "Urgent fix.", effectiveAt: "2026-12-01" },
    });
    expect(plan.noticePeriodShortened).toBe(true);
  });

  it("requires a plain-language summary for a material change", () => {
    expect(() =>
      planPublication({ ...base, latestPublished: v1, request: { material: true, summary: "  " } }),
    ).toThrow(/needs a plain-language summary/);
  });

  it("refuses malformed dates, naming the field", () => {
    expect(() =>
      planPublication({
        ...base,
        latestPublished: v1,
        request: { material: false, lastUpdated: "2026-02-30" },
      }),
    ).toThrow('last updated date "2026-02-30" is not a date');
    expect(() =>
      planPublication({ ...base, latestPublished: v1, request: { material: false, effectiveAt: "soon" } }),
    ).toThrow('effective date "soon"');
  });

  it("refuses an effective date before the latest published version's", () => {
    expect(() =>
      planPublication({
        ...base,
        latestPublished: v1,
        request: { material: false, effectiveAt: "2025-12-31" },
      }),
    ).toThrow(/before the effective date of version 1/);
  });

  describe("two versions announced for the same day", () => {
    const upcoming = { number: 2, contentHash: "old", effectiveAt: "2026-12-27" };
    const request = { material: true, summary: "Corrected text.", effectiveAt: "2026-12-27" };

    it("refuses a second version for the day an upcoming one is announced for", () => {
      expect(() => planPublication({ ...base, latestPublished: upcoming, request })).toThrow(
        "version 2 is already announced to take effect on 2026-12-27: choose a later effective date, or replace its announcement and say why",
      );
    });

    it("replaces the older announcement when told why", () => {
      const plan = planPublication({
        ...base,
        latestPublished: upcoming,
        request: { ...request, replaceAnnouncementReason: "  Version 2 named the wrong processor.  " },
      });
      expect(plan.replacesAnnouncement).toEqual({
        number: 2,
        effectiveAt: "2026-12-27",
        reason: "Version 2 named the wrong processor.",
      });
    });

    it("accepts a later day without a replacement: both take effect in turn", () => {
      const plan = planPublication({
        ...base,
        latestPublished: upcoming,
        request: { ...request, effectiveAt: "2027-01-10" },
      });
      expect(plan.replacesAnnouncement).toBeNull();
    });

    it("refuses a replacement reason when nothing is announced for that day", () => {
      expect(() =>
        planPublication({
          ...base,
          latestPublished: v1,
          request: { ...request, replaceAnnouncementReason: "Why not." },
        }),
      ).toThrow(/nothing to replace/);
    });

    it("does not treat a version already in effect as an announcement", () => {
      const inEffectToday = { number: 2, contentHash: "old", effectiveAt: "2026-11-27" };
      const plan = planPublication({
        ...base,
        latestPublished: inEffectToday,
        request: { material: false, effectiveAt: "2026-11-27" },
      });
      expect(plan.replacesAnnouncement).toBeNull();
    });
  });
});

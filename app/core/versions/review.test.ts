import { describe, expect, it } from "vitest";
import { Refusal } from "../refusal";
import { checkFourEyes, checkNoticePeriod, checkRevision, checkSendBackComment, nextState } from "./review";

describe("the review workflow", () => {
  it("sends a draft to review, and only a draft", () => {
    expect(nextState("submit", "draft")).toBe("in_review");
    for (const state of ["in_review", "approved", "published", "superseded"] as const) {
      expect(() => nextState("submit", state)).toThrow(Refusal);
    }
  });

  it("approves only a version that is in review", () => {
    expect(nextState("approve", "in_review")).toBe("approved");
    for (const state of ["draft", "approved", "published", "superseded"] as const) {
      expect(() => nextState("approve", state)).toThrow(/cannot be approved/);
    }
  });

  it("sends a version in review or approved back to draft, but never a published one", () => {
    expect(nextState("send-back", "in_review")).toBe("draft");
    expect(nextState("send-back", "approved")).toBe("draft");
    for (const state of ["draft", "published", "superseded"] as const) {
      expect(() => nextState("send-back", state)).toThrow(/cannot be sent back/);
    }
  });

  it("refuses an approval by anyone who saved a revision of the draft", () => {
    expect(() => checkFourEyes({ approverId: 2, authorIds: [1, 2] })).toThrow(/another approver/);
    expect(() => checkFourEyes({ approverId: 3, authorIds: new Set([1, 2]) })).not.toThrow();
  });

  it("requires a comment to send a draft back, and trims it", () => {
    expect(() => checkSendBackComment("   ")).toThrow(/comment is required/);
    expect(() => checkSendBackComment(undefined)).toThrow(/comment is required/);
    expect(() => checkSendBackComment("x".repeat(5001))).toThrow(/longer than/);
    expect(checkSendBackComment("  Fix section 5. ")).toBe("Fix section 5.");
  });

  it("refuses a step based on an older revision of the draft", () => {
    expect(() => checkRevision({ expected: 3, current: 4 })).toThrow(
      /changed by someone else.*revision 3.*revision 4/,
    );
    expect(() => checkRevision({ expected: 4, current: 4 })).not.toThrow();
  });
});

describe("the notice period when publishing", () => {
  const base = { today: "2026-11-27", noticePeriodDays: 30, role: "approver" as const };

  it("lets a non-material change take effect today", () => {
    expect(checkNoticePeriod({ ...base, material: false, effectiveAt: "2026-11-27" })).toEqual({
      earliestEffective: "2026-12-27",
      overridden: false,
      reason: null,
    });
  });

  it("never lets a version take effect in the past", () => {
    expect(() => checkNoticePeriod({ ...base, material: false, effectiveAt: "2026-11-26" })).toThrow(
      /in the past/,
    );
    expect(() =>
      checkNoticePeriod({
        ...base,
        role: "admin",
        material: true,
        effectiveAt: "2026-11-26",
        overrideReason: "x",
      }),
    ).toThrow(/in the past/);
  });

  it("refuses a malformed effective date", () => {
    expect(() => checkNoticePeriod({ ...base, material: false, effectiveAt: "2026-13-01" })).toThrow(
      /not a date/,
    );
  });

  it("makes a material change wait the notice period", () => {
    expect(checkNoticePeriod({ ...base, material: true, effectiveAt: "2026-12-27" }).overridden).toBe(false);
    expect(() => checkNoticePeriod({ ...base, material: true, effectiveAt: "2026-12-26" })).toThrow(
      /at least 30 days.*only an admin/,
    );
  });

  it("lets only an admin shorten the notice period, and only with a reason", () => {
    expect(() =>
      checkNoticePeriod({
        ...base,
        material: true,
        effectiveAt: "2026-11-28",
        overrideReason: "Regulator order",
      }),
    ).toThrow(/only an admin/);
    expect(() =>
      checkNoticePeriod({
        ...base,
        role: "admin",
        material: true,
        effectiveAt: "2026-11-28",
        overrideReason: " ",
      }),
    ).toThrow(/give a reason/);
    expect(
      checkNoticePeriod({
        ...base,
        role: "admin",
        material: true,
        effectiveAt: "2026-11-28",
        overrideReason: " Regulator order ",
      }),
    ).toEqual({ earliestEffective: "2026-12-27", overridden: true, reason: "Regulator order" });
  });
});

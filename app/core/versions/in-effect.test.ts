import { describe, expect, it } from "vitest";
import { publicStatuses, publicStatusLabel } from "./in-effect";

describe("which version is in effect", () => {
  it("is the newest version whose effective date has come; later ones are upcoming", () => {
    const statuses = publicStatuses(
      [
        { number: 1, effectiveAt: "2025-01-01" },
        { number: 2, effectiveAt: "2026-06-01" },
        { number: 3, effectiveAt: "2026-12-27" },
      ],
      "2026-11-27",
    );
    expect(Object.fromEntries(statuses)).toEqual({ 1: "superseded", 2: "current", 3: "upcoming" });
  });

  it("takes effect on its effective date itself", () => {
    const statuses = publicStatuses(
      [
        { number: 1, effectiveAt: "2025-01-01" },
        { number: 2, effectiveAt: "2026-11-27" },
      ],
      "2026-11-27",
    );
    expect(statuses.get(2)).toBe("current");
  });
});

describe("a replaced announcement", () => {
  it("is no longer upcoming once a newer version is announced for the same day, and never in effect", () => {
    const published = [
      { number: 1, effectiveAt: "2025-01-01" },
      { number: 2, effectiveAt: "2026-12-27" },
      { number: 3, effectiveAt: "2026-12-27" },
    ];
    expect(Object.fromEntries(publicStatuses(published, "2026-11-27"))).toEqual({
      1: "current",
      2: "superseded",
      3: "upcoming",
    });
    expect(Object.fromEntries(publicStatuses(published, "2026-12-27"))).toEqual({
      1: "superseded",
      2: "superseded",
      3: "current",
    });
  });
});

describe("what a reader is told", () => {
  it("names the statuses as the public site does", () => {
    expect((["current", "upcoming", "superseded"] as const).map(publicStatusLabel)).toEqual([
      "In effect",
      "Upcoming",
      "Superseded",
    ]);
  });
});

import { describe, expect, it } from "vitest";
import { datedFileName, type ExistingHistory, type FoundVersion, planHistory } from "./plan";

const NONE: ExistingHistory = { versions: [], openDraft: null };
const TODAY = "2026-12-01";

function found(file: string, sourceAt: string, hash: string, text = "Our policy."): FoundVersion {
  return { source: { kind: "file", file }, sourceAt, contentHash: hash, text, frontMatter: null };
}
const plan = (versions: FoundVersion[], existing = NONE) =>
  planHistory({ found: versions, unreadable: [], existing, today: TODAY, locale: "en" });

describe("planning an imported history", () => {
  it("numbers the versions oldest first, with dates from their text else from the source", () => {
    const result = plan([
      found("a.md", "2021-01-10T00:00:00.000Z", "A", "Last updated: January 4, 2021"),
      found("b.md", "2022-03-01T09:00:00.000Z", "B"),
    ]);
    expect(result.refusals).toEqual([]);
    expect(
      result.versions.map((v) => [v.number, v.lastUpdated, v.effectiveAt, v.publishedAt, v.dates]),
    ).toEqual([
      [
        1,
        "2021-01-04",
        "2021-01-04",
        "2021-01-10T00:00:00.000Z",
        { lastUpdated: "text", effectiveAt: "text" },
      ],
      [
        2,
        "2022-03-01",
        "2022-03-01",
        "2022-03-01T09:00:00.000Z",
        { lastUpdated: "source", effectiveAt: "source" },
      ],
    ]);
  });

  it("prefers the front matter's dates to the text's", () => {
    const version = found("a.md", "2021-01-10T00:00:00.000Z", "A", "Last updated: January 4, 2021");
    version.frontMatter = { title: null, lastUpdated: "2021-01-02", effectiveAt: null };
    expect(plan([version]).versions[0]).toMatchObject({
      lastUpdated: "2021-01-02",
      dates: { lastUpdated: "front-matter", effectiveAt: "front-matter" },
    });
  });

  it("skips a version identical to the one before it", () => {
    const result = plan([
      found("a.md", "2021-01-10T00:00:00.000Z", "A"),
      found("b.md", "2021-02-10T00:00:00.000Z", "A"),
      found("c.md", "2021-03-10T00:00:00.000Z", "C"),
    ]);
    expect(result.versions.map((v) => v.found.source)).toEqual([
      { kind: "file", file: "a.md" },
      { kind: "file", file: "c.md" },
    ]);
    expect(result.skipped).toEqual([
      { source: { kind: "file", file: "b.md" }, why: "identical", detail: "identical to a.md" },
    ]);
  });

  it("keeps only the last version of a day: the others were never in effect on any day", () => {
    const result = plan([
      found("a.md", "2021-01-10T08:00:00.000Z", "A"),
      found("b.md", "2021-01-10T17:00:00.000Z", "B"),
    ]);
    expect(result.versions.map((v) => v.found.contentHash)).toEqual(["B"]);
    expect(result.skipped[0]).toMatchObject({
      why: "same-day",
      detail: "replaced on the same day (2021-01-10) by b.md",
    });
  });

  it("never lets a stale effective date carried over from the text before take effect again", () => {
    const result = plan([
      found("a.md", "2021-01-01T00:00:00.000Z", "A", "Effective date: January 20, 2021"),
      found("b.md", "2021-03-05T00:00:00.000Z", "B", "Effective date: January 20, 2021"),
    ]);
    expect(result.versions.map((v) => [v.lastUpdated, v.effectiveAt, v.dates.effectiveAt])).toEqual([
      ["2021-01-20", "2021-01-20", "text"],
      ["2021-01-20", "2021-03-05", "source"],
    ]);
  });

  it("refuses a source dated in the future, or a 'last updated' in the future", () => {
    expect(plan([found("a.md", "2999-01-01T00:00:00.000Z", "A")]).refusals).toEqual([
      { source: { kind: "file", file: "a.md" }, detail: "dated 2999-01-01, which is in the future" },
    ]);
    expect(
      plan([found("a.md", "2021-01-01T00:00:00.000Z", "A", "Last updated: May 5, 2990")]).refusals,
    ).toEqual([
      {
        source: { kind: "file", file: "a.md" },
        detail: "its text says it was last updated 2990-05-05, which is in the future",
      },
    ]);
  });

  it("imports only what is new on a re-run, by content hash", () => {
    const existing: ExistingHistory = {
      versions: [
        { number: 1, contentHash: "A", publishedAt: "2021-01-10T00:00:00.000Z", effectiveAt: "2021-01-10" },
        { number: 2, contentHash: "B", publishedAt: "2021-02-10T00:00:00.000Z", effectiveAt: "2021-02-10" },
      ],
      openDraft: null,
    };
    const result = plan(
      [
        found("a.md", "2021-01-10T00:00:00.000Z", "A"),
        found("b.md", "2021-02-10T00:00:00.000Z", "B"),
        found("c.md", "2021-03-10T00:00:00.000Z", "C"),
      ],
      existing,
    );
    expect(result.refusals).toEqual([]);
    expect(result.versions.map((v) => [v.number, v.found.contentHash])).toEqual([[3, "C"]]);
    expect(result.skipped.map((s) => s.why)).toEqual(["already-imported", "already-imported"]);
  });

  it("keeps a reverted text that comes back later, and finds nothing new on a re-run", () => {
    const history = [
      found("a.md", "2021-01-10T00:00:00.000Z", "A"),
      found("b.md", "2021-02-10T00:00:00.000Z", "B"),
      found("c.md", "2021-03-10T00:00:00.000Z", "A"),
    ];
    const first = plan(history);
    expect(first.versions.map((v) => v.found.contentHash)).toEqual(["A", "B", "A"]);
    const existing: ExistingHistory = {
      versions: first.versions.map((v) => ({
        number: v.number,
        contentHash: v.found.contentHash,
        publishedAt: v.publishedAt,
        effectiveAt: v.effectiveAt,
      })),
      openDraft: null,
    };
    expect(plan(history, existing)).toMatchObject({ versions: [], refusals: [] });
    // Only the first text was there before: the revert is new, not the text already held.
    const partly: ExistingHistory = { versions: existing.versions.slice(0, 1), openDraft: null };
    expect(plan(history, partly).versions.map((v) => [v.number, v.found.contentHash])).toEqual([
      [2, "B"],
      [3, "A"],
    ]);
  });

  it("refuses to add history before a version the document already has", () => {
    const existing: ExistingHistory = {
      versions: [
        { number: 1, contentHash: "X", publishedAt: "2024-06-01T10:00:00.000Z", effectiveAt: "2024-06-01" },
      ],
      openDraft: null,
    };
    const result = plan([found("a.md", "2021-01-10T00:00:00.000Z", "A")], existing);
    expect(result.refusals).toEqual([
      {
        source: { kind: "file", file: "a.md" },
        detail:
          "dated 2021-01-10, but the document already has a later version 1 (published 2024-06-01): history is only added after it",
      },
    ]);
  });

  it("refuses while the document has an open draft", () => {
    const result = plan([found("a.md", "2021-01-10T00:00:00.000Z", "A")], { versions: [], openDraft: 1 });
    expect(result.refusals[0].detail).toMatch(/open version 1/);
  });
});

describe("dated file names", () => {
  it.each([
    ["2023-05-04.md", { date: "2023-05-04", sequence: null }],
    ["2023-05-04-privacy.html", { date: "2023-05-04", sequence: null }],
    ["007-2023-05-04.md", { date: "2023-05-04", sequence: 7 }],
    ["2023-02-30.md", null],
    ["privacy-2023-05-04.md", null],
    ["20230504.md", null],
  ])("%s", (name, expected) => {
    expect(datedFileName(name)).toEqual(expected);
  });
});

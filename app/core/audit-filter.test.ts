import { describe, expect, it } from "vitest";
import {
  auditCsvLine,
  auditFilterQuery,
  auditJsonLine,
  auditRangeBounds,
  parseAuditFilter,
} from "./audit-filter";

const parse = (query: string) => parseAuditFilter(new URLSearchParams(query));

describe("the audit log's filters", () => {
  it("reads action, person, document and a date range from the address", () => {
    expect(parse("action=version.published&person=user:3&document=2&from=2026-11-01&to=2026-11-30")).toEqual({
      filter: {
        action: "version.published",
        actor: "user:3",
        documentId: 2,
        from: "2026-11-01",
        to: "2026-11-30",
      },
      problems: [],
    });
  });

  it("leaves out what it cannot read and says so", () => {
    const { filter, problems } = parse("action=DROP TABLE&person=root&document=x&from=2026-02-30");
    expect(filter).toEqual({});
    expect(problems).toHaveLength(4);
    expect(problems[3]).toBe('From "2026-02-30" is not a date (YYYY-MM-DD)');
  });

  it("swaps a range given backwards", () => {
    expect(parse("from=2026-12-01&to=2026-11-01")).toMatchObject({
      filter: { from: "2026-11-01", to: "2026-12-01" },
      problems: ["From 2026-12-01 is after To 2026-11-01: the dates were swapped"],
    });
  });

  it("covers whole days in UTC, the last one included", () => {
    expect(auditRangeBounds({ from: "2026-11-01", to: "2026-11-30" })).toEqual({
      since: "2026-11-01T00:00:00.000Z",
      until: "2026-12-01T00:00:00.000Z",
    });
  });

  it("writes the filter back into links", () => {
    expect(auditFilterQuery({ actor: "cli", from: "2026-11-01" }, { format: "csv" })).toBe(
      "person=cli&from=2026-11-01&format=csv",
    );
  });
});

describe("the exported lines", () => {
  const row = {
    id: 7,
    at: "2026-11-30T19:04:00.000Z",
    actor: "user:3",
    actorLabel: '=HYPERLINK("x")@example.com',
    action: "version.published",
    document: "privacy (en)",
    versionNumber: 2,
    details: { summary: 'Says "hi"\nand more' },
    prevHash: "a".repeat(64),
    hash: "b".repeat(64),
  };

  it("quotes CSV cells and neutralises anything a spreadsheet would run", () => {
    const line = auditCsvLine(row);
    expect(line).toContain('"\'=HYPERLINK(""x"")@example.com"');
    expect(line).toContain('"{""summary"":""Says \\""hi\\""\\nand more""}"');
  });

  it("writes JSON Lines one entry per line", () => {
    const line = auditJsonLine(row);
    expect(line).not.toContain("\n");
    expect(JSON.parse(line)).toMatchObject({
      id: 7,
      person: row.actorLabel,
      version: 2,
      details: row.details,
    });
  });
});

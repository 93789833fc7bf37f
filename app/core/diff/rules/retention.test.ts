import { describe, expect, it } from "vitest";
import { reasons } from "./test-support";

const policy = `## 5. Retention

We keep support tickets for 24 months and delete them after that.
`;

describe("rule: retention", () => {
  it("names both periods of a changed retention clause", () => {
    expect(reasons(policy, policy.replace("24 months", "36 months"))).toEqual([
      {
        kind: "retention-changed",
        section: "5. Retention",
        detail: 'Retention period "24 months" → "36 months"',
        words: ["24 months", "36 months"],
      },
    ]);
  });

  it("says a fixed period is no longer stated when retention becomes open-ended", () => {
    const after = policy.replace("for 24 months and delete them after that", "indefinitely");
    expect(reasons(policy, after)).toEqual([
      expect.objectContaining({
        kind: "retention-changed",
        detail: 'Retention period "24 months" → "indefinitely"',
      }),
    ]);
  });

  it("says nothing for a changed date", () => {
    const dated = `Last updated: 1 March 2024\n\n${policy}`;
    expect(reasons(dated, dated.replace("1 March 2024", "2 April 2025"))).toEqual([]);
  });
});

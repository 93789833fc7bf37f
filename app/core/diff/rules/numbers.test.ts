import { describe, expect, it } from "vitest";
import { reasons } from "./test-support";

const policy = `## 6. Breaches

We will notify the regulator within 72 hours of a breach.

## 8. Children

Our service is for people aged 18 or older.
`;

describe("rule: numbers", () => {
  it("names a changed number in an edited clause", () => {
    expect(reasons(policy, policy.replace("aged 18", "aged 16"))).toEqual([
      {
        kind: "number-changed",
        section: "8. Children",
        detail: 'Number "18" → "16"',
        words: ["18", "16"],
      },
    ]);
  });

  it("names a changed duration outside retention as a changed term", () => {
    expect(reasons(policy, policy.replace("72 hours", "96 hours"))).toEqual([
      expect.objectContaining({ kind: "number-changed", detail: 'Duration "72 hours" → "96 hours"' }),
    ]);
  });

  it("ignores section numbers and cross-references", () => {
    const after = policy.replace("## 8. Children", "## 9. Children");
    expect(reasons(policy, after)).toEqual([]);
  });
});

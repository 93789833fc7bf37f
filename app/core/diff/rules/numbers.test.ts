import { describe, expect, it } from "vitest";
import { reasons } from "./test-support";

const policy = `## 6. Breaches

We will notify the regulator within 72 hours of a breach.

## 8. Teams

Each account may invite up to 5 team members.
`;

describe("rule: numbers", () => {
  it("names a changed number in an edited clause", () => {
    expect(reasons(policy, policy.replace("up to 5", "up to 50"))).toEqual([
      {
        kind: "number-changed",
        section: "8. Teams",
        detail: 'Number "5" → "50"',
        words: ["5", "50"],
      },
    ]);
  });

  it("names a changed duration outside retention as a changed term", () => {
    expect(reasons(policy, policy.replace("72 hours", "96 hours"))).toEqual([
      expect.objectContaining({ kind: "number-changed", detail: 'Duration "72 hours" → "96 hours"' }),
    ]);
  });

  it("ignores section numbers and cross-references", () => {
    const after = policy.replace("## 8. Teams", "## 9. Teams");
    expect(reasons(policy, after)).toEqual([]);
  });
});

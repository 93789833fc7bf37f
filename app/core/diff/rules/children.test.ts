import { describe, expect, it } from "vitest";
import { reasons } from "./test-support";

const policy = `## 11. Children's privacy

The Service is not intended for anyone under the age of 18. We do not knowingly collect personal data from children.
`;

describe("rule: children", () => {
  it("names a lowered minimum age as a minimum age, not as a number", () => {
    expect(reasons(policy, policy.replace("age of 18", "age of 16"))).toEqual([
      {
        kind: "minimum-age-changed",
        section: "11. Children's privacy",
        detail: 'Minimum age "18" → "16"',
        words: ["18", "16"],
      },
    ]);
  });

  it("reads an age limit in a sentence about children outside a children's section", () => {
    const before = "## 2. Accounts\n\nYou must be 13 years of age or older to create an account.\n";
    expect(reasons(before, before.replace("13", "16"))).toEqual([
      expect.objectContaining({ kind: "minimum-age-changed", detail: 'Minimum age "13" → "16"' }),
    ]);
  });

  it("leaves other numbers in a children's clause to the number rule", () => {
    const before = `${policy}\nParents may ask us to delete their child's data within 30 days of a request.\n`;
    expect(reasons(before, before.replace("30 days", "45 days")).map((reason) => reason.kind)).not.toContain(
      "minimum-age-changed",
    );
  });
});

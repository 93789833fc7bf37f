import { describe, expect, it } from "vitest";
import { reasons } from "./test-support";

const policy = `## 2. Data we collect

We collect your name, email address and payment card details.
`;

describe("rule: data categories", () => {
  it("names a category of personal data the old version never mentioned", () => {
    const after = policy.replace(
      "and payment card details",
      "payment card details and your precise location",
    );
    expect(reasons(policy, after)).toEqual([
      {
        kind: "data-category-added",
        section: "2. Data we collect",
        detail: 'New category of personal data: precise location ("precise location")',
        words: ["precise location"],
      },
    ]);
  });

  it("says nothing when the category was already collected elsewhere", () => {
    const before = `${policy}\nWe also use your precise location to show nearby stores.\n`;
    const after = before.replace(
      "and payment card details",
      "payment card details and your precise location",
    );
    expect(reasons(before, after)).toEqual([]);
  });
});

import { describe, expect, it } from "vitest";
import { reasons } from "./test-support";

const policy = `## 3. Legal bases

We send newsletters with your consent (Article 6(1)(a) GDPR).

We analyse usage to improve the service.
`;

describe("rule: legal bases", () => {
  it("quotes the basis as the clause words it, before and after", () => {
    const after = policy.replace(
      "with your consent (Article 6(1)(a) GDPR)",
      "based on our legitimate interests (Article 6(1)(f) GDPR)",
    );
    expect(reasons(policy, after)).toEqual([
      {
        kind: "legal-basis-changed",
        section: "3. Legal bases",
        detail: 'Legal basis "consent" → "legitimate interests"',
        words: ["consent", "legitimate interests"],
      },
    ]);
  });

  it("says a basis was added without a placeholder for the missing side", () => {
    const after = policy.replace("We analyse usage", "Based on our legitimate interest, we analyse usage");
    expect(reasons(policy, after)).toEqual([
      expect.objectContaining({ detail: 'Legal basis added: "legitimate interest"' }),
    ]);
  });
});

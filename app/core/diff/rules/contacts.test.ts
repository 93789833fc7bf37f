import { describe, expect, it } from "vitest";
import { reasons } from "./test-support";

const policy = `Example Apps Ltd ("we") is the controller of your personal data. Our registered office is 1 High Street, Leeds LS1 4AP.

## 8. Contact

Email privacy@example-apps.test.
`;

describe("rule: contact and controller", () => {
  it("names changed contact details", () => {
    const after = policy.replace("privacy@example-apps.test", "dpo@example-apps.test");
    expect(reasons(policy, after)).toEqual([
      {
        kind: "contact-changed",
        section: "8. Contact",
        detail: 'Contact details "privacy@example-apps.test" → "dpo@example-apps.test"',
        words: ["privacy@example-apps.test", "dpo@example-apps.test"],
      },
    ]);
  });

  it("names the controller's changed address in the opening part, called Introduction", () => {
    const after = policy.replace("1 High Street, Leeds LS1 4AP", "20 Quay Street, Manchester M3 3HN");
    const found = reasons(policy, after);
    expect(found.map((reason) => [reason.kind, reason.section])).toEqual([
      ["controller-changed", "Introduction"],
    ]);
  });

  it("says contact details were added without a placeholder for the missing side", () => {
    const after = policy.replace(
      "Email privacy@example-apps.test.",
      "Email privacy@example-apps.test or call +44 113 496 0000.",
    );
    expect(reasons(policy, after)).toEqual([
      expect.objectContaining({ detail: 'Contact details added: "+44 113 496 0000"' }),
    ]);
  });
});

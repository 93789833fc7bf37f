import { describe, expect, it } from "vitest";
import { reasons } from "./test-support";

const policy = `## 6. International transfers

We store your personal data in the European Union.
`;

describe("rule: transfers", () => {
  it("names a destination personal data is now transferred to", () => {
    const after = policy.replace(
      "in the European Union.",
      "in the European Union and transfer it to the United States.",
    );
    expect(reasons(policy, after)).toEqual([
      {
        kind: "international-transfer-added",
        section: "6. International transfers",
        detail: 'Personal data transferred to a new destination: "United States"',
        words: ["United States"],
      },
    ]);
  });

  it("reads a place in a contact clause as an address, not a transfer", () => {
    const contact = "## 9. Contact\n\nWrite to us in Ireland.\n";
    expect(reasons(contact, contact.replace("Ireland", "Ireland or the United States"))).toEqual([]);
  });
});

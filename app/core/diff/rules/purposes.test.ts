import { describe, expect, it } from "vitest";
import { reasons } from "./test-support";

const policy = `## 4. How we share information

We share information with service providers that host our servers. We do not sell your personal information.
`;

describe("rule: purposes", () => {
  it("names selling data when a clause that said it does not now says it does", () => {
    const after = policy.replace(
      "We do not sell your personal information.",
      "We sell your personal information.",
    );
    expect(reasons(policy, after)).toEqual([
      {
        kind: "purpose-added",
        section: "4. How we share information",
        detail: 'New purpose of processing: selling personal data ("sell your personal information")',
        words: ["sell your personal information"],
      },
    ]);
  });

  it("names training AI models on what users write", () => {
    const after = `${policy}\nWe use your messages to train our AI models.\n`;
    expect(reasons(policy, after)).toEqual([
      expect.objectContaining({
        kind: "purpose-added",
        detail: 'New purpose of processing: training AI models ("train our AI models")',
      }),
    ]);
  });

  it("says nothing when the purpose was already stated elsewhere in the old version", () => {
    const before = `${policy}\n## 5. Advertising\n\nWe show personalised advertising based on what you read.\n`;
    const after = before.replace(
      "host our servers.",
      "host our servers and with partners for personalised advertising.",
    );
    expect(reasons(before, after).filter((reason) => reason.kind === "purpose-added")).toEqual([]);
  });

  it("does not read selling the business as selling data", () => {
    const after = `${policy}\nIf we sell all or part of our business, your personal information may be transferred to the buyer.\n`;
    expect(reasons(policy, after).filter((reason) => reason.kind === "purpose-added")).toEqual([]);
  });

  it("says nothing when a purpose is dropped", () => {
    const before = `${policy}\nWe use your messages to train our AI models.\n`;
    expect(reasons(before, policy)).toEqual([]);
  });
});

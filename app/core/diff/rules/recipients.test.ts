import { describe, expect, it } from "vitest";
import { reasons } from "./test-support";

const policy = `## 4. Sharing

We share personal data with service providers that host our systems, such as Cloudhost Europe GmbH.

We do not sell your personal data.
`;

describe("rule: recipients", () => {
  it("names a processor mentioned for the first time", () => {
    const after = policy.replace("Cloudhost Europe GmbH.", "Cloudhost Europe GmbH and Mailfox Inc.");
    expect(reasons(policy, after)).toEqual([
      {
        kind: "recipient-added",
        section: "4. Sharing",
        detail: 'New recipient or processor: "Mailfox Inc."',
        words: ["Mailfox Inc."],
      },
    ]);
  });

  it("names a processor no longer mentioned anywhere", () => {
    const after = policy.replace(", such as Cloudhost Europe GmbH.", ".");
    expect(reasons(policy, after)).toEqual([
      expect.objectContaining({ kind: "recipient-removed", words: ["Cloudhost Europe GmbH"] }),
    ]);
  });

  it("treats a company name with a typo fixed as neither added nor removed", () => {
    const before = policy.replace("Cloudhost Europe GmbH", "Cloudhots Europe GmbH");
    expect(reasons(before, policy)).toEqual([]);
  });

  it("names a new kind of recipient in a sentence about sharing, not in a denial", () => {
    const sells = policy.replace(
      "We do not sell your personal data.",
      "We sell personal data to data brokers.",
    );
    expect(reasons(policy, sells)).toEqual([
      expect.objectContaining({ kind: "recipient-added", words: ["data brokers"] }),
      // Selling is also a new purpose (rules/purposes.ts).
      expect.objectContaining({ kind: "purpose-added", words: ["sell personal data"] }),
    ]);
    const denies = policy.replace("personal data.\n", "personal data to data brokers.\n");
    expect(reasons(policy, denies)).toEqual([]);
  });
});

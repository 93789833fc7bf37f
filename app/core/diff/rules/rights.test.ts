import { describe, expect, it } from "vitest";
import { reasons } from "./test-support";

const policy = `## 7. Your rights

You have the right to access, the right to erasure and the right to object to processing at any time, free of charge.

You can also lodge a complaint with a supervisory authority.
`;

describe("rule: rights", () => {
  it("names a right no longer stated", () => {
    const after = policy.replace(" and the right to object to processing", "");
    expect(reasons(policy, after)).toEqual([
      expect.objectContaining({
        kind: "right-removed",
        section: "7. Your rights",
        words: ["right to object"],
      }),
    ]);
  });

  it("names a right narrowed by removing what widened it", () => {
    const after = policy.replace(" at any time, free of charge", "");
    expect(reasons(policy, after)).toEqual([
      expect.objectContaining({ kind: "right-removed", detail: expect.stringContaining("Right narrowed") }),
    ]);
  });

  it("says nothing when a right is only reworded", () => {
    const after = policy.replace("You can also lodge", "You may also lodge");
    expect(reasons(policy, after)).toEqual([]);
  });
});

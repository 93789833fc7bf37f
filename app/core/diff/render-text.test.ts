import { describe, expect, it } from "vitest";
import { diffPolicies } from "./diff";
import { renderDiffText } from "./render-text";
import { markdown } from "./test-support";

const before = `## 5. Sharing

We share data with our hosting provider.

## 7. Retention

We keep logs for 12 months.

Cookies last a session.
`;
const after = `## 5. Sharing

We share data with our hosting provider and Mailfox Inc.

## 7. Retention

We keep logs for 18 months.

Cookies last a session!
`;

describe("plain-text redline", () => {
  const text = renderDiffText(diffPolicies(markdown(before), markdown(after)));

  it("starts with a summary and the suggested reasons", () => {
    expect(text).toMatch(/^3 changes: 4 words added, 1 removed\./);
    expect(text).toContain("Suggested as material (advice only, a person decides):");
    const unwrapped = renderDiffText(diffPolicies(markdown(before), markdown(after)), { width: 0 });
    expect(unwrapped).toContain(
      '- 7. Retention: Retention period "12 months" → "18 months" (retention-changed)',
    );
    expect(unwrapped).toContain('- 5. Sharing: New recipient or processor: "Mailfox Inc." (recipient-added)');
  });

  it("groups changes by section with [+added+] and [-removed-] marks", () => {
    expect(text).toContain(
      "5. Sharing\n==========\n\nChanged: We share data with our hosting provider[+ and Mailfox Inc+].",
    );
    expect(text).toContain("7. Retention\n============\n\nChanged: We keep logs for [-12-][+18+] months.");
  });

  it("counts formatting-only changes instead of listing them, unless asked", () => {
    expect(text).toContain("1 formatting-only change (punctuation, quotes, links, numbering) not shown.");
    const full = renderDiffText(diffPolicies(markdown(before), markdown(after)), { includeFormatting: true });
    expect(full).toContain("Formatting changed: Cookies last a session[-.-][+!+]");
  });

  it("wraps long lines for email", () => {
    const long = renderDiffText(
      diffPolicies(markdown("Short."), markdown(`Short. ${"Many more words follow here. ".repeat(10)}`)),
    );
    for (const line of long.split("\n")) expect(line.length).toBeLessThanOrEqual(76);
  });

  it("says when nothing is suggested as material", () => {
    expect(renderDiffText(diffPolicies(markdown(before), markdown(before)))).toContain(
      "Not suggested as material.",
    );
  });
});

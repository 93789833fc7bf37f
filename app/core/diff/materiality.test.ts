import { describe, expect, it } from "vitest";
import { diffPolicies } from "./diff";
import { editDistance } from "./materiality";
import { markdown } from "./test-support";

const suggestion = (before: string, after: string) =>
  diffPolicies(markdown(before), markdown(after)).material;
const kinds = (before: string, after: string) =>
  suggestion(before, after).reasons.map((reason) => reason.kind);

const policy = `Last updated: 1 March 2024

Example Apps Ltd ("we") is the controller of your personal data. Our registered office is 1 High Street, Leeds LS1 4AP.

## 2. Data we collect

We collect your name, email address and payment card details.

## 3. Legal bases

We send newsletters with your consent (Article 6(1)(a) GDPR).

We analyse usage based on our legitimate interests.

## 4. Sharing

We share personal data with service providers that host our systems, such as Cloudhost Europe GmbH in Ireland.

We do not sell your personal data.

## 5. Retention

We keep support tickets for 24 months and delete them after that.

Logs are kept for as long as needed for security.

## 6. Breaches

We will notify the regulator within 72 hours of a breach.

## 7. Your rights

You have the right to access, the right to erasure and the right to object to processing at any time, free of charge.

You can also lodge a complaint with a supervisory authority.

## 8. Contact

Email privacy@example-apps.test or call +44 113 496 0000.
`;

describe("materiality suggestion", () => {
  it("suggests a new processor as a new recipient, naming section and words", () => {
    const after = policy.replace(
      "such as Cloudhost Europe GmbH in Ireland.",
      "such as Cloudhost Europe GmbH in Ireland and Mailfox Inc.",
    );
    expect(suggestion(policy, after).reasons).toContainEqual({
      kind: "recipient-added",
      section: "4. Sharing",
      detail: 'New recipient or processor: "Mailfox Inc."',
      words: ["Mailfox Inc."],
    });
  });

  it("suggests a processor that is no longer named", () => {
    const after = policy.replace(", such as Cloudhost Europe GmbH in Ireland.", ".");
    expect(kinds(policy, after)).toContain("recipient-removed");
  });

  it("suggests a new kind of recipient in a sentence about sharing", () => {
    const after = policy.replace(
      "We do not sell your personal data.",
      "We share your personal data with advertising partners.",
    );
    expect(kinds(policy, after)).toContain("recipient-added");
  });

  it("ignores recipients named in a denial", () => {
    const after = policy.replace(
      "We do not sell your personal data.",
      "We do not sell your personal data to data brokers.",
    );
    expect(suggestion(policy, after).suggested).toBe(false);
  });

  it("suggests a new category of personal data", () => {
    const after = policy.replace(
      "and payment card details.",
      "payment card details and your precise location.",
    );
    expect(kinds(policy, after)).toEqual(["data-category-added"]);
  });

  it("suggests a changed retention period with both durations", () => {
    const after = policy.replace("for 24 months", "for 36 months");
    expect(suggestion(policy, after).reasons).toEqual([
      expect.objectContaining({
        kind: "retention-changed",
        section: "5. Retention",
        words: ["24 months", "36 months"],
      }),
    ]);
  });

  it("suggests an open-ended retention that replaces a fixed one", () => {
    const after = policy.replace("for 24 months and delete them after that", "indefinitely");
    expect(kinds(policy, after)).toContain("retention-changed");
  });

  it("suggests another changed duration or number outside retention", () => {
    expect(kinds(policy, policy.replace("within 72 hours", "within 96 hours"))).toEqual(["number-changed"]);
  });

  it("suggests a changed legal basis", () => {
    const after = policy.replace(
      "with your consent (Article 6(1)(a) GDPR)",
      "based on our legitimate interests (Article 6(1)(f) GDPR)",
    );
    expect(suggestion(policy, after).reasons).toEqual([
      expect.objectContaining({
        kind: "legal-basis-changed",
        detail: 'Legal basis "consent" → "legitimate interests"',
      }),
    ]);
  });

  it("suggests a new international transfer", () => {
    const after = policy.replace("in Ireland.", "in Ireland, which may transfer data to the United States.");
    expect(kinds(policy, after)).toContain("international-transfer-added");
  });

  it("suggests a removed right", () => {
    const after = policy.replace(", the right to erasure", "");
    expect(suggestion(policy, after).reasons).toContainEqual(
      expect.objectContaining({ kind: "right-removed", section: "7. Your rights" }),
    );
  });

  it("suggests a narrowed right", () => {
    const after = policy.replace("at any time, free of charge", "in certain circumstances");
    expect(suggestion(policy, after).reasons).toContainEqual(
      expect.objectContaining({ kind: "right-removed", detail: expect.stringContaining("narrowed") }),
    );
  });

  it("suggests a changed controller", () => {
    const after = policy.replace("1 High Street, Leeds LS1 4AP", "9 Dock Road, Hull HU1 2AB");
    expect(kinds(policy, after)).toEqual(["controller-changed"]);
  });

  it("suggests changed contact details", () => {
    expect(kinds(policy, policy.replace("privacy@example-apps.test", "dpo@example-apps.test"))).toEqual([
      "contact-changed",
    ]);
  });

  describe("never on its own", () => {
    const cases: Array<[string, string]> = [
      ["a changed last-updated date", policy.replace("1 March 2024", "27 November 2026")],
      ["a typo fix", policy.replace("analyse usage", "analsye usage")],
      ["reordered sections", reorder(policy)],
      [
        "renumbered sections",
        policy.replace("## 6. Breaches", "## 9. Breaches").replace("## 7. Your", "## 6. Your"),
      ],
      ["punctuation and quotes", policy.replace('("we")', "(“we”)").replace("name, email", "name; email")],
      ["whitespace", policy.replace("We keep support tickets", "We  keep support tickets")],
      [
        "a reworded sentence keeping the same address",
        policy.replace("Email privacy@", "Email us at privacy@"),
      ],
      ["a case change", policy.replace("supervisory authority", "Supervisory Authority")],
    ];
    for (const [name, after] of cases) {
      it(`is material: not for ${name}`, () => {
        const found = suggestion(
          name === "a typo fix" ? after : policy,
          name === "a typo fix" ? policy : after,
        );
        expect(found).toEqual({ suggested: false, reasons: [] });
      });
    }
  });

  it("measures spelling distance with transpositions counted once", () => {
    expect(editDistance("recieve", "receive")).toBe(1);
    expect(editDistance("kitten", "sitting")).toBe(3);
  });
});

function reorder(text: string): string {
  const sections = text.split(/(?=^## )/m);
  [sections[5], sections[6]] = [sections[6], sections[5]];
  return sections.join("");
}

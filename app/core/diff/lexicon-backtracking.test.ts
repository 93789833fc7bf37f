import { describe, expect, it } from "vitest";
import * as lexicon from "./lexicon";

// Strings that made the materiality vocabulary backtrack quadratically (found with the recheck
// ReDoS checker). A hang guard, not a benchmark: quadratic patterns need minutes on these; linear
// ones, milliseconds.
const HOSTILE: Array<[string, string]> = [
  ["ARTICLE_6_LETTER", `ART6(1)${"\t".repeat(100_000)}.ART6(1)E`],
  ["COMPANY_NAME", "N".repeat(100_000)],
  ["COMPANY_NUMBER", `VAT\tNO.${"\t".repeat(100_000)}\tNO:0:EIN\tNO0`],
  ["EMAIL", `${"-".repeat(100_000)}-.-@+@-.-`],
  ["URL", "T.".repeat(50_000)],
  ["AGE_LIMIT", `under ${"under \t".repeat(30_000)}1${" ".repeat(50_000)}x`],
  ["STREET_ADDRESS", `W${"l-C".repeat(30_000)}W${"p".repeat(30_000)}\u0000`],
];

describe("the materiality vocabulary on hostile text", () => {
  it.each(HOSTILE)("%s scans a long hostile run in linear time", { timeout: 20_000 }, (name, text) => {
    const pattern = (lexicon as unknown as Record<string, RegExp>)[name];
    const global = new RegExp(
      pattern.source,
      pattern.flags.includes("g") ? pattern.flags : `${pattern.flags}g`,
    );
    expect(text.replace(global, "").length).toBeGreaterThan(0);
  });

  it.each(["\n", "\r"])(
    "user-rights list markers stay on their line (%j)",
    { timeout: 20_000 },
    (breakChar) => {
      const block = `${breakChar.repeat(100_000)}E`;
      for (const [, pattern] of lexicon.USER_RIGHTS) expect(pattern.exec(block)).toBeNull();
    },
  );

  it("still finds what the patterns are for", () => {
    expect("Article 6(1)(f) GDPR".match(lexicon.ARTICLE_6_LETTER)).toEqual(["Article 6(1)(f)"]);
    expect("Write to dpo@acme.example or see www.acme.example/privacy.".match(lexicon.EMAIL)).toEqual([
      "dpo@acme.example",
    ]);
    expect("See acme.co.uk and help.acme.example/x today".match(lexicon.URL)).toEqual([
      "acme.co.uk",
      "help.acme.example/x",
    ]);
    expect("Acme Analytics Inc. and Cumulus Hosting GmbH".match(lexicon.COMPANY_NAME)).toEqual([
      "Acme Analytics Inc.",
      "Cumulus Hosting GmbH",
    ]);
    expect("VAT number: GB123456789".match(lexicon.COMPANY_NUMBER)).toEqual(["VAT number: GB123456789"]);
    expect(lexicon.USER_RIGHTS.find(([name]) => name === "access")?.[1].test("Intro\n• Access: a copy")).toBe(
      true,
    );
  });
});

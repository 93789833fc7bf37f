import { describe, expect, it } from "vitest";
import { canonicalText } from "./document-index";
import { canonicalName } from "./facts";

describe("canonicalText", () => {
  it("is canonicalName, whatever the separators", () => {
    const samples = [
      "Acme Analytics, Inc.",
      "  Google  LLC.\n\nand\tMeta Platforms , Inc ",
      "a.b,c  d\u00a0e\u2009f\u200bg\u3000h\ufeffi\u2028j",
      ". , .",
      "",
      "Ünïcode Straße GmbH",
      "one two three",
      "\u200b leading and trailing \u200b",
    ];
    for (const sample of samples) expect(canonicalText(sample)).toBe(canonicalName(sample));
  });
});

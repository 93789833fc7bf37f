import { describe, expect, it } from "vitest";
import { diffBlockWords, mergeAcrossSpaces, type WordDiffBudget } from "./words";

const generous = (): WordDiffBudget => ({
  deadline: performance.now() + 1000,
  blockTimeoutMs: 100,
  maxEditLength: 4000,
  guaranteed: 0,
});
const side = (parts: { op: string; text: string }[], skip: string) =>
  parts
    .filter((part) => part.op !== skip)
    .map((part) => part.text)
    .join("");

describe("word diff", () => {
  it("marks changed words and keeps the rest", () => {
    const { parts, replacedWhole } = diffBlockWords(
      "We keep logs for 12 months.",
      "We keep logs for 18 months.",
      generous(),
    );
    expect(replacedWhole).toBe(false);
    expect(parts).toEqual([
      { op: "equal", text: "We keep logs for " },
      { op: "delete", text: "12" },
      { op: "insert", text: "18" },
      { op: "equal", text: " months." },
    ]);
  });

  it("folds single spaces between changes into one readable replacement", () => {
    const { parts } = diffBlockWords("the quick brown fox", "a slow red fox", generous());
    expect(parts).toEqual([
      { op: "delete", text: "the quick brown" },
      { op: "insert", text: "a slow red" },
      { op: "equal", text: " fox" },
    ]);
  });

  it("rebuilds both texts exactly, whitespace included", () => {
    const before = "Hello,  world\nfoo  ";
    const after = "  Hello world\n\nfoo bar";
    const { parts } = diffBlockWords(before, after, generous());
    expect(side(parts, "insert")).toBe(before);
    expect(side(parts, "delete")).toBe(after);
  });

  it("replaces the block whole when the edit is longer than maxEditLength", () => {
    const budget = { ...generous(), maxEditLength: 3 };
    const result = diffBlockWords("one two three four five", "six seven eight nine ten", budget);
    expect(result).toEqual({
      replacedWhole: true,
      parts: [
        { op: "delete", text: "one two three four five" },
        { op: "insert", text: "six seven eight nine ten" },
      ],
    });
  });

  it("replaces the block whole once the shared time budget is spent", () => {
    const spent = { ...generous(), deadline: performance.now() - 1 };
    expect(diffBlockWords("a b c", "a b d", spent).replacedWhole).toBe(true);
  });

  it("keeps equal text when nothing sits between changes", () => {
    expect(
      mergeAcrossSpaces([
        { op: "equal", text: "a " },
        { op: "delete", text: "b" },
        { op: "equal", text: " c" },
      ]),
    ).toEqual([
      { op: "equal", text: "a " },
      { op: "delete", text: "b" },
      { op: "equal", text: " c" },
    ]);
  });
});

describe("word diff of long, heavily edited blocks", () => {
  // Sentences rewritten throughout a long clause: too much work for Myers, so anchored on unique tokens.
  const sentences = Array.from({ length: 60 }, (_, i) => `Clause ${i} keeps record ${i} for review.`);
  const oldText = sentences.join(" ");
  const newText = sentences
    .map((sentence, i) =>
      i % 2 ? sentence.replace("keeps", "deletes").replace("review", "audit") : sentence,
    )
    .join(" ");

  it("still marks the changed words and rebuilds both texts exactly", () => {
    const { parts, replacedWhole } = diffBlockWords(oldText, newText, generous());
    expect(replacedWhole).toBe(false);
    expect(side(parts, "insert")).toBe(oldText);
    expect(side(parts, "delete")).toBe(newText);
    expect(parts).toContainEqual({ op: "delete", text: "keeps" });
    expect(parts).toContainEqual({ op: "insert", text: "deletes" });
    expect(parts.filter((part) => part.op === "equal").map((part) => part.text)).toContain(" record 1 for ");
  });
});

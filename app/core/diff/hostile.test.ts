import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { PolicyContent } from "../document/types";
import { diffPolicies } from "./diff";
import { collapse, rebuilt } from "./test-support";

// Timing lives in the benchmark (scripts/bench/diff.ts); these tests check the fallback and the invariant.

const paragraph = (text: string) => ({ type: "paragraph", content: [{ type: "text", text }] });
const doc = (...texts: string[]): PolicyContent => ({ type: "doc", content: texts.map(paragraph) });

function randomWords(seed: number, count: number): string {
  const [words] = fc.sample(
    fc.array(fc.stringMatching(/^[a-z]{2,9}$/), { minLength: count, maxLength: count }),
    {
      seed,
      numRuns: 1,
    },
  );
  return words.join(" ");
}

function expectInvariant(before: PolicyContent, after: PolicyContent) {
  const diff = diffPolicies(before, after);
  const text = (content: PolicyContent) =>
    collapse(content.content!.map((node) => node.content![0].text).join(" "));
  expect(rebuilt(diff, "old")).toBe(text(before));
  expect(rebuilt(diff, "new")).toBe(text(after));
  return diff;
}

describe("hostile input", () => {
  it("replaces a huge paragraph whole when it is rewritten completely", { timeout: 20_000 }, () => {
    const before = doc("Intro stays.", randomWords(1, 50_000));
    const after = doc("Intro stays.", randomWords(2, 50_000));
    const diff = expectInvariant(before, after);
    const rewritten = diff.blocks.filter((block) => block.change !== "unchanged");
    // Either aligned and replaced whole, or reported as a deletion plus an insertion: never a word soup.
    for (const block of rewritten) {
      if (block.change === "modified") expect(block.replacedWhole).toBe(true);
      else expect(["deleted", "inserted"]).toContain(block.change);
    }
  });

  it("falls back when repeated tokens make the edit script explode", { timeout: 20_000 }, () => {
    const [pattern] = fc.sample(
      fc.array(fc.constantFrom("a", "b"), { minLength: 40_000, maxLength: 40_000 }),
      {
        seed: 7,
        numRuns: 1,
      },
    );
    const before = doc(`${"a ".repeat(20_000)}end`);
    const after = doc(`${pattern.join(" ")} end`);
    const diff = expectInvariant(before, after);
    const block = diff.blocks.find((candidate) => candidate.change === "modified");
    expect(block?.replacedWhole).toBe(true);
  });

  it("still diffs small edits at word level beside a hostile block", { timeout: 20_000 }, () => {
    const before = doc(randomWords(3, 30_000), "We keep logs for 12 months.");
    const after = doc(randomWords(4, 30_000), "We keep logs for 18 months.");
    const diff = expectInvariant(before, after);
    const small = diff.blocks.find((block) => block.parts.some((part) => part.text === "18"));
    expect(small).toMatchObject({ change: "modified" });
    expect(small?.replacedWhole).toBeUndefined();
  });

  it("diffs a long paragraph with a few edits word by word", { timeout: 20_000 }, () => {
    const text = randomWords(5, 20_000);
    const edited = text.replace(/^(\S+ ){100}/, (start) => `${start}inserted words `);
    const diff = expectInvariant(doc(text), doc(edited));
    expect(diff.blocks[0].replacedWhole).toBeUndefined();
    expect(diff.stats.wordsAdded).toBe(2);
  });
});

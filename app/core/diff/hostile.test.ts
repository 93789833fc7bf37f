import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { PolicyContent } from "../document/types";
import { diffPolicies } from "./diff";
import { collapse, paragraphs, rebuilt } from "./test-support";

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

// A budget a loaded test machine cannot exhaust by extraction alone: these tests check what the engine
// does with hostile blocks, not how fast (the benchmark does that).
function expectInvariant(before: PolicyContent, after: PolicyContent) {
  const diff = diffPolicies(before, after, { timeoutMs: 5_000 });
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

describe("one budget for the whole comparison", () => {
  const clauses = (seed: string) =>
    Array.from(
      { length: 80 },
      (_, i) => `${seed} ${i} covers how ${seed}s handle case ${i * 7} and notify people within ${i} days.`,
    );

  it("describes a complete rewrite as one reason instead of reading every clause", () => {
    const rewrite = Array.from(
      { length: 60 },
      (_, i) => `Members ${i} may export their saved playlists as files from settings page ${i}.`,
    );
    const diff = diffPolicies(paragraphs(...clauses("alpha")), paragraphs(...rewrite));
    expect(diff.material).toEqual({
      suggested: true,
      reasons: [
        {
          kind: "complete-rewrite",
          section: "Whole document",
          detail: expect.stringMatching(/^Complete rewrite: about \d+% of the text is new or removed/),
          words: [],
        },
      ],
    });
    expect(diff.stats.blocksChanged).toBeGreaterThan(0);
  });

  it("reads a large but partial change clause by clause", () => {
    const old = clauses("alpha");
    const changed = old.map((clause, i) => (i % 10 === 0 ? clause.replace("days", "weeks") : clause));
    const diff = diffPolicies(paragraphs(...old), paragraphs(...changed));
    expect(diff.material.reasons.map((reason) => reason.kind)).not.toContain("complete-rewrite");
    expect(diff.material.reasons.length).toBeGreaterThan(0);
  });

  it("leaves the suggestion incomplete, not absent, when the budget is gone before it starts", () => {
    const old = clauses("alpha");
    const changed = old.map((clause) => clause.replace("days", "weeks"));
    const diff = diffPolicies(paragraphs(...old), paragraphs(...changed), { timeoutMs: 0 });
    expect(diff.material.incomplete).toBe(true);
    // The first few blocks are diffed whatever the clock says; the rest are shown replaced whole.
    const modified = diff.blocks.filter((block) => block.change === "modified");
    expect(modified.filter((block) => !block.replacedWhole)).toHaveLength(24);
    expect(modified.length).toBeGreaterThan(24);
  });
});

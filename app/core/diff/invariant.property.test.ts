import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { JSONContent } from "@tiptap/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { policyText } from "../document";
import type { PolicyContent } from "../document/types";
import { diffPolicies } from "./diff";
import { collapse, markdown, rebuilt } from "./test-support";
import type { PolicyDiff } from "./types";

// The real-sized policy, parsed once; edits are applied to its Tiptap JSON so each run stays fast.
const privacy = markdown(readFileSync(join(import.meta.dirname, "../../../content/privacy.md"), "utf8"));

const word = fc.oneof(
  fc.constantFrom(
    "data",
    "processor",
    "months",
    "United States",
    "consent",
    "’",
    "<script>",
    "  ",
    "24",
    "Acme Inc.",
  ),
  fc.stringMatching(/^[a-z]{1,9}$/),
);

type Edit =
  | { type: "insert-word" | "replace-word"; at: number; word: string }
  | { type: "delete-word"; at: number }
  | { type: "move-block" | "swap-blocks"; from: number; to: number }
  | { type: "delete-block"; at: number }
  | { type: "insert-block"; at: number; words: string[] };

const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ type: fc.constantFrom("insert-word", "replace-word"), at: fc.nat(), word }),
  fc.record({ type: fc.constant("delete-word"), at: fc.nat() }),
  fc.record({ type: fc.constantFrom("move-block", "swap-blocks"), from: fc.nat(), to: fc.nat() }),
  fc.record({ type: fc.constant("delete-block"), at: fc.nat() }),
  fc.record({
    type: fc.constant("insert-block"),
    at: fc.nat(),
    words: fc.array(word, { minLength: 1, maxLength: 12 }),
  }),
) as fc.Arbitrary<Edit>;

function textNodes(node: JSONContent, found: JSONContent[] = []): JSONContent[] {
  if (typeof node.text === "string") found.push(node);
  for (const child of node.content ?? []) textNodes(child, found);
  return found;
}

function applyEdits(content: PolicyContent, edits: Edit[]): PolicyContent {
  const doc = structuredClone(content);
  const blocks = doc.content!;
  for (const change of edits) {
    if (change.type === "move-block" || change.type === "swap-blocks") {
      const from = change.from % blocks.length;
      const to = change.to % blocks.length;
      if (change.type === "swap-blocks") [blocks[from], blocks[to]] = [blocks[to], blocks[from]];
      else blocks.splice(to, 0, ...blocks.splice(from, 1));
    } else if (change.type === "delete-block") {
      if (blocks.length > 1) blocks.splice(change.at % blocks.length, 1);
    } else if (change.type === "insert-block") {
      blocks.splice(change.at % (blocks.length + 1), 0, {
        type: "paragraph",
        content: [{ type: "text", text: change.words.join(" ") }],
      });
    } else if (
      change.type === "delete-word" ||
      change.type === "insert-word" ||
      change.type === "replace-word"
    ) {
      const nodes = textNodes(doc);
      if (nodes.length === 0) continue;
      const node = nodes[change.at % nodes.length];
      const tokens = node.text!.split(" ");
      const at = Math.floor(change.at / nodes.length) % tokens.length;
      if (change.type === "delete-word") tokens.splice(at, 1);
      else tokens.splice(at, change.type === "replace-word" ? 1 : 0, (change as { word: string }).word);
      node.text = tokens.join(" ") || "x";
    }
  }
  return doc;
}

function checkStructure(diff: PolicyDiff) {
  const halves = new Map<number, string[]>();
  for (const block of diff.blocks) {
    expect(["unchanged", "modified", "inserted", "deleted", "moved"]).toContain(block.change);
    if (block.change === "inserted") expect(block.parts.every((part) => part.op === "insert")).toBe(true);
    if (block.change === "deleted") expect(block.parts.every((part) => part.op === "delete")).toBe(true);
    if (block.change === "unchanged") expect(block.parts.every((part) => part.op === "equal")).toBe(true);
    if (block.moveId !== undefined)
      halves.set(block.moveId, [...(halves.get(block.moveId) ?? []), block.move!]);
  }
  for (const pair of halves.values()) expect(pair.sort()).toEqual(["from", "to"]);
}

describe("the redline invariant on random edits of the real policy", () => {
  it("rebuilds the old text from equal + delete and the new text from equal + insert", () => {
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 8 }), (edits) => {
        const edited = applyEdits(privacy, edits);
        const diff = diffPolicies(privacy, edited);
        expect(rebuilt(diff, "old")).toBe(collapse(policyText(privacy)));
        expect(rebuilt(diff, "new")).toBe(collapse(policyText(edited)));
        checkStructure(diff);
      }),
      { numRuns: 60 },
    );
  });

  it("holds in the other direction too", () => {
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 8 }), (edits) => {
        const edited = applyEdits(privacy, edits);
        const diff = diffPolicies(edited, privacy);
        expect(rebuilt(diff, "old")).toBe(collapse(policyText(edited)));
        expect(rebuilt(diff, "new")).toBe(collapse(policyText(privacy)));
        checkStructure(diff);
      }),
      { numRuns: 30 },
    );
  });

  it("finds no change between a document and itself", () => {
    const diff = diffPolicies(privacy, structuredClone(privacy));
    expect(diff.blocks.every((block) => block.change === "unchanged")).toBe(true);
    expect(diff.material).toEqual({ suggested: false, reasons: [] });
  });

  it("reports reordered blocks only as moves, never as material", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ type: fc.constant("swap-blocks"), from: fc.nat(), to: fc.nat() }), {
          minLength: 1,
          maxLength: 4,
        }),
        (edits) => {
          const diff = diffPolicies(privacy, applyEdits(privacy, edits as Edit[]));
          expect(
            diff.blocks.every(
              (block) => block.change === "unchanged" || block.change === "moved" || block.formattingOnly,
            ),
          ).toBe(true);
          expect(diff.material.suggested).toBe(false);
        },
      ),
      { numRuns: 30 },
    );
  });
});

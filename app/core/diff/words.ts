import { diffWordsWithSpace } from "diff";
import type { DiffPart } from "./types";

/** Limits shared by all word diffs of one comparison, so that no input can take long. */
export type WordDiffBudget = {
  /** `performance.now()` value after which every remaining block is replaced whole. */
  deadline: number;
  blockTimeoutMs: number;
  maxEditLength: number;
};

export type WordDiff = { parts: DiffPart[]; replacedWhole: boolean };

// Tokens as diffWordsWithSpace sees them (words, runs of whitespace, single other characters); used
// for a cheap lower bound of the edit length before jsdiff is asked.
const TOKEN = /[\p{L}\p{N}_\u00ad]+|\s+|[^\p{L}\p{N}_\u00ad\s]/gu;

/**
 * Word-level diff of two aligned blocks. jsdiff always runs with `timeout` and `maxEditLength`; when
 * either is hit (or the budget is already spent) the block is replaced whole instead of hanging.
 * diffWordsWithSpace keeps whitespace as tokens, so the parts rebuild both texts exactly.
 */
export function diffBlockWords(oldText: string, newText: string, budget: WordDiffBudget): WordDiff {
  if (oldText === newText)
    return { parts: oldText ? [{ op: "equal", text: oldText }] : [], replacedWhole: false };
  if (!oldText || !newText) return { parts: replaceWhole(oldText, newText), replacedWhole: false };

  const remaining = budget.deadline - performance.now();
  if (remaining <= 0 || editLengthLowerBound(oldText, newText) > budget.maxEditLength) {
    return { parts: replaceWhole(oldText, newText), replacedWhole: true };
  }
  const changes = diffWordsWithSpace(oldText, newText, {
    timeout: Math.max(1, Math.min(budget.blockTimeoutMs, Math.floor(remaining))),
    maxEditLength: budget.maxEditLength,
  });
  if (!changes) return { parts: replaceWhole(oldText, newText), replacedWhole: true };
  const parts: DiffPart[] = changes.map((change) => ({
    op: change.added ? "insert" : change.removed ? "delete" : "equal",
    text: change.value,
  }));
  return { parts: mergeAcrossSpaces(parts), replacedWhole: false };
}

/** The whole old text removed and the whole new text added. */
function replaceWhole(oldText: string, newText: string): DiffPart[] {
  const parts: DiffPart[] = [];
  if (oldText) parts.push({ op: "delete", text: oldText });
  if (newText) parts.push({ op: "insert", text: newText });
  return parts;
}

/**
 * Every token the two texts do not share must be inserted or deleted, so the size of the multiset
 * difference bounds the edit length from below. Linear, and saves running Myers on hopeless pairs.
 */
function editLengthLowerBound(oldText: string, newText: string): number {
  const counts = new Map<string, number>();
  for (const token of oldText.match(TOKEN) ?? []) counts.set(token, (counts.get(token) ?? 0) + 1);
  for (const token of newText.match(TOKEN) ?? []) counts.set(token, (counts.get(token) ?? 0) - 1);
  let difference = 0;
  for (const count of counts.values()) difference += Math.abs(count);
  return difference;
}

/**
 * "-the +a = -quick +slow" reads badly: a space kept between two changes is folded into both sides,
 * giving "-the quick +a slow". Both texts are still rebuilt exactly; within a change, deletions come
 * before insertions.
 */
export function mergeAcrossSpaces(parts: DiffPart[]): DiffPart[] {
  const result: DiffPart[] = [];
  let deleted = "";
  let inserted = "";
  const flush = () => {
    if (deleted) result.push({ op: "delete", text: deleted });
    if (inserted) result.push({ op: "insert", text: inserted });
    deleted = "";
    inserted = "";
  };
  parts.forEach((part, i) => {
    if (part.op === "delete") deleted += part.text;
    else if (part.op === "insert") inserted += part.text;
    else {
      const between = (deleted || inserted) && i + 1 < parts.length && parts[i + 1].op !== "equal";
      if (between && /^\s+$/.test(part.text)) {
        deleted += part.text;
        inserted += part.text;
        return;
      }
      flush();
      const last = result[result.length - 1];
      if (last?.op === "equal") last.text += part.text;
      else result.push({ ...part });
    }
  });
  flush();
  return result;
}

import { diffWordsWithSpace } from "diff";
import { matchSequences } from "./sequence";
import type { DiffPart } from "./types";

/** Limits shared by all word diffs of one comparison, so that no input can take long. */
export type WordDiffBudget = {
  /** `performance.now()` value after which every remaining block is replaced whole. */
  deadline: number;
  blockTimeoutMs: number;
  maxEditLength: number;
  /**
   * Blocks still diffed whatever the clock says (each within `blockTimeoutMs`): a small change is
   * always shown word by word, even when a cold start or a busy machine ate the budget.
   */
  guaranteed: number;
};

export type WordDiff = { parts: DiffPart[]; replacedWhole: boolean };

/**
 * Above this estimate of Myers' work (tokens × edits at least), a block is diffed by anchoring on
 * tokens found once on each side instead: near-linear, slightly less minimal, and what keeps a long
 * clause rewritten sentence by sentence from spending the comparison's whole budget.
 */
const MYERS_WORK_LIMIT = 40_000;

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
  const guaranteed = budget.guaranteed > 0;
  if (guaranteed) budget.guaranteed--;
  else if (remaining <= 0) return { parts: replaceWhole(oldText, newText), replacedWhole: true };
  const oldTokens = oldText.match(TOKEN) ?? [];
  const newTokens = newText.match(TOKEN) ?? [];
  const lowerBound = editLengthLowerBound(oldTokens, newTokens);
  if (lowerBound > budget.maxEditLength) {
    return { parts: replaceWhole(oldText, newText), replacedWhole: true };
  }
  if ((oldTokens.length + newTokens.length) * lowerBound > MYERS_WORK_LIMIT) {
    return { parts: mergeAcrossSpaces(anchoredDiff(oldTokens, newTokens)), replacedWhole: false };
  }
  const changes = diffWordsWithSpace(oldText, newText, {
    timeout: guaranteed
      ? budget.blockTimeoutMs
      : Math.max(1, Math.min(budget.blockTimeoutMs, Math.floor(remaining))),
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
function editLengthLowerBound(oldTokens: string[], newTokens: string[]): number {
  const counts = new Map<string, number>();
  for (const token of oldTokens) counts.set(token, (counts.get(token) ?? 0) + 1);
  for (const token of newTokens) counts.set(token, (counts.get(token) ?? 0) - 1);
  let difference = 0;
  for (const count of counts.values()) difference += Math.abs(count);
  return difference;
}

/** Token diff through patience anchors (exact LCS in small gaps): deletions before insertions in each gap. */
function anchoredDiff(oldTokens: string[], newTokens: string[]): DiffPart[] {
  const ids = new Map<string, number>();
  const intern = (token: string) => {
    let id = ids.get(token);
    if (id === undefined) {
      id = ids.size;
      ids.set(token, id);
    }
    return id;
  };
  const pairs = matchSequences(oldTokens.map(intern), newTokens.map(intern));
  const parts: DiffPart[] = [];
  const push = (op: DiffPart["op"], text: string) => {
    if (!text) return;
    const last = parts[parts.length - 1];
    if (last?.op === op) last.text += text;
    else parts.push({ op, text });
  };
  let o = 0;
  let n = 0;
  for (const [matchedOld, matchedNew] of [...pairs, [oldTokens.length, newTokens.length] as const]) {
    push("delete", oldTokens.slice(o, matchedOld).join(""));
    push("insert", newTokens.slice(n, matchedNew).join(""));
    if (matchedOld < oldTokens.length) push("equal", oldTokens[matchedOld]);
    o = matchedOld + 1;
    n = matchedNew + 1;
  }
  return parts;
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

import { type Block, blockLooseText } from "./blocks";
import { words } from "./normalize";
import { RULES } from "./rules";
import { DocumentIndex } from "./rules/document-index";
import { editDistance, type Facts, multisetMinus, readFacts, type SentenceCache } from "./rules/facts";
import type { Clause, Report } from "./rules/rule";
import type { DiffPart, MaterialReason, MaterialSuggestion } from "./types";

export { editDistance };

/** One changed clause as the suggester sees it: old and/or new block and the word diff between them. */
export type ClauseChange = { section: string; old?: Block; new?: Block; parts: DiffPart[] };

/**
 * Suggests whether a change is material, with reasons a lawyer can check: each names its kind, its
 * section and the words that triggered it. Advice only — a person decides. Formatting, typo, date-only
 * and reordering edits never reach this function or never produce a reason. The reasons come from the
 * rule table (./rules), every rule reading every substantive changed clause.
 */
export function suggestMateriality(
  changes: ClauseChange[],
  oldBlocks: Block[],
  newBlocks: Block[],
  deadline = Number.POSITIVE_INFINITY,
  alwaysRead = 0,
): MaterialSuggestion {
  const cache = new Map<Block, Facts>();
  // Facts depend only on what readFacts reads of a block; within one comparison about a third of the
  // clauses read repeat a text (the same clause in both versions, boilerplate repeated per section),
  // so those are read once. Facts are never modified by the rules, so sharing them is safe.
  // Keyed by the text alone, the rest compared in the (short) list: a key joining the text with the
  // other fields would copy and hash every clause's text once more.
  const byText = new Map<string, Array<{ block: Block; facts: Facts }>>();
  const sentences: SentenceCache = new Map();
  const facts = (block: Block | undefined) => {
    if (!block) return undefined;
    let found = cache.get(block);
    if (!found) {
      let readings = byText.get(block.text);
      found = readings?.find((reading) => sameReading(reading.block, block))?.facts;
      if (!found) {
        found = readFacts(block, sentences);
        if (!readings) {
          readings = [];
          byText.set(block.text, readings);
        }
        readings.push({ block, facts: found });
      }
      cache.set(block, found);
    }
    return found;
  };
  const read = (block: Block) => facts(block)!;
  const before = new DocumentIndex(oldBlocks, read);
  const after = new DocumentIndex(newBlocks, read);
  let incomplete = false;
  const relevant = changes.filter((change) => !isTrivialEdit(change));
  // Half the budget at most for spotting moved values, so the reasons themselves always get a turn.
  const now = performance.now();
  const moved = valuesMovedBetweenClauses(relevant, facts, now + (deadline - now) / 2, alwaysRead);

  const reasons: MaterialReason[] = [];
  const report: Report = (kind, clause, detail, found) => {
    const section = clause.section;
    if (
      reasons.some((reason) => reason.kind === kind && reason.section === section && reason.detail === detail)
    )
      return;
    reasons.push({ kind, section, detail, words: found });
  };
  const rules = RULES.map((rule) => rule());
  for (const [index, change] of relevant.entries()) {
    if (index >= alwaysRead && performance.now() > deadline) {
      incomplete = true;
      break;
    }
    const label = change.new?.row ?? change.old?.row;
    const clause: Clause = {
      change,
      section: change.section,
      was: facts(change.old),
      is: facts(change.new),
      prefix: label ? `${label}: ` : "",
      before,
      after,
      moved,
    };
    for (const rule of rules) rule.check(clause, report);
  }
  for (const rule of rules) rule.finish?.(report);

  return { suggested: reasons.length > 0, reasons, ...(incomplete ? { incomplete: true as const } : {}) };
}

/** Everything of a block besides its text that readFacts reads: blocks equal in these have equal facts. */
function sameReading(a: Block, b: Block): boolean {
  return (
    a.kind === b.kind &&
    Boolean(a.opening) === Boolean(b.opening) &&
    a.section === b.section &&
    (a.column ?? "") === (b.column ?? "")
  );
}

/**
 * Values (durations, numbers, ages, legal bases) that left one clause and arrived in an inserted or deleted
 * one in equal number — a clause split in two or text moved — are not changes of substance.
 */
function valuesMovedBetweenClauses(
  changes: ClauseChange[],
  facts: (block?: Block) => Facts | undefined,
  deadline: number,
  alwaysRead: number,
) {
  const balance = new Map<string, number>();
  const unpaired = new Set<string>();
  const count = (values: string[], delta: number, paired: boolean) => {
    for (const value of values) {
      balance.set(value, (balance.get(value) ?? 0) + delta);
      if (!paired) unpaired.add(value);
    }
  };
  for (const [read, change] of changes.entries()) {
    if (read >= alwaysRead && performance.now() > deadline) break;
    const was = facts(change.old);
    const is = facts(change.new);
    const paired = Boolean(was && is);
    const keysOf = (f: Facts | undefined) => [
      ...(f?.durations ?? []).map((d) => `duration:${d}`),
      ...(f?.numbers ?? []).map((n) => `number:${n}`),
      ...(f?.ages ?? []).map((age) => `age:${age}`),
      ...[...(f?.bases ?? [])].map((b) => `basis:${b}`),
    ];
    const before = keysOf(was);
    const after = keysOf(is);
    count(multisetMinus(before, after), -1, paired);
    count(multisetMinus(after, before), 1, paired);
  }
  return new Set([...unpaired].filter((value) => balance.get(value) === 0));
}

/** Typo fixes ("recieve" → "receive") and case changes: every changed word has a close spelling twin. */
function isTrivialEdit(change: ClauseChange): boolean {
  if (!change.old || !change.new) return false;
  if (blockLooseText(change.old).toLowerCase() === blockLooseText(change.new).toLowerCase()) return true;
  let deleted = "";
  let inserted = "";
  const runs: Array<[string, string]> = [];
  for (const part of [...change.parts, { op: "equal", text: "" } as DiffPart]) {
    if (part.op === "delete") deleted += part.text;
    else if (part.op === "insert") inserted += part.text;
    else if (deleted || inserted) {
      runs.push([deleted, inserted]);
      deleted = "";
      inserted = "";
    }
  }
  return runs.every(([removed, added]) => {
    const a = words(removed);
    const b = words(added);
    if (a.length !== b.length) return false;
    return a.every((word, i) => {
      const other = b[i];
      if (word === other) return true;
      if (/\d/.test(word) || /\d/.test(other) || Math.min(word.length, other.length) < 4) return false;
      const distance = editDistance(word, other);
      return distance <= 2 && distance <= Math.floor(Math.max(word.length, other.length) / 3);
    });
  });
}

import type { ClauseChange } from "../materiality";
import type { MaterialReasonKind } from "../types";
import type { DocumentIndex } from "./document-index";
import type { Facts } from "./facts";

/** One changed clause as a rule sees it: the facts of both sides and the two whole versions. */
export type Clause = {
  change: ClauseChange;
  section: string;
  /** Facts of the old and new block; one is absent for an inserted or deleted clause. */
  was?: Facts;
  is?: Facts;
  /** "Support tickets: " for a table cell, so a lone cell reads in its row's context. */
  prefix: string;
  before: DocumentIndex;
  after: DocumentIndex;
  /** Values (`duration:…`, `number:…`, `basis:…`) that only moved between clauses. */
  moved: ReadonlySet<string>;
};

/** Records a reason; the same kind, section and detail is recorded once. */
export type Report = (kind: MaterialReasonKind, clause: Clause, detail: string, words: string[]) => void;

/** One kind of material change: reads each changed clause, then optionally weighs them together. */
type Rule = {
  check(clause: Clause, report: Report): void;
  /** After every clause: for rules whose verdict depends on other clauses (a renamed company). */
  finish?(report: Report): void;
};

/** A fresh rule per suggestion, so rules may keep state across clauses. */
export type RuleFactory = () => Rule;

/**
 * How a change of values reads: `"24 months" → "36 months"` when both sides have one, otherwise
 * "added" or "no longer stated" — never a placeholder a reader has to decode.
 */
export function describeChange(subject: string, removed: string[], added: string[]): string {
  const quote = (values: string[]) => values.map((value) => `"${value}"`).join(", ");
  if (removed.length && added.length) return `${subject} ${quote(removed)} → ${quote(added)}`;
  if (added.length) return `${subject} added: ${quote(added)}`;
  return `${subject} no longer stated: ${quote(removed)}`;
}

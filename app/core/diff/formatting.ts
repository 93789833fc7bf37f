import { type Block, blockLooseText } from "./blocks";
import { collapseWhitespace, looseText, stripHeadingNumber } from "./normalize";
import type { FormattingChange } from "./types";

export type FormattingVerdict = {
  /** Formatting differences found, in a fixed order. */
  changes: FormattingChange[];
  /** True when the formatting differences explain every difference between the blocks. */
  onlyFormatting: boolean;
};

const QUOTES_ONLY = (text: string) =>
  text.replace(/[\u2018\u2019\u201a\u201b\u2032`]/g, "'").replace(/[\u201c\u201d\u201e\u201f\u2033]/g, '"');

const quoteMarks = (text: string) =>
  (text.match(/['"\u2018\u2019\u201a\u201b\u201c-\u201f]/g) ?? []).join("");

/**
 * What separates two aligned blocks beyond their wording: marks, link targets, block kind, whitespace,
 * quote style, punctuation, or a heading's number. Readers can hide blocks whose only changes are
 * these, and the materiality suggester ignores them.
 */
export function compareFormatting(oldBlock: Block, newBlock: Block): FormattingVerdict {
  const changes = new Set<FormattingChange>();
  if (oldBlock.kind !== newBlock.kind || oldBlock.level !== newBlock.level) changes.add("kind");
  if (oldBlock.links.join("\n") !== newBlock.links.join("\n")) changes.add("link");
  let onlyFormatting = true;
  const a = oldBlock.text;
  const b = newBlock.text;
  if (a === b) {
    if (oldBlock.marks !== newBlock.marks) changes.add("marks");
  } else if (collapseWhitespace(a) === collapseWhitespace(b)) {
    changes.add("whitespace");
  } else if (collapseWhitespace(QUOTES_ONLY(a)) === collapseWhitespace(QUOTES_ONLY(b))) {
    changes.add("quotes");
  } else if (blockLooseText(oldBlock) === blockLooseText(newBlock)) {
    if (quoteMarks(a) !== quoteMarks(b)) changes.add("quotes");
    changes.add("punctuation");
  } else if (
    oldBlock.kind === "heading" &&
    newBlock.kind === "heading" &&
    looseText(stripHeadingNumber(a)) === looseText(stripHeadingNumber(b))
  ) {
    changes.add("numbering");
  } else {
    onlyFormatting = false;
  }
  const order: FormattingChange[] = [
    "numbering",
    "kind",
    "marks",
    "link",
    "whitespace",
    "quotes",
    "punctuation",
  ];
  return { changes: order.filter((change) => changes.has(change)), onlyFormatting };
}

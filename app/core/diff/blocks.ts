import type { JSONContent } from "@tiptap/core";
import { uniqueAnchors } from "../document/anchors";
import type { PolicyContent } from "../document/types";
import { collapseWhitespace, looseText, stripHeadingNumber, wordKey, words } from "./normalize";
import type { BlockKind } from "./types";

/** Separator between headings in a section path. */
export const SECTION_SEPARATOR = " › ";

/** A unit of text the redline compares: one heading, paragraph, list item paragraph or table cell. */
export type Block = {
  /** Position in its document's block list. */
  index: number;
  kind: BlockKind;
  level?: number;
  /** Plain text, hard breaks as "\n". */
  text: string;
  /** Text plus marks and kind: equal signatures mean an unchanged block. */
  signature: string;
  /** One text run without marks and nothing else: the signature is then kind, level and text. */
  plain?: boolean;
  /** Text with formatting, heading numbers and case ignored: equal keys mean "the same clause". */
  matchKey: string;
  /** Link targets in order, to tell a changed link from a changed text. */
  links: string[];
  /** Mark signature without links, to tell bold/italic changes from link changes. */
  marks: string;
  section: string;
  /** True for blocks above the first heading (section "Introduction"). */
  opening: boolean;
  /** Anchor of the nearest heading above (or of the heading itself). */
  anchor?: string;
  row?: string;
  column?: string;
  /** Lowercase words with counts, for similarity; filled on first use by `wordBag`. */
  bag?: Map<string, number>;
  wordCount?: number;
  /** `looseText(text)`, filled on first use by `blockLooseText`. */
  loose?: string;
};

/** The block's text with typography, whitespace and punctuation ignored; computed once per block. */
export function blockLooseText(block: Block): string {
  block.loose ??= looseText(block.text);
  return block.loose;
}

/**
 * The block's words with their counts. Computed only for blocks that need similarity matching: on a
 * long document with a few edits, that is a handful instead of thousands of maps.
 */
export function wordBag(block: Block): { bag: Map<string, number>; wordCount: number } {
  if (!block.bag) {
    const bag = new Map<string, number>();
    const tokens = words(block.text);
    for (const word of tokens) bag.set(word, (bag.get(word) ?? 0) + 1);
    block.bag = bag;
    block.wordCount = tokens.length;
  }
  return { bag: block.bag, wordCount: block.wordCount ?? 0 };
}

type Container = "listItem" | "tableHeader" | "tableCell" | "blockquote" | undefined;

type TableContext = { row?: string; column?: string };

/** What a reader sees as the section of the text above the first heading. */
const OPENING_SECTION = "Introduction";
/** The section named by a reason about the whole document (a complete rewrite). */
export const WHOLE_DOCUMENT = "Whole document";

/**
 * Alignment keys (`matchKey`) by block text, shared by the two versions of one comparison: most
 * blocks are the same in both, so each distinct text is normalised once.
 */
export type KeyCache = Map<string, string>;

/**
 * Flattens a Tiptap document into blocks in reading order, each with its section path (the chain of
 * headings above it; "Introduction" before the first one). Empty blocks and rules are skipped: they
 * carry no words to compare.
 */
export function extractBlocks(content: PolicyContent, keys: KeyCache = new Map()): Block[] {
  const blocks: Block[] = [];
  const headingStack: Array<{ level: number; text: string; outlineIndex: number }> = [];
  const headings: Array<{ level: number; text: string }> = [];
  const outlineIndexOf: Array<number | undefined> = [];
  // Rebuilt only when a heading changes the path, not joined again for every block.
  let section = OPENING_SECTION;

  const pushBlock = (node: JSONContent, kind: BlockKind, table: TableContext = {}) => {
    const inline = inlineContent(node);
    const text = inline.text;
    if (!/\S/.test(text)) return;
    let level: number | undefined;
    if (kind === "heading") {
      level = clampLevel(node.attrs?.level);
      while (headingStack.length && headingStack[headingStack.length - 1].level >= level) headingStack.pop();
      headingStack.push({ level, text: collapseWhitespace(text), outlineIndex: headings.length });
      headings.push({ level, text: text.trim() });
      section = headingStack.map((heading) => heading.text).join(SECTION_SEPARATOR);
    }
    outlineIndexOf.push(headingStack.length ? headingStack[headingStack.length - 1].outlineIndex : undefined);
    // Words only: formatting, punctuation, case and (for headings) numbering do not stop a match.
    // The key string itself is shared by every block with that text, in both versions: alignment
    // hashes and compares keys, and one string hashes once and compares equal by identity.
    const cacheKey = kind === "heading" ? `h\u0000${text}` : text;
    let matchKey = keys.get(cacheKey);
    if (matchKey === undefined) {
      const key = wordKey(kind === "heading" ? stripHeadingNumber(text) : text);
      matchKey = `${kind === "heading" ? "h" : "b"}:${key || text}`;
      keys.set(cacheKey, matchKey);
    }
    blocks.push({
      index: blocks.length,
      kind,
      level,
      text,
      signature: `${kind}:${level ?? ""}:${inline.signature}`,
      plain: inline.plain,
      matchKey,
      links: inline.links,
      marks: inline.marks,
      section,
      opening: headingStack.length === 0,
      row: table.row,
      column: table.column,
    });
  };

  const visit = (node: JSONContent, container: Container) => {
    switch (node.type) {
      case "heading":
        pushBlock(node, "heading");
        return;
      case "paragraph":
      case "codeBlock":
        pushBlock(node, container ?? (node.type === "codeBlock" ? "codeBlock" : "paragraph"));
        return;
      case "listItem":
        for (const child of node.content ?? []) visit(child, "listItem");
        return;
      case "blockquote":
        for (const child of node.content ?? []) visit(child, container ?? "blockquote");
        return;
      case "table":
        visitTable(node);
        return;
      default:
        for (const child of node.content ?? []) visit(child, container);
    }
  };

  const visitTable = (table: JSONContent) => {
    const rows = table.content ?? [];
    const firstRow = rows[0]?.content ?? [];
    const hasHeaderRow = firstRow.length > 0 && firstRow.every((cell) => cell.type === "tableHeader");
    const columns = hasHeaderRow ? firstRow.map((cell) => collapseWhitespace(inlineContent(cell).text)) : [];
    rows.forEach((row, rowIndex) => {
      const cells = row.content ?? [];
      const rowLabel = collapseWhitespace(inlineContent(cells[0] ?? {}).text) || undefined;
      cells.forEach((cell, columnIndex) => {
        const isHeaderRow = hasHeaderRow && rowIndex === 0;
        const context: TableContext = {
          row: columnIndex > 0 && !isHeaderRow ? rowLabel : undefined,
          column: isHeaderRow ? undefined : columns[columnIndex] || undefined,
        };
        const kind: BlockKind = cell.type === "tableHeader" ? "tableHeader" : "tableCell";
        for (const child of cell.content ?? []) {
          if (child.type === "paragraph" || child.type === "heading") pushBlock(child, kind, context);
          else visit(child, kind);
        }
      });
    });
  };

  visit(content, undefined);

  const anchors = uniqueAnchors(headings);
  blocks.forEach((block, i) => {
    const outlineIndex = outlineIndexOf[i];
    if (outlineIndex !== undefined) block.anchor = anchors[outlineIndex]?.id;
  });
  return blocks;
}

type Inline = { text: string; signature: string; marks: string; links: string[]; plain: boolean };

/** Text of a node's inline content, with a signature of its marks so that formatting changes are visible. */
function inlineContent(node: JSONContent): Inline {
  let text = "";
  let signature = "";
  let marks = "";
  const links: string[] = [];
  let plainRuns = 0;
  let formatted = false;
  const visit = (child: JSONContent) => {
    if (typeof child.text === "string") {
      // Most text has no marks: skip building and sorting empty lists for it.
      if (!child.marks?.length) {
        plainRuns++;
        text += child.text;
        signature += `[]${child.text}`;
        marks += `[]${child.text}`;
        return;
      }
      formatted = true;
      const names = child.marks.map((mark) => mark.type).sort();
      const href = child.marks.find((mark) => mark.type === "link")?.attrs?.href;
      if (typeof href === "string") links.push(href);
      text += child.text;
      signature += `[${names.join(",")}${typeof href === "string" ? `=${href}` : ""}]${child.text}`;
      marks += `[${names.filter((name) => name !== "link").join(",")}]${child.text}`;
      return;
    }
    if (child.type === "hardBreak") {
      formatted = true;
      text += "\n";
      signature += "\n";
      marks += "\n";
      return;
    }
    if (child.content) {
      // Separate the paragraphs of a cell so their words do not run together.
      if (text && !/\s$/.test(text) && child.type === "paragraph") {
        text += "\n";
        formatted = true;
      }
      child.content.forEach(visit);
    }
  };
  (node.content ?? []).forEach(visit);
  return { text, signature, marks, links, plain: plainRuns === 1 && !formatted };
}

function clampLevel(level: unknown): number {
  const n = Number(level);
  return Number.isInteger(n) && n >= 1 && n <= 6 ? n : 2;
}

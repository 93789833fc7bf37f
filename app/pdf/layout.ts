/**
 * What a PDF of a policy shows, before any drawing (ADR 0030): a version's Tiptap JSON, or a redline's
 * blocks, flattened into a list of blocks made of styled runs of text. Pure: no fonts, no pdfkit, so
 * every rule (which links survive, how a change reads in black and white, which scripts the bundled
 * fonts cannot draw) is tested without a PDF.
 */
import type { JSONContent } from "@tiptap/core";
import type { DiffBlock, DiffPart } from "../core/diff/types";

/** A run of text with the marks that change how it is drawn. */
export type Run = {
  text: string;
  bold?: boolean;
  italic?: boolean;
  strike?: boolean;
  code?: boolean;
  /** A safe target only (see safeLink): kept as a link annotation. */
  link?: string;
  /** A redline's added (double-underlined) or removed (struck through) text. */
  change?: "insert" | "delete";
};

export type PdfBlock =
  | { kind: "heading"; level: 1 | 2 | 3 | 4; runs: Run[] }
  | {
      kind: "paragraph";
      runs: Run[];
      /** Nesting depth of lists and quotes: each level indents the block. */
      indent: number;
      /** A list item's bullet or number, drawn in the indent. */
      marker?: string;
      quote?: boolean;
      /** A note about the block (a redline's "Moved from …"), drawn small and italic before it. */
      note?: string;
    }
  | { kind: "code"; text: string; indent: number }
  | { kind: "table"; rows: { header: boolean; cells: Run[][] }[] }
  | { kind: "rule" };

/** Protocols a PDF reader may open from a link: web pages and email. Anything else stays plain text. */
const SAFE_PROTOCOLS = new Set(["http:", "https:", "mailto:"]);

/** The link target when it is an absolute http(s) or mailto URL, else undefined (the text is kept). */
export function safeLink(href: unknown): string | undefined {
  if (typeof href !== "string") return undefined;
  try {
    const url = new URL(href.trim());
    return SAFE_PROTOCOLS.has(url.protocol) ? url.href : undefined;
  } catch {
    return undefined;
  }
}

type Marks = Omit<Run, "text">;

function marksOf(node: JSONContent, inherited: Marks): Marks {
  const marks: Marks = { ...inherited };
  for (const mark of node.marks ?? []) {
    if (mark.type === "bold") marks.bold = true;
    else if (mark.type === "italic") marks.italic = true;
    else if (mark.type === "strike") marks.strike = true;
    else if (mark.type === "code") marks.code = true;
    else if (mark.type === "link") {
      const link = safeLink(mark.attrs?.href);
      if (link) marks.link = link;
    }
  }
  return marks;
}

/** The runs of an inline container (paragraph, heading, cell paragraph); a hard break is a newline. */
function inlineRuns(node: JSONContent, inherited: Marks = {}): Run[] {
  const runs: Run[] = [];
  for (const child of node.content ?? []) {
    if (child.type === "text" && child.text) runs.push({ text: child.text, ...marksOf(child, inherited) });
    else if (child.type === "hardBreak") runs.push({ text: "\n", ...inherited });
    else if (child.content) runs.push(...inlineRuns(child, marksOf(child, inherited)));
  }
  return mergeRuns(runs);
}

/** Adjacent runs with the same marks become one (fewer, longer pieces of text to draw). */
function mergeRuns(runs: Run[]): Run[] {
  const merged: Run[] = [];
  for (const run of runs) {
    const last = merged[merged.length - 1];
    if (last && sameMarks(last, run)) last.text += run.text;
    else merged.push({ ...run });
  }
  return merged;
}

const MARK_KEYS = ["bold", "italic", "strike", "code", "link", "change"] as const;
const sameMarks = (a: Run, b: Run) => MARK_KEYS.every((key) => (a[key] ?? null) === (b[key] ?? null));

/** Headings 5 and 6 are drawn as 4: four sizes are what a printed policy can tell apart. */
const headingLevel = (level: unknown): 1 | 2 | 3 | 4 =>
  Math.min(4, Math.max(1, typeof level === "number" ? Math.floor(level) : 2)) as 1 | 2 | 3 | 4;

/** The blocks of a version's Tiptap JSON document, in reading order. */
export function documentBlocks(doc: JSONContent): PdfBlock[] {
  const blocks: PdfBlock[] = [];
  walk(doc.content ?? [], { indent: 0, quote: false }, blocks);
  return blocks;
}

type Context = { indent: number; quote: boolean; marker?: string };

function walk(nodes: JSONContent[], context: Context, out: PdfBlock[]): void {
  for (const node of nodes) {
    switch (node.type) {
      case "heading":
        out.push({ kind: "heading", level: headingLevel(node.attrs?.level), runs: inlineRuns(node) });
        break;
      case "paragraph": {
        const { marker, ...rest } = context;
        out.push({ kind: "paragraph", runs: inlineRuns(node), ...rest, ...(marker ? { marker } : {}) });
        // Only a list item's first paragraph carries its bullet.
        context = rest;
        break;
      }
      case "bulletList":
      case "orderedList": {
        const start = typeof node.attrs?.start === "number" ? node.attrs.start : 1;
        (node.content ?? []).forEach((item, index) => {
          const marker =
            node.type === "bulletList" ? (context.indent % 2 === 0 ? "•" : "◦") : `${start + index}.`;
          const indent = context.indent + 1;
          const children = item.content ?? [];
          if (children[0]?.type === "paragraph")
            walk(children, { indent, quote: context.quote, marker }, out);
          else {
            // An item that starts with a nested list still shows its marker, on a line of its own.
            out.push({ kind: "paragraph", runs: [], indent, quote: context.quote, marker });
            walk(children, { indent, quote: context.quote }, out);
          }
        });
        break;
      }
      case "blockquote":
        walk(node.content ?? [], { indent: context.indent + 1, quote: true }, out);
        break;
      case "codeBlock":
        out.push({ kind: "code", text: plainText(node), indent: context.indent });
        break;
      case "horizontalRule":
        out.push({ kind: "rule" });
        break;
      case "table":
        out.push({
          kind: "table",
          rows: (node.content ?? []).map((row) => {
            const cells = row.content ?? [];
            return {
              header: cells.length > 0 && cells.every((cell) => cell.type === "tableHeader"),
              cells: cells.map((cell) => cellRuns(cell)),
            };
          }),
        });
        break;
      default:
        if (node.content) walk(node.content, context, out);
    }
  }
}

/** A cell's paragraphs as one list of runs, one line each. */
function cellRuns(cell: JSONContent): Run[] {
  const runs: Run[] = [];
  for (const [index, child] of (cell.content ?? []).entries()) {
    if (index > 0) runs.push({ text: "\n" });
    runs.push(
      ...(child.type === "paragraph" || child.type === "heading"
        ? inlineRuns(child)
        : [{ text: plainText(child) }]),
    );
  }
  return mergeRuns(runs);
}

function plainText(node: JSONContent): string {
  if (node.type === "text") return node.text ?? "";
  if (node.type === "hardBreak") return "\n";
  return (node.content ?? []).map(plainText).join("");
}

/** How added and removed text reads without colour: the print style sheet's own brackets. */
export const INSERT_OPEN = "[+ ";
export const DELETE_OPEN = "[− ";
export const CHANGE_CLOSE = " ]";

/** A redline part as runs: added text in "[+ … ]", removed text in "[− … ]", spacing changes unmarked. */
function partRuns(parts: DiffPart[]): Run[] {
  const runs: Run[] = [];
  for (const part of parts) {
    const blank = part.text.trim() === "";
    if (part.op === "equal" || (blank && part.op === "insert")) runs.push({ text: part.text });
    else if (blank) continue;
    else {
      const change = part.op;
      // Leading and trailing spaces stay outside the brackets, so words do not run together.
      const [, before, words, after] = /^(\s*)([\s\S]*?)(\s*)$/.exec(part.text) ?? ["", "", part.text, ""];
      // "[− 24 ][+ 36 ]" reads as "[− 24 ] [+ 36 ]": a replaced word and its replacement apart.
      if (before) runs.push({ text: before });
      else if (runs[runs.length - 1]?.change) runs.push({ text: " " });
      runs.push({
        text: `${change === "insert" ? INSERT_OPEN : DELETE_OPEN}${words}${CHANGE_CLOSE}`,
        change,
      });
      if (after) runs.push({ text: after });
    }
  }
  return mergeRuns(runs);
}

/** The blocks of a redline (the diff's blocks), each with its changes marked. */
export function redlineBlocks(diffBlocks: DiffBlock[]): PdfBlock[] {
  return diffBlocks.map((block): PdfBlock => {
    const parts = block.move === "to" ? (block.edits ?? block.parts) : block.parts;
    let runs = partRuns(parts);
    if (block.kind === "heading") return { kind: "heading", level: headingLevel(block.level), runs };
    const notes: string[] = [];
    if (block.move === "from") notes.push(`Moved to ${block.section}`);
    if (block.move === "to") notes.push(`Moved from ${block.oldSection ?? block.section}`);
    if (block.formatting?.length) {
      notes.push(
        `${block.formattingOnly ? "Formatting only" : "Formatting"}: ${block.formatting.join(", ")}`,
      );
    }
    // As on the redline page: a changed cell names its row and column; a header cell is bold.
    const context = block.kind === "tableCell" ? [block.row, block.column].filter(Boolean).join(" · ") : "";
    if (block.kind === "tableHeader") runs = runs.map((run) => ({ ...run, bold: true }));
    if (block.kind === "codeBlock" && notes.length === 0 && parts.every((p) => p.op === "equal")) {
      return { kind: "code", text: parts.map((p) => p.text).join(""), indent: 0 };
    }
    return {
      kind: "paragraph",
      runs: context ? [{ text: `${context}: `, italic: true }, ...runs] : runs,
      indent: block.kind === "listItem" || block.kind === "blockquote" ? 1 : 0,
      ...(block.kind === "listItem" ? { marker: "•" } : {}),
      ...(block.kind === "blockquote" ? { quote: true } : {}),
      ...(notes.length ? { note: notes.join(" · ") } : {}),
    };
  });
}

/**
 * Writing systems the bundled DejaVu fonts cannot draw (or that need shaping and right-to-left
 * layout pdfkit does not do): a PDF of such text would show empty boxes, so it is refused and the
 * reader pointed at the browser's Print → Save as PDF.
 */
const UNSUPPORTED_SCRIPTS: [string, RegExp][] = [
  [
    "Chinese, Japanese or Korean",
    /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Bopomofo}]/u,
  ],
  ["Arabic", /[\p{Script=Arabic}\p{Script=Syriac}\p{Script=Thaana}]/u],
  ["Hebrew", /\p{Script=Hebrew}/u],
  [
    "Indic",
    /[\p{Script=Devanagari}\p{Script=Bengali}\p{Script=Gurmukhi}\p{Script=Gujarati}\p{Script=Oriya}\p{Script=Tamil}\p{Script=Telugu}\p{Script=Kannada}\p{Script=Malayalam}\p{Script=Sinhala}]/u,
  ],
  [
    "South-East Asian",
    /[\p{Script=Thai}\p{Script=Lao}\p{Script=Myanmar}\p{Script=Khmer}\p{Script=Tibetan}]/u,
  ],
  ["Ethiopic", /\p{Script=Ethiopic}/u],
  [
    "another writing system",
    /[\p{Script=Nko}\p{Script=Cherokee}\p{Script=Tifinagh}\p{Script=Mongolian}\p{Script=Canadian_Aboriginal}\p{Script=Yi}\p{Script=Javanese}\p{Script=Balinese}]/u,
  ],
];

/** The name of the first writing system in `text` that a PDF cannot show, or null when all can be. */
export function unsupportedScript(text: string): string | null {
  for (const [name, pattern] of UNSUPPORTED_SCRIPTS) if (pattern.test(text)) return name;
  return null;
}

/** The file name a downloaded PDF is saved under: `acme-privacy-v3.pdf`, `…-v2-v3-redline.pdf`. */
export function pdfFileName(parts: {
  organisation: string;
  slug: string;
  locale?: string;
  versions: number[];
}): string {
  const slugPart = (text: string) =>
    text
      .normalize("NFKD")
      .replace(/[\u0300-\u036f]/g, "")
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 40);
  const words = [slugPart(parts.organisation), slugPart(parts.slug)];
  if (parts.locale && parts.locale !== "en") words.push(slugPart(parts.locale));
  words.push(...parts.versions.map((n) => `v${n}`));
  if (parts.versions.length > 1) words.push("redline");
  return `${words.filter(Boolean).join("-")}.pdf`;
}

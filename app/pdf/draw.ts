/**
 * Draws a policy (or a redline) as a PDF with pdfkit and the DejaVu fonts (ADR 0030): real headings,
 * lists, tables, links (safe ones only), a header with the organisation, title and dates, and "Page N
 * of M" with the title in every footer. Runs in the diff pool's worker thread (app/pdf/pool, via
 * app/diff-worker.ts), or in the calling thread where there is no pool.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { JSONContent } from "@tiptap/core";
import type { Font } from "fontkit";
import type { DiffBlock } from "../core/diff/types";
import {
  CHANGE_CLOSE,
  DELETE_OPEN,
  documentBlocks,
  INSERT_OPEN,
  type PdfBlock,
  type Run,
  redlineBlocks,
} from "./layout";

/** What the header says: everything already formatted as text by the caller. */
type PdfHeader = {
  /** The organisation's name (branding); empty: none is shown. */
  organisation: string;
  title: string;
  /** "Version 3", or "Changes from version 2 to version 3". */
  heading: string;
  /** One line each: "Last updated: 27 November 2026", "Effective date: …". */
  facts: string[];
  /** Labelled paragraphs: "Material change", "Summary of changes". */
  notes: { label: string; text: string }[];
  /** A redline: explain the change marks at the top. */
  legend?: boolean;
};

export type PdfRequest = {
  header: PdfHeader;
  /** The language of the text (the PDF's /Lang), e.g. "en". */
  locale: string;
  /** When the content was published (the PDF's creation date: the same version, the same date). */
  createdAt?: string;
  /** The version's Tiptap JSON, or a redline's blocks (as JSON text: parsed here, off the event loop). */
  body:
    | { kind: "document"; content: string | JSONContent }
    | { kind: "redline"; blocks: string | DiffBlock[] };
};

type FontName =
  | "serif"
  | "serif-bold"
  | "serif-italic"
  | "serif-bold-italic"
  | "sans"
  | "sans-bold"
  | "sans-oblique"
  | "mono";

const FONT_FILES: Record<FontName, string> = {
  serif: "DejaVuSerif.ttf",
  "serif-bold": "DejaVuSerif-Bold.ttf",
  "serif-italic": "DejaVuSerif-Italic.ttf",
  "serif-bold-italic": "DejaVuSerif-BoldItalic.ttf",
  sans: "DejaVuSans.ttf",
  "sans-bold": "DejaVuSans-Bold.ttf",
  "sans-oblique": "DejaVuSans-Oblique.ttf",
  mono: "DejaVuSansMono.ttf",
};

let fonts: Record<FontName, Font> | null = null;

/**
 * The fonts, read and parsed once per thread and shared by every PDF it draws (each PDF still
 * embeds its own subset): parsing eight faces for every PDF cost more than drawing one. Resolved
 * through the package (dejavu-fonts-ttf), so that the same code finds them from source, from the
 * bundled worker in build/ and from the server bundle.
 */
function loadFonts(create: typeof import("fontkit").create): Record<FontName, Font> {
  if (!fonts) {
    const directory = join(
      dirname(createRequire(import.meta.url).resolve("dejavu-fonts-ttf/package.json")),
      "ttf",
    );
    fonts = Object.fromEntries(
      Object.entries(FONT_FILES).map(([name, file]) => [name, create(readFileSync(join(directory, file)))]),
    ) as Record<FontName, Font>;
  }
  return fonts;
}

const MARGIN = 56;
const FOOTER_SPACE = 28;
const BODY_SIZE = 10.5;
const LINE_GAP = 2.5;
const INDENT = 18;
const HEADING_SIZES = { 1: 18, 2: 14, 3: 12, 4: 11 } as const;
const INK = "#111111";
const MUTED = "#555555";
const LINK = "#1a4d8f";

type Doc = PDFKit.PDFDocument;
/** pdfkit's text options and the one this module adds (drawn by the patched fragment below). */
type TextOptions = PDFKit.Mixins.TextOptions & { doubleUnderline?: boolean };

/** The PDF as bytes. */
export async function drawPdf(request: PdfRequest): Promise<Uint8Array> {
  // Loaded on first use: a server without a diff pool loads pdfkit only when a PDF is asked for.
  const [{ default: PDFDocument }, { create }] = await Promise.all([import("pdfkit"), import("fontkit")]);
  const files = loadFonts(create);
  const doc = new PDFDocument({
    size: "A4",
    margins: { top: MARGIN, left: MARGIN, right: MARGIN, bottom: MARGIN + FOOTER_SPACE },
    bufferPages: true,
    // No default font: pdfkit's (Helvetica) would be read from files beside its own bundle, and
    // every piece of text is drawn in one of ours.
    font: null as unknown as string,
    lang: request.locale,
    displayTitle: true,
    info: {
      Title: request.header.title,
      Subject: request.header.heading,
      ...(request.header.organisation ? { Author: request.header.organisation } : {}),
      Creator: "Redline",
      ...(request.createdAt ? { CreationDate: new Date(request.createdAt) } : {}),
    },
  });
  for (const [name, font] of Object.entries(files)) doc.registerFont(name, font as unknown as string);
  patchDoubleUnderline(doc);

  const chunks: Buffer[] = [];
  doc.on("data", (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise<void>((resolve, reject) => {
    doc.on("end", () => resolve());
    doc.on("error", reject);
  });

  drawHeader(doc, request.header);
  const blocks =
    request.body.kind === "document"
      ? documentBlocks(
          typeof request.body.content === "string" ? JSON.parse(request.body.content) : request.body.content,
        )
      : redlineBlocks(
          typeof request.body.blocks === "string" ? JSON.parse(request.body.blocks) : request.body.blocks,
        );
  for (const block of blocks) drawBlock(doc, block);
  drawFooters(doc, request.header.title);
  doc.end();
  await ended;
  const all = Buffer.concat(chunks);
  return new Uint8Array(all.buffer, all.byteOffset, all.byteLength);
}

/**
 * pdfkit draws one underline; added text gets two (as on the print style sheet), so that it differs
 * from a link's underline without colour. A second line under every fragment drawn with
 * `doubleUnderline`.
 */
function patchDoubleUnderline(doc: Doc): void {
  const target = doc as unknown as {
    _fragment: (text: string, x: number, y: number, options: TextOptions) => void;
  };
  const fragment = target._fragment.bind(doc);
  target._fragment = (text, x, y, options) => {
    fragment(text, x, y, options);
    if (!options.doubleUnderline || text.trim() === "") return;
    const width = doc.widthOfString(text.replace(/\n/g, ""), options);
    const lineY = y + doc.currentLineHeight() + 1.2;
    doc
      .save()
      .lineWidth(0.5)
      .strokeColor(INK)
      .moveTo(x, lineY)
      .lineTo(x + width, lineY)
      .stroke()
      .restore();
  };
}

const bottomOf = (doc: Doc) => doc.page.height - doc.page.margins.bottom;
const contentWidth = (doc: Doc) => doc.page.width - doc.page.margins.left - doc.page.margins.right;

/** A new page unless `height` points fit below the current position. */
function ensureSpace(doc: Doc, height: number): void {
  if (doc.y + height > bottomOf(doc)) doc.addPage();
}

function drawHeader(doc: Doc, header: PdfHeader): void {
  const left = doc.page.margins.left;
  const width = contentWidth(doc);
  if (header.organisation) {
    doc
      .font("sans-bold")
      .fontSize(9.5)
      .fillColor(MUTED)
      .text(header.organisation.toUpperCase(), left, doc.y, {
        width,
        characterSpacing: 0.6,
      });
    doc.moveDown(0.4);
  }
  doc.font("sans-bold").fontSize(22).fillColor(INK).text(header.title, left, doc.y, { width });
  doc.moveDown(0.15);
  doc.font("sans").fontSize(13).fillColor(INK).text(header.heading, { width });
  doc.moveDown(0.4);
  doc.font("sans").fontSize(10).fillColor(INK);
  for (const fact of header.facts) doc.text(fact, left, doc.y, { width, lineGap: 1.5 });
  for (const note of header.notes) {
    doc.moveDown(0.4);
    doc.font("sans-bold").fontSize(10).text(`${note.label}: `, left, doc.y, { width, continued: true });
    doc.font("sans").text(note.text, { width, continued: false });
  }
  if (header.legend) {
    doc.moveDown(0.6);
    doc.font("sans").fontSize(10).fillColor(INK);
    const legend: Run[] = [
      { text: "Legend: " },
      { text: `${INSERT_OPEN}added text${CHANGE_CLOSE}`, change: "insert" },
      { text: " (double underlined), " },
      { text: `${DELETE_OPEN}removed text${CHANGE_CLOSE}`, change: "delete" },
      { text: " (struck through)." },
    ];
    drawRuns(doc, legend, { x: left, width, size: 10, family: "sans" });
  }
  doc.moveDown(0.5);
  const y = doc.y;
  doc
    .save()
    .lineWidth(0.75)
    .strokeColor(MUTED)
    .moveTo(left, y)
    .lineTo(left + width, y)
    .stroke()
    .restore();
  doc.y = y + 10;
}

type Family = "serif" | "sans";

function fontOf(run: Run, family: Family): FontName {
  if (run.code) return "mono";
  if (family === "sans") return run.bold ? "sans-bold" : run.italic ? "sans-oblique" : "sans";
  if (run.bold && run.italic) return "serif-bold-italic";
  return run.bold ? "serif-bold" : run.italic ? "serif-italic" : "serif";
}

/** Styled runs as one flowing paragraph from (x, doc.y), wrapped at `width`. */
function drawRuns(
  doc: Doc,
  runs: Run[],
  { x, width, size, family }: { x: number; width: number; size: number; family: Family },
): void {
  const drawn = runs.filter((run) => run.text.length > 0);
  if (drawn.length === 0) {
    doc
      .font(family === "sans" ? "sans" : "serif")
      .fontSize(size)
      .text(" ", x, doc.y, { width });
    return;
  }
  doc.x = x;
  drawn.forEach((run, index) => {
    const options: TextOptions = {
      width,
      lineGap: LINE_GAP,
      continued: index < drawn.length - 1,
      // Every option named each time: pdfkit carries unnamed ones over from the previous run.
      link: run.link ?? null,
      underline: Boolean(run.link) || run.change === "insert",
      doubleUnderline: run.change === "insert",
      strike: Boolean(run.strike) || run.change === "delete",
    } as TextOptions;
    doc
      .font(fontOf(run, family))
      .fontSize(run.code ? size * 0.92 : size)
      .fillColor(run.link ? LINK : INK);
    doc.text(run.text, options);
  });
  doc.fillColor(INK);
}

function drawBlock(doc: Doc, block: PdfBlock): void {
  const left = doc.page.margins.left;
  const width = contentWidth(doc);
  switch (block.kind) {
    case "heading": {
      const size = HEADING_SIZES[block.level];
      // A heading never ends a page: it needs room for itself and two lines of what follows.
      ensureSpace(doc, size * 2 + BODY_SIZE * 3);
      doc.moveDown(block.level <= 2 ? 0.6 : 0.35);
      drawRuns(
        doc,
        block.runs.map((run) => ({ ...run, bold: true })),
        { x: left, width, size, family: "sans" },
      );
      doc.moveDown(0.25);
      return;
    }
    case "paragraph": {
      const x = left + block.indent * INDENT;
      const innerWidth = width - block.indent * INDENT;
      if (block.note) {
        ensureSpace(doc, 30);
        doc
          .font("sans-oblique")
          .fontSize(8.5)
          .fillColor(MUTED)
          .text(block.note, x, doc.y, { width: innerWidth });
        doc.fillColor(INK);
      }
      ensureSpace(doc, BODY_SIZE + LINE_GAP + 2);
      const top = doc.y;
      const page = currentPage(doc);
      if (block.marker) {
        doc
          .font("serif")
          .fontSize(BODY_SIZE)
          .fillColor(INK)
          .text(block.marker, x - INDENT, top, { width: INDENT - 4, align: "right", lineBreak: false });
        doc.y = top;
      }
      drawRuns(doc, block.runs, { x, width: innerWidth, size: BODY_SIZE, family: "serif" });
      if (block.quote && currentPage(doc) === page) {
        const barX = left + (block.indent - 1) * INDENT + 4;
        doc
          .save()
          .lineWidth(2)
          .strokeColor("#999999")
          .moveTo(barX, top)
          .lineTo(barX, doc.y)
          .stroke()
          .restore();
      }
      doc.moveDown(0.45);
      return;
    }
    case "code": {
      const x = left + block.indent * INDENT;
      ensureSpace(doc, BODY_SIZE * 2);
      doc
        .font("mono")
        .fontSize(9)
        .fillColor(INK)
        .text(block.text, x, doc.y, { width: width - block.indent * INDENT });
      doc.moveDown(0.45);
      return;
    }
    case "rule": {
      ensureSpace(doc, 12);
      const y = doc.y + 4;
      doc
        .save()
        .lineWidth(0.5)
        .strokeColor(MUTED)
        .moveTo(left, y)
        .lineTo(left + width, y)
        .stroke()
        .restore();
      doc.y = y + 8;
      return;
    }
    case "table":
      drawTable(doc, block.rows);
      doc.moveDown(0.6);
      return;
  }
}

const currentPage = (doc: Doc) => doc.bufferedPageRange().start + doc.bufferedPageRange().count;

const TABLE_SIZE = 9.5;
const CELL_PAD = 4;

function drawTable(doc: Doc, rows: { header: boolean; cells: Run[][] }[]): void {
  const left = doc.page.margins.left;
  const width = contentWidth(doc);
  const columns = Math.max(1, ...rows.map((row) => row.cells.length));
  const columnWidth = width / columns;
  const heightOf = (row: { header: boolean; cells: Run[][] }) =>
    Math.max(
      ...row.cells.map((cell) => {
        doc.font(row.header ? "serif-bold" : "serif").fontSize(TABLE_SIZE);
        const text = cell.map((run) => run.text).join("") || " ";
        return doc.heightOfString(text, { width: columnWidth - 2 * CELL_PAD, lineGap: LINE_GAP });
      }),
      TABLE_SIZE,
    ) +
    2 * CELL_PAD +
    2;
  const header = rows[0]?.header ? rows[0] : null;
  const drawRow = (row: { header: boolean; cells: Run[][] }, height: number) => {
    const top = doc.y;
    row.cells.forEach((cell, index) => {
      const x = left + index * columnWidth;
      if (row.header) doc.save().rect(x, top, columnWidth, height).fill("#eeeeee").restore();
      doc.save().lineWidth(0.5).strokeColor("#888888").rect(x, top, columnWidth, height).stroke().restore();
      doc.y = top + CELL_PAD;
      drawRuns(doc, row.header ? cell.map((run) => ({ ...run, bold: true })) : cell, {
        x: x + CELL_PAD,
        width: columnWidth - 2 * CELL_PAD,
        size: TABLE_SIZE,
        family: "serif",
      });
    });
    doc.x = left;
    doc.y = top + height;
  };
  for (const [index, row] of rows.entries()) {
    const height = heightOf(row);
    if (doc.y + height > bottomOf(doc)) {
      doc.addPage();
      // The column headings again at the top of the new page.
      if (header && index > 0) drawRow(header, heightOf(header));
    }
    drawRow(row, height);
  }
}

/** "Page N of M" and the title at the foot of every page, once the number of pages is known. */
function drawFooters(doc: Doc, title: string): void {
  const range = doc.bufferedPageRange();
  for (let index = range.start; index < range.start + range.count; index++) {
    doc.switchToPage(index);
    const bottomMargin = doc.page.margins.bottom;
    // Writing inside the bottom margin would otherwise start a new page.
    doc.page.margins.bottom = 0;
    const left = doc.page.margins.left;
    const width = contentWidth(doc);
    const y = doc.page.height - MARGIN + 8;
    doc
      .save()
      .lineWidth(0.5)
      .strokeColor("#bbbbbb")
      .moveTo(left, y - 6)
      .lineTo(left + width, y - 6)
      .stroke()
      .restore();
    doc.font("sans").fontSize(8.5).fillColor(MUTED);
    doc.text(title, left, y, { width: width * 0.7, lineBreak: false, ellipsis: true });
    doc.text(`Page ${index + 1 - range.start} of ${range.count}`, left, y, {
      width,
      align: "right",
      lineBreak: false,
    });
    doc.page.margins.bottom = bottomMargin;
  }
  doc.fillColor(INK);
}

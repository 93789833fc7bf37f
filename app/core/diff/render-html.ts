import type { DiffBlock, DiffPart, PolicyDiff } from "./types";

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Every piece of policy text passes through here: hostile text must come out inert. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char]);
}

/**
 * The redline as an HTML fragment: `<ins>`/`<del>` inside each block, headings with the same anchors as
 * the public page, move markers linking both halves of a move, and classes/data attributes so the page
 * can style or hide formatting-only changes (`[data-formatting-only]`).
 */
export function renderDiffHtml(diff: PolicyDiff): string {
  const usedIds = new Set<string>();
  const uniqueId = (base: string) => {
    let id = base;
    for (let n = 2; usedIds.has(id); n++) id = `${base}-${n}`;
    usedIds.add(id);
    return id;
  };
  const blocks = diff.blocks.map((block) => renderBlock(block, uniqueId));
  return `<div class="redline">\n${blocks.join("\n")}\n</div>`;
}

function renderBlock(block: DiffBlock, uniqueId: (base: string) => string): string {
  const tag =
    block.kind === "heading"
      ? `h${Math.min(6, Math.max(1, block.level ?? 2))}`
      : block.kind === "codeBlock"
        ? "pre"
        : "p";
  const classes = ["redline-block", `redline-${block.change}`, `redline-${block.kind}`];
  const attributes: Array<[string, string]> = [["data-change", block.change]];
  if (block.formattingOnly) {
    classes.push("redline-formatting-only");
    attributes.push(["data-formatting-only", "true"]);
  }
  if (block.kind === "heading" && block.anchor && block.move !== "from") {
    attributes.unshift([
      "id",
      uniqueId(block.change === "deleted" ? `${block.anchor}-removed` : block.anchor),
    ]);
  } else if (block.move) {
    attributes.unshift(["id", uniqueId(`moved-${block.move}-${block.moveId}`)]);
  }
  if (block.move) attributes.push(["data-move", block.move], ["data-move-id", String(block.moveId)]);
  if (block.replacedWhole) attributes.push(["data-replaced-whole", "true"]);

  let inner = "";
  if (block.move === "from") {
    inner += marker(`Moved to ${block.section}`, `#moved-to-${block.moveId}`);
  } else if (block.move === "to") {
    inner += marker(`Moved from ${block.oldSection ?? block.section}`, `#moved-from-${block.moveId}`);
  }
  if (block.formatting?.length) {
    inner += `<span class="redline-note">${escapeHtml(`${block.formattingOnly ? "Formatting only" : "Formatting"}: ${block.formatting.join(", ")}`)}</span> `;
  }
  if (block.kind === "tableCell" && (block.row || block.column)) {
    const context = [block.row, block.column].filter(Boolean).join(" · ");
    inner += `<span class="redline-context">${escapeHtml(context)}:</span> `;
  }
  const parts = block.move === "to" ? (block.edits ?? block.parts) : block.parts;
  inner += parts.map((part) => renderPart(part, block.kind === "codeBlock")).join("");

  const attributeText = attributes.map(([name, value]) => ` ${name}="${escapeHtml(value)}"`).join("");
  return `<${tag} class="${classes.join(" ")}"${attributeText}>${inner}</${tag}>`;
}

function marker(label: string, href: string): string {
  return `<span class="redline-move-marker"><a href="${escapeHtml(href)}">${escapeHtml(label)}</a></span> `;
}

function renderPart(part: DiffPart, preformatted: boolean): string {
  const text = escapeHtml(part.text);
  const html = preformatted ? text : text.replace(/\n/g, "<br>");
  const blank = part.text.trim() === "";
  // A change of spacing alone is real but invisible: show the new spacing, mark nothing.
  if (part.op === "equal" || (blank && part.op === "insert")) return html;
  if (blank) return "";
  return part.op === "insert" ? `<ins>${html}</ins>` : `<del>${html}</del>`;
}

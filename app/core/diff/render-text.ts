import type { DiffBlock, DiffPart, PolicyDiff } from "./types";

export type TextRenderOptions = {
  /**
   * Show formatting-only changes (punctuation, quotes, links, renumbering) instead of counting them.
   * @default false
   */
  includeFormatting?: boolean;
  /**
   * Column at which lines wrap; 0 disables wrapping.
   * @default 76
   */
  width?: number;
};

/**
 * The redline as plain text for emails: a summary, the suggested reasons, then the changes grouped by
 * section with `[+added+]` and `[-removed-]` marks. Unchanged text is left out.
 */
export function renderDiffText(diff: PolicyDiff, options: TextRenderOptions = {}): string {
  const width = options.width ?? 76;
  const lines: string[] = [];
  const { stats, material } = diff;
  lines.push(
    `${stats.blocksChanged} ${plural(stats.blocksChanged, "change")}: ${stats.wordsAdded} ${plural(stats.wordsAdded, "word")} added, ${stats.wordsRemoved} removed.`,
  );
  if (material.suggested) {
    lines.push("", "Suggested as material (advice only, a person decides):");
    for (const reason of material.reasons) {
      lines.push(...wrap(`- ${reason.section}: ${reason.detail} (${reason.kind})`, width, "  "));
    }
  } else {
    lines.push("", "Not suggested as material.");
  }
  if (material.incomplete) {
    lines.push(
      "",
      "The change is too large to check every clause for materiality in time; review it in full.",
    );
  }

  let hidden = 0;
  let currentSection: string | undefined;
  for (const block of diff.blocks) {
    if (block.change === "unchanged" || block.move === "from") continue;
    if (block.formattingOnly && !options.includeFormatting) {
      hidden++;
      continue;
    }
    if (block.section !== currentSection) {
      currentSection = block.section;
      const title = currentSection;
      lines.push("", title, "=".repeat(Math.min(title.length, width || title.length)));
    }
    lines.push("", ...wrap(`${label(block)}${describeParts(block)}`, width, "  "));
  }
  if (hidden > 0) {
    lines.push(
      "",
      `${hidden} formatting-only ${plural(hidden, "change")} (punctuation, quotes, links, numbering) not shown.`,
    );
  }
  return `${lines.join("\n")}\n`;
}

function label(block: DiffBlock): string {
  const context = [block.row, block.column].filter(Boolean).join(", ");
  const where = context ? ` (${context})` : "";
  switch (block.change) {
    case "inserted":
      return `Added${where}: `;
    case "deleted":
      return `Removed${where}: `;
    case "moved":
      return `Moved here from "${block.oldSection || "the opening text"}"${where}: `;
    default:
      return `${block.formattingOnly ? "Formatting changed" : "Changed"}${where}: `;
  }
}

function describeParts(block: DiffBlock): string {
  const parts: DiffPart[] = block.move === "to" ? (block.edits ?? block.parts) : block.parts;
  return parts
    .map((part) => {
      const text = part.text.replace(/\s+/g, " ");
      if (part.op === "equal") return text;
      if (text.trim() === "") return part.op === "insert" ? text : "";
      return part.op === "insert" ? `[+${text}+]` : `[-${text}-]`;
    })
    .join("")
    .trim();
}

/** Greedy word wrap; continuation lines are indented so each change reads as one item. */
function wrap(text: string, width: number, indent: string): string[] {
  if (width <= 0) return [text];
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line && `${line} ${word}`.length > width) {
      lines.push(line);
      line = indent + word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines;
}

function plural(n: number, word: string): string {
  return n === 1 ? word : `${word}s`;
}

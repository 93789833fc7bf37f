import type { PolicyContent } from "../document/types";
import { diffPolicies } from "./diff";
import { renderDiffHtml } from "./render-html";
import type { DiffOptions, PolicyDiff } from "./types";

/**
 * The engine's version: part of every stored diff's key. Bump it whenever the same two versions
 * would give a different diff or redline HTML (alignment, word diffs, reasons, section names,
 * rendering); stored diffs of the older engine are then recomputed the first time someone asks.
 */
export const DIFF_ENGINE_VERSION = 2;

/** A comparison as readers see it: the diff and its HTML renderings. */
export type Redline = {
  diff: PolicyDiff;
  /** The whole text with the changes marked (escaped text, `<ins>`/`<del>`). */
  html: string;
  /** Only the changed blocks, each run under its section's path; null unless asked for. */
  changesHtml: string | null;
};

export type RedlineRequest = {
  older: PolicyContent;
  newer: PolicyContent;
  /** Also render the changed blocks on their own (the workspace's "changes only" view). */
  changes?: boolean;
  options?: DiffOptions;
};

/** Compares two versions and renders the result: the one unit of work the diff pool runs. */
export function computeRedline({ older, newer, changes = false, options }: RedlineRequest): Redline {
  const diff = diffPolicies(older, newer, options);
  return renderRedline(diff, { changes });
}

/** The HTML of a diff computed earlier (a stored one). */
export function renderRedline(diff: PolicyDiff, { changes = false }: { changes?: boolean } = {}): Redline {
  return {
    diff,
    html: renderDiffHtml(diff),
    changesHtml: changes ? renderDiffHtml(changesOnly(diff)) : null,
  };
}

/** The diff's changed blocks, with a heading naming the section before each run of changes. */
function changesOnly(diff: PolicyDiff): PolicyDiff {
  const blocks: PolicyDiff["blocks"] = [];
  let lastSection: string | null = null;
  for (const block of diff.blocks) {
    if (block.change === "unchanged") continue;
    if (block.section && block.section !== lastSection) {
      blocks.push({
        change: "unchanged",
        formattingOnly: false,
        section: block.section,
        parts: [{ op: "equal", text: block.section }],
        kind: "heading",
        level: 3,
      });
    }
    lastSection = block.section;
    blocks.push(block);
  }
  return { ...diff, blocks };
}

/**
 * Roughly how much memory a redline holds, in bytes (UTF-16: two per character): its HTML and the
 * text of its diff's parts. What the in-memory caches count against their size limit.
 */
export function redlineSize(redline: Pick<Redline, "diff" | "html" | "changesHtml">): number {
  let characters = redline.html.length + (redline.changesHtml?.length ?? 0);
  for (const block of redline.diff.blocks) {
    characters += 64 + block.section.length;
    for (const part of block.parts) characters += 32 + part.text.length;
  }
  for (const reason of redline.diff.material.reasons) characters += 64 + JSON.stringify(reason).length;
  return characters * 2;
}

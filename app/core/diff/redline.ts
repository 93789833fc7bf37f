import type { PolicyContent } from "../document/types";
import { type ChangedSection, changedSections } from "../public/redline";
import { diffPolicies } from "./diff";
import { renderDiffHtml } from "./render-html";
import type { DiffOptions, PolicyDiff } from "./types";

/**
 * The engine's version: part of every stored diff's key. Bump it whenever the same two versions
 * would give a different diff or redline HTML (alignment, word diffs, reasons, section names,
 * rendering); stored diffs of the older engine are then recomputed the first time someone asks.
 */
export const DIFF_ENGINE_VERSION = 3;

/** What pages show beside a redline: small, unlike the blocks. */
export type RedlineSummary = Pick<PolicyDiff, "stats" | "material"> & {
  /** The changed sections, each pointing at an id in `html` (the public page's navigation). */
  sections: ChangedSection[];
};

/**
 * A comparison as it is stored and passed between threads: the large parts as strings (copied
 * between threads and written to the database as they are, never walked object by object on the
 * web process's event loop), the small ones as objects.
 */
export type Redline = {
  summary: RedlineSummary;
  /** The diff's blocks (`PolicyDiff["blocks"]`) as JSON. */
  blocks: string;
  /** The whole text with the changes marked (escaped text, `<ins>`/`<del>`). */
  html: string;
  /** Only the changed blocks, each run under its section's path (the workspace's "changes only" view). */
  changesHtml: string;
};

export type RedlineRequest = {
  /** Either side as content, or as its JSON (as stored: parsed by the worker, not the web process). */
  older: PolicyContent | string;
  newer: PolicyContent | string;
  options?: DiffOptions;
};

/** Compares two versions and renders the result: the one unit of work the diff pool runs. */
export function computeRedline({ older, newer, options }: RedlineRequest): Redline {
  const content = (side: PolicyContent | string): PolicyContent =>
    typeof side === "string" ? JSON.parse(side) : side;
  return renderRedline(diffPolicies(content(older), content(newer), options));
}

/** A diff's redline in the form it is stored and passed on. */
function renderRedline(diff: PolicyDiff): Redline {
  const html = renderDiffHtml(diff);
  return {
    summary: { stats: diff.stats, material: diff.material, sections: changedSections(diff, html) },
    blocks: JSON.stringify(diff.blocks),
    html,
    changesHtml: renderDiffHtml(changesOnly(diff)),
  };
}

/** The whole diff again (the JSON API's answer). */
export function redlineDiff(redline: Redline): PolicyDiff {
  return {
    stats: redline.summary.stats,
    material: redline.summary.material,
    blocks: JSON.parse(redline.blocks),
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
 * Roughly how much memory a redline holds, in bytes (UTF-16: two per character). What the
 * in-memory caches count against their size limit.
 */
export function redlineSize(redline: Redline): number {
  const { summary } = redline;
  const small =
    256 * (summary.sections.length + summary.material.reasons.length + summary.stats.sectionsChanged.length);
  return 2 * (redline.blocks.length + redline.html.length + redline.changesHtml.length) + small;
}

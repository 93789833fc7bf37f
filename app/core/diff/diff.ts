import type { PolicyContent } from "../document/types";
import { type AlignedStep, alignBlocks, blockSimilarity } from "./align";
import { type Block, extractBlocks, type KeyCache, WHOLE_DOCUMENT } from "./blocks";
import { compareFormatting } from "./formatting";
import { type ClauseChange, suggestMateriality } from "./materiality";
import { countWords } from "./normalize";
import type { DiffBlock, DiffOptions, DiffPart, DiffStats, MaterialSuggestion, PolicyDiff } from "./types";
import { diffBlockWords, type WordDiffBudget } from "./words";

const DEFAULTS: Required<DiffOptions> = {
  timeoutMs: 100,
  blockTimeoutMs: 20,
  maxEditLength: 4000,
};

/** Changed blocks diffed, and clauses read for materiality, whatever the clock: small changes are always complete. */
const ALWAYS_READ = 24;
/** Share of the budget word diffs may use; the rest is the materiality suggestion's turn. */
const WORD_DIFF_SHARE = 0.6;
/**
 * Below this share of the text kept (unchanged, or similar blocks weighted by their similarity) a
 * comparison is a complete rewrite. Real policy histories stay far above it even across years; a
 * rewrite falls far below it.
 */
const REWRITE_SIMILARITY = 0.25;
/** Short documents are cheap whatever happened to them: read them clause by clause. */
const REWRITE_MIN_CHARACTERS = 4_000;

/**
 * Compares two versions of a policy: blocks with their sections, aligned (unchanged, modified,
 * inserted, deleted, moved), word-level redlines inside modified blocks, formatting-only flags and a
 * materiality suggestion. Pure and bounded: one deadline covers the whole comparison, word diffs
 * first and then the suggestion, and a complete rewrite is recognised after alignment and described
 * as one instead of being read clause by clause.
 */
export function diffPolicies(
  oldContent: PolicyContent,
  newContent: PolicyContent,
  options: DiffOptions = {},
): PolicyDiff {
  const settings = { ...DEFAULTS, ...options };
  const started = performance.now();
  const deadline = started + settings.timeoutMs;
  const budget: WordDiffBudget = {
    deadline: started + settings.timeoutMs * WORD_DIFF_SHARE,
    blockTimeoutMs: settings.blockTimeoutMs,
    maxEditLength: settings.maxEditLength,
    guaranteed: ALWAYS_READ,
  };
  const keys: KeyCache = new Map();
  const oldBlocks = extractBlocks(oldContent, keys);
  const newBlocks = extractBlocks(newContent, keys);
  const steps = alignBlocks(oldBlocks, newBlocks);
  const kept = keptShare(steps);

  const blocks: DiffBlock[] = [];
  const changes: ClauseChange[] = [];
  for (const step of steps) {
    const block = toDiffBlock(step, budget);
    blocks.push(block);
    const change = clauseChange(step, block);
    if (change) changes.push(change);
  }
  return {
    stats: statistics(blocks),
    blocks,
    material: kept.rewrite
      ? rewritten(kept.share)
      : suggestMateriality(changes, oldBlocks, newBlocks, deadline, ALWAYS_READ),
  };
}

/**
 * How much of the text survived alignment: characters of unchanged blocks, plus those of similar
 * blocks weighted by their word similarity. Cheap: only changed pairs are compared word by word.
 */
function keptShare(steps: AlignedStep[]): { share: number; rewrite: boolean } {
  let total = 0;
  let kept = 0;
  for (const step of steps) {
    if (step.type === "deleted") total += step.old.text.length;
    else if (step.type === "inserted") total += step.new.text.length;
    else if (step.type !== "moved-from") {
      const size = step.old.text.length + step.new.text.length;
      total += size;
      kept += step.old.matchKey === step.new.matchKey ? size : size * blockSimilarity(step.old, step.new);
    }
  }
  const share = total ? kept / total : 1;
  return { share, rewrite: total >= REWRITE_MIN_CHARACTERS && share < REWRITE_SIMILARITY };
}

/** One reason for the whole change: reading every clause of a rewrite would say no more, slowly. */
function rewritten(share: number): MaterialSuggestion {
  const changed = Math.min(99, Math.round((1 - share) * 100));
  return {
    suggested: true,
    reasons: [
      {
        kind: "complete-rewrite",
        section: WHOLE_DOCUMENT,
        detail: `Complete rewrite: about ${changed}% of the text is new or removed; review the whole document`,
        words: [],
      },
    ],
  };
}

function toDiffBlock(step: AlignedStep, budget: WordDiffBudget): DiffBlock {
  switch (step.type) {
    case "pair": {
      if (sameSignature(step.old, step.new)) {
        return describe(
          step.new,
          { change: "unchanged", parts: [{ op: "equal", text: step.new.text }] },
          step.old,
        );
      }
      const formatting = compareFormatting(step.old, step.new);
      const words = diffBlockWords(step.old.text, step.new.text, budget);
      return describe(
        step.new,
        {
          change: "modified",
          formattingOnly: formatting.onlyFormatting,
          parts: words.parts,
          ...(formatting.changes.length ? { formatting: formatting.changes } : {}),
          ...(words.replacedWhole ? { replacedWhole: true } : {}),
        },
        step.old,
      );
    }
    case "deleted":
      return describe(step.old, { change: "deleted", parts: [{ op: "delete", text: step.old.text }] });
    case "inserted":
      return describe(step.new, { change: "inserted", parts: [{ op: "insert", text: step.new.text }] });
    case "moved-from":
      return {
        ...describe(step.new, { change: "moved", parts: [{ op: "delete", text: step.old.text }] }, step.old),
        kind: step.old.kind,
        anchor: step.old.anchor,
        move: "from",
        moveId: step.moveId,
      };
    case "moved-to": {
      const formatting = compareFormatting(step.old, step.new);
      const words = diffBlockWords(step.old.text, step.new.text, budget);
      return describe(
        step.new,
        {
          change: "moved",
          parts: [{ op: "insert", text: step.new.text }],
          move: "to",
          moveId: step.moveId,
          edits: words.parts,
          ...(formatting.changes.length ? { formatting: formatting.changes } : {}),
          ...(words.replacedWhole ? { replacedWhole: true } : {}),
        },
        step.old,
      );
    }
  }
}

/**
 * `a.signature === b.signature`. Two plain blocks' signatures are `kind:level:[]text`, so comparing
 * those parts is the same test without flattening two copies of every unchanged clause's text.
 */
function sameSignature(a: Block, b: Block): boolean {
  if (a.plain && b.plain) return a.kind === b.kind && a.level === b.level && a.text === b.text;
  return a.signature === b.signature;
}

/** Fills in where a block sits; `oldSection` only when the old path differs. */
function describe(
  block: Block,
  fields: Pick<DiffBlock, "change" | "parts"> & Partial<DiffBlock>,
  old?: Block,
): DiffBlock {
  const { change, formattingOnly, parts, ...extra } = fields;
  return {
    change,
    formattingOnly: formattingOnly ?? false,
    section: block.section,
    ...(old && old.section !== block.section ? { oldSection: old.section } : {}),
    parts,
    ...extra,
    kind: block.kind,
    ...(block.level !== undefined ? { level: block.level } : {}),
    ...(block.anchor !== undefined ? { anchor: block.anchor } : {}),
    ...(block.row !== undefined ? { row: block.row } : {}),
    ...(block.column !== undefined ? { column: block.column } : {}),
  };
}

/** The clauses the materiality suggester reads: substantive edits, insertions, deletions, edited moves. */
function clauseChange(step: AlignedStep, block: DiffBlock): ClauseChange | undefined {
  if (block.formattingOnly || block.change === "unchanged") return undefined;
  switch (step.type) {
    case "pair":
      return { section: block.section, old: step.old, new: step.new, parts: block.parts };
    case "deleted":
      return { section: block.section, old: step.old, parts: block.parts };
    case "inserted":
      return { section: block.section, new: step.new, parts: block.parts };
    case "moved-to":
      return step.old.text === step.new.text
        ? undefined
        : { section: block.section, old: step.old, new: step.new, parts: block.edits ?? [] };
    case "moved-from":
      return undefined;
  }
}

function statistics(blocks: DiffBlock[]): DiffStats {
  let wordsAdded = 0;
  let wordsRemoved = 0;
  let blocksChanged = 0;
  const sections = new Set<string>();
  for (const block of blocks) {
    if (block.change === "unchanged" || block.move === "from") continue;
    blocksChanged++;
    const parts: DiffPart[] = block.move === "to" ? (block.edits ?? []) : block.parts;
    for (const part of parts) {
      if (part.op === "insert") wordsAdded += countWords(part.text);
      if (part.op === "delete") wordsRemoved += countWords(part.text);
    }
    if (!block.formattingOnly) sections.add(block.section);
  }
  return { wordsAdded, wordsRemoved, blocksChanged, sectionsChanged: [...sections] };
}

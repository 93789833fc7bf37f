import type { PolicyContent } from "../document/types";
import { type AlignedStep, alignBlocks } from "./align";
import { type Block, extractBlocks } from "./blocks";
import { compareFormatting } from "./formatting";
import { type ClauseChange, suggestMateriality } from "./materiality";
import { countWords } from "./normalize";
import type { DiffBlock, DiffOptions, DiffPart, DiffStats, PolicyDiff } from "./types";
import { diffBlockWords, type WordDiffBudget } from "./words";

const DEFAULTS: Required<DiffOptions> = {
  timeoutMs: 250,
  blockTimeoutMs: 50,
  maxEditLength: 4000,
  materialityTimeoutMs: 250,
};

/**
 * Compares two versions of a policy: blocks with their sections, aligned (unchanged, modified,
 * inserted, deleted, moved), word-level redlines inside modified blocks, formatting-only flags and a
 * materiality suggestion. Pure and bounded: every word diff runs under a shared time budget.
 */
export function diffPolicies(
  oldContent: PolicyContent,
  newContent: PolicyContent,
  options: DiffOptions = {},
): PolicyDiff {
  const settings = { ...DEFAULTS, ...options };
  const budget: WordDiffBudget = {
    deadline: performance.now() + settings.timeoutMs,
    blockTimeoutMs: settings.blockTimeoutMs,
    maxEditLength: settings.maxEditLength,
  };
  const oldBlocks = extractBlocks(oldContent);
  const newBlocks = extractBlocks(newContent);
  const steps = alignBlocks(oldBlocks, newBlocks);

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
    material: suggestMateriality(
      changes,
      oldBlocks,
      newBlocks,
      performance.now() + settings.materialityTimeoutMs,
    ),
  };
}

function toDiffBlock(step: AlignedStep, budget: WordDiffBudget): DiffBlock {
  switch (step.type) {
    case "pair": {
      if (step.old.signature === step.new.signature) {
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

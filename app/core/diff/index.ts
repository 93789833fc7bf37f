export { type Block, extractBlocks, SECTION_SEPARATOR } from "./blocks";
export { diffPolicies } from "./diff";
export { type ClauseChange, suggestMateriality } from "./materiality";
export {
  computeRedline,
  DIFF_ENGINE_VERSION,
  type Redline,
  type RedlineRequest,
  type RedlineSummary,
  redlineDiff,
  redlineSize,
} from "./redline";
export { renderDiffHtml } from "./render-html";
export { renderDiffText, type TextRenderOptions } from "./render-text";
export type {
  BlockChange,
  BlockKind,
  DiffBlock,
  DiffOptions,
  DiffPart,
  DiffStats,
  FormattingChange,
  MaterialReason,
  MaterialReasonKind,
  MaterialSuggestion,
  PolicyDiff,
} from "./types";

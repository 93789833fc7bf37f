/** One run of text in a redline: kept, added or removed. */
export type DiffPart = { op: "equal" | "insert" | "delete"; text: string };

export type BlockChange = "unchanged" | "modified" | "inserted" | "deleted" | "moved";

/** What kind of edit made a block differ when its wording did not change. */
export type FormattingChange =
  | "marks"
  | "link"
  | "whitespace"
  | "quotes"
  | "punctuation"
  | "numbering"
  | "kind";

/** The kind of a block, taken from the node that holds its text. */
export type BlockKind =
  | "heading"
  | "paragraph"
  | "listItem"
  | "tableHeader"
  | "tableCell"
  | "blockquote"
  | "codeBlock";

export type DiffBlock = {
  change: BlockChange;
  /** True when only marks, whitespace, punctuation, quote style, link targets or numbering changed. */
  formattingOnly: boolean;
  /** Section path in the new version (the old one for deletions), e.g. "5. Data Sharing › 5.1 Service providers". */
  section: string;
  /** Section path in the old version, present only when it differs from `section`. */
  oldSection?: string;
  /**
   * Word-level redline. Joining `equal` + `delete` over all blocks gives the old text, `equal` + `insert`
   * the new text. A move therefore appears twice: `move: "from"` (a delete at the old place) and
   * `move: "to"` (an insert at the new place, with any word changes in `edits`).
   */
  parts: DiffPart[];
  kind: BlockKind;
  /** Heading level, for headings. */
  level?: number;
  /** Anchor of the section the block sits in (as on the public page), absent before the first heading. */
  anchor?: string;
  /** For table cells: the row's first cell and the column header, so a lone cell can be read in context. */
  row?: string;
  column?: string;
  /** Which formatting changed (present on modified blocks whose marks, punctuation, … differ). */
  formatting?: FormattingChange[];
  /** Moved blocks only: which half of the move this is, and an id shared by both halves. */
  move?: "from" | "to";
  moveId?: number;
  /** Moved blocks, `to` half: the word-level changes between the old and the new wording. */
  edits?: DiffPart[];
  /** True when the word diff hit its limits and the block is shown replaced whole. */
  replacedWhole?: boolean;
};

export type MaterialReasonKind =
  | "recipient-added"
  | "recipient-removed"
  | "data-category-added"
  | "purpose-added"
  | "minimum-age-changed"
  | "retention-changed"
  | "number-changed"
  | "legal-basis-changed"
  | "international-transfer-added"
  | "right-removed"
  | "controller-changed"
  | "contact-changed"
  /** Most of the text changed: one reason for the whole document instead of one per clause. */
  | "complete-rewrite";

export type MaterialReason = {
  kind: MaterialReasonKind;
  section: string;
  /** A sentence a lawyer can check, e.g. `"24 months" → "36 months"`. */
  detail: string;
  /** The words that triggered the reason. */
  words: string[];
};

export type MaterialSuggestion = {
  /** Advice only: a person decides whether a change is material. */
  suggested: boolean;
  reasons: MaterialReason[];
  /** Present when the time budget ran out before every changed clause was read (huge rewrites). */
  incomplete?: true;
};

export type DiffStats = {
  wordsAdded: number;
  wordsRemoved: number;
  /** Blocks that are not unchanged (a move counts once). */
  blocksChanged: number;
  /** Sections (new paths) with at least one change that is not formatting only, in document order. */
  sectionsChanged: string[];
};

export type PolicyDiff = {
  stats: DiffStats;
  blocks: DiffBlock[];
  material: MaterialSuggestion;
};

export type DiffOptions = {
  /**
   * Time budget in milliseconds for the whole comparison: word diffs use the first part of it (once
   * spent, remaining modified blocks are shown replaced whole), the materiality suggestion the rest
   * (once spent, the reasons found so far come with `incomplete: true`).
   * @default 100
   */
  timeoutMs?: number;
  /**
   * Time limit in milliseconds for the word diff of a single block.
   * @default 20
   */
  blockTimeoutMs?: number;
  /**
   * Largest number of token edits jsdiff may explore inside one block before it gives up.
   * @default 4000
   */
  maxEditLength?: number;
};

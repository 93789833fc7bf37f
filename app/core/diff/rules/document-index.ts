import type { Block } from "../blocks";
import { collapseWhitespace, normalizeTypography } from "../normalize";
import { type Facts, RIGHT_PATTERNS } from "./facts";

/**
 * Answers "does the other version mention this anywhere?" lazily: a cheap text filter picks the few
 * blocks that could, and only those are read in full. Reading every block of a 50k-word policy for a
 * one-word edit would cost more than the whole diff.
 */
export class DocumentIndex {
  private normalized?: string[];
  private lowered?: string[];
  private canonical?: string;
  private scans = 0;
  private full?: { sets: Map<string, Set<string>>; rights: Map<string, number>; companies: Set<string> };
  private readonly answers = new Map<string, boolean | number>();

  constructor(
    private readonly blocks: Block[],
    private readonly facts: (block: Block) => Facts,
  ) {}

  namesCompany(key: string): boolean {
    return this.remember(`company|${key}`, () => {
      const full = this.fullIndex();
      if (full) return full.companies.has(key);
      this.normalized ??= this.blocks.map((block) => normalizeTypography(block.text));
      this.canonical ??= canonicalText(this.normalized.join("\n"));
      return this.canonical.includes(key.slice("company:".length));
    }) as boolean;
  }

  has(dimension: SetDimension, key: string, filter: RegExp | string): boolean {
    return this.remember(`${dimension}|${key}`, () => {
      const full = this.fullIndex();
      if (full) return full.sets.get(dimension)!.has(key);
      return this.candidates(filter).some((block) => this.facts(block)[dimension].has(key));
    }) as boolean;
  }

  rightCount(right: string): number {
    return this.remember(`right|${right}`, () => {
      const full = this.fullIndex();
      if (full) return full.rights.get(right) ?? 0;
      return this.candidates(RIGHT_PATTERNS.get(right)!).filter((block) =>
        this.facts(block).rights.has(right),
      ).length;
    }) as number;
  }

  private remember(key: string, answer: () => boolean | number): boolean | number {
    let found = this.answers.get(key);
    if (found === undefined) {
      found = answer();
      this.answers.set(key, found);
    }
    return found;
  }

  /**
   * After a few dozen lookups (a rewrite, not an edit) reading every block once is cheaper than
   * scanning for each question: the cost stays linear in the document, whatever the change.
   */
  private fullIndex() {
    if (this.full || ++this.scans <= FULL_INDEX_AFTER) return this.full;
    const sets = new Map<string, Set<string>>(
      SET_DIMENSIONS.map((dimension) => [dimension, new Set<string>()]),
    );
    const rights = new Map<string, number>();
    const companies = new Set<string>();
    for (const block of this.blocks) {
      const facts = this.facts(block);
      for (const dimension of SET_DIMENSIONS)
        for (const key of facts[dimension]) sets.get(dimension)!.add(key);
      for (const right of facts.rights) rights.set(right, (rights.get(right) ?? 0) + 1);
      for (const company of facts.companies) companies.add(company);
    }
    this.full = { sets, rights, companies };
    return this.full;
  }

  private candidates(filter: RegExp | string): Block[] {
    // Normalised once per document, not once per question: NFKC over 50k words is not free.
    this.normalized ??= this.blocks.map((block) => normalizeTypography(block.text));
    if (typeof filter === "string") {
      this.lowered ??= this.normalized.map((text) => collapseWhitespace(text).toLowerCase());
      return this.blocks.filter((_, i) => this.lowered![i].includes(filter));
    }
    return this.blocks.filter((_, i) => filter.test(this.normalized![i]));
  }
}

/**
 * `canonicalName(text)` in one pass that leaves single plain spaces alone: every run of whitespace,
 * full stops and commas becomes one space, as there, but a whole document has tens of thousands of
 * single spaces and replacing each with itself is most of the cost.
 */
export function canonicalText(text: string): string {
  return text.toLowerCase().replace(CANONICAL_SEPARATORS, " ").trim();
}
// SPACES of ../normalize plus "." and ",": two or more of them, or one that is not a plain space.
const CANONICAL_SEPARATORS =
  /[\s\u00a0\u2000-\u200b\u202f\u205f\u3000.,]{2,}|[\t\n\v\f\r\u00a0\u1680\u2000-\u200b\u2028\u2029\u202f\u205f\u3000\ufeff.,]/g;

type SetDimension = "recipientCategories" | "dataCategories" | "purposes" | "destinations" | "contacts";
const SET_DIMENSIONS: SetDimension[] = [
  "recipientCategories",
  "dataCategories",
  "purposes",
  "destinations",
  "contacts",
];
const FULL_INDEX_AFTER = 32;

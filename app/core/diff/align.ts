import { type Block, wordBag } from "./blocks";
import { type IndexPairs, longestIncreasingSubsequence, matchSequences } from "./sequence";

/** One step of the merged old/new reading order. */
export type AlignedStep =
  | { type: "pair"; old: Block; new: Block }
  | { type: "deleted"; old: Block }
  | { type: "inserted"; new: Block }
  | { type: "moved-from"; old: Block; new: Block; moveId: number }
  | { type: "moved-to"; old: Block; new: Block; moveId: number };

/** Blocks shorter than this are not reported as moved: "United States" in another row is no move. */
const MIN_MOVE_WORDS = 3;
/** Similarity needed to pair two blocks between the same anchors (a modified clause)… */
const IN_PLACE_SIMILARITY = 0.3;
/** …and anywhere else in the document (a clause moved and edited). */
const MOVED_SIMILARITY = 0.6;
/** Gaps larger than this (old × new) compare each block only with its neighbours by position. */
const FULL_GAP_CELLS = 400;
const GAP_WINDOW = 8;
/** Words in more old blocks than this are too common to suggest where a block came from. */
const RARE_WORD_BLOCKS = 8;
const CANDIDATES_PER_BLOCK = 4;

type Match = { old: number; new: number };

/**
 * Aligns two block lists. Exact clauses are matched first (patience diff on formatting-insensitive
 * keys, so renumbered headings match), then the leftovers by word similarity: cheaply among neighbours
 * between the same anchors, and through rare shared words across the document. The largest set of
 * matches that keeps its order stays in place; every other match is a move.
 */
export function alignBlocks(oldBlocks: Block[], newBlocks: Block[]): AlignedStep[] {
  const keyIds = new Map<string, number>();
  const intern = (block: Block) => {
    let id = keyIds.get(block.matchKey);
    if (id === undefined) {
      id = keyIds.size;
      keyIds.set(block.matchKey, id);
    }
    return id;
  };
  const anchors = matchSequences(oldBlocks.map(intern), newBlocks.map(intern));

  const oldMatch = new Int32Array(oldBlocks.length).fill(-1);
  const newMatch = new Int32Array(newBlocks.length).fill(-1);
  const link = (o: number, n: number) => {
    oldMatch[o] = n;
    newMatch[n] = o;
  };
  for (const [o, n] of anchors) link(o, n);

  matchMovedExactly(oldBlocks, newBlocks, oldMatch, newMatch, link);
  matchSimilar(oldBlocks, newBlocks, anchors, oldMatch, newMatch, link);
  extendToNeighbours(oldBlocks, newBlocks, oldMatch, newMatch, link);

  const matches: Match[] = [];
  newMatch.forEach((o, n) => {
    if (o >= 0) matches.push({ old: o, new: n });
  });
  const inPlace = new Set(longestIncreasingSubsequence(matches.map((m) => m.old)).map((i) => matches[i].new));
  return mergeReadingOrder(oldBlocks, newBlocks, oldMatch, newMatch, inPlace);
}

/** Identical clauses (up to formatting) that left one place and appeared in another. */
function matchMovedExactly(
  oldBlocks: Block[],
  newBlocks: Block[],
  oldMatch: Int32Array,
  newMatch: Int32Array,
  link: (o: number, n: number) => void,
) {
  const waiting = new Map<string, number[]>();
  for (const block of oldBlocks) {
    if (oldMatch[block.index] >= 0 || !movable(block)) continue;
    const list = waiting.get(block.matchKey);
    if (list) list.push(block.index);
    else waiting.set(block.matchKey, [block.index]);
  }
  for (const block of newBlocks) {
    if (newMatch[block.index] >= 0 || !movable(block)) continue;
    const o = waiting.get(block.matchKey)?.shift();
    if (o !== undefined) link(o, block.index);
  }
}

/**
 * Short blocks ("Data", "12 months") are too common to match on their own, but next to a matched block
 * they travel with it: a moved table keeps its cells, a moved list its short items.
 */
function extendToNeighbours(
  oldBlocks: Block[],
  newBlocks: Block[],
  oldMatch: Int32Array,
  newMatch: Int32Array,
  link: (o: number, n: number) => void,
) {
  const sameKey = (o: number, n: number) =>
    o >= 0 &&
    n >= 0 &&
    o < oldBlocks.length &&
    n < newBlocks.length &&
    oldMatch[o] < 0 &&
    newMatch[n] < 0 &&
    oldBlocks[o].matchKey === newBlocks[n].matchKey;
  for (let n = 0; n < newBlocks.length; n++) {
    let o = newMatch[n];
    if (o < 0) continue;
    for (let next = n + 1; sameKey(o + 1, next); next++) link(++o, next);
  }
  for (let n = newBlocks.length - 1; n >= 0; n--) {
    let o = newMatch[n];
    if (o < 0) continue;
    for (let previous = n - 1; sameKey(o - 1, previous); previous--) link(--o, previous);
  }
}

function movable(block: Block): boolean {
  return block.kind === "heading" || wordBag(block).wordCount >= MIN_MOVE_WORDS;
}

type Candidate = { old: number; new: number; score: number };

/** Pairs leftover blocks by word similarity, best pairs first. */
function matchSimilar(
  oldBlocks: Block[],
  newBlocks: Block[],
  anchors: IndexPairs,
  oldMatch: Int32Array,
  newMatch: Int32Array,
  link: (o: number, n: number) => void,
) {
  const candidates: Candidate[] = [];
  const seen = new Set<number>();
  const consider = (o: number, n: number, sameGap: boolean) => {
    const key = o * (newBlocks.length + 1) + n;
    if (seen.has(key)) return;
    seen.add(key);
    const a = oldBlocks[o];
    const b = newBlocks[n];
    if ((a.kind === "heading") !== (b.kind === "heading")) return;
    const similarity = diceSimilarity(wordBag(a), wordBag(b));
    const sameCell = sameGap && isCell(a) && isCell(b) && a.row === b.row && a.column === b.column;
    if (sameGap && (similarity >= IN_PLACE_SIMILARITY || sameCell)) {
      candidates.push({ old: o, new: n, score: similarity + 1 });
    } else if (similarity >= MOVED_SIMILARITY && movable(a) && movable(b)) {
      candidates.push({ old: o, new: n, score: similarity });
    }
  };

  // Neighbours between the same two anchors: where an edited clause usually is.
  for (const gap of gapsBetween(anchors, oldBlocks.length, newBlocks.length)) {
    const olds = range(gap.oldLo, gap.oldHi).filter((o) => oldMatch[o] < 0);
    const news = range(gap.newLo, gap.newHi).filter((n) => newMatch[n] < 0);
    if (olds.length === 0 || news.length === 0) continue;
    const full = olds.length * news.length <= FULL_GAP_CELLS;
    olds.forEach((o, i) => {
      const centre = Math.round((i * news.length) / olds.length);
      const from = full ? 0 : Math.max(0, centre - GAP_WINDOW);
      const to = full ? news.length : Math.min(news.length, centre + GAP_WINDOW + 1);
      for (let j = from; j < to; j++) consider(o, news[j], true);
    });
  }

  // Anywhere else: blocks sharing rare words, found through an index instead of comparing all pairs.
  const index = new Map<string, number[]>();
  for (const block of oldBlocks) {
    if (oldMatch[block.index] >= 0 || !movable(block)) continue;
    for (const word of wordBag(block).bag.keys()) {
      const list = index.get(word);
      if (!list) index.set(word, [block.index]);
      else if (list.length <= RARE_WORD_BLOCKS) list.push(block.index);
    }
  }
  for (const block of newBlocks) {
    if (newMatch[block.index] >= 0 || !movable(block)) continue;
    const shared = new Map<number, number>();
    for (const word of wordBag(block).bag.keys()) {
      const list = index.get(word);
      if (!list || list.length > RARE_WORD_BLOCKS) continue;
      for (const o of list) shared.set(o, (shared.get(o) ?? 0) + 1);
    }
    const best = [...shared].sort((x, y) => y[1] - x[1]).slice(0, CANDIDATES_PER_BLOCK);
    for (const [o] of best) consider(o, block.index, false);
  }

  candidates.sort((x, y) => y.score - x.score || x.new - y.new);
  for (const { old: o, new: n } of candidates) {
    if (oldMatch[o] < 0 && newMatch[n] < 0) link(o, n);
  }
}

function isCell(block: Block): boolean {
  return block.kind === "tableCell" || block.kind === "tableHeader";
}

/** Word similarity of two blocks, 0 (no word shared) to 1 (the same words). */
export function blockSimilarity(a: Block, b: Block): number {
  return diceSimilarity(wordBag(a), wordBag(b));
}

/** Sørensen–Dice coefficient over word multisets: 1 for the same words, 0 for none shared. */
function diceSimilarity(
  { bag: a, wordCount: sizeA }: ReturnType<typeof wordBag>,
  { bag: b, wordCount: sizeB }: ReturnType<typeof wordBag>,
): number {
  if (sizeA + sizeB === 0) return 1;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let shared = 0;
  for (const [word, count] of small) shared += Math.min(count, large.get(word) ?? 0);
  return (2 * shared) / (sizeA + sizeB);
}

type Gap = { oldLo: number; oldHi: number; newLo: number; newHi: number };

function gapsBetween(anchors: IndexPairs, oldLength: number, newLength: number): Gap[] {
  const gaps: Gap[] = [];
  let oldLo = 0;
  let newLo = 0;
  for (const [o, n] of [...anchors, [oldLength, newLength] as [number, number]]) {
    if (o > oldLo && n > newLo) gaps.push({ oldLo, oldHi: o, newLo, newHi: n });
    oldLo = o + 1;
    newLo = n + 1;
  }
  return gaps;
}

function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);
}

/**
 * Walks both documents at once: between two in-place matches, the old blocks that left (deleted, or the
 * "from" half of a move) come first, then the new ones (inserted, or the "to" half).
 */
function mergeReadingOrder(
  oldBlocks: Block[],
  newBlocks: Block[],
  oldMatch: Int32Array,
  newMatch: Int32Array,
  inPlace: Set<number>,
): AlignedStep[] {
  const moveIds = new Map<number, number>();
  const moveIdOf = (n: number) => {
    let id = moveIds.get(n);
    if (id === undefined) {
      id = moveIds.size + 1;
      moveIds.set(n, id);
    }
    return id;
  };
  const steps: AlignedStep[] = [];
  let o = 0;
  const flushOld = (until: number) => {
    for (; o < until; o++) {
      const n = oldMatch[o];
      if (n < 0) steps.push({ type: "deleted", old: oldBlocks[o] });
      else if (!inPlace.has(n)) {
        steps.push({ type: "moved-from", old: oldBlocks[o], new: newBlocks[n], moveId: moveIdOf(n) });
      }
    }
  };
  let arrivals: AlignedStep[] = [];
  for (let n = 0; n < newBlocks.length; n++) {
    const matched = newMatch[n];
    if (matched >= 0 && inPlace.has(n)) {
      flushOld(matched);
      steps.push(...arrivals, { type: "pair", old: oldBlocks[matched], new: newBlocks[n] });
      arrivals = [];
      o = matched + 1;
    } else if (matched >= 0) {
      arrivals.push({ type: "moved-to", old: oldBlocks[matched], new: newBlocks[n], moveId: moveIdOf(n) });
    } else {
      arrivals.push({ type: "inserted", new: newBlocks[n] });
    }
  }
  flushOld(oldBlocks.length);
  steps.push(...arrivals);
  return steps;
}

// Sequence matching on interned keys: patience diff for long block lists, exact LCS for small gaps.

/** Pairs of indices [old, new], both strictly increasing. */
export type IndexPairs = Array<[number, number]>;

/** Gaps up to this many cells (old × new) are solved exactly; larger ones only by unique anchors. */
const MAX_LCS_CELLS = 250_000;

/**
 * Longest increasing subsequence of `values`, returned as positions into `values`. Used to find the
 * largest set of matches that keep their order (patience anchors, and blocks that did not move).
 */
export function longestIncreasingSubsequence(values: readonly number[]): number[] {
  const tails: number[] = [];
  const previous = new Array<number>(values.length).fill(-1);
  for (let i = 0; i < values.length; i++) {
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (values[tails[mid]] < values[i]) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0) previous[i] = tails[lo - 1];
    tails[lo] = i;
  }
  const result: number[] = [];
  for (let i = tails.length ? tails[tails.length - 1] : -1; i !== -1; i = previous[i]) result.push(i);
  return result.reverse();
}

/**
 * Patience diff: match common ends, anchor on keys that occur once on each side, recurse between the
 * anchors, and fall back to an exact LCS when a gap is small. Linear-ish on real documents and never
 * quadratic on large dissimilar ones (a large gap without anchors stays unmatched).
 */
export function matchSequences(oldKeys: readonly number[], newKeys: readonly number[]): IndexPairs {
  const pairs: IndexPairs = [];
  const ranges: Array<[number, number, number, number]> = [[0, oldKeys.length, 0, newKeys.length]];
  while (ranges.length > 0) {
    let [oldLo, oldHi, newLo, newHi] = ranges.pop()!;
    while (oldLo < oldHi && newLo < newHi && oldKeys[oldLo] === newKeys[newLo])
      pairs.push([oldLo++, newLo++]);
    while (oldLo < oldHi && newLo < newHi && oldKeys[oldHi - 1] === newKeys[newHi - 1]) {
      pairs.push([--oldHi, --newHi]);
    }
    if (oldLo === oldHi || newLo === newHi) continue;

    const anchors = uniqueAnchors(oldKeys, newKeys, oldLo, oldHi, newLo, newHi);
    if (anchors.length > 0) {
      let prevOld = oldLo;
      let prevNew = newLo;
      for (const [o, n] of anchors) {
        pairs.push([o, n]);
        ranges.push([prevOld, o, prevNew, n]);
        prevOld = o + 1;
        prevNew = n + 1;
      }
      ranges.push([prevOld, oldHi, prevNew, newHi]);
    } else if ((oldHi - oldLo) * (newHi - newLo) <= MAX_LCS_CELLS) {
      pairs.push(...longestCommonSubsequence(oldKeys, newKeys, oldLo, oldHi, newLo, newHi));
    }
  }
  return pairs.sort((a, b) => a[0] - b[0]);
}

function uniqueAnchors(
  oldKeys: readonly number[],
  newKeys: readonly number[],
  oldLo: number,
  oldHi: number,
  newLo: number,
  newHi: number,
): IndexPairs {
  // count: 1 = seen once, 2 = more than once; position of the single occurrence.
  const inOld = new Map<number, number>();
  for (let i = oldLo; i < oldHi; i++) inOld.set(oldKeys[i], inOld.has(oldKeys[i]) ? -1 : i);
  const inNew = new Map<number, number>();
  for (let j = newLo; j < newHi; j++) inNew.set(newKeys[j], inNew.has(newKeys[j]) ? -1 : j);
  const candidates: IndexPairs = [];
  for (let j = newLo; j < newHi; j++) {
    const o = inOld.get(newKeys[j]);
    if (o !== undefined && o >= 0 && inNew.get(newKeys[j]) === j) candidates.push([o, j]);
  }
  const keep = longestIncreasingSubsequence(candidates.map(([o]) => o));
  return keep.map((k) => candidates[k]);
}

function longestCommonSubsequence(
  oldKeys: readonly number[],
  newKeys: readonly number[],
  oldLo: number,
  oldHi: number,
  newLo: number,
  newHi: number,
): IndexPairs {
  const rows = oldHi - oldLo;
  const cols = newHi - newLo;
  const width = cols + 1;
  const table = new Uint32Array((rows + 1) * width);
  for (let i = rows - 1; i >= 0; i--) {
    for (let j = cols - 1; j >= 0; j--) {
      table[i * width + j] =
        oldKeys[oldLo + i] === newKeys[newLo + j]
          ? table[(i + 1) * width + j + 1] + 1
          : Math.max(table[(i + 1) * width + j], table[i * width + j + 1]);
    }
  }
  const pairs: IndexPairs = [];
  let i = 0;
  let j = 0;
  while (i < rows && j < cols) {
    if (oldKeys[oldLo + i] === newKeys[newLo + j]) pairs.push([oldLo + i++, newLo + j++]);
    else if (table[(i + 1) * width + j] >= table[i * width + j + 1]) i++;
    else j++;
  }
  return pairs;
}

/**
 * The importer's proof that no text vanished: the words a reader sees in the source (after what
 * was left out on purpose) must all be in the document it made, in order. Spacing is ignored —
 * the schema parser collapses it, and blocks have no separators — so the check compares every
 * other character. Pure, linear, safe for the browser.
 */
import type { SourceText } from "./html-source";
import { shorten } from "./html-source";

/** Where the kept text first departs from the source's. */
export type LostText = {
  line: number;
  /** The first words missing (or changed), as in the source. */
  missing: string;
  /** The words just before them, to find the place. */
  after: string;
};

// Whitespace, control and format characters (soft hyphen, zero-width joiners, direction marks):
// parsers drop or collapse them freely, and none is a word.
const IGNORED = /[\s\p{Cc}\p{Cf}]+/gu;

const compact = (text: string) => text.replace(IGNORED, "");

/**
 * Compares the source's visible text with the document's text; null when every character of the
 * former is in the latter, else the first place where they part.
 * @example findLostText([{ text: "Keep this. And this.", line: 1 }], "Keep this.") // { line: 1, missing: "And this.", after: "Keep this." }
 */
export function findLostText(source: SourceText[], kept: string): LostText | null {
  const pieces = source.map((piece) => compact(piece.text));
  const want = pieces.join("");
  const have = compact(kept);
  if (want === have) return null;
  let same = 0;
  const limit = Math.min(want.length, have.length);
  while (same < limit && want.charCodeAt(same) === have.charCodeAt(same)) same++;
  if (same === want.length) {
    // Nothing missing, something added: never expected, still not silent.
    return { line: source.at(-1)?.line ?? 1, missing: "", after: shorten(have.slice(same, same + 60)) };
  }
  // The piece holding the first missing character, and that character's place in it.
  let piece = 0;
  let start = 0;
  while (piece < pieces.length - 1 && start + pieces[piece].length <= same) start += pieces[piece++].length;
  const text = source[piece].text;
  let offset = 0;
  for (let counted = 0; offset < text.length; offset++) {
    if (compact(text[offset]) === "") continue;
    if (counted === same - start) break;
    counted++;
  }
  // A character split by a surrogate pair still starts its word: step back to the word's start.
  while (offset > 0 && !/\s/.test(text[offset - 1])) offset--;
  const following = [text.slice(offset), ...source.slice(piece + 1, piece + 20).map((p) => p.text)].join(" ");
  const preceding = [...source.slice(Math.max(0, piece - 5), piece).map((p) => p.text), text.slice(0, offset)]
    .join(" ")
    .trim();
  const newlines = text.slice(0, offset).split("\n").length - 1;
  return {
    line: source[piece].line + newlines,
    missing: shorten(following),
    after: shorten(preceding.split(/\s+/).slice(-6).join(" "), 60),
  };
}

/** The refusal's wording: where, what, and what comes before it. */
export function describeLostText(lost: LostText): string {
  if (!lost.missing) return `the import would add text that is not in the source ("${lost.after}")`;
  const after = lost.after ? ` (after "${lost.after}")` : "";
  return `text would be lost at line ${lost.line}: "${lost.missing}"${after}`;
}

import type { OutlineEntry } from "./types";

// "5.", "5.1", "5.1.2)", "V.", "Section 5:", "§ 5" — numbering that a renumbering edit changes.
const LEADING_NUMBER =
  /^\s*(?:(?:section|article|clause|part)\s+)?(?:§\s*)?(?:\d+(?:\.\d+)*[.):]?|\(?[ivxlcdm]+[.):]|\(?[a-z][.):])\s+/i;

/**
 * The anchor for a heading: lowercase words (accents dropped) joined by dashes, without the section number
 * so that "5. Data Sharing" and "6. Data Sharing" share `data-sharing`.
 * @example headingAnchor("5. Data Sharing") // "data-sharing"
 */
export function headingAnchor(text: string): string {
  const withoutNumber = text.replace(LEADING_NUMBER, "");
  const base = (withoutNumber.trim() === "" ? text : withoutNumber)
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 80)
    .replace(/-+$/, "");
  return base || "section";
}

/** Anchors for headings in document order, made unique with a numeric suffix. */
export function uniqueAnchors(headings: ReadonlyArray<{ level: number; text: string }>): OutlineEntry[] {
  const used = new Map<string, number>();
  return headings.map(({ level, text }) => {
    const base = headingAnchor(text);
    const seen = used.get(base) ?? 0;
    used.set(base, seen + 1);
    let id = seen === 0 ? base : `${base}-${seen + 1}`;
    while (seen > 0 && used.has(id)) id = `${id}-x`;
    if (seen > 0) used.set(id, 1);
    return { id, level, text };
  });
}

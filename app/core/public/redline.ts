import type { PolicyDiff } from "../diff";

/** One entry of a redline's "changed sections" navigation. */
export type ChangedSection = {
  /** Element id to jump to in the rendered redline, or null when the section has no heading there. */
  target: string | null;
  /** The section path as the new version names it, e.g. "5. Data Sharing › 5.1 Processors". */
  label: string;
  /** Number of changed blocks in the section. */
  changes: number;
  /** True when every change in the section is formatting only (hidden by the "hide formatting" switch). */
  formattingOnly: boolean;
};

/**
 * The sections of a redline that changed, in document order, each pointing at an id that exists in
 * `html` (the output of renderDiffHtml for the same diff).
 */
export function changedSections(diff: PolicyDiff, html: string): ChangedSection[] {
  const ids = new Set([...html.matchAll(/\sid="([^"]+)"/g)].map((match) => match[1]));
  const sections = new Map<string, ChangedSection>();
  for (const block of diff.blocks) {
    if (block.change === "unchanged" || block.move === "from") continue;
    const key = block.anchor ?? "";
    let section = sections.get(key);
    if (!section) {
      const candidates = block.anchor ? [block.anchor, `${block.anchor}-removed`] : [];
      section = {
        target: candidates.find((id) => ids.has(id)) ?? null,
        label: block.section || "Introduction",
        changes: 0,
        formattingOnly: true,
      };
      sections.set(key, section);
    }
    section.changes++;
    section.formattingOnly &&= block.formattingOnly;
  }
  return [...sections.values()];
}

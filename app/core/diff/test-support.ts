// Helpers shared by the diff tests (no I/O: tests read files themselves).
import { parsePolicy } from "../document";
import type { PolicyContent } from "../document/types";
import type { PolicyDiff } from "./types";

/** A policy from Markdown, as the importer would store it. */
export function markdown(source: string): PolicyContent {
  return parsePolicy(source, "markdown").content;
}

/**
 * Markdown whose `<` and `&` are text, not markup: hostile-looking policy text as a lawyer might
 * type it, rather than raw HTML (which the importer parses as HTML).
 */
export function literally(source: string): string {
  return source.replace(/&/g, "&amp;").replace(/</g, "&lt;");
}

/** A policy of plain paragraphs, built as the editor stores it (whitespace kept as typed). */
export function paragraphs(...texts: string[]): PolicyContent {
  return {
    type: "doc",
    content: texts.map((text) => ({ type: "paragraph", content: [{ type: "text", text }] })),
  };
}

/** The old (`equal` + `delete`) or new (`equal` + `insert`) text a diff rebuilds, whitespace collapsed. */
export function rebuilt(diff: PolicyDiff, side: "old" | "new"): string {
  const skip = side === "old" ? "insert" : "delete";
  return collapse(
    diff.blocks
      .map((block) =>
        block.parts
          .filter((part) => part.op !== skip)
          .map((part) => part.text)
          .join(""),
      )
      .join("\n"),
  );
}

export function collapse(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

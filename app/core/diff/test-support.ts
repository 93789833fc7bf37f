// Helpers shared by the diff tests (no I/O: tests read files themselves).
import { parsePolicy } from "../document";
import type { PolicyContent } from "../document/types";
import type { PolicyDiff } from "./types";

/** A policy from Markdown, as the importer would store it. */
export function markdown(source: string): PolicyContent {
  return parsePolicy(source, "markdown").content;
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

import type { JSONContent } from "@tiptap/core";

/** A policy's content as Tiptap (ProseMirror) JSON, validated against `policyExtensions`. */
export type PolicyContent = JSONContent & { type: "doc" };

export type SourceFormat = "markdown" | "html" | "json";

/** One entry of a policy's table of contents. */
export type OutlineEntry = {
  /** Stable anchor: derived from the heading text without its number, so renumbering keeps links working. */
  id: string;
  level: number;
  text: string;
};

/** Everything derived from a version's content; stored beside it so nothing is rendered per request. */
export type RenderedPolicy = {
  html: string;
  text: string;
  outline: OutlineEntry[];
  contentHash: string;
};

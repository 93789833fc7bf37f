import { createHash } from "node:crypto";
import type { JSONContent } from "@tiptap/core";
import { Node as ProseMirrorNode } from "@tiptap/pm/model";
import { renderToHTMLString } from "@tiptap/static-renderer/pm/html-string";
import { stableStringify } from "../stable-json";
import { uniqueAnchors } from "./anchors";
import { policyExtensions } from "./extensions";
import { policySchema } from "./import";
import type { OutlineEntry, PolicyContent, RenderedPolicy } from "./types";

/** Everything stored beside a version's content: HTML with section anchors, plain text, outline, hash. */
export function renderPolicy(content: PolicyContent): RenderedPolicy {
  const outline = policyOutline(content);
  let heading = 0;
  const html = renderToHTMLString({
    content,
    extensions: policyExtensions,
    options: {
      nodeMapping: {
        heading: ({ node, children }) => {
          const level = clampLevel(node.attrs?.level);
          const id = outline[heading++]?.id ?? "section";
          const inner = Array.isArray(children) ? children.join("") : (children ?? "");
          return `<h${level} id="${id}">${inner}</h${level}>`;
        },
      },
    },
  });
  return { html, text: policyText(content), outline, contentHash: contentHash(content) };
}

/** Headings in document order with their stable anchors. */
export function policyOutline(content: JSONContent): OutlineEntry[] {
  const headings: { level: number; text: string }[] = [];
  const visit = (node: JSONContent) => {
    if (node.type === "heading") {
      headings.push({ level: clampLevel(node.attrs?.level), text: inlineText(node).trim() });
      return;
    }
    node.content?.forEach(visit);
  };
  visit(content);
  return uniqueAnchors(headings);
}

/** Plain text: one paragraph per block, blank lines between blocks. */
export function policyText(content: PolicyContent): string {
  const doc = ProseMirrorNode.fromJSON(policySchema, content);
  return doc.textBetween(0, doc.content.size, "\n\n", (leaf) => (leaf.type.name === "hardBreak" ? "\n" : ""));
}

/** SHA-256 of the canonical JSON: equal content, equal hash, whatever the source format was. */
export function contentHash(content: PolicyContent): string {
  return createHash("sha256").update(stableStringify(content)).digest("hex");
}

function inlineText(node: JSONContent): string {
  if (typeof node.text === "string") return node.text;
  return (node.content ?? []).map(inlineText).join("");
}

function clampLevel(level: unknown): number {
  const n = Number(level);
  return Number.isInteger(n) && n >= 1 && n <= 6 ? n : 2;
}

import { getSchema, type JSONContent } from "@tiptap/core";
import { generateJSON } from "@tiptap/html/server";
import { Node as ProseMirrorNode } from "@tiptap/pm/model";
import { Window } from "happy-dom";
import MarkdownIt from "markdown-it";
import { isSafeHref, policyExtensions } from "./extensions";
import type { PolicyContent, SourceFormat } from "./types";

/** Raised when input cannot become a policy; the message names what is wrong. */
export class PolicyImportError extends Error {
  override name = "PolicyImportError";
}

/** Deeper nesting (lists in lists in quotes …) than any real policy has is refused. */
export const MAX_NESTING_DEPTH = 64;
const TOO_DEEP = `the document is nested more than ${MAX_NESTING_DEPTH} levels deep`;

/** Source documents larger than this are refused before parsing. */
export const MAX_SOURCE_BYTES = 2 * 1024 * 1024;

export const policySchema = getSchema(policyExtensions);

// markdown-it: CommonMark + GFM tables and strikethrough, linear time on pathological input
// (marked took minutes on 150 kB of "*a *a …"), nesting capped.
let markdown: MarkdownIt | undefined;
const markdownParser = () => {
  markdown ??= new MarkdownIt({ html: true, linkify: true, typographer: false });
  return markdown;
};

/** Guesses the format from a file name, falling back to the content's first character. */
export function detectFormat(fileName: string, source: string): SourceFormat {
  const extension = /\.([a-z0-9]+)$/i.exec(fileName)?.[1]?.toLowerCase();
  if (extension === "md" || extension === "markdown") return "markdown";
  if (extension === "html" || extension === "htm") return "html";
  if (extension === "json") return "json";
  const start = source.trimStart();
  if (start.startsWith("{")) return "json";
  if (start.startsWith("<")) return "html";
  return "markdown";
}

export type ParsedPolicy = {
  /** The document's first-level heading, when the source starts with one. */
  title: string | null;
  content: PolicyContent;
};

/**
 * Markdown, HTML or Tiptap JSON → Tiptap JSON that fits the editor's schema, with unsafe links
 * removed and a leading first-level heading lifted out as the title (the page prints the title
 * itself).
 */
export function parsePolicy(source: string, format: SourceFormat): ParsedPolicy {
  if (Buffer.byteLength(source, "utf8") > MAX_SOURCE_BYTES) {
    throw new PolicyImportError(`document is larger than ${MAX_SOURCE_BYTES / 1024 / 1024} MB`);
  }
  let raw: JSONContent;
  try {
    raw = toJSON(source, format);
  } catch (error) {
    // A parser's recursion on absurdly deep nesting: a clear refusal, not a crash.
    if (error instanceof RangeError) throw new PolicyImportError(TOO_DEEP);
    throw error;
  }
  const content = validatePolicyContent(dropUnsafeLinks(raw));
  const [first, ...rest] = content.content ?? [];
  if (first?.type === "heading" && first.attrs?.level === 1) {
    const title = plainText(first).trim();
    return {
      title: title || null,
      content: { ...content, content: rest.length ? rest : [{ type: "paragraph" }] },
    };
  }
  return { title: null, content };
}

function toJSON(source: string, format: SourceFormat): JSONContent {
  switch (format) {
    case "markdown":
      // Through HTML, so that what real policies contain besides CommonMark — inline and block
      // HTML, GFM tables and task lists, deep headings — lands in the schema the way a browser
      // paste would, instead of as literal markup or a schema error.
      return generateJSON(markdownParser().render(source), policyExtensions);
    case "html":
      return generateJSON(policyPart(source), policyExtensions);
    case "json": {
      let value: unknown;
      try {
        value = JSON.parse(source);
      } catch (error) {
        throw new PolicyImportError(`invalid JSON: ${(error as Error).message}`);
      }
      if (!value || typeof value !== "object" || Array.isArray(value)) {
        throw new PolicyImportError('Tiptap JSON must be an object like {"type":"doc","content":[…]}');
      }
      return value as JSONContent;
    }
  }
}

/**
 * The part of an HTML file that is the policy: a saved web page brings its navigation, header and
 * footer along, so a single `<main>` or `<article>` is taken when there is one, else the body.
 * Scripts are never run (JavaScript evaluation is off).
 */
function policyPart(html: string): string {
  if (!/<(?:html|body|main|article)[\s>]/i.test(html)) return html;
  const window = new Window({
    settings: {
      disableJavaScriptEvaluation: true,
      disableJavaScriptFileLoading: true,
      disableCSSFileLoading: true,
      disableIframePageLoading: true,
      disableComputedStyleRendering: true,
    },
  });
  try {
    const document = new window.DOMParser().parseFromString(html, "text/html");
    const only = (selector: string) => {
      const found = document.querySelectorAll(selector);
      return found.length === 1 ? found[0] : null;
    };
    return (only("main") ?? only("article") ?? document.body)?.innerHTML ?? "";
  } finally {
    window.happyDOM.abort();
    void window.happyDOM.close();
  }
}

/**
 * Checks content against the editor's schema with ProseMirror's own validation and returns it
 * in canonical form (every attribute present, keys in schema order) so equal content hashes
 * equally.
 */
export function validatePolicyContent(json: unknown): PolicyContent {
  if (!json || typeof json !== "object" || (json as JSONContent).type !== "doc") {
    throw new PolicyImportError('content must be a Tiptap document: {"type":"doc","content":[…]}');
  }
  if (nestingDepth(json as JSONContent) > MAX_NESTING_DEPTH) throw new PolicyImportError(TOO_DEEP);
  let node: ProseMirrorNode;
  try {
    node = ProseMirrorNode.fromJSON(policySchema, json);
    node.check();
  } catch (error) {
    throw new PolicyImportError(`content does not fit the policy schema: ${(error as Error).message}`);
  }
  const canonical = node.toJSON() as PolicyContent;
  if (!canonical.content?.length) canonical.content = [{ type: "paragraph" }];
  return canonical;
}

/** Removes link marks whose target is not http, https, mailto or relative, keeping their text. */
export function dropUnsafeLinks(node: JSONContent): JSONContent {
  const marks = node.marks?.filter((mark) => mark.type !== "link" || isSafeHref(mark.attrs?.href));
  return {
    ...node,
    ...(node.marks ? { marks: marks?.length ? marks : undefined } : {}),
    ...(node.content ? { content: node.content.map(dropUnsafeLinks) } : {}),
  };
}

/** Depth of the node tree, walked without recursion so hostile input cannot overflow the stack. */
function nestingDepth(root: JSONContent): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[root, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (depth > deepest) deepest = depth;
    if (depth > MAX_NESTING_DEPTH) break;
    const children = (node as JSONContent | null)?.content;
    if (Array.isArray(children)) for (const child of children) stack.push([child, depth + 1]);
  }
  return deepest;
}

function plainText(node: JSONContent): string {
  if (typeof node.text === "string") return node.text;
  return (node.content ?? []).map(plainText).join("");
}

import { getSchema, type JSONContent } from "@tiptap/core";
import { Node as ProseMirrorNode, DOMParser as SchemaParser } from "@tiptap/pm/model";
import { Window } from "happy-dom";
import MarkdownIt from "markdown-it";
import { PolicyImportError } from "./errors";
import { isSafeHref, policyExtensions } from "./extensions";
import { type FrontMatter, splitFrontMatter } from "./front-matter";
import { htmlTextDecoder, type LeftOut, prepareHtml } from "./html-source";
import { describeLostText, findLostText } from "./text-integrity";
import type { PolicyContent, SourceFormat } from "./types";

export { PolicyImportError };

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
  /** What was left out on purpose (scripts, images, the page around <main> …), for the person importing. */
  leftOut: LeftOut[];
  /** The YAML front matter of a Markdown or HTML source: metadata, never part of the content. */
  frontMatter: FrontMatter | null;
};

/**
 * Markdown, HTML or Tiptap JSON → Tiptap JSON that fits the editor's schema, with unsafe links
 * removed and a leading first-level heading lifted out as the title (the page prints the title
 * itself). From Markdown and HTML, every word a reader sees in the source must arrive: what is
 * left out on purpose is reported, and an import that would lose any other text is refused,
 * naming the place (ADR 0012). A leading YAML front matter block is read as metadata (title,
 * dates) and never becomes text.
 */
export function parsePolicy(input: string, format: SourceFormat): ParsedPolicy {
  if (Buffer.byteLength(input, "utf8") > MAX_SOURCE_BYTES) {
    throw new PolicyImportError(`document is larger than ${MAX_SOURCE_BYTES / 1024 / 1024} MB`);
  }
  if (format === "json") return withTitle(validatePolicyContent(parseJson(input)), [], null);
  const { body: source, frontMatter } = splitFrontMatter(input);
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
    const parser = new window.DOMParser();
    const html = format === "markdown" ? markdownToHtml(source) : source;
    const prepared = prepareHtml(html, {
      decode: htmlTextDecoder(parser),
      lineMarkers: format === "markdown",
      takeMain: format === "html",
    });
    let raw: JSONContent;
    try {
      const body = parser.parseFromString(`<!DOCTYPE html><body>${prepared.html}`, "text/html").body;
      raw = SchemaParser.fromSchema(policySchema)
        .parse(body as unknown as globalThis.Node)
        .toJSON();
    } catch (error) {
      // A parser's recursion on absurdly deep nesting: a clear refusal, not a crash.
      if (error instanceof RangeError) throw new PolicyImportError(TOO_DEEP);
      throw error;
    }
    const content = validatePolicyContent(raw);
    const lost = findLostText(prepared.texts, documentText(content));
    if (lost) throw new PolicyImportError(describeLostText(lost));
    return withTitle(content, prepared.leftOut, frontMatter);
  } finally {
    void window.happyDOM.abort();
    void window.happyDOM.close();
  }
}

/**
 * Lifts a leading first-level heading out as the title. When the front matter names the title, a
 * leading heading is lifted only if it says the same; a different one is text and stays.
 */
function withTitle(
  content: PolicyContent,
  leftOut: LeftOut[],
  frontMatter: FrontMatter | null,
): ParsedPolicy {
  const [first, ...rest] = content.content ?? [];
  const named = frontMatter?.title ?? null;
  if (first?.type === "heading" && first.attrs?.level === 1) {
    const heading = documentText(first).trim();
    if (named === null || heading === named) {
      return {
        title: heading || named,
        content: { ...content, content: rest.length ? rest : [{ type: "paragraph" }] },
        leftOut,
        frontMatter,
      };
    }
  }
  return { title: named, content, leftOut, frontMatter };
}

function parseJson(source: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(source);
  } catch (error) {
    throw new PolicyImportError(`invalid JSON: ${(error as Error).message}`);
  }
  if (!value || typeof value !== "object" || Array.isArray(value)) {
    throw new PolicyImportError('Tiptap JSON must be an object like {"type":"doc","content":[…]}');
  }
  return value;
}

/**
 * Markdown → HTML through markdown-it, so that what real policies contain besides CommonMark —
 * inline and block HTML, GFM tables and task lists, deep headings — lands in the schema the way a
 * browser paste would. A `<?line N?>` marker before every block lets a refusal name the Markdown
 * line; the HTML reader drops the markers.
 */
function markdownToHtml(source: string): string {
  const md = markdownParser();
  const env = {};
  const tokens = md.parse(source, env);
  const { renderer } = md;
  let html = "";
  // The loop of markdown-it's Renderer.render, with the markers added.
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (token.block && token.map && token.nesting >= 0) html += `<?line ${token.map[0] + 1}?>`;
    const rule = renderer.rules[token.type];
    if (token.type === "inline") html += renderer.renderInline(token.children ?? [], md.options, env);
    else if (rule) html += rule(tokens, i, md.options, env, renderer);
    else html += renderer.renderToken(tokens, i, md.options);
  }
  return html;
}

/**
 * Checks content against the editor's schema with ProseMirror's own validation and returns it
 * in canonical form (every attribute present, keys in schema order) so equal content hashes
 * equally. Untrusted JSON is walked without recursion, and its shape and depth are checked before
 * anything else looks at it; links other than http, https, mailto and relative ones lose their
 * mark (their text stays).
 */
export function validatePolicyContent(json: unknown): PolicyContent {
  if (!json || typeof json !== "object" || (json as JSONContent).type !== "doc") {
    throw new PolicyImportError('content must be a Tiptap document: {"type":"doc","content":[…]}');
  }
  checkShape(json);
  let node: ProseMirrorNode;
  try {
    node = ProseMirrorNode.fromJSON(policySchema, dropUnsafeLinks(json as JSONContent));
    node.check();
  } catch (error) {
    if (error instanceof RangeError && /call stack/i.test(error.message))
      throw new PolicyImportError(TOO_DEEP);
    throw new PolicyImportError(`content does not fit the policy schema: ${(error as Error).message}`);
  }
  const canonical = node.toJSON() as PolicyContent;
  if (!canonical.content?.length) canonical.content = [{ type: "paragraph" }];
  return canonical;
}

/**
 * Every node an object, every `content` and `marks` a list, no deeper than MAX_NESTING_DEPTH —
 * checked iteratively, so hostile input can neither overflow the stack nor crash a later walk.
 */
function checkShape(root: object): void {
  const stack: [unknown, number][] = [[root, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (depth > MAX_NESTING_DEPTH) throw new PolicyImportError(TOO_DEEP);
    if (!node || typeof node !== "object" || Array.isArray(node)) {
      const what = Array.isArray(node) ? "a list" : node === null ? "null" : `a ${typeof node}`;
      throw new PolicyImportError(`content does not fit the policy schema: a node is ${what}, not an object`);
    }
    const { content, marks } = node as JSONContent;
    if (marks !== undefined && (!Array.isArray(marks) || marks.some((m) => !m || typeof m !== "object"))) {
      throw new PolicyImportError("content does not fit the policy schema: marks must be a list of objects");
    }
    if (content === undefined) continue;
    if (!Array.isArray(content)) {
      throw new PolicyImportError("content does not fit the policy schema: content must be a list of nodes");
    }
    for (const child of content) stack.push([child, depth + 1]);
  }
}

/** Removes link marks whose target is not http, https, mailto or relative, keeping their text. Call after checkShape. */
function dropUnsafeLinks(node: JSONContent): JSONContent {
  const marks = node.marks?.filter((mark) => mark.type !== "link" || isSafeHref(mark.attrs?.href));
  return {
    ...node,
    ...(node.marks ? { marks: marks?.length ? marks : undefined } : {}),
    ...(node.content ? { content: node.content.map(dropUnsafeLinks) } : {}),
  };
}

/** All the text of a (validated) node, in order, without separators. */
function documentText(root: JSONContent): string {
  const parts: string[] = [];
  const stack: JSONContent[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (typeof node.text === "string") parts.push(node.text);
    if (node.content) for (let i = node.content.length - 1; i >= 0; i--) stack.push(node.content[i]);
  }
  return parts.join("");
}

/**
 * Reads HTML the way its author sees it, before the schema parser does: what is left out on
 * purpose (scripts, style sheets, comments, inline SVG, images, media, the page around a single
 * <main>) is cut out here and reported, and what a reader sees as text is collected with its line,
 * so that the importer can prove that every word of it reached the document (see
 * text-integrity.ts and ADR 0012).
 *
 * A small tokenizer in the manner of the HTML standard, linear in the input: each character is
 * looked at a bounded number of times, and nothing it meets (an unclosed quote, a tag that never
 * ends) sends it back over text it has already read. Pure, safe for the browser; the caller passes
 * the DOM's own entity decoder.
 */
import { PolicyImportError } from "./errors";

export type LeftOutKind =
  | "script"
  | "style"
  | "comment"
  | "page-title"
  | "noscript"
  | "template"
  | "svg"
  | "math"
  | "image"
  | "media"
  | "embedded"
  | "outside";

/** Something the importer left out on purpose, reported to the person importing. */
export type LeftOut = {
  kind: LeftOutKind;
  /** How many of them (for "outside": 1). */
  count: number;
  /** Text a reader could have seen in them (alt text, words in an SVG, fallback text), shortened. */
  text: string[];
  /** For "outside": the element whose content was taken, and how many words were around it. */
  element?: "main" | "article";
  words?: number;
};

/** A piece of the source's visible text and the line it starts on. */
export type SourceText = { text: string; line: number };

export type PreparedHtml = {
  /** The HTML without what was left out, for the schema parser. */
  html: string;
  /** The visible text, in order, decoded. */
  texts: SourceText[];
  leftOut: LeftOut[];
};

/** What htmlTextDecoder needs of a DOMParser (the browser's or happy-dom's). */
export type HtmlParser = {
  parseFromString(source: string, type: "text/html"): { body: { textContent: string | null } };
};

/** Turns pieces of HTML text (with character references) into plain text, one for one. */
export type HtmlTextDecoder = (pieces: string[]) => string[];

export type PrepareOptions = {
  decode: HtmlTextDecoder;
  /**
   * Honour `<?line N?>` markers (the Markdown importer puts one before every block), so that
   * lines are counted in the Markdown source rather than in the HTML made from it.
   * @default false
   */
  lineMarkers?: boolean;
  /**
   * Reduce a saved web page to its single `<main>` (else its single `<article>`), reporting the
   * words around it. For HTML files; a paste or Markdown is taken whole.
   * @default false
   */
  takeMain?: boolean;
};

// Content is raw text up to the matching end tag, and not policy text.
const RAW_LEFT_OUT: Record<string, LeftOutKind> = {
  script: "script",
  style: "style",
  title: "page-title",
  noscript: "noscript",
  iframe: "embedded",
  noembed: "embedded",
  noframes: "embedded",
};
// Content is text up to the matching end tag, kept as text.
const RAW_KEPT = new Set(["textarea", "xmp"]);
// Elements left out with everything in them: fallback content and inert templates.
const CONTAINERS_LEFT_OUT: Record<string, LeftOutKind> = {
  template: "template",
  object: "embedded",
  video: "media",
  audio: "media",
  canvas: "media",
};
const VOID_LEFT_OUT: Record<string, LeftOutKind> = { img: "image", embed: "embedded" };
// Tags that only frame the page; their content is kept, the tags are not passed on.
const TRANSPARENT = new Set(["html", "head", "body"]);
const VOID = new Set([
  "area",
  "base",
  "basefont",
  "bgsound",
  "br",
  "col",
  "embed",
  "frame",
  "hr",
  "img",
  "input",
  "keygen",
  "link",
  "meta",
  "param",
  "source",
  "track",
  "wbr",
]);
// An HTML start tag inside <svg> or <math> ends the foreign content (HTML standard, "in foreign content").
const BREAKS_OUT_OF_FOREIGN = new Set(
  "b big blockquote body br center code dd div dl dt em embed h1 h2 h3 h4 h5 h6 head hr i img li listing menu meta nobr ol p pre ruby s small span strike strong sub sup table tt u ul var".split(
    " ",
  ),
);
// SVG elements whose text is drawn; text anywhere else in an SVG is never shown.
const SVG_TEXT = new Set(["text", "tspan", "textpath", "title", "desc", "foreignobject", "a"]);

const SAMPLES_PER_KIND = 3;
const SAMPLE_LENGTH = 60;

type Tag = {
  name: string;
  closing: boolean;
  selfClosing: boolean;
  attrs: Map<string, string>;
  /** Index just after the tag's ">". */
  stop: number;
};

type Token =
  /** `end`: where the text ends in the source, when it is a verbatim slice of it (else -1). */
  | { type: "text"; html: string; offset: number; end: number }
  | { type: "start" | "end"; name: string; html: string; offset: number };

const isSpace = (c: string | undefined) => c === " " || c === "\n" || c === "\t" || c === "\r" || c === "\f";
const isLetter = (c: string | undefined) => !!c && ((c >= "a" && c <= "z") || (c >= "A" && c <= "Z"));
const asciiLower = (text: string) => text.replace(/[A-Z]+/g, (m) => m.toLowerCase());
const hasText = (html: string) => /[^\t\n\f\r ]/.test(html);
const escapeText = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;");
const withoutTags = (html: string) => html.replace(/<[^>]*>?/g, " ");

/**
 * Splits `source` into what is passed on, what is left out and the text a reader sees. Throws
 * PolicyImportError, naming the line, when markup would hide text that follows it (an unclosed
 * script, comment or SVG) or when a MathML formula holds text the editor cannot represent.
 */
export function prepareHtml(source: string, options: PrepareOptions): PreparedHtml {
  return new Scanner(source, options).run();
}

class Scanner {
  private readonly s: string;
  private readonly n: number;
  private readonly tokens: Token[] = [];
  private readonly leftOut = new Map<LeftOutKind, { count: number; samples: string[] }>();
  private outside: LeftOut | null = null;
  private readonly newlines: number[] = [];
  private readonly markers: { offset: number; line: number }[] = [];
  private readonly endTagPatterns = new Map<string, RegExp>();

  constructor(
    source: string,
    private readonly options: PrepareOptions,
  ) {
    this.s = source;
    this.n = source.length;
    for (let i = source.indexOf("\n"); i >= 0; i = source.indexOf("\n", i + 1)) this.newlines.push(i);
    if (options.lineMarkers) {
      for (const match of source.matchAll(/<\?line (\d{1,9})\?>/g)) {
        this.markers.push({ offset: match.index, line: Number(match[1]) });
      }
    }
  }

  run(): PreparedHtml {
    this.scan();
    const { from, to, element } = this.options.takeMain ? this.part() : { from: 0, to: this.tokens.length };
    const kept = this.tokens.slice(from, to);
    if (element) {
      let words = 0;
      for (const token of [...this.tokens.slice(0, from), ...this.tokens.slice(to)]) {
        if (token.type === "text") words += withoutTags(token.html).split(/\s+/).filter(Boolean).length;
      }
      if (words > 0) this.outside = { kind: "outside", count: 1, text: [], element, words };
    }
    const html = kept
      .filter((token) => token.type === "text" || !TRANSPARENT.has(token.name))
      .map((token) => (token.type === "text" ? token.html.replace(/</g, "&lt;") : token.html))
      .join("");
    const texts = kept.filter((token) => token.type === "text" && hasText(token.html));
    const decoded = this.options.decode([
      ...texts.map((token) => token.html),
      ...[...this.leftOut.values()].flatMap((entry) => entry.samples),
    ]);
    let next = texts.length;
    const leftOut: LeftOut[] = [...this.leftOut.entries()].map(([kind, entry]) => {
      const text = entry.samples.map(() => shorten(decoded[next++])).filter(Boolean);
      return { kind, count: entry.count, text };
    });
    if (this.outside) leftOut.push(this.outside);
    return {
      html,
      texts: texts.map((token, i) => ({ text: decoded[i], line: this.lineAt(token.offset) })),
      leftOut,
    };
  }

  /** The one <main> (else the one <article>) of a saved web page; else everything. */
  private part(): { from: number; to: number; element?: "main" | "article" } {
    for (const element of ["main", "article"] as const) {
      const starts = this.tokens.flatMap((t, i) => (t.type === "start" && t.name === element ? [i] : []));
      if (starts.length !== 1) continue;
      let depth = 0;
      for (let i = starts[0]; i < this.tokens.length; i++) {
        const token = this.tokens[i];
        if (token.type === "text" || token.name !== element) continue;
        depth += token.type === "start" ? 1 : -1;
        if (depth === 0) return { from: starts[0] + 1, to: i, element };
      }
      return { from: starts[0] + 1, to: this.tokens.length, element };
    }
    return { from: 0, to: this.tokens.length };
  }

  private scan(): void {
    const { s, n } = this;
    let i = 0;
    while (i < n) {
      const lt = s.indexOf("<", i);
      if (lt < 0) {
        this.text(i, n);
        break;
      }
      if (lt > i) this.text(i, lt);
      i = this.markup(lt);
    }
  }

  /** Handles the markup starting with the "<" at `at`; returns where scanning goes on. */
  private markup(at: number): number {
    const { s } = this;
    const next = s[at + 1];
    if (s.startsWith("<!--", at)) return this.comment(at);
    if (next === "!" || next === "?") return this.bogusComment(at);
    if (next === "/") {
      if (s[at + 2] === ">") return at + 3;
      if (!isLetter(s[at + 2])) return this.bogusComment(at);
      const tag = this.tag(at);
      if (!TRANSPARENT.has(tag.name) && tag.name !== "svg" && tag.name !== "math") {
        this.tokens.push({ type: "end", name: tag.name, html: s.slice(at, tag.stop), offset: at });
      }
      return tag.stop;
    }
    if (!isLetter(next)) {
      this.text(at, at + 1);
      return at + 1;
    }
    const tag = this.tag(at);
    const { name } = tag;
    if (name in RAW_LEFT_OUT) {
      const { content, stop } = this.rawText(at, tag);
      const kind = RAW_LEFT_OUT[name];
      this.count(kind, kind === "script" || kind === "style" ? "" : withoutTags(content));
      return stop;
    }
    if (RAW_KEPT.has(name)) {
      const { content, stop } = this.rawText(at, tag);
      // textarea decodes character references, xmp does not.
      const html = name === "xmp" ? escapeText(content) : content;
      this.tokens.push({ type: "text", html, offset: tag.stop, end: -1 });
      return stop;
    }
    if (name === "plaintext") {
      this.tokens.push({ type: "start", name: "pre", html: "<pre>", offset: at });
      this.tokens.push({ type: "text", html: escapeText(s.slice(tag.stop)), offset: tag.stop, end: -1 });
      this.tokens.push({ type: "end", name: "pre", html: "</pre>", offset: this.n });
      return this.n;
    }
    if (name === "svg" || name === "math") return this.foreign(at, tag);
    if (name in CONTAINERS_LEFT_OUT) return this.container(at, tag);
    if (name in VOID_LEFT_OUT) {
      this.count(VOID_LEFT_OUT[name], tag.attrs.get("alt") ?? "");
      return tag.stop;
    }
    this.tokens.push({ type: "start", name, html: s.slice(at, tag.stop), offset: at });
    return tag.stop;
  }

  /** Text between tags (a "<" that starts no tag is text too); neighbours are merged. */
  private text(from: number, to: number): void {
    const last = this.tokens[this.tokens.length - 1];
    if (last?.type === "text" && last.end === from) {
      last.html += this.s.slice(from, to);
      last.end = to;
    } else {
      this.tokens.push({ type: "text", html: this.s.slice(from, to), offset: from, end: to });
    }
  }

  private count(kind: LeftOutKind, sample: string): void {
    const entry = this.leftOut.get(kind) ?? { count: 0, samples: [] };
    entry.count++;
    if (hasText(sample) && entry.samples.length < SAMPLES_PER_KIND) {
      entry.samples.push(sample.slice(0, SAMPLE_LENGTH * 4));
    }
    this.leftOut.set(kind, entry);
  }

  /** `<!-- … -->`; "<!-->" and "<!--->" are empty comments, "--!>" also ends one. */
  private comment(at: number): number {
    const { s } = this;
    let stop: number;
    if (s.startsWith("<!-->", at)) stop = at + 5;
    else if (s.startsWith("<!--->", at)) stop = at + 6;
    else {
      const match = /--!?>/g;
      match.lastIndex = at + 4;
      const found = match.exec(s);
      if (!found) return this.unclosed(at, "comment (<!--)", at + 4);
      stop = found.index + found[0].length;
    }
    this.count("comment", "");
    return stop;
  }

  /** `<!DOCTYPE …>`, `<?xml …?>`, `<![CDATA[…]]>` outside SVG: ignored up to the next ">". */
  private bogusComment(at: number): number {
    const close = this.s.indexOf(">", at + 2);
    if (close < 0) return this.unclosed(at, `"${this.s.slice(at, at + 9)}"`, at + 2);
    return close + 1;
  }

  /** Reads the tag at `at` (a start or end tag); a tag the file ends inside of is refused. */
  private tag(at: number): Tag {
    const tag = readTag(this.s, at);
    if (!tag) {
      throw new PolicyImportError(
        `the file ends inside a tag that starts at line ${this.lineAt(at)} ("${shorten(this.s.slice(at, at + 40))}"): is a ">" or a quote missing?`,
      );
    }
    return tag;
  }

  /** Text up to the first `</name`, as the HTML standard reads script, style, textarea and the like. */
  private rawText(at: number, tag: Tag): { content: string; stop: number } {
    let pattern = this.endTagPatterns.get(tag.name);
    if (!pattern) {
      pattern = new RegExp(`</${tag.name}[\\t\\n\\f\\r />]`, "gi");
      this.endTagPatterns.set(tag.name, pattern);
    }
    pattern.lastIndex = tag.stop;
    const found = pattern.exec(this.s);
    if (!found) {
      return { content: this.s.slice(tag.stop), stop: this.unclosed(at, `<${tag.name}>`, tag.stop) };
    }
    const end = readTag(this.s, found.index);
    return { content: this.s.slice(tag.stop, found.index), stop: end ? end.stop : this.n };
  }

  /**
   * Markup that runs to the end of the file without its end: harmless when nothing but space
   * follows, else refused, because everything after it would vanish with it.
   */
  private unclosed(at: number, what: string, contentStart: number): number {
    const rest = this.s.slice(contentStart);
    if (hasText(rest)) {
      throw new PolicyImportError(
        `an unclosed ${what} at line ${this.lineAt(at)} hides everything after it ("${shorten(withoutTags(rest)) || shorten(rest)}"): close it or remove it`,
      );
    }
    return this.n;
  }

  /**
   * <svg> and <math>, up to their end, an HTML tag that ends foreign content, or the end tag of
   * an element around them. Words an SVG draws are reported; words it never shows (an unclosed
   * <path> swallowing the sentence after it) and any text in a formula are refused by name.
   */
  private foreign(at: number, root: Tag): number {
    const { s, n } = this;
    const kind = root.name === "svg" ? "svg" : "math";
    const place = `the <${root.name}> at line ${this.lineAt(at)}`;
    if (root.selfClosing) {
      this.count(kind, "");
      return root.stop;
    }
    const stack = [root.name];
    const drawn: string[] = [];
    const seen = (html: string) => {
      if (!hasText(html)) return;
      const inside = stack.slice(1);
      // Style sheets and scripts inside an SVG are code, not text.
      if (kind === "svg" && inside.some((name) => name === "style" || name === "script")) return;
      if (kind === "svg" && !inside.some((name) => SVG_TEXT.has(name))) {
        throw new PolicyImportError(
          `${place} holds text that no browser shows ("${shorten(html)}"): is an SVG element (or the <svg> itself) not closed?`,
        );
      }
      drawn.push(html);
    };
    let i = root.stop;
    let stop = n;
    while (i < n) {
      const lt = s.indexOf("<", i);
      if (lt < 0) {
        seen(s.slice(i));
        i = n;
        break;
      }
      seen(s.slice(i, lt));
      if (s.startsWith("<![CDATA[", lt)) {
        const close = s.indexOf("]]>", lt + 9);
        if (close < 0) return this.unclosed(lt, "CDATA section", lt + 9);
        seen(escapeText(s.slice(lt + 9, close)));
        i = close + 3;
        continue;
      }
      const next = s[lt + 1];
      if (s.startsWith("<!--", lt)) {
        i = this.comment(lt);
        continue;
      }
      if (next === "!" || next === "?" || (next === "/" && !isLetter(s[lt + 2]))) {
        i = next === "/" && s[lt + 2] === ">" ? lt + 3 : this.bogusComment(lt);
        continue;
      }
      if (next !== "/" && !isLetter(next)) {
        seen("&lt;");
        i = lt + 1;
        continue;
      }
      const tag = this.tag(lt);
      if (!tag.closing) {
        const font = tag.name === "font" && ["color", "face", "size"].some((a) => tag.attrs.has(a));
        if (BREAKS_OUT_OF_FOREIGN.has(tag.name) || font) {
          stop = lt;
          break;
        }
        if (!tag.selfClosing) stack.push(tag.name);
        i = tag.stop;
        continue;
      }
      const open = stack.lastIndexOf(tag.name);
      if (open < 0) {
        // The end tag of an HTML element around the SVG: it closes the SVG too.
        stop = lt;
        break;
      }
      stack.length = open;
      i = tag.stop;
      if (open === 0) {
        stop = tag.stop;
        break;
      }
    }
    if (kind === "math" && drawn.length > 0) {
      throw new PolicyImportError(
        `${place} is a formula ("${shorten(this.options.decode([drawn.join(" ")])[0])}"), which the editor cannot hold: write it out as text`,
      );
    }
    this.count(kind, drawn.join(" "));
    return stop;
  }

  /**
   * <template>, <object>, <video>, <audio>, <canvas>: left out with their fallback content, up to
   * their end tag or the end tag of an element around them.
   */
  private container(at: number, root: Tag): number {
    const { s, n } = this;
    const stack = [root.name];
    const fallback: string[] = [];
    let i = root.stop;
    let closed = false;
    while (i < n && !closed) {
      const lt = s.indexOf("<", i);
      if (lt < 0) {
        if (hasText(s.slice(i))) fallback.push(s.slice(i));
        i = n;
        break;
      }
      if (hasText(s.slice(i, lt))) fallback.push(s.slice(i, lt));
      const next = s[lt + 1];
      if (s.startsWith("<!--", lt)) {
        i = this.comment(lt);
        continue;
      }
      if (next === "!" || next === "?" || (next === "/" && !isLetter(s[lt + 2]))) {
        i = next === "/" && s[lt + 2] === ">" ? lt + 3 : this.bogusComment(lt);
        continue;
      }
      if (next !== "/" && !isLetter(next)) {
        fallback.push("<");
        i = lt + 1;
        continue;
      }
      const tag = this.tag(lt);
      if (!tag.closing) {
        if (tag.name in RAW_LEFT_OUT || RAW_KEPT.has(tag.name)) i = this.rawText(lt, tag).stop;
        else if (tag.name === "svg" || tag.name === "math") i = this.foreign(lt, tag);
        else {
          if (!VOID.has(tag.name)) stack.push(tag.name);
          i = tag.stop;
        }
        continue;
      }
      const open = stack.lastIndexOf(tag.name);
      if (open < 0) {
        // The end tag of an element around this one closes it too.
        i = lt;
        closed = true;
      } else {
        stack.length = open;
        i = tag.stop;
        closed = open === 0;
      }
    }
    // Without its end, the element took the rest of the file, text and all.
    if (!closed && fallback.some(hasText)) return this.unclosed(at, `<${root.name}>`, root.stop);
    this.count(CONTAINERS_LEFT_OUT[root.name], fallback.map(withoutTags).join(" "));
    return i;
  }

  /** The line of `offset` in the source (Markdown: in the Markdown file, through the markers). */
  lineAt(offset: number): number {
    const before = (position: number) => {
      let lo = 0;
      let hi = this.newlines.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (this.newlines[mid] < position) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    };
    let lo = 0;
    let hi = this.markers.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.markers[mid].offset <= offset) lo = mid + 1;
      else hi = mid;
    }
    const marker = this.markers[lo - 1];
    if (!marker) return before(offset) + 1;
    return marker.line + before(offset) - before(marker.offset);
  }
}

/** Reads a start or end tag at `at` ("<" then a letter, or "</" then a letter); null at end of file. */
function readTag(s: string, at: number): Tag | null {
  const n = s.length;
  let j = at + 1;
  const closing = s[j] === "/";
  if (closing) j++;
  const nameStart = j;
  while (j < n && !isSpace(s[j]) && s[j] !== "/" && s[j] !== ">") j++;
  const name = asciiLower(s.slice(nameStart, j));
  const attrs = new Map<string, string>();
  let selfClosing = false;
  for (;;) {
    while (j < n && (isSpace(s[j]) || s[j] === "/")) {
      if (s[j] === "/" && s[j + 1] === ">") selfClosing = true;
      j++;
    }
    if (j >= n) return null;
    if (s[j] === ">") return { name, closing, selfClosing, attrs, stop: j + 1 };
    selfClosing = false;
    const attrStart = j++;
    while (j < n && !isSpace(s[j]) && s[j] !== "/" && s[j] !== ">" && s[j] !== "=") j++;
    const attr = asciiLower(s.slice(attrStart, j));
    let k = j;
    while (k < n && isSpace(s[k])) k++;
    let value = "";
    if (s[k] === "=") {
      k++;
      while (k < n && isSpace(s[k])) k++;
      if (k >= n) return null;
      const quote = s[k];
      if (quote === '"' || quote === "'") {
        const close = s.indexOf(quote, k + 1);
        if (close < 0) return null;
        value = s.slice(k + 1, close);
        j = close + 1;
      } else {
        const valueStart = k;
        while (k < n && !isSpace(s[k]) && s[k] !== ">") k++;
        value = s.slice(valueStart, k);
        j = k;
      }
    }
    if (!attrs.has(attr)) attrs.set(attr, value);
  }
}

/**
 * The decoder a DOM parser gives (happy-dom's on the server, the browser's own in the editor), so
 * that character references mean exactly what they mean to the schema parser. Only pieces with an
 * "&" need it; those are parsed as one text, split on a private-use separator (and, should a piece
 * contain that character itself, one by one).
 */
export function htmlTextDecoder(parser: HtmlParser): HtmlTextDecoder {
  const parse = (html: string) =>
    parser.parseFromString(`<!DOCTYPE html><body>${html.replace(/</g, "&lt;")}`, "text/html").body;
  return (pieces) => {
    const decoded = pieces.slice();
    const encoded = pieces.flatMap((piece, i) => (piece.includes("&") ? [i] : []));
    if (encoded.length === 0) return decoded;
    const SEPARATOR = "\uE000";
    const parts = (parse(encoded.map((i) => pieces[i]).join(SEPARATOR)).textContent ?? "").split(SEPARATOR);
    if (parts.length === encoded.length) {
      encoded.forEach((index, k) => {
        decoded[index] = parts[k];
      });
    } else {
      for (const index of encoded) decoded[index] = parse(pieces[index]).textContent ?? "";
    }
    return decoded;
  };
}

/** Whitespace collapsed, at most about 60 characters, ending on a word. */
export function shorten(text: string, length = SAMPLE_LENGTH): string {
  const flat = text.replace(/\s+/g, " ").trim();
  if (flat.length <= length) return flat;
  const cut = flat.slice(0, length);
  const space = cut.lastIndexOf(" ");
  return `${space > length / 2 ? cut.slice(0, space) : cut}…`;
}

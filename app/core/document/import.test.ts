import { describe, expect, it } from "vitest";
import { detectFormat, MAX_SOURCE_BYTES, PolicyImportError, parsePolicy } from "./import";

const hrefs = (json: unknown): string[] => {
  const found: string[] = [];
  JSON.stringify(json, (key, value) => {
    if (key === "href") found.push(value);
    return value;
  });
  return found;
};

describe("importing a policy", () => {
  it("turns Markdown into Tiptap JSON and lifts the first-level heading out as the title", () => {
    const { title, content } = parsePolicy(
      "# Privacy Policy\n\n## 1. Who we are\n\nWe are **Acme**.\n\n- a\n- b",
      "markdown",
    );
    expect(title).toBe("Privacy Policy");
    expect(content.content?.map((node) => node.type)).toEqual(["heading", "paragraph", "bulletList"]);
    expect(content.content?.[0]).toMatchObject({ attrs: { level: 2 } });
  });

  it("reads HTML, dropping elements the editor does not know", () => {
    const { content } = parsePolicy(
      '<h2>Rights</h2><p>Ask us.<img src="x" onerror="alert(1)"></p><script>alert(1)</script>',
      "html",
    );
    expect(JSON.stringify(content)).not.toMatch(/script|onerror|img/);
    expect(content.content?.[0]).toMatchObject({ type: "heading", content: [{ text: "Rights" }] });
  });

  it("accepts Tiptap JSON that fits the schema", () => {
    const json = JSON.stringify({
      type: "doc",
      content: [{ type: "paragraph", content: [{ type: "text", text: "Hi" }] }],
    });
    expect(parsePolicy(json, "json").content.content?.[0]).toMatchObject({ type: "paragraph" });
  });

  it("refuses JSON that does not fit the schema, naming what is wrong", () => {
    expect(() => parsePolicy('{"type":"doc","content":[{"type":"marquee"}]}', "json")).toThrow(
      /Unknown node type: marquee/,
    );
    expect(() => parsePolicy('{"type":"doc","content":[{"type":"text","text":"loose"}]}', "json")).toThrow(
      /Invalid content for node doc/,
    );
    expect(() => parsePolicy('{"type":"paragraph"}', "json")).toThrow(PolicyImportError);
    expect(() => parsePolicy("{not json", "json")).toThrow(/invalid JSON/);
  });

  it.each([
    ["markdown", "> ".repeat(3000) + "deep"],
    ["html", `${"<div><ul><li>".repeat(3000)}deep`],
    [
      "json",
      `{"type":"doc","content":[${'{"type":"blockquote","content":['.repeat(3000)}{"type":"paragraph"}${"]}".repeat(3000)}]}`,
    ],
  ] as const)("refuses absurdly deep %s nesting with a reason instead of crashing", (format, source) => {
    expect(() => parsePolicy(source, format)).toThrow(
      new PolicyImportError("the document is nested more than 64 levels deep"),
    );
  });

  // A hang guard, not a benchmark: a quadratic parser needs minutes here, markdown-it well under a second.
  it("imports pathological Markdown without stalling", { timeout: 20_000 }, () => {
    const { content } = parsePolicy(
      `${"*a ".repeat(60_000)}\n\n${"[x](https://a.example) ".repeat(5_000)}`,
      "markdown",
    );
    expect(content.content?.length).toBe(2);
  });

  it("refuses a document over the size limit", () => {
    expect(() => parsePolicy("a".repeat(MAX_SOURCE_BYTES + 1), "markdown")).toThrow(/larger than 2 MB/);
  });

  it.each([
    ["javascript:alert(1)"],
    ["JaVaScRiPt:alert(1)"],
    ["java\tscript:alert(1)"],
    ["data:text/html,<script>alert(1)</script>"],
    ["vbscript:msgbox(1)"],
    ["file:///etc/passwd"],
    ["java%09script:alert(1)"],
  ])("drops a Markdown link to %j but keeps its text", (href) => {
    const { content } = parsePolicy(`Read [this](<${href}>) now.`, "markdown");
    expect(hrefs(content)).toEqual([]);
    expect(JSON.stringify(content)).toContain("this");
  });

  it("drops unsafe links in HTML and JSON too, keeping http, https, mailto and relative ones", () => {
    const html = parsePolicy(
      '<p><a href="javascript:alert(1)">x</a> <a href="&#106;avascript:alert(1)">y</a> <a href="https://ok.example">ok</a> <a href="mailto:dpo@ok.example">mail</a> <a href="/cookies">rel</a></p>',
      "html",
    );
    expect(hrefs(html.content)).toEqual(["https://ok.example", "mailto:dpo@ok.example", "/cookies"]);
    const json = parsePolicy(
      JSON.stringify({
        type: "doc",
        content: [
          {
            type: "paragraph",
            content: [
              { type: "text", text: "x", marks: [{ type: "link", attrs: { href: "data:text/html,x" } }] },
            ],
          },
        ],
      }),
      "json",
    );
    expect(hrefs(json.content)).toEqual([]);
  });

  it("takes what real Markdown policies contain besides CommonMark", () => {
    const { content } = parsePolicy(
      "##### 5.1.1 Deep heading\n\n- [x] task item\n\nLine<br>break and <sup>1</sup>\n\n| A | B |\n|---|---|\n| 1 | 2 |",
      "markdown",
    );
    const types = content.content?.map((node) => node.type);
    expect(types).toEqual(["heading", "bulletList", "paragraph", "table"]);
    expect(content.content?.[0]).toMatchObject({ attrs: { level: 5 } });
    expect(JSON.stringify(content.content?.[2])).toContain("hardBreak");
  });

  it("takes the policy out of a saved web page, leaving its navigation and footer behind", () => {
    const page = `<!doctype html><html><head><title>Acme</title><style>p { color: red }</style></head>
      <body><nav><a href="/">Home</a> <a href="/pricing">Pricing</a></nav>
      <main><h1>Privacy Policy</h1><h2>1. Who we are</h2><p>Acme Ltd.</p></main>
      <footer>© Acme</footer><script>track()</script></body></html>`;
    const { title, content } = parsePolicy(page, "html");
    expect(title).toBe("Privacy Policy");
    expect(JSON.stringify(content)).not.toMatch(/Pricing|©|track|color/);
    expect(JSON.stringify(content)).toContain("Acme Ltd.");
  });

  it("guesses the format from the file name, then from the content", () => {
    expect(detectFormat("policy.md", "")).toBe("markdown");
    expect(detectFormat("policy.HTML", "")).toBe("html");
    expect(detectFormat("policy.json", "")).toBe("json");
    expect(detectFormat("policy", '  {"type":"doc"}')).toBe("json");
    expect(detectFormat("policy", "<h1>x</h1>")).toBe("html");
    expect(detectFormat("policy.txt", "# x")).toBe("markdown");
  });
});

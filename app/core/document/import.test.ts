import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { detectFormat, MAX_SOURCE_BYTES, PolicyImportError, parsePolicy } from "./import";
import { describeLeftOut } from "./import-report";
import { policyText, renderPolicy } from "./render";

const fixture = (name: string) =>
  readFileSync(new URL(`../../../test/fixtures/import/${name}`, import.meta.url), "utf8");
const textOf = (source: string, format: "html" | "markdown") =>
  policyText(parsePolicy(source, format).content);

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
    ["markdown", `${"> ".repeat(3000)}deep`],
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

  it("refuses Tiptap JSON nested 20,000 deep before anything walks it", () => {
    const depth = 20_000;
    const source = `{"type":"doc","content":[${'{"type":"blockquote","content":['.repeat(depth)}{"type":"paragraph","content":[{"type":"text","text":"x","marks":[{"type":"link","attrs":{"href":"javascript:x"}}]}]}${"]}".repeat(depth)}]}`;
    expect(() => parsePolicy(source, "json")).toThrow(
      new PolicyImportError("the document is nested more than 64 levels deep"),
    );
  });

  it.each([
    ['{"type":"doc","content":"text"}', /content must be a list of nodes/],
    ['{"type":"doc","content":[{"type":"paragraph","marks":"bold"}]}', /marks must be a list of objects/],
    ['{"type":"doc","content":[[[]]]}', /a node is a list, not an object/],
  ])("refuses Tiptap JSON of the wrong shape with a reason: %s", (source, reason) => {
    expect(() => parsePolicy(source, "json")).toThrow(reason);
  });
});

describe("links in an imported policy", () => {
  it("keep their href only, and every link is rendered with our rel and no target", () => {
    const html = parsePolicy(
      '<p><a href="https://x.example" target="_blank" rel="opener" class="evil" title="t" style="color:red" onclick="steal()">x</a></p>',
      "html",
    ).content;
    const markdown = parsePolicy(
      '[a](https://a.example "A title") <a href="/b" target="_top" rel="opener">b</a>',
      "markdown",
    ).content;
    const json = parsePolicy(
      JSON.stringify({
        type: "doc",
        content: [
          {
            type: "paragraph",
            content: [
              {
                type: "text",
                text: "z",
                marks: [
                  {
                    type: "link",
                    attrs: { href: "https://z.example", target: "_blank", rel: "opener", class: "c" },
                  },
                ],
              },
            ],
          },
        ],
      }),
      "json",
    ).content;
    for (const content of [html, markdown, json]) {
      const marks = JSON.stringify(content).match(/"attrs":\{[^}]*\}/g) ?? [];
      expect(marks.length).toBeGreaterThan(0);
      for (const attrs of marks) expect(attrs).toMatch(/^"attrs":\{"href":"[^"]+"\}$/);
      const rendered = renderPolicy(content).html;
      expect(rendered).not.toMatch(/target=|opener"|class=|title=|style=|onclick/);
      for (const anchor of rendered.match(/<a [^>]*>/g) ?? []) {
        expect(anchor).toMatch(/^<a href="[^"]+" rel="noopener noreferrer nofollow">$/);
      }
    }
  });
});

describe("an import keeps every word a reader sees", () => {
  it("takes the policy out of a saved web page and says what it left out on purpose", () => {
    const { title, content, leftOut } = parsePolicy(fixture("saved-page.html"), "html");
    expect(title).toBe("Privacy Policy");
    const text = policyText(content);
    for (const kept of [
      "Acme Cloud Ltd is the controller of your personal data.",
      "Account data: name, email address and password hash;",
      "Payment data, handled by our processor Parcelpay.",
      "We keep usage data for 24\u00a0months. Change cookie settings",
      "Figure 1: data flows",
      "Write to us at any time.",
    ]) {
      expect(text).toContain(kept);
    }
    expect(text).not.toMatch(
      /dataLayer|tracking pixel|Template row|Pricing|Imprint|enable JavaScript|Acme Cloud\n/,
    );
    expect(describeLeftOut(leftOut)).toEqual([
      '1 page title (text: "Privacy Policy | Acme Cloud")',
      "1 style sheet",
      "4 scripts",
      '4 inline SVG images (text: "Acme")',
      "1 comment",
      '1 no-JavaScript notice (text: "Please enable JavaScript to manage cookies.")',
      '1 template (text: "Template row that is never shown")',
      '1 image (alt text: "How data flows between Acme and Parcelpay")',
      "20 words of the page around its <main> (navigation, header, footer)",
    ]);
  });

  it("takes Markdown and pastes whole, even with a single <article> or <main> in them", () => {
    const { content, leftOut } = parsePolicy(
      "Intro.\n\n<article>\n\nBody.\n\n</article>\n\nOutro.",
      "markdown",
    );
    expect(policyText(content)).toBe("Intro.\n\nBody.\n\nOutro.");
    expect(leftOut).toEqual([]);
  });

  it("imports Markdown with inline HTML, leaving out its script, SVG icon and comment", () => {
    const { title, content, leftOut } = parsePolicy(fixture("inline-html.md"), "markdown");
    expect(title).toBe("Privacy Policy");
    expect(policyText(content)).toBe(
      [
        "1. Who we are",
        "Acme Cloud Ltd is the controller. We are registered in E&W under no. 1231.",
        "2. Retention",
        "We keep logs for 30 days.\nBackups for 90 days.",
        "What counts as a log?",
        "Server logs, including your IP address.",
        "3. Contact",
        "Write to dpo@acme.example.",
      ].join("\n\n"),
    );
    expect(describeLeftOut(leftOut)).toEqual(["1 inline SVG image", "1 comment", "1 script"]);
  });

  it.each([
    [
      "an SVG icon",
      '<p>Before <svg viewBox="0 0 9 9"><path d="M0 0"/></svg> after the icon.</p><p>Next.</p>',
    ],
    ["a self-closed SVG", "<p>Before <svg/> after the icon.</p><p>Next.</p>"],
    [
      "an SVG with a style sheet",
      "<p>Before <svg><style>.a{fill:red}</style><circle/></svg> after the icon.</p><p>Next.</p>",
    ],
    [
      "a script",
      "<p>Before <script>if (a<b) document.write('</p>')</script> after the icon.</p><p>Next.</p>",
    ],
    ["an empty comment", "<p>Before <!--> after the icon.</p><p>Next.</p>"],
    ["a custom element", "<p>Before <x-icon name=gear/> after the icon.</p><p>Next.</p>"],
    ["an unclosed <b>", "<p>Before <b>after the icon.<p>Next."],
  ])("keeps the text after %s", (_name, source) => {
    expect(textOf(source, "html")).toMatch(/^Before\s+after the icon\.\n\nNext\.$/);
  });

  it.each([
    [
      "an unclosed <script>",
      "<h2>Rights</h2>\n<p>You may object.</p>\n<script>track();\n<p>You may complain to a regulator.</p>",
      'an unclosed <script> at line 3 hides everything after it ("track(); You may complain to a regulator."): close it or remove it',
    ],
    [
      "an unclosed comment",
      "<p>One.</p>\n\n<!-- draft\n<p>Two.</p>",
      'an unclosed comment (<!--) at line 3 hides everything after it ("draft Two."): close it or remove it',
    ],
    [
      "an SVG that swallows the sentence after it",
      '<p>Call us <svg><path d="M0 0"> on weekdays.</p>',
      'the <svg> at line 1 holds text that no browser shows ("on weekdays."): is an SVG element (or the <svg> itself) not closed?',
    ],
    [
      "a MathML formula",
      "<p>Fees:</p>\n<p>We charge <math><mi>x</mi><mo>=</mo><mn>2</mn></math> euros.</p>",
      'the <math> at line 2 is a formula ("x = 2"), which the editor cannot hold: write it out as text',
    ],
    [
      "a file that ends inside a tag",
      '<p>We keep logs.</p>\n<p class="note>For 30 days.</p>',
      'the file ends inside a tag that starts at line 2 ("<p class="note>For 30 days.</p>"): is a ">" or a quote missing?',
    ],
  ])("refuses HTML with %s, naming the place", (_name, source, message) => {
    expect(() => parsePolicy(source, "html")).toThrow(new PolicyImportError(message));
  });

  it("names the Markdown line where text would vanish", () => {
    const source = "# Policy\n\nWe keep logs.\n\n<script>\nlog();\n\n## 2. Retention\n\nThirty days.";
    expect(() => parsePolicy(source, "markdown")).toThrow(
      new PolicyImportError(
        'an unclosed <script> at line 5 hides everything after it ("log(); ## 2. Retention Thirty days."): close it or remove it',
      ),
    );
  });

  it("refuses a MathML formula in Markdown with its line", () => {
    expect(() => parsePolicy("# P\n\nOne.\n\nThe rate is <math><mi>r</mi></math>.", "markdown")).toThrow(
      /^the <math> at line 5 is a formula \("r"\)/,
    );
  });
});

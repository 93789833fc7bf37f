/**
 * Every relative link in the README and in docs/ leads somewhere: a file or folder of the
 * repository and, for `file.md#anchor`, one of that file's headings.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..");

function markdownUnder(folder: string): string[] {
  return readdirSync(join(ROOT, folder), { withFileTypes: true }).flatMap((entry) => {
    const path = `${folder}/${entry.name}`;
    if (entry.isDirectory()) return markdownUnder(path);
    return entry.name.endsWith(".md") ? [path] : [];
  });
}

const FILES = ["README.md", "content/README.md", ...markdownUnder("docs")];

/** The text outside fenced code blocks and code spans, where a `](…)` is not a link. */
const prose = (markdown: string) => markdown.replace(/^```[\s\S]*?^```/gm, "").replace(/`[^`\n]*`/g, "");

/** Inline links and images `[text](target "title")`, and reference definitions `[id]: target`. */
function linkTargets(markdown: string): string[] {
  const text = prose(markdown);
  return [
    ...[...text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((match) => match[1]),
    ...[...text.matchAll(/^ {0,3}\[[^\]]+\]:\s*<?([^\s>]+)>?/gm)].map((match) => match[1]),
  ];
}

/** The anchors GitHub gives a file's headings: lower case, punctuation dropped, spaces as dashes. */
function headingAnchors(file: string): Set<string> {
  const anchors = new Set<string>();
  for (const [, heading] of prose(readFileSync(file, "utf8")).matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const text = heading.replace(/\[([^\]]*)\]\([^)]*\)/g, "$1").replace(/[`*_]/g, "");
    const base = text
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s-]/gu, "")
      .replace(/\s/g, "-");
    let anchor = base;
    for (let n = 1; anchors.has(anchor); n++) anchor = `${base}-${n}`;
    anchors.add(anchor);
  }
  return anchors;
}

function leadsNowhere(from: string, target: string): boolean {
  const [path, anchor] = target.split("#", 2);
  const file = path === "" ? join(ROOT, from) : join(ROOT, dirname(from), decodeURIComponent(path));
  const found = statSync(file, { throwIfNoEntry: false });
  if (!found) return true;
  return anchor !== undefined && file.endsWith(".md") && !headingAnchors(file).has(anchor);
}

describe("links in the README and docs/", () => {
  for (const file of FILES) {
    it(`${file}: every relative link leads to a file, folder or heading that exists`, () => {
      const targets = linkTargets(readFileSync(join(ROOT, file), "utf8"));
      // Absolute addresses (https:, mailto:) are the web's business, not the repository's.
      const relative = targets.filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target));
      expect(relative.filter((target) => leadsNowhere(file, target))).toEqual([]);
    });
  }
});

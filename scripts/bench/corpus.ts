/**
 * The diff benchmark's corpus of real policy histories: consecutive published versions of public
 * privacy policies and terms, rebuilt from git mirrors of their public repositories. The texts are
 * not ours to redistribute (licences vary), so the corpus lives in an ignored folder and this script
 * rebuilds it: `npx tsx scripts/bench/corpus.ts [mirror-root]`, where mirror-root holds
 * `github+site-policy/repo` and `OpenTermsArchive+pga-versions/repo` (bare clones of
 * github.com/github/site-policy and github.com/OpenTermsArchive/pga-versions).
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { PolicyImportError, parsePolicy, policyText } from "../../app/core/document";
import type { PolicyContent } from "../../app/core/document/types";

const CORPUS_DIR = fileURLToPath(new URL("../../.cache/diff-corpus/", import.meta.url));
export const CORPUS_HINT =
  "real-policy corpus missing: fetch github/site-policy and OpenTermsArchive/pga-versions as bare git mirrors, then run `npx tsx scripts/bench/corpus.ts [mirror-root]` (default /work/.mirror)";

type Source = {
  repository: string;
  /** Folder name under the mirror root. */
  mirror: string;
  /** Documents (paths at the newest commit) whose history is taken. */
  documents: RegExp;
  /** YAML front matter is metadata, not text a reader sees. */
  frontMatter?: boolean;
};

const SOURCES: Source[] = [
  {
    repository: "github/site-policy",
    mirror: "github+site-policy/repo",
    documents: /^Policies\/(?:privacy-policies|github-terms)\/.+\.md$/,
    frontMatter: true,
  },
  {
    repository: "OpenTermsArchive/pga-versions",
    mirror: "OpenTermsArchive+pga-versions/repo",
    documents: /\/(?:Privacy Policy|Terms of Service|Developer Terms|Community Guidelines)\.md$/,
  },
];

/** Most recent versions kept per document: enough pairs overall without one history dominating. */
const VERSIONS_PER_DOCUMENT = 16;

type CorpusVersion = { commit: string; date: string; file: string; words: number };
type CorpusDocument = { repository: string; path: string; versions: CorpusVersion[] };
type Corpus = { built: string; documents: CorpusDocument[] };
export type CorpusPair = {
  label: string;
  words: number;
  /** Fresh objects on every call: no pair benefits from work done for an earlier one. */
  load: () => { before: PolicyContent; after: PolicyContent };
};

/** Consecutive pairs of every document, or undefined when the corpus has not been built. */
export function corpusPairs(): CorpusPair[] | undefined {
  const manifest = join(CORPUS_DIR, "corpus.json");
  if (!existsSync(manifest)) return undefined;
  const corpus = JSON.parse(readFileSync(manifest, "utf8")) as Corpus;
  const read = (file: string) => readFileSync(join(CORPUS_DIR, file), "utf8");
  const pairs: CorpusPair[] = [];
  for (const document of corpus.documents) {
    for (let i = 1; i < document.versions.length; i++) {
      const older = document.versions[i - 1];
      const newer = document.versions[i];
      pairs.push({
        label: `${document.repository} ${document.path} ${older.date}…${newer.date}`,
        words: Math.max(older.words, newer.words),
        load: () => ({ before: JSON.parse(read(older.file)), after: JSON.parse(read(newer.file)) }),
      });
    }
  }
  return pairs;
}

async function build(mirrorRoot: string) {
  rmSync(CORPUS_DIR, { recursive: true, force: true });
  mkdirSync(CORPUS_DIR, { recursive: true });
  const documents: CorpusDocument[] = [];
  let refused = 0;
  for (const source of SOURCES) {
    const gitDir = join(mirrorRoot, source.mirror);
    if (!existsSync(gitDir)) {
      console.error(`skipping ${source.repository}: no mirror at ${gitDir}`);
      continue;
    }
    const git = (...args: string[]) =>
      execFileSync("git", ["--git-dir", gitDir, ...args], { encoding: "utf8", maxBuffer: 1 << 28 });
    const paths = git("ls-tree", "-r", "--name-only", "HEAD")
      .split("\n")
      .filter((path) => source.documents.test(path));
    for (const path of paths) {
      // --follow with --name-only gives each commit's own path, so renamed policies keep their history.
      const log = git("log", "--follow", "--name-only", "--format=@%H %ad", "--date=short", "--", path);
      const history = [...log.matchAll(/^@(\w+) (\S+)\n\n(.+)$/gm)]
        .map((match) => ({ commit: match[1], date: match[2], path: match[3] }))
        .slice(0, VERSIONS_PER_DOCUMENT * 2)
        .reverse();
      const parsed: Array<{ commit: string; date: string; content: PolicyContent }> = [];
      let previous = "";
      for (const entry of history) {
        let markdown = git("show", `${entry.commit}:${entry.path}`);
        if (source.frontMatter) markdown = markdown.replace(/^---\n[\s\S]*?\n---\n/, "");
        if (markdown === previous) continue;
        previous = markdown;
        let content: PolicyContent;
        try {
          content = parsePolicy(markdown, "markdown").content;
        } catch (error) {
          if (!(error instanceof PolicyImportError)) throw error;
          refused++;
          continue;
        }
        parsed.push({ commit: entry.commit, date: entry.date, content });
        // The importer closes its DOM window asynchronously; let it, or hundreds of windows pile up.
        await new Promise((resolve) => setTimeout(resolve, 0));
      }
      const versions = parsed.slice(-VERSIONS_PER_DOCUMENT).map(({ commit, date, content }, i) => {
        const file = `${documents.length}-${i}.json`;
        writeFileSync(join(CORPUS_DIR, file), JSON.stringify(content));
        return { commit, date, file, words: countWords(policyText(content)) };
      });
      if (versions.length >= 2) documents.push({ repository: source.repository, path, versions });
      process.stdout.write(".");
    }
  }
  const corpus: Corpus = { built: new Date().toISOString(), documents };
  writeFileSync(join(CORPUS_DIR, "corpus.json"), JSON.stringify(corpus, null, 1));
  const pairs = documents.reduce((sum, document) => sum + document.versions.length - 1, 0);
  const largest = Math.max(...documents.flatMap((document) => document.versions.map((v) => v.words)));
  console.log(
    `\n${documents.length} documents, ${pairs} consecutive pairs, largest version ${largest.toLocaleString("en")} words` +
      `${refused ? `; ${refused} versions the importer refused were skipped` : ""} → ${CORPUS_DIR}`,
  );
}

function countWords(text: string): number {
  return text.match(/[\p{L}\p{N}]+/gu)?.length ?? 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await build(process.argv[2] ?? "/work/.mirror");
}

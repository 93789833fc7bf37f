/**
 * `npm run bench -- import`: `redline import-history` end to end — read the git history, parse every
 * version, compare consecutive ones, write them in one transaction — on a fresh database each time.
 *
 * 1. A real history, when a mirror of github/site-policy is at hand (`REDLINE_MIRROR`, default
 *    /work/.mirror): GitHub's privacy statement from its first commit to the last before it was
 *    deleted (about 80 commits, 8,400 words, one rename).
 * 2. A synthetic one of the size the issue names: 70 commits on 70 days of a policy of about 10,000
 *    words (the bundled privacy policy repeated), each changing a few sentences.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";

const MIRROR = process.env.REDLINE_MIRROR ?? "/work/.mirror";
const SITE_POLICY = join(MIRROR, "github+site-policy/repo");
// The privacy statement's last text before GitHub split it up (commit 7b380af deleted the file).
const REAL = { ref: "7b380af^", path: "Policies/privacy-policies/github-privacy-statement.md" };

const directory = mkdtempSync(join(tmpdir(), "redline-bench-import-"));
process.env.DATABASE_URL = `file:${join(directory, "redline.db")}`;
process.env.AUDIT_KEY ??= "k".repeat(40);

const countWords = (text: string) => text.split(/\s+/).filter(Boolean).length;

async function timeImport(slug: string, source: string, path: string, ref = "HEAD") {
  const { main } = await import("../redline");
  let out = "";
  const started = performance.now();
  const cpu = process.cpuUsage();
  const code = await main(["import-history", slug, source, "--path", path, "--ref", ref], {
    out: (text) => {
      out += text;
    },
    err: () => {},
  });
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  // CPU time of this process (git runs in its own): what the import costs, whatever else runs.
  const cpuSeconds = (used.user + used.system) / 1e6;
  if (code !== 0) throw new Error(`import-history ${slug} failed (${code})`);
  return { seconds, cpuSeconds, line: out.trim() };
}

function git(repository: string, args: string[], date: string) {
  execFileSync("git", args, {
    cwd: repository,
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: "Bench",
      GIT_AUTHOR_EMAIL: "bench@example.com",
      GIT_COMMITTER_NAME: "Bench",
      GIT_COMMITTER_EMAIL: "bench@example.com",
      GIT_AUTHOR_DATE: date,
      GIT_COMMITTER_DATE: date,
      GIT_CONFIG_NOSYSTEM: "1",
    },
  });
}

/** 70 commits on 70 days of a ~10,000-word policy, a few sentences changed in each. */
function syntheticRepository(): { repository: string; words: number } {
  const repository = join(directory, "synthetic");
  execFileSync("git", ["init", "-q", "-b", "main", repository]);
  const base = readFileSync(new URL("../../content/privacy.md", import.meta.url), "utf8").replace(
    /^# .*\n/,
    "",
  );
  const copies: string[] = [];
  for (let copy = 0; countWords(copies.join("\n")) < 10_000; copy++) {
    copies.push(base.replace(/^## (.*)$/gm, `## $1 (part ${copy + 1})`));
  }
  let text = `# Synthetic Privacy Policy\n\nLast updated: January 1, 2020\n\n${copies.join("\n")}`;
  const paragraphs = text.split("\n\n").length;
  for (let n = 0; n < 70; n++) {
    const day = new Date(Date.UTC(2020, 0, 1 + n * 9));
    const iso = day.toISOString().slice(0, 10);
    const long = day.toLocaleDateString("en-US", {
      month: "long",
      day: "numeric",
      year: "numeric",
      timeZone: "UTC",
    });
    const blocks = text.replace(/Last updated: [^\n]*/, `Last updated: ${long}`).split("\n\n");
    // A sentence added to three paragraphs spread over the policy.
    for (const k of [7, 31, 59]) {
      const at = (n * k + 11) % paragraphs;
      if (blocks[at] && !blocks[at].startsWith("#"))
        blocks[at] += ` Revision ${n + 1} clarifies this for recipient ${k}.`;
    }
    text = blocks.join("\n\n");
    writeFileSync(join(repository, "privacy.md"), text);
    git(repository, ["add", "-A"], `${iso}T10:00:00Z`);
    git(repository, ["commit", "-q", "-m", `Revision ${n + 1}`], `${iso}T10:00:00Z`);
  }
  return { repository, words: countWords(text) };
}

export async function run(): Promise<void> {
  const { migrate } = await import("../../app/setup.server");
  await migrate();
  // The machine is shared: the load says how much of it these figures had.
  console.log(`load average at start: ${loadavg()[0].toFixed(1)} on ${cpus().length} cores`);
  try {
    if (existsSync(SITE_POLICY)) {
      const words = countWords(
        execFileSync("git", ["show", `${REAL.ref}:${REAL.path}`], { cwd: SITE_POLICY, encoding: "utf8" }),
      );
      const real = await timeImport("github-privacy", SITE_POLICY, REAL.path, REAL.ref);
      console.log(
        `github/site-policy privacy statement (${words.toLocaleString("en")} words at its newest):`,
      );
      console.log(`  ${real.line}`);
      console.log(`  ${real.seconds.toFixed(1)} s end to end (${real.cpuSeconds.toFixed(1)} s of CPU)`);
    } else {
      console.log(`github/site-policy not mirrored at ${SITE_POLICY}: real history skipped`);
    }
    const synthetic = syntheticRepository();
    const result = await timeImport("synthetic", synthetic.repository, "privacy.md");
    console.log(`synthetic: 70 commits, ${synthetic.words.toLocaleString("en")} words at the newest:`);
    console.log(`  ${result.line}`);
    console.log(
      `  ${result.seconds.toFixed(1)} s end to end (${result.cpuSeconds.toFixed(1)} s of CPU; target: well under a minute)`,
    );
  } finally {
    const { closeSharedDatabases } = await import("../../db/client");
    closeSharedDatabases();
    rmSync(directory, { recursive: true, force: true });
  }
}

/**
 * Reading a company's earlier policy versions for `redline import-history` (ADR 0020-import-history):
 * every commit of a git repository that changed one file, renames followed, read with the `git`
 * command itself (`log --follow`, `cat-file --batch`); or a folder of files whose names start with an
 * ISO date. Only reading: what becomes a version is decided by app/core/history/plan.ts.
 */
import { spawn } from "node:child_process";
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { datedFileName } from "../../app/core/history/plan";
import type { HistorySource } from "../../app/core/history/types";

/** One version's raw text from the source, oldest first, or why it could not be read. */
export type RawVersion = {
  source: HistorySource;
  /** The file name the format is guessed from. */
  name: string;
  /** ISO timestamp (UTC): the commit's date, or midnight of the file name's day. */
  sourceAt: string;
} & ({ text: string } | { unreadable: string });

/** A file of the folder that is not a dated policy file, and is therefore left alone. */
export type Ignored = { file: string; why: string };

/** A source that cannot be read at all: the import is refused with this sentence. */
export class SourceError extends Error {}

const FORMATS = /\.(md|markdown|html?|json)$/i;

function run(cwd: string, args: string[], input?: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn("git", args, {
      cwd,
      stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr?.on("data", (chunk: Buffer) => err.push(chunk));
    child.on("error", (error) =>
      reject(new SourceError(`cannot run git (${(error as NodeJS.ErrnoException).code ?? error.message})`)),
    );
    child.on("close", (code) => {
      if (code === 0) resolve(Buffer.concat(out));
      else
        reject(
          new SourceError(Buffer.concat(err).toString("utf8").trim().split("\n")[0] || `git exited ${code}`),
        );
    });
    if (input !== undefined) {
      // git may exit before reading everything (a refusal): its reason comes from the exit, not from here.
      child.stdin?.on("error", () => {});
      child.stdin?.end(input);
    }
  });
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

function decode(bytes: Buffer, maxBytes: number): { text: string } | { unreadable: string } {
  if (bytes.length > maxBytes) return { unreadable: `larger than ${maxBytes / 1024 / 1024} MB` };
  try {
    return { text: strictUtf8.decode(bytes) };
  } catch {
    return { unreadable: "not UTF-8 text" };
  }
}

/**
 * Every commit reachable from `ref` that changed `path` (following renames), oldest first, with the
 * file as it was in that commit. Commits that deleted it are left out: no text was published by them.
 */
export async function readGitHistory(repository: string, path: string, ref: string, maxBytes: number) {
  await run(repository, ["rev-parse", "--git-dir"]).catch(() => {
    throw new SourceError(`${repository} is not a git repository`);
  });
  const resolved = (
    await run(repository, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]).catch(() => {
      throw new SourceError(`${repository} has no commit "${ref}"`);
    })
  )
    .toString("utf8")
    .trim();
  const log = (
    await run(repository, [
      "log",
      "--follow",
      "-M",
      "--format=%x1e%H%x1f%cI",
      "--name-status",
      "--no-color",
      resolved,
      "--",
      path,
    ])
  ).toString("utf8");
  const commits: { commit: string; at: string; path: string }[] = [];
  for (const record of log.split("\x1e").slice(1)) {
    const [head, ...rest] = record.split("\n");
    const [commit, date] = head.split("\x1f");
    const status = rest.find((line) => /^[A-Z]\d*\t/.test(line));
    if (!status) continue; // a merge that brought no change of its own
    const fields = status.split("\t");
    if (fields[0] === "D") continue;
    commits.push({ commit, at: new Date(date).toISOString(), path: fields[fields.length - 1] });
  }
  if (commits.length === 0) {
    throw new SourceError(`${path} was never in ${repository} (at ${ref})`);
  }
  commits.reverse();
  const blobs = await run(
    repository,
    ["cat-file", "--batch"],
    commits.map((c) => `${c.commit}:${c.path}\n`).join(""),
  );
  const versions: RawVersion[] = [];
  let offset = 0;
  for (const c of commits) {
    const lineEnd = blobs.indexOf(10, offset);
    const header = blobs.subarray(offset, lineEnd).toString("utf8");
    offset = lineEnd + 1;
    const source: HistorySource = { kind: "git", commit: c.commit, path: c.path };
    const name = c.path;
    const size = /^[0-9a-f]+ blob (\d+)$/.exec(header)?.[1];
    if (size === undefined) {
      versions.push({ source, name, sourceAt: c.at, unreadable: `not a file in that commit (${header})` });
      continue;
    }
    const bytes = blobs.subarray(offset, offset + Number(size));
    offset += Number(size) + 1;
    versions.push({ source, name, sourceAt: c.at, ...decode(Buffer.from(bytes), maxBytes) });
  }
  return versions;
}

/**
 * The folder's files whose names start with an ISO date (`2023-05-04.md`, `2023-05-04-privacy.html`,
 * `007-2023-05-04.json`), by date, then sequence number, then name; everything else it holds is
 * listed as ignored. Hidden files and sub-folders are passed over in silence.
 */
export async function readDatedFolder(folder: string, maxBytes: number) {
  const info = await stat(folder).catch(() => null);
  if (!info) throw new SourceError(`${folder} does not exist`);
  if (!info.isDirectory())
    throw new SourceError(`${folder} is neither a folder nor, with --path, a git repository`);
  const entries = await readdir(folder, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    throw new SourceError(`cannot read ${folder} (${error.code})`);
  });
  const ignored: Ignored[] = [];
  const dated: { file: string; date: string; sequence: number }[] = [];
  for (const entry of entries) {
    if (entry.name.startsWith(".") || entry.isDirectory()) continue;
    const named = datedFileName(entry.name);
    if (!named) ignored.push({ file: entry.name, why: "its name does not start with a date (YYYY-MM-DD)" });
    else if (!FORMATS.test(entry.name))
      ignored.push({ file: entry.name, why: "not Markdown, HTML or Tiptap JSON" });
    else dated.push({ file: entry.name, date: named.date, sequence: named.sequence ?? -1 });
  }
  dated.sort(
    (a, b) => a.date.localeCompare(b.date) || a.sequence - b.sequence || a.file.localeCompare(b.file),
  );
  const versions: RawVersion[] = [];
  for (const { file, date } of dated) {
    const source: HistorySource = { kind: "file", file };
    const sourceAt = `${date}T00:00:00.000Z`;
    const size = await stat(join(folder, file)).then(
      (s) => s.size,
      () => 0,
    );
    if (size > maxBytes) {
      versions.push({ source, name: file, sourceAt, unreadable: `larger than ${maxBytes / 1024 / 1024} MB` });
      continue;
    }
    try {
      versions.push({
        source,
        name: file,
        sourceAt,
        ...decode(await readFile(join(folder, file)), maxBytes),
      });
    } catch (error) {
      versions.push({
        source,
        name: file,
        sourceAt,
        unreadable: `cannot be read (${(error as NodeJS.ErrnoException).code})`,
      });
    }
  }
  return { versions, ignored };
}

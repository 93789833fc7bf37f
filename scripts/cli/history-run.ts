/**
 * What `redline import-history` does once its arguments are read (ADR 0020-import-history): read the
 * source, parse every version as `import` does, plan, compare consecutive versions, write in one
 * transaction, report. Loaded only when the command runs: the document model is heavy.
 */
import { existsSync } from "node:fs";
import { isoDateOf } from "../../app/core/dates";
import {
  detectFormat,
  MAX_SOURCE_BYTES,
  type ParsedPolicy,
  type PolicyContent,
  parsePolicy,
  type RenderedPolicy,
  renderPolicy,
} from "../../app/core/document";
import {
  type FoundVersion,
  type HistoryPlan,
  planHistory,
  type SkippedVersion,
  type UnreadableVersion,
} from "../../app/core/history/plan";
import { describeSource, type ImportAdvice } from "../../app/core/history/types";
import { getEnv } from "../../app/env.server";
import {
  type HistoryVersion,
  importHistory,
  readHistoryTarget,
} from "../../app/models/history-import.server";
import { computeStoredRedline, type StoredRedline } from "../../app/models/redlines.server";
import { databaseFile, engineKind } from "../../db/client";
import { openDatabase } from "./database";
import {
  type Ignored,
  type RawVersion,
  readDatedFolder,
  readGitHistory,
  SourceError,
} from "./history-sources";

type Io = { out: (text: string) => void; err: (text: string) => void };

export type ImportHistoryOptions = {
  path?: string;
  ref: string;
  locale: string;
  title?: string;
  dryRun: boolean;
  format: "text" | "json";
};

/** A one-line bar on a terminal (stderr), nothing elsewhere: logs get the summary line only. */
function progressBar(enabled: boolean) {
  let shown = false;
  return {
    tick(phase: string, done: number, total: number) {
      if (!enabled || total === 0) return;
      const width = 30;
      const filled = Math.round((done / total) * width);
      process.stderr.write(
        `\r${phase.padEnd(10)} [${"#".repeat(filled)}${".".repeat(width - filled)}] ${done}/${total}`,
      );
      shown = true;
    },
    end() {
      if (shown) process.stderr.write("\r\x1b[K");
      shown = false;
    },
  };
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

const SKIP_WORDS: Record<SkippedVersion["why"], string> = {
  identical: "identical",
  "same-day": "same day",
  "already-imported": "already imported",
};

/** Runs the import (or, with --dry-run, only says what it would do); throws a one-line reason on refusal. */
export async function runImportHistory(
  io: Io,
  slug: string,
  sourcePath: string,
  options: ImportHistoryOptions,
) {
  const bar = progressBar(Boolean(process.stderr.isTTY) && options.format === "text");
  let raw: RawVersion[];
  let ignored: Ignored[] = [];
  try {
    if (options.path !== undefined) {
      raw = await readGitHistory(sourcePath, options.path, options.ref, MAX_SOURCE_BYTES);
    } else {
      ({ versions: raw, ignored } = await readDatedFolder(sourcePath, MAX_SOURCE_BYTES));
      if (raw.length === 0)
        throw new SourceError(`${sourcePath} holds no file whose name starts with a date (YYYY-MM-DD)`);
    }
  } catch (error) {
    if (error instanceof SourceError) throw new Error(error.message);
    throw error;
  }

  // Read every version as `import` reads a file: front matter apart, nothing lost or refused.
  const found: FoundVersion[] = [];
  const contents = new Map<FoundVersion, PolicyContent>();
  // Rendered once: the hash and text decide the plan, the HTML and outline are stored.
  const renderings = new Map<FoundVersion, RenderedPolicy>();
  const titles = new Map<FoundVersion, string | null>();
  const unreadable: UnreadableVersion[] = [];
  const parsedTexts = new Map<string, { parsed: ParsedPolicy; rendered: RenderedPolicy }>();
  raw.forEach((version, index) => {
    bar.tick("reading", index + 1, raw.length);
    if ("unreadable" in version) {
      unreadable.push({ source: version.source, reason: `unreadable: ${version.unreadable}` });
      return;
    }
    try {
      // Commits that touched only the front matter or whitespace often repeat a text byte for byte.
      const format = detectFormat(version.name, version.text);
      const key = `${format}\n${version.text}`;
      const known = parsedTexts.get(key);
      const parsed = known?.parsed ?? parsePolicy(version.text, format);
      const rendered = known?.rendered ?? renderPolicy(parsed.content);
      parsedTexts.set(key, { parsed, rendered });
      const entry: FoundVersion = {
        source: version.source,
        sourceAt: version.sourceAt,
        contentHash: rendered.contentHash,
        text: rendered.text,
        frontMatter: parsed.frontMatter,
      };
      found.push(entry);
      contents.set(entry, parsed.content);
      renderings.set(entry, rendered);
      titles.set(entry, parsed.title);
    } catch (error) {
      unreadable.push({
        source: version.source,
        reason: `would lose text or cannot be read: ${(error as Error).message}`,
      });
    }
  });
  bar.end();

  // A dry run against a SQLite file that does not exist yet leaves it not existing (a PostgreSQL
  // database is always there: it is only read).
  const url = getEnv().DATABASE_URL;
  const absent =
    options.dryRun &&
    engineKind(url) === "sqlite" &&
    databaseFile(url) !== ":memory:" &&
    !existsSync(databaseFile(url));
  if (!absent) await openDatabase(io.err);
  const target = absent
    ? { document: null, existing: { versions: [], openDraft: null }, latestContent: null }
    : await readHistoryTarget({ slug, locale: options.locale });
  const plan = planHistory({
    found,
    unreadable,
    existing: target.existing,
    today: isoDateOf(new Date()),
    locale: options.locale,
  });
  const newest = [...found].reverse().find((f) => titles.get(f));
  const title =
    options.title?.trim() || target.document?.title || (newest ? titles.get(newest) : null) || null;
  if (!title && plan.versions.length > 0) {
    plan.refusals.push({
      source: null,
      detail: "no title: the versions have none (front matter or first heading); pass --title",
    });
  }

  const report = summarize(plan, ignored, options.dryRun);
  if (plan.refusals.length > 0) {
    for (const refusal of plan.refusals) {
      io.err(`refused: ${refusal.source ? `${describeSource(refusal.source)}: ` : ""}${refusal.detail}`);
    }
    if (options.format === "json") io.out(JSON.stringify({ slug, locale: options.locale, ...report }));
    throw new Error(
      `nothing imported: ${plural(plan.refusals.length, "problem")} in ${sourcePath} (listed above)`,
    );
  }

  // The redlines between consecutive versions, computed now rather than by the first reader and
  // stored with the import (ADR 0022); each one's materiality suggestion is kept as advice.
  const advice = new Map<number, ImportAdvice | null>();
  const redlines: StoredRedline[] = [];
  let before = target.latestContent;
  let beforeHash = target.existing.versions[target.existing.versions.length - 1]?.contentHash ?? null;
  for (const [index, version] of plan.versions.entries()) {
    bar.tick("comparing", index + 1, plan.versions.length);
    const content = contents.get(version.found)!;
    const hash = renderings.get(version.found)!.contentHash;
    if (before && beforeHash) {
      const redline = await computeStoredRedline(before, content, "workspace");
      const { material } = redline.summary;
      advice.set(version.number, {
        suggested: material.suggested,
        reasons: material.reasons.map(({ kind, section, detail }) => ({ kind, section, detail })),
        ...(material.incomplete ? { incomplete: true as const } : {}),
      });
      redlines.push({ key: { fromHash: beforeHash, toHash: hash }, redline });
    } else advice.set(version.number, null);
    before = content;
    beforeHash = hash;
  }
  bar.end();

  let numbers = plan.versions.map((v) => v.number);
  if (!options.dryRun && plan.versions.length > 0) {
    bar.tick("writing", 0, 1);
    const versions: HistoryVersion[] = plan.versions.map((version) => {
      const content = contents.get(version.found)!;
      return {
        number: version.number,
        content,
        rendered: renderings.get(version.found)!,
        lastUpdated: version.lastUpdated,
        effectiveAt: version.effectiveAt,
        publishedAt: version.publishedAt,
        imported: {
          source: version.found.source,
          dates: version.dates,
          advice: advice.get(version.number) ?? null,
        },
      };
    });
    const { imported } = await importHistory({
      slug,
      locale: options.locale,
      title: title!,
      plannedAfter: target.existing.versions[target.existing.versions.length - 1]?.number ?? 0,
      versions,
      redlines,
      actor: { kind: "cli" },
    });
    bar.end();
    numbers = imported.map((v) => v.number);
  }

  if (options.format === "json") {
    io.out(
      JSON.stringify({
        slug,
        locale: options.locale,
        ...report,
        versions: plan.versions.map((v, i) => ({
          version: numbers[i],
          source: v.found.source,
          lastUpdated: v.lastUpdated,
          effectiveAt: v.effectiveAt,
          publishedAt: v.publishedAt,
          dates: v.dates,
          advice: advice.get(v.number) ?? null,
        })),
      }),
    );
    return;
  }
  for (const skip of plan.skipped.filter((s) => s.why !== "already-imported")) {
    io.err(`skipped: ${describeSource(skip.source)}: ${skip.detail}`);
  }
  for (const entry of ignored) io.err(`ignored: ${entry.file}: ${entry.why}`);
  io.out(`${slug} (${options.locale}): ${report.line}`);
}

function summarize(plan: HistoryPlan, ignored: Ignored[], dryRun: boolean) {
  const count = (why: SkippedVersion["why"]) => plan.skipped.filter((s) => s.why === why).length;
  const fromText = plan.versions.filter((v) => v.dates.lastUpdated === "text").length;
  const fromFrontMatter = plan.versions.filter((v) => v.dates.lastUpdated === "front-matter").length;
  const fromSource = plan.versions.length - fromText - fromFrontMatter;
  const effectiveFromDocument = plan.versions.filter((v) => v.dates.effectiveAt !== "source").length;
  const numbers = plan.versions.map((v) => v.number);
  const range =
    numbers.length === 0
      ? ""
      : numbers.length === 1
        ? ` (version ${numbers[0]})`
        : ` (versions ${numbers[0]}–${numbers[numbers.length - 1]})`;
  const skippedParts = (["identical", "same-day", "already-imported"] as const)
    .filter((why) => count(why) > 0)
    .map((why) => `${count(why)} ${SKIP_WORDS[why]}`);
  const line = [
    `${plan.found} found`,
    `${plan.versions.length} ${dryRun ? "would be imported" : "imported"}${range}`,
    `${plan.skipped.length} skipped${skippedParts.length ? ` (${skippedParts.join(", ")})` : ""}`,
    `dates from the text ${fromText}${fromFrontMatter ? `, from front matter ${fromFrontMatter}` : ""}, from the source ${fromSource} (effective dates: ${effectiveFromDocument} from the document, ${plan.versions.length - effectiveFromDocument} from the source)`,
    ...(ignored.length ? [`${ignored.length} other ${ignored.length === 1 ? "file" : "files"} ignored`] : []),
  ].join(", ");
  return {
    dryRun,
    found: plan.found,
    imported: plan.versions.length,
    skipped: plan.skipped.map((s) => ({ source: s.source, why: s.why, detail: s.detail })),
    ignored,
    refusals: plan.refusals,
    dates: {
      lastUpdated: { fromText, fromFrontMatter, fromSource },
      effectiveAt: {
        fromDocument: effectiveFromDocument,
        fromSource: plan.versions.length - effectiveFromDocument,
      },
    },
    line: `${dryRun ? "dry run: " : ""}${line}`,
  };
}

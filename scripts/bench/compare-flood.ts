/**
 * `npm run bench -- compare-flood`: what a flood of cold `/compare` requests does to the web
 * process (issue 14 item 1). Real policy histories from the diff corpus (./corpus.ts) are published
 * into a scratch database — which stores each consecutive redline at publication — then the real
 * server (build/server.js; run `npm run build` first) is flooded by concurrent clients asking for
 * pairs nobody compared before, while a probe asks for an unrelated page every 50 ms. Printed: the
 * server's own event-loop delay (prom-client's `monitorEventLoopDelay`, p99 and max over the flood),
 * the probe's latency beside its latency without the flood, and how the flood was answered — once
 * with redlines computed on the event loop (`DIFF_THREADS=0`, as before the pool), once in the pool.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { closeSharedDatabases } from "../../db/client";
import { type RunningServer, SERVER_ENTRY, startServer } from "../../test/support/server";
import { CORPUS_HINT } from "./corpus";

const CLIENTS = 8;
const FLOOD_SECONDS = 15;
const DOCUMENTS = 6;
const TOKEN = "bench-metrics-token-0123456789";

type Document = { slug: string; versions: number };

export async function run(): Promise<void> {
  if (!existsSync(SERVER_ENTRY)) {
    console.log("no build: run `npm run build` first");
    return;
  }
  const corpusDir = new URL("../../.cache/diff-corpus/", import.meta.url);
  if (!existsSync(new URL("corpus.json", corpusDir))) {
    console.log(CORPUS_HINT);
    return;
  }
  const directory = mkdtempSync(join(tmpdir(), "redline-bench-flood-"));
  try {
    const databaseUrl = `file:${join(directory, "bench.db")}`;
    const modes = [
      ["on the event loop (DIFF_THREADS=0, before)", "0"],
      ["in the diff pool (after)", ""],
    ] as const;
    // `--pool-only` skips the slow run on the event loop.
    for (const [label, threads] of process.argv.includes("--pool-only") ? modes.slice(1) : modes) {
      // A fresh copy of the history each time: every flooded pair is cold in both runs.
      rmSync(join(directory, "bench.db"), { force: true });
      const documents = await publishLargestHistories(databaseUrl, corpusDir);
      const server = await startServer({
        DATABASE_URL: databaseUrl,
        DIFF_THREADS: threads,
        METRICS_TOKEN: TOKEN,
      });
      try {
        console.log(`\n### redlines ${label}\n`);
        await flood(server, documents);
      } finally {
        await server.stop();
      }
    }
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

/** Publishes every version of the corpus's largest documents; returns their slugs. */
async function publishLargestHistories(databaseUrl: string, corpusDir: URL): Promise<Document[]> {
  await closeSharedDatabases();
  process.env.DATABASE_URL = databaseUrl;
  process.env.LOG_LEVEL = "warn";
  (globalThis as { __redlineEnv?: unknown }).__redlineEnv = undefined;
  const { migrate } = await import("../../app/setup.server");
  const { Refusal } = await import("../../app/core/refusal");
  const { saveDraft } = await import("../../app/models/drafts.server");
  const { publishVersion } = await import("../../app/models/publication.server");
  await migrate();
  const corpus = JSON.parse(readFileSync(new URL("corpus.json", corpusDir), "utf8")) as {
    documents: { path: string; versions: { file: string; words: number }[] }[];
  };
  const largest = [...corpus.documents]
    .filter((d) => d.versions.length >= 8)
    .sort((a, b) => Math.max(...b.versions.map((v) => v.words)) - Math.max(...a.versions.map((v) => v.words)))
    .slice(0, DOCUMENTS);
  const documents: Document[] = [];
  for (const [d, document] of largest.entries()) {
    const slug = `flood-${d}`;
    let published = 0;
    for (const [i, version] of document.versions.entries()) {
      const content = JSON.parse(readFileSync(new URL(version.file, corpusDir), "utf8"));
      await saveDraft({ slug, title: document.path, content, actor: { kind: "cli" } });
      const date = new Date(Date.UTC(2020, 0, 1 + i)).toISOString().slice(0, 10);
      try {
        await publishVersion({
          slug,
          request: { material: false, lastUpdated: date, effectiveAt: date },
          actor: { kind: "cli" },
          noticePeriodDays: 0,
          requireApproval: false,
        });
        published++;
      } catch (error) {
        // Two archived versions whose text imports the same: the next one replaces the draft.
        if (!(error instanceof Refusal)) throw error;
      }
    }
    documents.push({ slug, versions: published });
  }
  await closeSharedDatabases();
  const words = largest.map((d) => Math.max(...d.versions.map((v) => v.words)).toLocaleString("en"));
  console.log(`published ${documents.length} histories (largest versions: ${words.join(", ")} words)`);
  return documents;
}

async function flood(server: RunningServer, documents: Document[]): Promise<void> {
  // Pairs that are not consecutive: nothing stored them at publication.
  const pairs: string[] = [];
  const longest = Math.max(...documents.map((d) => d.versions));
  for (let gap = longest - 1; gap >= 2; gap--) {
    for (const { slug, versions } of documents) {
      for (let from = 1; from + gap <= versions; from++) {
        pairs.push(`/policies/${slug}/compare?from=${from}&to=${from + gap}`);
      }
    }
  }
  const probePath = `/policies/${documents[0].slug}/versions`;
  const probe = async () => {
    const started = performance.now();
    const response = await fetch(`${server.url}${probePath}`);
    await response.arrayBuffer();
    return performance.now() - started;
  };
  await probe();
  const baseline: number[] = [];
  for (let i = 0; i < 40; i++) {
    baseline.push(await probe());
    await sleep(25);
  }

  await scrapeLoopDelay(server); // resets the histogram: what follows covers the flood only
  const statuses = new Map<number, number>();
  const answered: number[] = [];
  let next = 0;
  let flooding = true;
  const clients = Array.from({ length: CLIENTS }, async () => {
    while (flooding && next < pairs.length) {
      const path = pairs[next++];
      const started = performance.now();
      const response = await fetch(`${server.url}${path}`);
      await response.arrayBuffer();
      answered.push(performance.now() - started);
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      if (response.status === 503) await sleep(Number(response.headers.get("retry-after") ?? 1) * 100);
    }
  });
  const during: number[] = [];
  const probing = (async () => {
    while (flooding) {
      during.push(await probe());
      await sleep(50);
    }
  })();
  await sleep(FLOOD_SECONDS * 1000);
  flooding = false;
  await Promise.all([...clients, probing]);
  const loop = await scrapeLoopDelay(server);

  console.log(
    `${CLIENTS} clients for ${FLOOD_SECONDS} s: ${answered.length} cold compares answered (${[...statuses]
      .sort()
      .map(([status, n]) => `${n} × ${status}`)
      .join(", ")}), median ${ms(percentile(answered, 0.5))}, p99 ${ms(percentile(answered, 0.99))}\n`,
  );
  console.log("| measure | median | p90 | p99 | max |\n| --- | --- | --- | --- | --- |");
  row("probe, no flood", baseline);
  row("probe, during the flood", during);
  console.log(`| server event-loop delay, during the flood | | | ${ms(loop.p99)} | ${ms(loop.max)} |`);
}

/** The server's event-loop delay since the previous scrape (prom-client resets it at each scrape). */
async function scrapeLoopDelay(server: RunningServer): Promise<{ p99: number; max: number }> {
  const response = await fetch(`${server.url}/metrics`, { headers: { Authorization: `Bearer ${TOKEN}` } });
  const text = await response.text();
  const value = (name: string) =>
    Number(text.match(new RegExp(`^${name} (\\S+)$`, "m"))?.[1] ?? Number.NaN) * 1000;
  return { p99: value("nodejs_eventloop_lag_p99_seconds"), max: value("nodejs_eventloop_lag_max_seconds") };
}

function row(label: string, samples: number[]) {
  console.log(
    `| ${label} | ${ms(percentile(samples, 0.5))} | ${ms(percentile(samples, 0.9))} | ${ms(percentile(samples, 0.99))} | ${ms(Math.max(...samples))} |`,
  );
}

function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

const ms = (value: number) => `${value.toFixed(1)} ms`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

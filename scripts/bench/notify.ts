/**
 * `npm run bench -- notify [--database postgres://…] [--rows=N]`: the notification pipeline's
 * figures on SQLite and, given a PostgreSQL server, on PostgreSQL beside them (a fresh database is
 * made there for each step and dropped).
 *
 * - CSV import of 100k and N (default 1M) subscribers (streamed, chunked upserts); above 2M
 *   (`--rows=10000000`) the N subscribers are made by one SQL statement instead, and only the
 *   enqueue is measured for them;
 * - enqueueing a notice for all of them inside the publish transaction, beside a raw
 *   INSERT … SELECT of the same rows into the same table on the same server (rolled back, so both
 *   start from an empty outbox);
 * - dispatch by 4 worker processes (scripts/bench/notify-worker.ts, 4 batches in flight each)
 *   against the bundled mail server (its own process): emails/s with no rate limit, and at a shared
 *   limit of 20 requests/s the fraction reached and the most requests in any one-second window, from
 *   the server's own arrival timestamps.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createWriteStream, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { addDays, isoDateOf } from "../../app/core/dates";
import { resetEnv } from "../../app/env.server";
import type { RequestRecord } from "../../app/notify/mail-server.server";
import { closeSharedDatabases } from "../../db/client";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const cli = { kind: "cli" } as const;
const WORKERS = 4;

/** `--database <url>` or `--database=<url>`: the PostgreSQL server to compare with. */
function databaseOption(): string | null {
  const args = process.argv;
  const i = args.indexOf("--database");
  if (i >= 0) return args[i + 1] ?? null;
  return args.find((arg) => arg.startsWith("--database="))?.slice("--database=".length) ?? null;
}

function rowsOption(): number {
  const given = process.argv.find((arg) => arg.startsWith("--rows="));
  const value = given ? Number(given.slice("--rows=".length)) : 1_000_000;
  return Number.isInteger(value) && value > 0 ? value : 1_000_000;
}

/** Where one step's database lives: a SQLite file, or a database of its own on the PostgreSQL server. */
type Target = {
  label: "SQLite" | "PostgreSQL";
  open(name: string): Promise<{ url: string; drop(): Promise<void> }>;
};

function sqliteTarget(directory: string): Target {
  return {
    label: "SQLite",
    open: async (name) => ({ url: `file:${join(directory, `${name}.db`)}`, drop: async () => {} }),
  };
}

function postgresTarget(server: string): Target {
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: server });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  return {
    label: "PostgreSQL",
    open: async (name) => {
      const database = `redline_bench_${name.replace(/\W/g, "_")}_${randomBytes(3).toString("hex")}`;
      await admin(`CREATE DATABASE ${database}`);
      const url = new URL(server);
      url.pathname = `/${database}`;
      return {
        url: url.toString(),
        drop: async () => {
          await closeSharedDatabases();
          await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
        },
      };
    },
  };
}

async function switchDatabase(url: string) {
  await closeSharedDatabases();
  process.env.DATABASE_URL = url;
  process.env.LOG_LEVEL = "warn";
  resetEnv();
}

/** Figures per target, printed side by side at the end. */
const table = new Map<string, Map<string, string>>();
function note(target: Target, figure: string, value: string) {
  if (!table.has(figure)) table.set(figure, new Map());
  table.get(figure)!.set(target.label, value);
  console.log(`[${target.label}] ${figure}: ${value}`);
}

async function writeCsv(file: string, rows: number) {
  const out = createWriteStream(file);
  out.write("externalId,email,name,locale,region,cohort\n");
  const regions = ["EU", "US", "APAC", "LATAM"];
  let buffer = "";
  for (let i = 0; i < rows; i++) {
    buffer += `user-${i},user-${i}@example.test,User ${i},${i % 5 === 0 ? "de" : "en"},${regions[i % 4]},${i % 50}\n`;
    if (buffer.length > 1 << 20) {
      if (!out.write(buffer)) await new Promise<void>((r) => out.once("drain", () => r()));
      buffer = "";
    }
  }
  out.write(buffer);
  await new Promise<void>((resolve) => out.end(resolve));
}

/** Above this many subscribers (`--rows=10000000`) the rows are made by one SQL statement, not a CSV import. */
const SQL_SEEDED_ABOVE = 2_000_000;

/** The same subscribers writeCsv describes, made by the database itself. */
async function seedSubscribers(url: string, rows: number): Promise<void> {
  if (url.startsWith("file:")) {
    const { db } = await import("../../app/models/db.server");
    db().$client.exec(`
      WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i < ${rows - 1})
      INSERT INTO subscribers (external_id, email, name, locale, attributes)
      SELECT 'user-' || i, 'user-' || i || '@example.test', 'User ' || i,
        CASE WHEN i % 5 = 0 THEN 'de' ELSE 'en' END,
        json_object('region', CASE i % 4 WHEN 0 THEN 'EU' WHEN 1 THEN 'US' WHEN 2 THEN 'APAC' ELSE 'LATAM' END,
          'cohort', CAST(i % 50 AS TEXT))
      FROM seq`);
    return;
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`
      INSERT INTO subscribers (external_id, email, name, locale, attributes)
      SELECT 'user-' || i, 'user-' || i || '@example.test', 'User ' || i,
        CASE WHEN i % 5 = 0 THEN 'de' ELSE 'en' END,
        jsonb_build_object('region', (ARRAY['EU', 'US', 'APAC', 'LATAM'])[i % 4 + 1], 'cohort', (i % 50)::text)
      FROM generate_series(0, ${rows - 1}) AS i`);
    await client.query("VACUUM ANALYZE subscribers");
  } finally {
    await client.end();
  }
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const perSecond = (n: number, ms: number) => `${Math.round((n / ms) * 1000).toLocaleString("en")}/s`;

async function publishDraft(slug: string, text: string) {
  const { parsePolicy } = await import("../../app/core/document");
  const { saveDraft } = await import("../../app/models/drafts.server");
  await saveDraft({
    slug,
    title: "Privacy Policy",
    content: parsePolicy(`# Privacy\n\n${text}`, "markdown").content,
    actor: cli,
  });
}

/**
 * The raw baseline: the same delivery rows by one INSERT … SELECT, timed, then rolled back. Their
 * notice is one for the version already published (the database accepts a notice only for that).
 */
async function rawInsertSelect(url: string): Promise<{ rows: number; ms: number }> {
  const insertNotice = `INSERT INTO notices (document_id, version_id, channels, created_by)
    SELECT document_id, id, '["email"]', 'bench' FROM versions WHERE state = 'published'
    ORDER BY id DESC LIMIT 1 RETURNING id`;
  const insertDeliveries = (notice: string) => `
    INSERT INTO deliveries (notice_id, subscriber_id, channel, batch_number, status)
    SELECT ${notice}, id, 'email', (row_number() OVER (ORDER BY id) - 1) / 100 + 1, 'pending'
    FROM subscribers WHERE status = 'active' ORDER BY id`;
  if (url.startsWith("file:")) {
    const { db } = await import("../../app/models/db.server");
    const client = db().$client;
    client.exec("BEGIN IMMEDIATE");
    const noticeId = (client.prepare(insertNotice).get() as { id: number }).id;
    const started = performance.now();
    const rows = client.prepare(insertDeliveries("?")).run(noticeId).changes;
    const ms = performance.now() - started;
    client.exec("ROLLBACK");
    return { rows, ms };
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query("BEGIN");
    const noticeId = (await client.query<{ id: number }>(insertNotice)).rows[0].id;
    const started = performance.now();
    const rows = (await client.query(insertDeliveries("$1"), [noticeId])).rowCount ?? 0;
    const ms = performance.now() - started;
    await client.query("ROLLBACK");
    // Both runs start from an empty table, and the dead rows are no part of the next one's work.
    await client.query("VACUUM deliveries");
    await client.query("CHECKPOINT");
    return { rows, ms };
  } finally {
    await client.end();
  }
}

async function enqueueFigures(target: Target, directory: string, rows: number) {
  const database = await target.open(`enqueue_${rows}`);
  try {
    await switchDatabase(database.url);
    const { migrate } = await import("../../app/setup.server");
    const { reader } = await import("../../app/models/db.server");
    const { importSubscribersCsv } = await import("../../app/notify/csv-import.server");
    const { publishVersion } = await import("../../app/models/publication.server");
    const { countAll } = await import("../../db/dialect");
    const { deliveries } = await import("../../db/tables");
    await migrate();

    const csv = join(directory, `subscribers-${rows}.csv`);
    let started = performance.now();
    if (rows > SQL_SEEDED_ABOVE) {
      // The CSV figure comes from the smaller runs: here only the enqueue is measured.
      await seedSubscribers(database.url, rows);
      note(
        target,
        `subscribers seeded by SQL, ${rows.toLocaleString("en")} rows`,
        seconds(performance.now() - started),
      );
    } else {
      await writeCsv(csv, rows);
      const report = await importSubscribersCsv(csv);
      const importMs = performance.now() - started;
      note(
        target,
        `CSV import, ${rows.toLocaleString("en")} rows`,
        `${seconds(importMs)} (${perSecond(report.created, importMs)}), ${report.rejected.length} rejected`,
      );
    }

    await publishDraft("bench", "Version one.");
    await publishVersion({
      slug: "bench",
      request: { material: false },
      actor: cli,
      noticePeriodDays: 30,
      requireApproval: false,
    });
    await publishDraft("bench", "Version two, material.");

    // Raw baseline first, rolled back: the same rows into the same (empty) outbox table.
    const raw = await rawInsertSelect(database.url);

    started = performance.now();
    await publishVersion({
      slug: "bench",
      request: { material: true, summary: "Benchmark change." },
      actor: cli,
      noticePeriodDays: 30,
      requireApproval: false,
      notify: { channels: ["email"] },
    });
    const enqueueMs = performance.now() - started;
    const enqueued = (await reader().select({ n: countAll() }).from(deliveries))[0].n;
    note(
      target,
      `enqueue ${rows.toLocaleString("en")} in the publish transaction vs raw INSERT … SELECT`,
      `${seconds(enqueueMs)} for ${enqueued.toLocaleString("en")} vs ${seconds(raw.ms)} for ${raw.rows.toLocaleString("en")} — ${(enqueueMs / raw.ms).toFixed(2)}×`,
    );
    return csv;
  } finally {
    await closeSharedDatabases();
    await database.drop();
  }
}

/** BENCH_PROFILE=dir: the mail server and every worker write a CPU profile there (node --cpu-prof). */
function profiling(): string[] {
  const directory = process.env.BENCH_PROFILE;
  return directory ? ["--cpu-prof", "--cpu-prof-dir", directory] : [];
}

async function startMailServerProcess(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    [...profiling(), "--import", "tsx", "scripts/mail-server.ts", "--port", "0", "--keep", "2000"],
    {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let output = "";
    child.stdout?.on("data", (chunk) => {
      output += chunk;
      const match = /listening on (\S+)/.exec(output);
      if (match) resolve(match[1]);
    });
    child.once("exit", (code) => reject(new Error(`mail server exited with ${code}`)));
  });
  return { child, url };
}

/** One bench worker process (scripts/bench/notify-worker.ts); resolves to its stats when it exits. */
function benchWorker(
  url: string,
  mailUrl: string,
  rate: number | null,
): Promise<{
  emailsSent: number;
  rateLimited: number;
  slotsGivenUp: number;
  sends: [string, number][];
  wired: [string, number][];
  loopDelayMaxMs: number;
}> {
  const child = spawn(
    process.execPath,
    [...profiling(), "--import", "tsx", "scripts/bench/notify-worker.ts"],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        // As `redline worker` runs for a company: React's production build renders several times
        // faster than the development build these workers otherwise loaded. The secrets production
        // requires are the bench's own and sign nothing it measures.
        NODE_ENV: "production",
        SESSION_SECRET: "bench-session-secret-0123456789abcdef",
        AUDIT_KEY: "bench-audit-key-0123456789abcdef-0123",
        PUBLIC_BASE_URL: "https://policies.example.test",
        DATABASE_URL: url,
        LOG_LEVEL: "warn",
        BENCH_MAIL_URL: mailUrl,
        BENCH_RATE: rate === null ? "none" : String(rate),
      },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  let output = "";
  child.stdout?.on("data", (chunk) => {
    output += chunk;
  });
  return new Promise((resolve, reject) =>
    child.once("exit", (code) =>
      code === 0
        ? resolve(JSON.parse(output.trim().split("\n").at(-1)!))
        : reject(new Error(`worker exited with ${code}`)),
    ),
  );
}

const sum = <K extends string>(list: Record<K, number>[], key: K) =>
  list.reduce((total, entry) => total + entry[key], 0);

/** The most accepted requests whose arrivals fall in any one second. */
function busiestSecond(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; j < sorted.length; j++) {
    while (sorted[j] - sorted[i] >= 1000) i++;
    most = Math.max(most, j - i + 1);
  }
  return most;
}

async function dispatchFigures(target: Target, csv: string) {
  const database = await target.open("dispatch");
  const { child, url } = await startMailServerProcess();
  try {
    await switchDatabase(database.url);
    const { migrate } = await import("../../app/setup.server");
    const { importSubscribersCsv } = await import("../../app/notify/csv-import.server");
    const { publishVersion } = await import("../../app/models/publication.server");
    await migrate();
    await importSubscribersCsv(csv);
    await publishDraft("dispatch", "Version one.");
    await publishVersion({
      slug: "dispatch",
      request: { material: false },
      actor: cli,
      noticePeriodDays: 30,
      requireApproval: false,
    });

    let runs = 0;
    const run = async (label: string, cohorts: string[], rate: number | null) => {
      await fetch(`${url}/_mail/reset`, { method: "POST" });
      await publishDraft("dispatch", `Change for ${label}.`);
      await publishVersion({
        slug: "dispatch",
        // Each announcement on a day of its own (ADR 0021).
        request: {
          material: true,
          summary: `Benchmark: ${label}.`,
          effectiveAt: addDays(isoDateOf(new Date()), 30 + ++runs),
        },
        actor: cli,
        noticePeriodDays: 30,
        requireApproval: false,
        notify: { channels: ["email"], audience: { cohort: cohorts } },
      });
      const started = performance.now();
      const stats = await Promise.all(
        Array.from({ length: WORKERS }, () => benchWorker(database.url, url, rate)),
      );
      const ms = performance.now() - started;
      const emails = stats.reduce((sum, s) => sum + s.emailsSent, 0);
      const { data } = (await (await fetch(`${url}/_mail/requests`)).json()) as { data: RequestRecord[] };
      const acceptedRequests = data.filter((r) => r.outcome === "accepted");
      const times = acceptedRequests.map((r) => r.at);
      // From the first request to the last at the server: the workers' start-up is not sending.
      const span = Math.max(...times) - Math.min(...times);
      const emailsAtServer = acceptedRequests.reduce((sum, r) => sum + r.emails, 0);
      const achieved = ((times.length - 1) / span) * 1000;
      if (rate === null) {
        note(
          target,
          `${WORKERS} workers, no rate limit`,
          `${perSecond(emailsAtServer, span)} emails at the server (${emails.toLocaleString("en")} emails, ${times.length} requests; ${seconds(ms)} with start-up)`,
        );
      } else {
        note(
          target,
          `${WORKERS} workers, limited to ${rate} requests/s`,
          `${achieved.toFixed(2)} requests/s = ${((achieved / rate) * 100).toFixed(1)}%, busiest second ${busiestSecond(times)} (${times.length} requests; slots given up as too late ${sum(stats, "slotsGivenUp")}, 429s ${sum(stats, "rateLimited")})`,
        );
        // Where a crowded second comes from: the workers' own send moments, when the request's
        // headers reached the socket, and the server's arrival stamp.
        const sentAt = new Map(stats.flatMap((s) => s.sends));
        const wiredAt = new Map(stats.flatMap((s) => s.wired));
        const spread = (pairs: [number | undefined, number | undefined][]) => {
          const lags = pairs
            .filter((p): p is [number, number] => p[0] !== undefined && p[1] !== undefined)
            .map(([from, to]) => to - from)
            .sort((a, b) => a - b);
          return `median ${lags[lags.length >> 1]?.toFixed(1)} ms, max ${lags.at(-1)?.toFixed(1)} ms`;
        };
        const keyed = acceptedRequests.filter((r) => r.idempotencyKey !== null);
        note(
          target,
          `${WORKERS} workers, limited to ${rate} requests/s: as sent`,
          `busiest second ${busiestSecond([...sentAt.values()])} at the workers; limiter to socket ${spread(keyed.map((r) => [sentAt.get(r.idempotencyKey!), wiredAt.get(r.idempotencyKey!)]))}; socket to server arrival ${spread(keyed.map((r) => [wiredAt.get(r.idempotencyKey!), r.at]))}; worker event-loop delay max ${Math.max(...stats.map((s) => s.loopDelayMaxMs)).toFixed(0)} ms`,
        );
      }
    };
    await run("no rate limit", ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"], null);
    await run("limited to 20 requests/s", ["11", "12", "13", "14", "15", "16"], 20);
  } finally {
    child.kill("SIGTERM");
    await closeSharedDatabases();
    await database.drop();
  }
}

/**
 * The PostgreSQL figures, in a child process: the table objects are chosen once per process from
 * the DATABASE_URL it starts with (db/tables.ts), so one process cannot measure both engines.
 */
async function postgresFigures(server: string): Promise<void> {
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "scripts/bench/index.ts",
      "notify",
      "--postgres-only",
      "--database",
      server,
      ...process.argv.filter((arg) => arg.startsWith("--rows=")),
    ],
    { cwd: ROOT, env: { ...process.env, DATABASE_URL: server }, stdio: ["ignore", "pipe", "inherit"] },
  );
  let pending = "";
  child.stdout?.on("data", (chunk) => {
    pending += chunk;
    const lines = pending.split("\n");
    pending = lines.pop()!;
    for (const line of lines) {
      if (line.startsWith(FIGURES)) {
        for (const [figure, value] of JSON.parse(line.slice(FIGURES.length)) as [string, string][]) {
          if (!table.has(figure)) table.set(figure, new Map());
          table.get(figure)!.set("PostgreSQL", value);
        }
      } else if (line.startsWith("[")) console.log(line);
    }
  });
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  if (code !== 0) console.log(`[PostgreSQL] the figures stopped early (exit ${code})`);
}

const FIGURES = "BENCH-FIGURES ";

export async function run() {
  const directory = mkdtempSync(join(tmpdir(), "redline-bench-notify-"));
  const server = databaseOption();
  const postgresOnly = process.argv.includes("--postgres-only");
  const targets = postgresOnly && server ? [postgresTarget(server)] : [sqliteTarget(directory)];
  const rows = rowsOption();
  try {
    for (const target of targets) {
      const csv = await enqueueFigures(target, directory, 100_000);
      if (rows !== 100_000) await enqueueFigures(target, directory, rows);
      await dispatchFigures(target, csv);
    }
  } finally {
    await closeSharedDatabases();
    rmSync(directory, { recursive: true, force: true });
  }
  if (postgresOnly) {
    console.log(
      `${FIGURES}${JSON.stringify([...table].map(([figure, values]) => [figure, values.get("PostgreSQL")]))}`,
    );
    return;
  }
  if (server) await postgresFigures(server);
  const labels = server ? ["SQLite", "PostgreSQL"] : ["SQLite"];
  console.log(`\n| figure | ${labels.join(" | ")} |\n| --- |${labels.map(() => " --- |").join("")}`);
  for (const [figure, values] of table) {
    console.log(`| ${figure} | ${labels.map((label) => values.get(label) ?? "—").join(" | ")} |`);
  }
}

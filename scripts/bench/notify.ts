/**
 * `npm run bench -- notify`: the notification pipeline's figures.
 *
 * - CSV import of 100k and 1M subscribers (streamed, chunked upserts);
 * - enqueueing a notice for all of them inside the publish transaction, beside a raw
 *   better-sqlite3 INSERT … SELECT of the same rows into the same table (rolled back, so both
 *   start from an empty outbox);
 * - dispatch throughput against the bundled mail server (its own process) with no rate limit, and
 *   at a set limit measured from the server's own arrival timestamps (achieved / configured).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { resetEnv } from "../../app/env.server";
import type { RequestRecord } from "../../app/notify/mail-server.server";
import { closeSharedDatabases } from "../../db/client";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const cli = { kind: "cli" } as const;

function switchDatabase(file: string) {
  void closeSharedDatabases();
  process.env.DATABASE_URL = `file:${file}`;
  process.env.LOG_LEVEL = "warn";
  resetEnv();
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

async function enqueueFigures(directory: string, rows: number) {
  switchDatabase(join(directory, `enqueue-${rows}.db`));
  const { migrate } = await import("../../app/setup.server");
  const { db } = await import("../../app/models/db.server");
  const { importSubscribersCsv } = await import("../../app/notify/csv-import.server");
  const { publishVersion } = await import("../../app/models/publication.server");
  await migrate();

  const csv = join(directory, `subscribers-${rows}.csv`);
  await writeCsv(csv, rows);
  let started = performance.now();
  const report = await importSubscribersCsv(csv);
  const importMs = performance.now() - started;
  console.log(
    `CSV import, ${rows.toLocaleString("en")} rows: ${seconds(importMs)} (${perSecond(report.created, importMs)}), ${report.rejected.length} rejected`,
  );

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
  const client = db().$client;
  const noticeId = (
    client
      .prepare(
        `INSERT INTO notices (document_id, version_id, channels, created_by)
         SELECT document_id, id, '["email"]', 'bench' FROM versions ORDER BY id DESC LIMIT 1 RETURNING id`,
      )
      .get() as { id: number }
  ).id;
  const raw = client.prepare(`
    INSERT INTO deliveries (notice_id, subscriber_id, channel, batch_number, status)
    SELECT ?, id, 'email', (row_number() OVER (ORDER BY id) - 1) / 100 + 1, 'pending'
    FROM subscribers WHERE status = 'active' ORDER BY id`);
  client.exec("BEGIN IMMEDIATE");
  started = performance.now();
  const rawRows = raw.run(noticeId).changes;
  const rawMs = performance.now() - started;
  client.exec("ROLLBACK");

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
  const enqueued = (client.prepare("SELECT count(*) AS n FROM deliveries").get() as { n: number }).n;
  console.log(
    `enqueue ${enqueued.toLocaleString("en")} deliveries in the publish transaction: ${seconds(enqueueMs)} — raw INSERT … SELECT of ${rawRows.toLocaleString("en")} rows: ${seconds(rawMs)} — ratio ${(enqueueMs / rawMs).toFixed(2)}×`,
  );
  return csv;
}

async function startMailServerProcess(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "scripts/mail-server.ts", "--port", "0", "--keep", "2000"],
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

async function dispatchFigures(directory: string, csv: string) {
  switchDatabase(join(directory, "dispatch.db"));
  const { migrate } = await import("../../app/setup.server");
  const { importSubscribersCsv } = await import("../../app/notify/csv-import.server");
  const { publishVersion } = await import("../../app/models/publication.server");
  const { Dispatcher } = await import("../../app/notify/dispatcher.server");
  const { resendProvider } = await import("../../app/notify/provider.server");
  const { describeMailTransport } = await import("../../app/notify/transport.server");
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

  const { child, url } = await startMailServerProcess();
  const run = async (label: string, cohorts: string[], rate: number | null) => {
    await fetch(`${url}/_mail/reset`, { method: "POST" });
    await publishDraft("dispatch", `Change for ${label}.`);
    await publishVersion({
      slug: "dispatch",
      request: { material: true, summary: `Benchmark: ${label}.` },
      actor: cli,
      noticePeriodDays: 30,
      requireApproval: false,
      notify: { channels: ["email"], audience: { cohort: cohorts } },
    });
    const dispatcher = new Dispatcher({
      provider: resendProvider({ apiKey: "re_bench", baseUrl: url }),
      transport: describeMailTransport("capture", url),
      from: "Redline <notices@example.test>",
      baseUrl: "https://policies.example.test",
      ratePerSecond: rate,
      maxAttempts: 8,
      concurrency: 4,
      pollMs: 20,
    });
    const started = performance.now();
    const stats = await dispatcher.drain();
    const ms = performance.now() - started;
    const { data } = (await (await fetch(`${url}/_mail/requests`)).json()) as { data: RequestRecord[] };
    const times = data.filter((r) => r.outcome === "accepted").map((r) => r.at);
    const span = Math.max(...times) - Math.min(...times);
    const achieved = ((times.length - 1) / span) * 1000;
    console.log(
      `dispatch, ${label}: ${stats.emailsSent.toLocaleString("en")} emails in ${stats.batchesSent} batches, ${seconds(ms)} — ${perSecond(stats.emailsSent, ms)} emails, ${achieved.toFixed(2)} requests/s at the server${rate ? ` = ${((achieved / rate) * 100).toFixed(1)}% of the configured ${rate}/s` : ""}`,
    );
  };
  try {
    await run("no rate limit", ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"], null);
    await run("limited to 2 requests/s (Resend's default)", ["10"], 2);
    await run("limited to 20 requests/s", ["11", "12", "13", "14", "15", "16"], 20);
  } finally {
    child.kill("SIGTERM");
  }
}

export async function run() {
  const directory = mkdtempSync(join(tmpdir(), "redline-bench-notify-"));
  try {
    const csv = await enqueueFigures(directory, 100_000);
    await enqueueFigures(directory, 1_000_000);
    await dispatchFigures(directory, csv);
  } finally {
    await closeSharedDatabases();
    rmSync(directory, { recursive: true, force: true });
  }
}

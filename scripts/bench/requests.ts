/**
 * `npm run bench -- requests`: how long request paths that take outside input hold the event loop,
 * on a scratch database of 200k subscribers and 20k audit entries. Diffs are
 * measured by `bench -- diff`.
 *
 * - audience counting (the publish page, `notify audience`) and the workspace's subscriber search;
 * - the audit page's chain verification;
 * - the autosave endpoint's work at the 2 MB limit, and on hostile shapes (hard breaks, a heading
 *   of dashes, nesting 20,000 deep).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { closeSharedDatabases } from "../../db/client";

const SUBSCRIBERS = 200_000;
const AUDIT_ENTRIES = 20_000;

async function time(label: string, work: () => unknown, runs = 5) {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await work();
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  const median = samples[Math.floor(runs / 2)];
  console.log(
    `| ${label} | ${median.toFixed(1)} ms | ${samples[0].toFixed(1)}–${samples[runs - 1].toFixed(1)} ms |`,
  );
}

export async function run() {
  const directory = mkdtempSync(join(tmpdir(), "redline-bench-requests-"));
  void closeSharedDatabases();
  process.env.DATABASE_URL = `file:${join(directory, "bench.db")}`;
  process.env.LOG_LEVEL = "warn";
  (globalThis as { __redlineEnv?: unknown }).__redlineEnv = undefined;
  try {
    const { migrate } = await import("../../app/setup.server");
    await migrate();
    const { upsertSubscribers, countAudience } = await import("../../app/models/subscribers.server");
    const { searchSubscribers } = await import("../../app/models/proof.server");
    const { recordAudit, verifyAuditLog } = await import("../../app/models/audit.server");
    const { transaction } = await import("../../app/models/db.server");
    const { checkEditorContent } = await import("../../app/models/drafts.server");
    const { renderPolicy } = await import("../../app/core/document");
    const { parseAudience } = await import("../../app/core/notify/audience");

    for (let start = 0; start < SUBSCRIBERS; start += 5000) {
      await upsertSubscribers(
        Array.from({ length: 5000 }, (_, k) => ({
          externalId: `user-${start + k}`,
          email: `User${start + k}@example.com`,
          name: `User ${start + k}`,
          locale: "en",
          attributes: { region: ["EU", "US", "UK", "APAC"][k % 4], plan: ["free", "team", "pro"][k % 3] },
        })),
      );
    }
    await transaction(async (tx) => {
      for (let i = 0; i < AUDIT_ENTRIES; i++) {
        await recordAudit(tx, { actor: { kind: "system" }, action: "notice.acknowledged", details: { i } });
      }
    });
    const widest: Record<string, string[]> = {};
    for (let a = 0; a < 32; a++)
      widest[`attr${a}`] = Array.from({ length: 100 }, (_, v) => `${"v".repeat(250)}${v}`);

    console.log(`${SUBSCRIBERS} subscribers, ${AUDIT_ENTRIES} audit entries\n`);
    console.log("| request path | median | range |\n| --- | --- | --- |");
    await time("count an audience of everyone", () => countAudience(null));
    await time('count {"region":["EU","UK"],"plan":"pro"}', () =>
      countAudience(parseAudience({ region: ["EU", "UK"], plan: "pro" })),
    );
    await time("count the largest audience allowed (32 × 100 values)", () =>
      countAudience(parseAudience(widest)),
    );
    await time("search subscribers by address", () => searchSubscribers({ query: "user123456@example.com" }));
    await time(
      `verify the audit chain (${AUDIT_ENTRIES} entries; every /admin/audit view)`,
      () => verifyAuditLog(),
      3,
    );

    const paragraph = (i: number) => ({
      type: "paragraph",
      content: [
        { type: "text", text: `Clause ${i}: we keep your data for ${i % 36} months and share it with ` },
        {
          type: "text",
          text: "Parcelpay",
          marks: [{ type: "link", attrs: { href: `https://parcelpay.example/${i}` } }],
        },
        { type: "text", text: " for card payments." },
      ],
    });
    const blocks: unknown[] = [];
    for (let i = 0; JSON.stringify({ type: "doc", content: blocks }).length < 1_950_000; i++) {
      if (i % 20 === 0)
        blocks.push({
          type: "heading",
          attrs: { level: 2 },
          content: [{ type: "text", text: `${i / 20}. Section` }],
        });
      blocks.push(paragraph(i));
    }
    const largest = JSON.stringify({ type: "doc", content: blocks });
    const checked = checkEditorContent(largest);
    await time("autosave: check 1.95 MB of editor JSON", () => checkEditorContent(largest), 3);
    await time("autosave: render it (HTML, text, outline, hash)", () => renderPolicy(checked), 3);
    const breaks = JSON.stringify({
      type: "doc",
      content: [
        { type: "paragraph", content: Array.from({ length: 60_000 }, () => ({ type: "hardBreak" })) },
      ],
    });
    await time(
      "autosave: a paragraph of 60,000 hard breaks",
      () => renderPolicy(checkEditorContent(breaks)),
      3,
    );
    const dashes = JSON.stringify({
      type: "doc",
      content: [
        {
          type: "heading",
          attrs: { level: 2 },
          content: [{ type: "text", text: `${"-".repeat(1_900_000)}x` }],
        },
      ],
    });
    await time("autosave: a 1.9 MB heading of dashes", () => renderPolicy(checkEditorContent(dashes)), 3);
    const deep = `{"type":"doc","content":[${'{"type":"blockquote","content":['.repeat(20_000)}{"type":"paragraph"}${"]}".repeat(20_000)}]}`;
    await time("autosave: JSON nested 20,000 deep (refused)", () => {
      try {
        checkEditorContent(deep);
      } catch {
        // Refused, as it must be.
      }
    });
  } finally {
    await closeSharedDatabases();
    rmSync(directory, { recursive: true, force: true });
  }
}

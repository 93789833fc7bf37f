import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { computeRedline, DIFF_ENGINE_VERSION } from "../../app/core/diff";
import { parsePolicy } from "../../app/core/document";
import { startDiffPool, stopDiffPool } from "../../app/diff-pool.server";
import { db } from "../../app/models/db.server";
import { getPolicyInEffect } from "../../app/models/documents.server";
import { saveDraft } from "../../app/models/drafts.server";
import { comparePublishedVersions } from "../../app/models/public-policies.server";
import { publishVersion } from "../../app/models/publication.server";
import { publishedRedline, STORED_DIFF_OPTIONS } from "../../app/models/redlines.server";
import { listPublishedVersions } from "../../app/models/versions.server";
import { storedDiffs } from "../../db/tables";

const cli = { kind: "cli" } as const;
const TEXTS = [
  "We keep invoices for 6 years. We share them with Ledgerline Ltd.",
  "We keep invoices for 7 years. We share them with Ledgerline Ltd and Archivo SA.",
  "We keep invoices for 10 years. We share them with Archivo SA.",
];
/** The same history under each slug, with different content (so different hashes) per slug. */
const content = (slug: string, text: string) =>
  parsePolicy(`## 1. Who we are\n\nBrightfern Ltd (${slug}).\n\n## 2. Retention\n\n${text}`, "markdown")
    .content;

async function publishHistory(slug: string) {
  for (const [i, text] of TEXTS.entries()) {
    await saveDraft({ slug, title: "Retention", content: content(slug, text), actor: cli });
    await publishVersion({
      slug,
      request: { material: false, lastUpdated: `2026-0${i + 1}-01`, effectiveAt: `2026-0${i + 1}-01` },
      actor: cli,
      noticePeriodDays: 30,
      requireApproval: false,
    });
  }
  const policy = await getPolicyInEffect({ slug });
  const published = await listPublishedVersions(policy!.document.id);
  return (n: number) => published.find((v) => v.number === n)!;
}

const fresh = (slug: string, older: string, newer: string) =>
  computeRedline({
    older: content(slug, older),
    newer: content(slug, newer),
    options: STORED_DIFF_OPTIONS,
  });
const rowsOf = async (fromHash: string, toHash: string) =>
  (await db().select().from(storedDiffs)).filter((row) => row.fromHash === fromHash && row.toHash === toHash);

// Comparisons run in worker threads, as in the web process.
beforeAll(() => startDiffPool({ threads: 1 }));
afterAll(() => stopDiffPool());

describe("stored redlines", () => {
  it("publishing a version stores its redline from the previous one, as a fresh computation gives it", async () => {
    const version = await publishHistory("stored-on-publish");
    for (const n of [2, 3]) {
      const rows = await rowsOf(version(n - 1).contentHash, version(n).contentHash);
      expect(rows).toHaveLength(1);
      const { summary, blocks, html, changesHtml, engine } = rows[0];
      expect(engine).toBe(DIFF_ENGINE_VERSION);
      expect({ summary, blocks, html, changesHtml }).toEqual(
        fresh("stored-on-publish", TEXTS[n - 2], TEXTS[n - 1]),
      );
    }
  });

  it("a pair nobody compared before is computed once, stored, and served from the store after", async () => {
    const version = await publishHistory("stored-on-read");
    const [from, to] = [version(1), version(3)];
    expect(await rowsOf(from.contentHash, to.contentHash)).toHaveLength(0);
    const first = await comparePublishedVersions(from, to);
    const expected = fresh("stored-on-read", TEXTS[0], TEXTS[2]);
    expect(first).toEqual({ summary: expected.summary, blocks: expected.blocks, html: expected.html });
    const rows = await rowsOf(from.contentHash, to.contentHash);
    expect(rows).toHaveLength(1);
    // What the store holds is what readers get: change the row and the next reader sees the change.
    await db()
      .update(storedDiffs)
      .set({ html: "<p>from the store</p>" })
      .where(eq(storedDiffs.fromHash, from.contentHash));
    expect((await publishedRedline(from, to, "public")).html).toBe("<p>from the store</p>");
  });

  it("a redline stored by an older engine is recomputed and replaced", async () => {
    const version = await publishHistory("engine-bump");
    const [from, to] = [version(2), version(3)];
    await db()
      .update(storedDiffs)
      .set({ engine: DIFF_ENGINE_VERSION - 1, html: "<p>old engine</p>" })
      .where(eq(storedDiffs.fromHash, from.contentHash));
    const redline = await publishedRedline(from, to, "public");
    expect(redline.html).toBe(fresh("engine-bump", TEXTS[1], TEXTS[2]).html);
    const rows = await rowsOf(from.contentHash, to.contentHash);
    expect(rows.map((row) => [row.engine, row.html])).toEqual([[DIFF_ENGINE_VERSION, redline.html]]);
  });
});

import { count, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { parsePolicy } from "../../app/core/document";
import { verifyAuditLog } from "../../app/models/audit.server";
import { db } from "../../app/models/db.server";
import { getPolicyInEffect } from "../../app/models/documents.server";
import { saveDraft } from "../../app/models/drafts.server";
import { publishVersion } from "../../app/models/publication.server";
import { listPublishedVersions } from "../../app/models/versions.server";
import { first } from "../../db/dialect";
import { auditLog, versions } from "../../db/tables";

const content = (text: string) => parsePolicy(`## 1. Retention\n\n${text}`, "markdown").content;
const cli = { kind: "cli" } as const;
const publish = (slug: string, request: Parameters<typeof publishVersion>[0]["request"], now?: Date) =>
  publishVersion({ slug, request, actor: cli, noticePeriodDays: 30, requireApproval: false, now });
const auditCount = async () => (await first(db().select({ n: count() }).from(auditLog)))!.n;

describe("drafting and publishing versions", () => {
  it("numbers versions 1, 2, 3 and shows the newest one in effect", async () => {
    for (const [i, text] of [
      "We keep data 12 months.",
      "We keep data 24 months.",
      "We keep data 36 months.",
    ].entries()) {
      const { version } = await saveDraft({
        slug: "numbers",
        title: "Numbers",
        content: content(text),
        actor: cli,
      });
      expect(version.number).toBe(i + 1);
      await publish("numbers", {
        material: false,
        lastUpdated: `2026-0${i + 1}-01`,
        effectiveAt: `2026-0${i + 1}-01`,
      });
    }
    const inEffect = await getPolicyInEffect({ slug: "numbers" });
    expect(inEffect?.current).toMatchObject({ number: 3, lastUpdated: "2026-03-01", state: "published" });
    const archive = await listPublishedVersions(inEffect!.document.id);
    expect(archive.map((v) => [v.number, v.status])).toEqual([
      [3, "current"],
      [2, "superseded"],
      [1, "superseded"],
    ]);
    const states = await db()
      .select({ number: versions.number, state: versions.state })
      .from(versions)
      .where(eq(versions.documentId, inEffect!.document.id))
      .orderBy(versions.number);
    expect(states.map((v) => v.state)).toEqual(["superseded", "superseded", "published"]);
  });

  it("saves a second import into the open draft instead of a new number", async () => {
    await saveDraft({ slug: "drafts", title: "Drafts", content: content("one"), actor: cli });
    const second = await saveDraft({ slug: "drafts", title: "Drafts", content: content("two"), actor: cli });
    expect(second).toMatchObject({ outcome: "replaced", version: { number: 1, revision: 2 } });
    expect(second.version.text).toContain("two");
  });

  it("keeps the current version in effect until a material change's effective date", async () => {
    await saveDraft({ slug: "upcoming", title: "Upcoming", content: content("old terms"), actor: cli });
    await publish("upcoming", { material: false }, new Date("2026-11-01T12:00:00Z"));
    await saveDraft({ slug: "upcoming", title: "Upcoming", content: content("new terms"), actor: cli });
    const v2 = await publish(
      "upcoming",
      { material: true, summary: "We keep data longer." },
      new Date("2026-11-27T12:00:00Z"),
    );
    expect(v2.effectiveAt).toBe("2026-12-27");

    const before = await getPolicyInEffect({ slug: "upcoming", now: new Date("2026-12-26T23:59:00Z") });
    expect(before?.current.number).toBe(1);
    expect(before?.upcoming?.number).toBe(2);
    const after = await getPolicyInEffect({ slug: "upcoming", now: new Date("2026-12-27T00:00:00Z") });
    expect(after?.current.number).toBe(2);
    expect(after?.upcoming).toBeNull();
  });

  it("refuses to publish identical content and leaves nothing half-written", async () => {
    await saveDraft({ slug: "same", title: "Same", content: content("unchanged"), actor: cli });
    await publish("same", { material: false });
    const { version: draft } = await saveDraft({
      slug: "same",
      title: "Same",
      content: content("unchanged"),
      actor: cli,
    });
    const entries = await auditCount();
    await expect(publish("same", { material: false })).rejects.toThrow("no changes");
    expect((await first(db().select().from(versions).where(eq(versions.id, draft.id))))?.state).toBe("draft");
    expect(await auditCount()).toBe(entries);
  });

  it("records every change in an audit log whose chain verifies", async () => {
    const result = await verifyAuditLog();
    expect(result.break).toBeNull();
    expect(result.entries).toBeGreaterThan(10);
    const published = await db().select().from(auditLog).where(eq(auditLog.action, "version.published"));
    expect(published.length).toBeGreaterThanOrEqual(6);
    expect(published[0]).toMatchObject({ actor: "cli", details: { number: 1 } });
  });
});

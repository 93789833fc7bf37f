/**
 * Two versions announced for one day (issue 15 item 4, ADR 0021): refused unless the newer
 * replaces the older announcement with a reason; the replacement is audited, and its notice reaches
 * the older notice's subscribers whatever its own audience.
 */
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { addDays, isoDateOf } from "../../app/core/dates";
import { parsePolicy } from "../../app/core/document";
import { verifyAuditLog } from "../../app/models/audit.server";
import { db } from "../../app/models/db.server";
import { saveDraft } from "../../app/models/drafts.server";
import { publishVersion } from "../../app/models/publication.server";
import { auditLog, deliveries, notices, versions } from "../../db/tables";
import { addSubscribers, publishFirst } from "./notify-support";

const cli = { kind: "cli" } as const;
const day = addDays(isoDateOf(new Date()), 40);

async function draft(slug: string, words: string) {
  const content = parsePolicy(`# Privacy\n\n## 1. Sharing\n\n${words}`, "markdown").content;
  await saveDraft({ slug, title: "Privacy Policy", content, actor: cli });
}

function publish(
  slug: string,
  extra: { reason?: string; notify?: boolean; audience?: Record<string, string> } = {},
) {
  return publishVersion({
    slug,
    request: {
      material: true,
      summary: "A change.",
      effectiveAt: day,
      replaceAnnouncementReason: extra.reason,
    },
    actor: cli,
    noticePeriodDays: 30,
    requireApproval: false,
    notify: extra.notify
      ? { channels: ["email", "dashboard"], audience: extra.audience ?? { group: slug } }
      : undefined,
  });
}

describe("a second version announced for the same day", () => {
  it("is refused without a reason, and nothing is written", async () => {
    await publishFirst("same-day");
    await draft("same-day", "Version two.");
    await publish("same-day");
    await draft("same-day", "Version three.");
    const entries = (await db().select().from(auditLog)).length;
    await expect(publish("same-day")).rejects.toThrow(/version 2 is already announced to take effect on/);
    expect((await db().select().from(auditLog)).length).toBe(entries);
  });

  it("must tell the older notice's subscribers, and reaches them whatever its audience", async () => {
    await publishFirst("covered");
    await addSubscribers("covered", 3);
    await addSubscribers("others", 2);
    await draft("covered", "Version two.");
    const v2 = await publish("covered", { notify: true });
    await draft("covered", "Version three.");
    await expect(publish("covered", { reason: "Wrong processor named." })).rejects.toThrow(
      /version 2 was announced to subscribers: tell them about its replacement/,
    );
    const v3 = await publish("covered", {
      reason: "Wrong processor named.",
      notify: true,
      audience: { group: "others" },
    });
    const [notice] = await db().select().from(notices).where(eq(notices.versionId, v3.id));
    const reached = await db().select().from(deliveries).where(eq(deliveries.noticeId, notice.id));
    // 3 told about version 2, plus the 2 of the new audience, each by email and dashboard.
    expect(reached).toHaveLength(10);

    const replaced = await db()
      .select()
      .from(auditLog)
      .where(eq(auditLog.action, "version.announcement-replaced"));
    expect(replaced.at(-1)).toMatchObject({ versionId: v2.id });
    expect(replaced.at(-1)!.details).toMatchObject({
      number: 2,
      replacedBy: 3,
      reason: "Wrong processor named.",
    });
    const [replacedVersion] = await db().select().from(versions).where(eq(versions.id, v2.id));
    expect(replacedVersion.state).toBe("superseded");
    // The log, replayed against the tables, agrees: the covering notice's deliveries are as recorded.
    const verification = await verifyAuditLog({ proof: true });
    expect(verification.break).toBeNull();
    expect(verification.problems).toEqual([]);
  });
});

/**
 * The workspace overview's answer to "what needs me?": reviews waiting (and whether this person may
 * approve them: never their own), approved versions waiting to be published, changes announced but
 * not yet in effect, sends in progress, notices with failed emails, and acknowledgement rates.
 * Each list is read once for everyone; the route picks what the person's role can act on.
 */
import { and, asc, eq, gt, inArray } from "drizzle-orm";
import { documents, versions } from "../../db/tables";
import { isoDateOf } from "../core/dates";
import { PUBLIC_STATES } from "../core/versions/workflow";
import { acknowledgementOverview } from "./acknowledgements.server";
import { reader } from "./db.server";
import { listNotices } from "./notices.server";
import { authorIdsOf } from "./versions.server";

type VersionRef = { documentId: number; title: string; slug: string; locale: string; number: number };

export type WorkspaceOverview = {
  inReview: (VersionRef & { since: string; yours: boolean })[];
  approved: (VersionRef & { since: string })[];
  upcoming: (VersionRef & { effectiveAt: string; material: boolean })[];
  sending: { noticeId: number; slug: string; version: number; done: number; total: number }[];
  failed: { noticeId: number; slug: string; version: number; failed: number }[];
  acknowledgements: {
    noticeId: number;
    slug: string;
    version: number;
    acknowledged: number;
    targeted: number;
  }[];
};

export async function workspaceOverview({
  userId,
  now = new Date(),
}: {
  userId: number;
  now?: Date;
}): Promise<WorkspaceOverview> {
  const ref = {
    versionId: versions.id,
    documentId: documents.id,
    title: documents.title,
    slug: documents.slug,
    locale: documents.locale,
    number: versions.number,
  };
  const open = await reader()
    .select({ ...ref, state: versions.state, since: versions.updatedAt })
    .from(versions)
    .innerJoin(documents, eq(documents.id, versions.documentId))
    .where(inArray(versions.state, ["in_review", "approved"]))
    .orderBy(asc(versions.updatedAt));
  const authors = await authorIdsOf(
    reader(),
    open.filter((v) => v.state === "in_review").map((v) => v.versionId),
  );
  // Announced, not yet in effect; a later version announced for the same day or earlier replaced it.
  const announced = await reader()
    .select({ ...ref, effectiveAt: versions.effectiveAt, material: versions.material })
    .from(versions)
    .innerJoin(documents, eq(documents.id, versions.documentId))
    .where(and(inArray(versions.state, [...PUBLIC_STATES]), gt(versions.effectiveAt, isoDateOf(now))))
    .orderBy(asc(versions.effectiveAt));
  const upcoming = announced.filter(
    (v) =>
      !announced.some(
        (w) =>
          w.documentId === v.documentId &&
          w.number > v.number &&
          (w.effectiveAt ?? "") <= (v.effectiveAt ?? ""),
      ),
  );
  const notices = await listNotices({ limit: 100 });
  const acks = await acknowledgementOverview({ limit: 20 });
  const strip = ({ versionId: _, ...rest }: { versionId: number } & VersionRef) => rest;
  return {
    inReview: open
      .filter((v) => v.state === "in_review")
      .map((v) => ({ ...strip(v), since: v.since, yours: authors.get(v.versionId)?.has(userId) ?? false })),
    approved: open.filter((v) => v.state === "approved").map((v) => ({ ...strip(v), since: v.since })),
    upcoming: upcoming.map((v) => ({ ...strip(v), effectiveAt: v.effectiveAt ?? "", material: v.material })),
    sending: notices
      .filter((n) => n.batches.pending > 0)
      .map((n) => {
        const email = n.counts.email;
        const total = email ? Object.values(email).reduce((a, b) => a + b, 0) : 0;
        const open = email ? email.pending + email.sending : 0;
        return { noticeId: n.id, slug: n.slug, version: n.version, done: total - open, total };
      }),
    failed: notices
      .filter((n) => (n.counts.email?.failed ?? 0) > 0)
      .map((n) => ({
        noticeId: n.id,
        slug: n.slug,
        version: n.version,
        failed: n.counts.email?.failed ?? 0,
      })),
    acknowledgements: acks
      .filter((a) => a.requiresAck)
      .map((a) => ({
        noticeId: a.noticeId,
        slug: a.slug,
        version: a.version,
        acknowledged: a.acknowledged,
        targeted: a.targeted,
      })),
  };
}

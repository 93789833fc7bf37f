/**
 * Publication: the one transaction that fixes a version's dates, marks the version it replaces,
 * writes the publication's audit entry (whose hash is the published chain head) and, for a material
 * change, the notice and its outbox. The workspace's path (an approved version, the notice-period
 * rule) and the operator's command line both come here.
 */
import { and, countDistinct, eq } from "drizzle-orm";
import { first } from "../../db/dialect";
import { deliveries, notices, type Role, type Version, versions } from "../../db/tables";
import { isoDateOf } from "../core/dates";
import type { Redline } from "../core/diff";
import { Refusal } from "../core/refusal";
import { type PublicationRequest, planPublication } from "../core/versions/publication";
import { checkNoticePeriod, checkRevision } from "../core/versions/review";
import { isPublishedState, REPLACED } from "../core/versions/workflow";
import { logger } from "../logger.server";
import { recordAudit } from "./audit.server";
import { type Actor, reader, transaction } from "./db.server";
import { DEFAULT_LOCALE, findDocumentById, findDocumentBySlug } from "./documents.server";
import { enqueueNotice, type NoticeRequest } from "./notices.server";
import { enqueuePublicUpdate } from "./public-subscriptions.server";
import { computeStoredRedline, type DiffKey, findStoredRedline, storeRedline } from "./redlines.server";
import { findLatestPublishedVersion, findOpenVersion, findVersionByNumber } from "./versions.server";

type UserActor = { kind: "user"; id: number };

export type PublishInput = {
  slug: string;
  locale?: string;
  /** The version to publish; defaults to the document's open version. */
  number?: number;
  request: PublicationRequest;
  actor: Actor;
  noticePeriodDays: number;
  /** The operator command line may publish a draft directly; the workspace requires approval. */
  requireApproval: boolean;
  now?: Date;
  /** Why a material change takes effect sooner than the notice period (admins only); audited. */
  noticePeriodOverrideReason?: string | null;
  /**
   * Tell subscribers: creates the notice and its outbox (one delivery per subscriber and channel,
   * in email batches of at most 100) in the publish transaction. Material changes only.
   */
  notify?: NoticeRequest;
};

/**
 * Publishes a version: fixes its dates, marks the published version before it replaced and records
 * it in the audit log, all in one transaction. Refuses identical content as "no changes".
 */
export async function publishVersion(input: PublishInput): Promise<Version> {
  const locale = input.locale ?? DEFAULT_LOCALE;
  const now = input.now ?? new Date();
  if (input.notify && !input.request.material) {
    throw new Refusal(
      "invalid",
      "only a material change notifies subscribers: publish with --material and a summary, or without --notify",
    );
  }
  const redline = await redlineToStore(input.slug, locale, input.number);
  return transaction(async (tx) => {
    const document = await findDocumentBySlug(tx, input.slug, locale);
    if (!document) throw new Refusal("not-found", `no document "${input.slug}" (${locale})`);
    const candidate =
      input.number === undefined
        ? await findOpenVersion(tx, document.id)
        : await findVersionByNumber(tx, document.id, input.number);
    if (!candidate) {
      throw new Refusal(
        "not-found",
        input.number === undefined
          ? `${input.slug} has no draft to publish; import one first`
          : `${input.slug} has no version ${input.number}`,
      );
    }
    if (candidate.state === "published" || candidate.state === REPLACED) {
      throw new Refusal("conflict", `version ${candidate.number} of ${input.slug} is already published`);
    }
    if (input.requireApproval && candidate.state !== "approved") {
      throw new Refusal("conflict", `version ${candidate.number} must be approved before it is published`);
    }
    const latest = await findLatestPublishedVersion(tx, document.id);
    const publication = planPublication({
      request: input.request,
      contentHash: candidate.contentHash,
      latestPublished: latest
        ? { number: latest.number, contentHash: latest.contentHash, effectiveAt: latest.effectiveAt! }
        : null,
      today: isoDateOf(now),
      noticePeriodDays: input.noticePeriodDays,
    });
    // Replacing an upcoming version's announcement: its notice told subscribers what would change
    // on that day, so the new notice must reach every one of them too (ADR 0021).
    let coverNoticeIds: number[] = [];
    if (publication.replacesAnnouncement && latest) {
      // Public subscribers' update emails announce nothing to the product's subscribers.
      const older = await tx
        .select({ id: notices.id })
        .from(notices)
        .where(and(eq(notices.versionId, latest.id), eq(notices.audienceKind, "subscribers")));
      coverNoticeIds = older.map((n) => n.id);
      if (coverNoticeIds.length > 0 && !input.notify) {
        throw new Refusal(
          "conflict",
          `version ${latest.number} was announced to subscribers: tell them about its replacement (a material change with email or dashboard notice)`,
        );
      }
      await recordAudit(tx, {
        actor: input.actor,
        action: "version.announcement-replaced",
        documentId: document.id,
        versionId: latest.id,
        details: {
          number: latest.number,
          effectiveAt: publication.replacesAnnouncement.effectiveAt,
          replacedBy: candidate.number,
          reason: publication.replacesAnnouncement.reason,
          notices: coverNoticeIds,
        },
      });
    }
    // The version published until now is replaced, in the workflow's words; whether it is still
    // in effect is a matter of dates (core/versions/in-effect.ts).
    await tx
      .update(versions)
      .set({ state: REPLACED })
      .where(and(eq(versions.documentId, document.id), eq(versions.state, "published")));
    const publishedAt = now.toISOString();
    // The publication's own entry comes first: its hash is the chain head published with the
    // version, stored in the same UPDATE (the database refuses a publication without it).
    const entry = await recordAudit(tx, {
      actor: input.actor,
      action: "version.published",
      documentId: document.id,
      versionId: candidate.id,
      details: {
        slug: document.slug,
        locale: document.locale,
        number: candidate.number,
        contentHash: candidate.contentHash,
        lastUpdated: publication.lastUpdated,
        effectiveAt: publication.effectiveAt,
        publishedAt,
        material: publication.material,
        summary: publication.summary,
        ...(publication.noticePeriodShortened ? { noticePeriodShortened: true } : {}),
        ...(publication.replacesAnnouncement
          ? {
              replacesAnnouncement: {
                number: publication.replacesAnnouncement.number,
                reason: publication.replacesAnnouncement.reason,
              },
            }
          : {}),
        ...(input.noticePeriodOverrideReason
          ? { noticePeriodOverrideReason: input.noticePeriodOverrideReason }
          : {}),
      },
    });
    const published = (await first(
      tx
        .update(versions)
        .set({
          state: "published",
          lastUpdated: publication.lastUpdated,
          effectiveAt: publication.effectiveAt,
          publishedAt,
          material: publication.material,
          summary: publication.summary,
          publishedById: input.actor.kind === "user" ? input.actor.id : null,
          auditHead: entry.hash,
          updatedAt: publishedAt,
        })
        .where(eq(versions.id, candidate.id))
        .returning(),
    ))!;
    // Stored with the publication, so that the redline readers follow exists once it is public.
    if (
      redline &&
      latest?.contentHash === redline.key.fromHash &&
      candidate.contentHash === redline.key.toHash
    ) {
      await storeRedline(tx, redline.key, redline.redline, now);
    }
    if (input.notify) {
      await enqueueNotice(tx, {
        ...input.notify,
        documentId: document.id,
        versionId: published.id,
        previousNumber: latest?.number ?? null,
        actor: input.actor,
        coverNoticeIds,
      });
    }
    // People without an account who follow this document (ADR 0029): their own notice and outbox.
    await enqueuePublicUpdate(tx, {
      documentId: document.id,
      versionId: published.id,
      previousNumber: latest?.number ?? null,
      material: publication.material,
      actor: input.actor,
    });
    return published;
  });
}

/**
 * The redline a publication will store: from the latest published version to the one being
 * published, computed in the diff pool before the publication's transaction (which must not wait on
 * a worker while it holds the write lock). Without it — nothing to compare, the pool's queue full, a
 * comparison past its deadline — the publication goes ahead and the first reader computes it (ADR 0018).
 */
async function redlineToStore(
  slug: string,
  locale: string,
  number: number | undefined,
): Promise<{ key: DiffKey; redline: Redline } | null> {
  const database = reader();
  const document = await findDocumentBySlug(database, slug, locale);
  if (!document) return null;
  const candidate =
    number === undefined
      ? await findOpenVersion(database, document.id)
      : await findVersionByNumber(database, document.id, number);
  const latest = await findLatestPublishedVersion(database, document.id);
  if (
    !candidate ||
    !latest ||
    isPublishedState(candidate.state) ||
    latest.contentHash === candidate.contentHash
  ) {
    return null;
  }
  try {
    const key = { fromHash: latest.contentHash, toHash: candidate.contentHash };
    const stored = await findStoredRedline(key);
    if (stored) return null;
    return { key, redline: await computeStoredRedline(latest.content, candidate.content, "workspace") };
  } catch (error) {
    logger.warn({ err: error, slug, locale }, "the redline of a publication is left for its first reader");
    return null;
  }
}

export type PublishForm = {
  lastUpdated: string;
  effectiveAt: string;
  material: boolean;
  summary: string | null;
  overrideReason: string | null;
  /** Why this version replaces the announcement of an upcoming version for the same day. */
  replaceAnnouncementReason?: string | null;
};

/**
 * Publishes the document's approved version with the dates and facts from the publish form. A
 * material change takes effect at least the notice period after today unless an admin overrides
 * with a reason; the reason is recorded in the publication's own audit entry, in the same
 * transaction, so a shortened notice period never exists without its reason. A material change
 * may also notify subscribers (the notice and its outbox are written in that transaction too).
 */
export async function publishApproved(input: {
  documentId: number;
  expectedRevision: number;
  form: PublishForm;
  actor: UserActor;
  role: Role;
  noticePeriodDays: number;
  notify?: NoticeRequest;
  now?: Date;
}): Promise<Version> {
  const now = input.now ?? new Date();
  const document = await findDocumentById(reader(), input.documentId);
  if (!document) throw new Refusal("not-found", "no such document");
  const open = await findOpenVersion(reader(), document.id);
  if (open?.state !== "approved") {
    throw new Refusal("conflict", "only an approved version can be published; it must be reviewed first");
  }
  checkRevision({ expected: input.expectedRevision, current: open.revision });
  const decision = checkNoticePeriod({
    material: input.form.material,
    effectiveAt: input.form.effectiveAt,
    today: isoDateOf(now),
    noticePeriodDays: input.noticePeriodDays,
    role: input.role,
    overrideReason: input.form.overrideReason,
  });
  return publishVersion({
    slug: document.slug,
    locale: document.locale,
    number: open.number,
    request: {
      lastUpdated: input.form.lastUpdated,
      effectiveAt: input.form.effectiveAt,
      material: input.form.material,
      summary: input.form.summary,
      replaceAnnouncementReason: input.form.replaceAnnouncementReason ?? null,
    },
    actor: input.actor,
    noticePeriodDays: input.noticePeriodDays,
    requireApproval: true,
    now,
    noticePeriodOverrideReason: decision.overridden ? decision.reason : null,
    notify: input.notify,
  });
}

export type Announcement = {
  number: number;
  effectiveAt: string;
  /** How many people the version's notices were addressed to (any channel). */
  subscribersTold: number;
};

/**
 * The document's latest published version when it has not taken effect yet: what the publish form
 * warns about, because a publication for the same day replaces its announcement.
 */
export async function findAnnouncement(documentId: number, today: string): Promise<Announcement | null> {
  const latest = await findLatestPublishedVersion(reader(), documentId);
  if (!latest?.effectiveAt || latest.effectiveAt <= today) return null;
  const told = await first(
    reader()
      .select({ n: countDistinct(deliveries.subscriberId) })
      .from(deliveries)
      .innerJoin(notices, eq(notices.id, deliveries.noticeId))
      .where(eq(notices.versionId, latest.id)),
  );
  return { number: latest.number, effectiveAt: latest.effectiveAt, subscribersTold: Number(told?.n ?? 0) };
}

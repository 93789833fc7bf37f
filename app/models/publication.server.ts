/**
 * Publication: the one transaction that fixes a version's dates, marks the version it replaces,
 * writes the publication's audit entry (whose hash is the published chain head) and, for a material
 * change, the notice and its outbox. The workspace's path (an approved version, the notice-period
 * rule) and the operator's command line both come here.
 */
import { and, eq } from "drizzle-orm";
import { first } from "../../db/dialect";
import { type Role, type Version, versions } from "../../db/tables";
import { isoDateOf } from "../core/dates";
import { Refusal } from "../core/refusal";
import { type PublicationRequest, planPublication } from "../core/versions/publication";
import { checkNoticePeriod, checkRevision } from "../core/versions/review";
import { REPLACED } from "../core/versions/workflow";
import { recordAudit } from "./audit.server";
import { type Actor, reader, transaction } from "./db.server";
import { DEFAULT_LOCALE, findDocumentById, findDocumentBySlug } from "./documents.server";
import { enqueueNotice, type NoticeRequest } from "./notices.server";
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
    if (input.notify) {
      await enqueueNotice(tx, {
        ...input.notify,
        documentId: document.id,
        versionId: published.id,
        previousNumber: latest?.number ?? null,
        actor: input.actor,
      });
    }
    return published;
  });
}

export type PublishForm = {
  lastUpdated: string;
  effectiveAt: string;
  material: boolean;
  summary: string | null;
  overrideReason: string | null;
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
    },
    actor: input.actor,
    noticePeriodDays: input.noticePeriodDays,
    requireApproval: true,
    now,
    noticePeriodOverrideReason: decision.overridden ? decision.reason : null,
    notify: input.notify,
  });
}

import { and, desc, eq, inArray } from "drizzle-orm";
import { type Document, documents, type Version, versions } from "../../db/schema";
import { isoDateOf } from "../core/dates";
import { type PolicyContent, renderPolicy } from "../core/document";
import {
  PublicationError,
  type PublicationRequest,
  type PublicStatus,
  planPublication,
  publicStatuses,
} from "../core/versions/publication";
import { OPEN_STATES, PUBLIC_STATES } from "../core/versions/workflow";
import { recordAudit } from "./audit.server";
import { type Actor, db } from "./db.server";
import { DEFAULT_LOCALE, ensureDocument } from "./documents.server";
import { enqueueNotice, type NoticeRequest } from "./notices.server";

/** Raised when a version cannot be found or changed as asked; the message says why. */
export class VersionError extends Error {
  override name = "VersionError";
}

/** A save named a draft revision that is no longer current; `current` is the draft as it is now. */
export class RevisionConflictError extends VersionError {
  override name = "RevisionConflictError";
  constructor(
    message: string,
    readonly current: Version | null,
  ) {
    super(message);
  }
}

export type DraftSaved = {
  document: Document;
  version: Version;
  /** "created" for a new version number, "replaced" when the open draft's content was replaced. */
  outcome: "created" | "replaced";
};

/**
 * Stores content as the document's open draft: a new version number, or — when a draft is
 * already open — a new revision of it. A version in review or approved is not overwritten.
 * Creates the document on first import.
 */
export async function saveDraft(input: {
  slug: string;
  locale?: string;
  title: string;
  content: PolicyContent;
  actor: Actor;
  /**
   * The draft revision the caller edited. When given, the save is refused with a
   * RevisionConflictError if the open draft is at another revision (someone else saved in between)
   * or no draft is open any more; nothing is overwritten.
   */
  expectedRevision?: number;
  /** For a new version: the version it was restored from or translates. */
  basedOnVersionId?: number | null;
}): Promise<DraftSaved> {
  const locale = input.locale ?? DEFAULT_LOCALE;
  const rendered = renderPolicy(input.content);
  const authorId = input.actor.kind === "user" ? input.actor.id : null;
  return db().transaction(
    (tx) => {
      const { document, created } = ensureDocument(tx, { slug: input.slug, locale, title: input.title });
      if (created) {
        recordAudit(tx, {
          actor: input.actor,
          action: "document.created",
          documentId: document.id,
          details: { slug: document.slug, locale, title: document.title },
        });
      }
      const open = tx
        .select()
        .from(versions)
        .where(and(eq(versions.documentId, document.id), inArray(versions.state, [...OPEN_STATES])))
        .get();
      const derived = {
        content: input.content,
        html: rendered.html,
        text: rendered.text,
        outline: rendered.outline,
        contentHash: rendered.contentHash,
      };
      if (input.expectedRevision !== undefined && (!open || open.revision !== input.expectedRevision)) {
        throw new RevisionConflictError(
          open
            ? `version ${open.number} of ${document.slug} was changed by someone else since you opened it (you edited revision ${input.expectedRevision}; it is now at revision ${open.revision}${open.state === "draft" ? "" : open.state === "in_review" ? " and in review" : " and approved"})`
            : `${document.slug} has no open draft any more (it was published or discarded since you opened it)`,
          open ?? null,
        );
      }
      if (open && open.state !== "draft") {
        throw new VersionError(
          `version ${open.number} of ${document.slug} is ${open.state === "in_review" ? "in review" : "approved"}; it must be sent back to draft before its content changes`,
        );
      }
      if (open) {
        const version = tx
          .update(versions)
          .set({ ...derived, revision: open.revision + 1, updatedAt: new Date().toISOString() })
          .where(eq(versions.id, open.id))
          .returning()
          .get();
        recordAudit(tx, {
          actor: input.actor,
          action: "version.draft-saved",
          documentId: document.id,
          versionId: version.id,
          details: { number: version.number, revision: version.revision, contentHash: version.contentHash },
        });
        return { document, version, outcome: "replaced" as const };
      }
      const last = tx
        .select({ number: versions.number })
        .from(versions)
        .where(eq(versions.documentId, document.id))
        .orderBy(desc(versions.number))
        .limit(1)
        .get();
      const version = tx
        .insert(versions)
        .values({
          ...derived,
          documentId: document.id,
          number: (last?.number ?? 0) + 1,
          authorId,
          basedOnVersionId: input.basedOnVersionId ?? null,
        })
        .returning()
        .get();
      recordAudit(tx, {
        actor: input.actor,
        action: "version.drafted",
        documentId: document.id,
        versionId: version.id,
        details: {
          number: version.number,
          contentHash: version.contentHash,
          ...(version.basedOnVersionId ? { basedOnVersionId: version.basedOnVersionId } : {}),
        },
      });
      return { document, version, outcome: "created" as const };
    },
    { behavior: "immediate" },
  );
}

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
 * Publishes a version: fixes its dates, marks earlier published versions superseded and records
 * it in the audit log, all in one transaction. Refuses identical content as "no changes".
 */
export async function publishVersion(input: PublishInput): Promise<Version> {
  const locale = input.locale ?? DEFAULT_LOCALE;
  const now = input.now ?? new Date();
  if (input.notify && !input.request.material) {
    throw new VersionError(
      "only a material change notifies subscribers: publish with --material and a summary, or without --notify",
    );
  }
  return db().transaction(
    (tx) => {
      const document = tx
        .select()
        .from(documents)
        .where(and(eq(documents.slug, input.slug), eq(documents.locale, locale)))
        .get();
      if (!document) throw new VersionError(`no document "${input.slug}" (${locale})`);
      const candidate = tx
        .select()
        .from(versions)
        .where(
          and(
            eq(versions.documentId, document.id),
            input.number === undefined
              ? inArray(versions.state, [...OPEN_STATES])
              : eq(versions.number, input.number),
          ),
        )
        .get();
      if (!candidate) {
        throw new VersionError(
          input.number === undefined
            ? `${input.slug} has no draft to publish; import one first`
            : `${input.slug} has no version ${input.number}`,
        );
      }
      if (candidate.state === "published" || candidate.state === "superseded") {
        throw new VersionError(`version ${candidate.number} of ${input.slug} is already published`);
      }
      if (input.requireApproval && candidate.state !== "approved") {
        throw new VersionError(`version ${candidate.number} must be approved before it is published`);
      }
      const latest = tx
        .select()
        .from(versions)
        .where(and(eq(versions.documentId, document.id), inArray(versions.state, [...PUBLIC_STATES])))
        .orderBy(desc(versions.number))
        .limit(1)
        .get();
      const publication = planPublication({
        request: input.request,
        contentHash: candidate.contentHash,
        latestPublished: latest
          ? { number: latest.number, contentHash: latest.contentHash, effectiveAt: latest.effectiveAt! }
          : null,
        today: isoDateOf(now),
        noticePeriodDays: input.noticePeriodDays,
      });
      tx.update(versions)
        .set({ state: "superseded" })
        .where(and(eq(versions.documentId, document.id), eq(versions.state, "published")))
        .run();
      const publishedAt = now.toISOString();
      // The publication's own entry comes first: its hash is the chain head published with the
      // version, stored in the same UPDATE (the database refuses a publication without it).
      const entry = recordAudit(tx, {
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
      const published = tx
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
        .returning()
        .get();
      if (input.notify) {
        enqueueNotice(tx, {
          ...input.notify,
          documentId: document.id,
          versionId: published.id,
          previousNumber: latest?.number ?? null,
          actor: input.actor,
        });
      }
      return published;
    },
    { behavior: "immediate" },
  );
}

export { PublicationError };

/** A published version without its body (content, HTML, text): what lists and statuses need. */
export type PublishedVersionSummary = {
  id: number;
  number: number;
  status: PublicStatus;
  lastUpdated: string;
  effectiveAt: string;
  publishedAt: string;
  material: boolean;
  summary: string | null;
  contentHash: string;
  basedOnVersionId: number | null;
  /** The audit chain's head at publication (ADR 0011); null for versions published before heads were kept. */
  auditHead: string | null;
};

/**
 * The published versions of several documents in one query, newest first per document, each
 * marked current, upcoming or superseded as of `now`. Bodies are left out: an archive of long
 * policies would otherwise be read whole for a list.
 */
export async function publishedVersionsByDocument(
  documentIds: readonly number[],
  now = new Date(),
): Promise<Map<number, PublishedVersionSummary[]>> {
  const byDocument = new Map<number, PublishedVersionSummary[]>(documentIds.map((id) => [id, []]));
  if (documentIds.length === 0) return byDocument;
  const rows = db()
    .select({
      documentId: versions.documentId,
      id: versions.id,
      number: versions.number,
      lastUpdated: versions.lastUpdated,
      effectiveAt: versions.effectiveAt,
      publishedAt: versions.publishedAt,
      material: versions.material,
      summary: versions.summary,
      contentHash: versions.contentHash,
      basedOnVersionId: versions.basedOnVersionId,
      auditHead: versions.auditHead,
    })
    .from(versions)
    .where(and(inArray(versions.documentId, [...documentIds]), inArray(versions.state, [...PUBLIC_STATES])))
    .orderBy(desc(versions.number))
    .all();
  const today = isoDateOf(now);
  for (const [documentId, list] of byDocument) {
    const own = rows.filter((row) => row.documentId === documentId);
    const statuses = publicStatuses(
      own.map((v) => ({ number: v.number, effectiveAt: v.effectiveAt! })),
      today,
    );
    for (const { documentId: _, ...v } of own) {
      // A published row always has its dates (CHECK constraint).
      list.push({
        ...v,
        lastUpdated: v.lastUpdated!,
        effectiveAt: v.effectiveAt!,
        publishedAt: v.publishedAt!,
        status: statuses.get(v.number)!,
      });
    }
  }
  return byDocument;
}

/** Every published version of a document, newest first, each marked current, upcoming or superseded. */
export async function listPublishedVersions(
  documentId: number,
  now = new Date(),
): Promise<PublishedVersionSummary[]> {
  return (await publishedVersionsByDocument([documentId], now)).get(documentId)!;
}

export type PublishedVersion = Version & { status: PublicStatus };

export type PolicyInEffect = {
  document: Document;
  current: PublishedVersion;
  /** A published version whose effective date has not come yet, if any (the latest). */
  upcoming: PublishedVersion | null;
};

/**
 * The version of a policy in effect today and the next one announced, with their bodies, or null
 * when the document does not exist or has nothing in effect yet.
 */
export async function getPolicyInEffect({
  slug,
  locale = DEFAULT_LOCALE,
  now = new Date(),
}: {
  slug: string;
  locale?: string;
  now?: Date;
}): Promise<PolicyInEffect | null> {
  const document = db()
    .select()
    .from(documents)
    .where(and(eq(documents.slug, slug), eq(documents.locale, locale)))
    .get();
  if (!document) return null;
  const published = await listPublishedVersions(document.id, now);
  const current = published.find((v) => v.status === "current");
  if (!current) return null;
  const upcoming = published.find((v) => v.status === "upcoming");
  const wanted = upcoming ? [current, upcoming] : [current];
  const bodies = db()
    .select()
    .from(versions)
    .where(
      inArray(
        versions.id,
        wanted.map((v) => v.id),
      ),
    )
    .all();
  const withBody = (summary: PublishedVersionSummary): PublishedVersion => ({
    ...bodies.find((row) => row.id === summary.id)!,
    status: summary.status,
  });
  return { document, current: withBody(current), upcoming: upcoming ? withBody(upcoming) : null };
}

export async function getVersion({
  documentId,
  number,
}: {
  documentId: number;
  number: number;
}): Promise<Version | undefined> {
  return db()
    .select()
    .from(versions)
    .where(and(eq(versions.documentId, documentId), eq(versions.number, number)))
    .get();
}

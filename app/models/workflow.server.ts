/**
 * The legal team's workflow: documents, drafts, review, publication, history. Every state change
 * happens in one transaction with its audit entry. Routes call these functions; so may scripts.
 */
import { and, asc, desc, eq, inArray, isNotNull, or } from "drizzle-orm";
import {
  auditLog,
  type Document,
  documents,
  type ReviewComment,
  type Role,
  reviewComments,
  users,
  type Version,
  versions,
} from "../../db/schema";
import { isoDateOf } from "../core/dates";
import { diffPolicies, type PolicyDiff, renderDiffHtml } from "../core/diff";
import {
  MAX_SOURCE_BYTES,
  type PolicyContent,
  PolicyImportError,
  validatePolicyContent,
} from "../core/document";
import {
  checkFourEyes,
  checkNoticePeriod,
  checkRevision,
  checkSendBackComment,
  nextState,
  type ReviewStep,
  WorkflowError,
} from "../core/versions/review";
import { OPEN_STATES, PUBLIC_STATES } from "../core/versions/workflow";
import { timeDiff } from "../metrics.server";
import { recordAudit } from "./audit.server";
import { db } from "./db.server";
import { checkNewDocument, DocumentError } from "./documents.server";
import type { NoticeRequest } from "./notices.server";
import { getPolicyInEffect, publishVersion, saveDraft } from "./versions.server";

export { WorkflowError };

const EMPTY_DOCUMENT: PolicyContent = { type: "doc", content: [{ type: "paragraph" }] };

type UserActor = { kind: "user"; id: number };

// ---------------------------------------------------------------------------------------------
// Reading

export type DocumentSummary = Document & {
  openVersion: Pick<Version, "id" | "number" | "state" | "revision" | "updatedAt"> | null;
  latestPublished: Pick<Version, "number" | "lastUpdated" | "effectiveAt"> | null;
};

/** Every document with its open version and latest published version. */
export async function listDocuments(): Promise<DocumentSummary[]> {
  const docs = db().select().from(documents).orderBy(asc(documents.slug), asc(documents.locale)).all();
  const rows = db()
    .select({
      id: versions.id,
      documentId: versions.documentId,
      number: versions.number,
      state: versions.state,
      revision: versions.revision,
      updatedAt: versions.updatedAt,
      lastUpdated: versions.lastUpdated,
      effectiveAt: versions.effectiveAt,
    })
    .from(versions)
    .orderBy(desc(versions.number))
    .all();
  return docs.map((document) => {
    const own = rows.filter((r) => r.documentId === document.id);
    const open = own.find((r) => (OPEN_STATES as readonly string[]).includes(r.state));
    const published = own.find((r) => (PUBLIC_STATES as readonly string[]).includes(r.state));
    return {
      ...document,
      openVersion: open
        ? {
            id: open.id,
            number: open.number,
            state: open.state,
            revision: open.revision,
            updatedAt: open.updatedAt,
          }
        : null,
      latestPublished: published
        ? { number: published.number, lastUpdated: published.lastUpdated, effectiveAt: published.effectiveAt }
        : null,
    };
  });
}

export async function getDocument(documentId: number): Promise<Document | undefined> {
  return db().select().from(documents).where(eq(documents.id, documentId)).get();
}

/** The document's version that is still being worked on (draft, in review or approved), if any. */
export async function getOpenVersion(documentId: number): Promise<Version | undefined> {
  return db()
    .select()
    .from(versions)
    .where(and(eq(versions.documentId, documentId), inArray(versions.state, [...OPEN_STATES])))
    .get();
}

export async function getVersionByNumber(documentId: number, number: number): Promise<Version | undefined> {
  return db()
    .select()
    .from(versions)
    .where(and(eq(versions.documentId, documentId), eq(versions.number, number)))
    .get();
}

/**
 * Who wrote a version: its creator and everyone who saved a revision of it, read from the audit log
 * (the record every save writes in its own transaction).
 */
export async function versionAuthorIds(versionId: number): Promise<Set<number>> {
  return authorIdsIn(db(), versionId);
}

function authorIdsIn(database: Pick<ReturnType<typeof db>, "select">, versionId: number): Set<number> {
  const ids = new Set<number>();
  const version = database
    .select({ authorId: versions.authorId })
    .from(versions)
    .where(eq(versions.id, versionId))
    .get();
  if (version?.authorId) ids.add(version.authorId);
  const saves = database
    .select({ actor: auditLog.actor })
    .from(auditLog)
    .where(
      and(
        eq(auditLog.versionId, versionId),
        inArray(auditLog.action, ["version.drafted", "version.draft-saved"]),
      ),
    )
    .all();
  for (const { actor } of saves) {
    const match = /^user:(\d+)$/.exec(actor);
    if (match) ids.add(Number(match[1]));
  }
  return ids;
}

export type VersionRow = Omit<Version, "content" | "html" | "text" | "outline"> & {
  authorEmails: string[];
  approverEmail: string | null;
  publisherEmail: string | null;
};

/** Every version of a document, newest first, with the people involved. */
export async function listVersionHistory(documentId: number): Promise<VersionRow[]> {
  const rows = db()
    .select({
      id: versions.id,
      documentId: versions.documentId,
      number: versions.number,
      state: versions.state,
      contentHash: versions.contentHash,
      lastUpdated: versions.lastUpdated,
      effectiveAt: versions.effectiveAt,
      publishedAt: versions.publishedAt,
      material: versions.material,
      summary: versions.summary,
      authorId: versions.authorId,
      approvedById: versions.approvedById,
      publishedById: versions.publishedById,
      basedOnVersionId: versions.basedOnVersionId,
      revision: versions.revision,
      auditHead: versions.auditHead,
      createdAt: versions.createdAt,
      updatedAt: versions.updatedAt,
    })
    .from(versions)
    .where(eq(versions.documentId, documentId))
    .orderBy(desc(versions.number))
    .all();
  const emails = new Map(
    db()
      .select({ id: users.id, email: users.email })
      .from(users)
      .all()
      .map((u) => [u.id, u.email]),
  );
  const email = (id: number | null) => (id ? (emails.get(id) ?? `user ${id}`) : null);
  return Promise.all(
    rows.map(async (row) => ({
      ...row,
      authorEmails: [...(await versionAuthorIds(row.id))].map((id) => email(id)!),
      approverEmail: email(row.approvedById),
      publisherEmail: email(row.publishedById),
    })),
  );
}

export type CommentRow = ReviewComment & { authorEmail: string };

export async function listReviewComments(versionId: number): Promise<CommentRow[]> {
  return db()
    .select({
      id: reviewComments.id,
      versionId: reviewComments.versionId,
      authorId: reviewComments.authorId,
      kind: reviewComments.kind,
      revision: reviewComments.revision,
      body: reviewComments.body,
      createdAt: reviewComments.createdAt,
      authorEmail: users.email,
    })
    .from(reviewComments)
    .innerJoin(users, eq(users.id, reviewComments.authorId))
    .where(eq(reviewComments.versionId, versionId))
    .orderBy(desc(reviewComments.id))
    .all();
}

/** The version a draft was restored from or translates: its number and document. */
export async function versionOrigin(
  versionId: number | null,
): Promise<{ number: number; documentId: number; title: string; locale: string } | null> {
  if (!versionId) return null;
  return (
    db()
      .select({
        number: versions.number,
        documentId: documents.id,
        title: documents.title,
        locale: documents.locale,
      })
      .from(versions)
      .innerJoin(documents, eq(documents.id, versions.documentId))
      .where(eq(versions.id, versionId))
      .get() ?? null
  );
}

/** Translations of a document and the document it translates, if any. */
export async function listRelatedDocuments(document: Document): Promise<Document[]> {
  const rootId = document.translationOfId ?? document.id;
  return db()
    .select()
    .from(documents)
    .where(and(or(eq(documents.id, rootId), eq(documents.translationOfId, rootId))))
    .orderBy(asc(documents.locale))
    .all()
    .filter((d) => d.id !== document.id);
}

/** Who saved the draft's current revision and when (from the audit log). */
export async function lastDraftSave(versionId: number): Promise<{ email: string | null; at: string } | null> {
  const entry = db()
    .select({ actor: auditLog.actor, at: auditLog.at })
    .from(auditLog)
    .where(
      and(
        eq(auditLog.versionId, versionId),
        inArray(auditLog.action, ["version.drafted", "version.draft-saved"]),
      ),
    )
    .orderBy(desc(auditLog.id))
    .limit(1)
    .get();
  if (!entry) return null;
  const match = /^user:(\d+)$/.exec(entry.actor);
  const user = match
    ? db()
        .select({ email: users.email })
        .from(users)
        .where(eq(users.id, Number(match[1])))
        .get()
    : undefined;
  return { email: user?.email ?? entry.actor, at: entry.at };
}

// ---------------------------------------------------------------------------------------------
// Documents and drafts

/** A document rule's refusal, as the workspace reports it. */
function checked<T>(check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof DocumentError) throw new WorkflowError(error.message);
    throw error;
  }
}

/** Creates a document and its first (empty) draft. */
export async function createDocument(input: {
  slug: string;
  title: string;
  locale: string;
  actor: UserActor;
}): Promise<Document> {
  const slug = input.slug.trim();
  const locale = input.locale.trim();
  const title = checked(() => checkNewDocument({ slug, locale, title: input.title }));
  if (
    db()
      .select({ id: documents.id })
      .from(documents)
      .where(and(eq(documents.slug, slug), eq(documents.locale, locale)))
      .get()
  ) {
    throw new WorkflowError(`a document "${slug}" in ${locale} already exists`);
  }
  const saved = await saveDraft({ slug, locale, title, content: EMPTY_DOCUMENT, actor: input.actor });
  return saved.document;
}

/**
 * Creates a translation: a document with the same slug in another locale, linked to its source,
 * whose first draft starts from the source's latest published version (recorded as basedOnVersionId)
 * so translators know exactly which text they translate.
 */
export async function createTranslation(input: {
  sourceDocumentId: number;
  locale: string;
  title: string;
  actor: UserActor;
}): Promise<Document> {
  const source = await getDocument(input.sourceDocumentId);
  if (!source) throw new WorkflowError("no such document");
  const root = source.translationOfId ? await getDocument(source.translationOfId) : source;
  if (!root) throw new WorkflowError("no such document");
  const locale = input.locale.trim();
  const title = checked(() => checkNewDocument({ slug: root.slug, locale, title: input.title }));
  const basis = db()
    .select()
    .from(versions)
    .where(and(eq(versions.documentId, root.id), inArray(versions.state, [...PUBLIC_STATES])))
    .orderBy(desc(versions.number))
    .limit(1)
    .get();
  if (!basis)
    throw new WorkflowError("publish the original first: a translation starts from a published version");
  const document = db().transaction(
    (tx) => {
      const exists = tx
        .select({ id: documents.id })
        .from(documents)
        .where(and(eq(documents.slug, root.slug), eq(documents.locale, locale)))
        .get();
      if (exists) throw new WorkflowError(`"${root.slug}" already exists in ${locale}`);
      const created = tx
        .insert(documents)
        .values({ slug: root.slug, locale, title, translationOfId: root.id })
        .returning()
        .get();
      recordAudit(tx, {
        actor: input.actor,
        action: "document.created",
        documentId: created.id,
        details: { slug: created.slug, locale, title, translationOf: root.id, sourceVersion: basis.number },
      });
      return created;
    },
    { behavior: "immediate" },
  );
  await saveDraft({
    slug: document.slug,
    locale: document.locale,
    title: document.title,
    content: basis.content,
    actor: input.actor,
    basedOnVersionId: basis.id,
  });
  return document;
}

/**
 * Opens a new draft from a published version: the latest one, or `fromNumber` to restore an old
 * version. Refused while another version is open, so nobody's unpublished work is replaced.
 */
export async function startDraft(input: {
  documentId: number;
  fromNumber?: number;
  actor: UserActor;
}): Promise<Version> {
  const document = await getDocument(input.documentId);
  if (!document) throw new WorkflowError("no such document");
  const open = await getOpenVersion(document.id);
  if (open) {
    throw new WorkflowError(
      `version ${open.number} is still open (${open.state.replace("_", " ")}); publish it or send it back and edit it instead`,
    );
  }
  const source = db()
    .select()
    .from(versions)
    .where(
      and(
        eq(versions.documentId, document.id),
        inArray(versions.state, [...PUBLIC_STATES]),
        input.fromNumber === undefined ? undefined : eq(versions.number, input.fromNumber),
      ),
    )
    .orderBy(desc(versions.number))
    .limit(1)
    .get();
  if (input.fromNumber !== undefined && !source) {
    throw new WorkflowError(`there is no published version ${input.fromNumber} to restore`);
  }
  const saved = await saveDraft({
    slug: document.slug,
    locale: document.locale,
    title: document.title,
    content: source?.content ?? EMPTY_DOCUMENT,
    actor: input.actor,
    basedOnVersionId: source?.id ?? null,
  });
  if (input.fromNumber !== undefined) {
    db().transaction((tx) =>
      recordAudit(tx, {
        actor: input.actor,
        action: "version.restored",
        documentId: document.id,
        versionId: saved.version.id,
        details: { number: saved.version.number, restoredFrom: input.fromNumber },
      }),
    );
  }
  return saved.version;
}

/** Refusals of a draft save that leave the stored draft as it was. */
export class DraftRejectedError extends Error {
  override name = "DraftRejectedError";
  constructor(
    message: string,
    readonly status: 400 | 409 | 413,
  ) {
    super(message);
  }
}

/**
 * Checks editor content sent by a browser: at most 2 MB, Tiptap JSON that fits the schema, links
 * restricted to http, https, mailto and relative targets. Returns it in canonical form.
 */
export function checkEditorContent(serialized: string): PolicyContent {
  if (Buffer.byteLength(serialized, "utf8") > MAX_SOURCE_BYTES) {
    throw new DraftRejectedError("The document is larger than 2 MB, so it was not saved.", 413);
  }
  let json: unknown;
  try {
    json = JSON.parse(serialized);
  } catch {
    throw new DraftRejectedError("The editor sent content that is not valid JSON, so it was not saved.", 400);
  }
  if (!json || typeof json !== "object" || Array.isArray(json)) {
    throw new DraftRejectedError("The content is not a document, so it was not saved.", 400);
  }
  try {
    return validatePolicyContent(json);
  } catch (error) {
    if (error instanceof PolicyImportError) {
      throw new DraftRejectedError(`Not saved: ${error.message}.`, 400);
    }
    throw error;
  }
}

/** Saves editor content as a new revision of the open draft, refusing a stale revision. */
export async function saveWorkspaceDraft(input: {
  documentId: number;
  content: string;
  expectedRevision: number;
  actor: UserActor;
}): Promise<Version> {
  const document = await getDocument(input.documentId);
  if (!document) throw new WorkflowError("no such document");
  const content = checkEditorContent(input.content);
  const saved = await saveDraft({
    slug: document.slug,
    locale: document.locale,
    title: document.title,
    content,
    actor: input.actor,
    expectedRevision: input.expectedRevision,
  });
  return saved.version;
}

// ---------------------------------------------------------------------------------------------
// Review

const STEP_ACTIONS: Record<ReviewStep, string> = {
  submit: "version.submitted",
  approve: "version.approved",
  "send-back": "version.sent-back",
};

/**
 * Moves the document's open version one step: submit (draft → in review), approve (in review →
 * approved; never by one of its authors) or send back (in review/approved → draft, with a comment).
 * `expectedRevision` makes sure the step applies to the text the person saw.
 */
export async function reviewStep(input: {
  documentId: number;
  step: ReviewStep;
  expectedRevision: number;
  comment?: string | null;
  actor: UserActor;
}): Promise<Version> {
  const comment =
    input.step === "send-back" ? checkSendBackComment(input.comment) : input.comment?.trim() || null;
  return db().transaction(
    (tx) => {
      const open = tx
        .select()
        .from(versions)
        .where(and(eq(versions.documentId, input.documentId), inArray(versions.state, [...OPEN_STATES])))
        .get();
      if (!open) throw new WorkflowError("there is no open version to review; start a draft first");
      const target = nextState(input.step, open.state);
      checkRevision({ expected: input.expectedRevision, current: open.revision });
      if (input.step === "approve") {
        checkFourEyes({ approverId: input.actor.id, authorIds: authorIdsIn(tx, open.id) });
      }
      if (input.step === "submit") {
        const latest = tx
          .select({ number: versions.number, contentHash: versions.contentHash })
          .from(versions)
          .where(and(eq(versions.documentId, input.documentId), inArray(versions.state, [...PUBLIC_STATES])))
          .orderBy(desc(versions.number))
          .limit(1)
          .get();
        if (latest && latest.contentHash === open.contentHash) {
          throw new WorkflowError(
            `no changes: this draft is identical to published version ${latest.number}`,
          );
        }
      }
      const updated = tx
        .update(versions)
        .set({
          state: target,
          approvedById: input.step === "approve" ? input.actor.id : null,
          updatedAt: new Date().toISOString(),
        })
        .where(eq(versions.id, open.id))
        .returning()
        .get();
      if (comment) {
        tx.insert(reviewComments)
          .values({
            versionId: open.id,
            authorId: input.actor.id,
            kind: input.step === "send-back" ? "sent-back" : "approved",
            revision: open.revision,
            body: comment,
          })
          .run();
      }
      recordAudit(tx, {
        actor: input.actor,
        action: STEP_ACTIONS[input.step],
        documentId: input.documentId,
        versionId: open.id,
        details: {
          number: open.number,
          revision: open.revision,
          from: open.state,
          to: target,
          ...(comment ? { comment } : {}),
        },
      });
      return updated;
    },
    { behavior: "immediate" },
  );
}

// ---------------------------------------------------------------------------------------------
// Comparing and publishing

export type Comparison = {
  diff: PolicyDiff;
  /** The whole text with the changes marked. */
  html: string;
  /** Only the changed blocks, each run under its section's path. */
  changesHtml: string;
};

export function compareContent(older: PolicyContent, newer: PolicyContent): Comparison {
  const diff = timeDiff("workspace", () => diffPolicies(older, newer));
  return { diff, html: renderDiffHtml(diff), changesHtml: renderDiffHtml(changesOnly(diff)) };
}

/** The diff's changed blocks, with a heading naming the section before each run of changes. */
function changesOnly(diff: PolicyDiff): PolicyDiff {
  const blocks: PolicyDiff["blocks"] = [];
  let lastSection: string | null = null;
  for (const block of diff.blocks) {
    if (block.change === "unchanged") continue;
    if (block.section && block.section !== lastSection) {
      blocks.push({
        change: "unchanged",
        formattingOnly: false,
        section: block.section,
        parts: [{ op: "equal", text: block.section }],
        kind: "heading",
        level: 3,
      });
    }
    lastSection = block.section;
    blocks.push(block);
  }
  return { ...diff, blocks };
}

/** The redline from the version in effect to `version` (or from nothing, for a first version). */
export async function compareWithInEffect(
  document: Document,
  version: Version,
): Promise<{ inEffect: Pick<Version, "number" | "lastUpdated" | "effectiveAt"> | null } & Comparison> {
  const policy = await getPolicyInEffect({ slug: document.slug, locale: document.locale });
  const base = policy && policy.current.id !== version.id ? policy.current : null;
  return {
    inEffect: base
      ? { number: base.number, lastUpdated: base.lastUpdated, effectiveAt: base.effectiveAt }
      : null,
    ...compareContent(base?.content ?? EMPTY_DOCUMENT, version.content),
  };
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
  const document = await getDocument(input.documentId);
  if (!document) throw new WorkflowError("no such document");
  const open = await getOpenVersion(document.id);
  if (open?.state !== "approved") {
    throw new WorkflowError("only an approved version can be published; it must be reviewed first");
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

/** Versions that are waiting for someone: in review or approved, across all documents. */
export async function listPendingReviews() {
  return db()
    .select({
      documentId: documents.id,
      slug: documents.slug,
      locale: documents.locale,
      title: documents.title,
      number: versions.number,
      state: versions.state,
      updatedAt: versions.updatedAt,
    })
    .from(versions)
    .innerJoin(documents, eq(documents.id, versions.documentId))
    .where(and(inArray(versions.state, ["in_review", "approved"]), isNotNull(versions.id)))
    .orderBy(asc(versions.updatedAt))
    .all();
}

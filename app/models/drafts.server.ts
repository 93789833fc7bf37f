/**
 * Drafts: a new document with its first draft, a translation, a new draft from a published version,
 * and saving (the command line's import, the editor's autosave). Each is one transaction with its
 * audit entries; a refusal leaves everything as it was.
 */
import { and, desc, eq, inArray } from "drizzle-orm";
import type { Transaction } from "../../db/client";
import { first } from "../../db/dialect";
import {
  auditLog,
  type Document,
  documents,
  users,
  type Version,
  type VersionState,
  versions,
} from "../../db/tables";
import {
  MAX_SOURCE_BYTES,
  type PolicyContent,
  PolicyImportError,
  renderPolicy,
  validatePolicyContent,
} from "../core/document";
import { checkNewDocument } from "../core/documents";
import { Refusal } from "../core/refusal";
import { isPublishedState } from "../core/versions/workflow";
import { recordAudit } from "./audit.server";
import { type Actor, reader, transaction } from "./db.server";
import { DEFAULT_LOCALE, findDocumentById, findDocumentBySlug } from "./documents.server";
import { findLatestPublishedVersion, findOpenVersion, findVersionByNumber } from "./versions.server";

/** What a new document, or a new draft with nothing published before it, starts with. */
export const EMPTY_DOCUMENT: PolicyContent = { type: "doc", content: [{ type: "paragraph" }] };

type UserActor = { kind: "user"; id: number };

export type DraftSaved = {
  document: Document;
  version: Version;
  /** "created" for a new version number, "replaced" when the open draft's content was replaced. */
  outcome: "created" | "replaced";
};

type DraftInput = {
  slug: string;
  locale?: string;
  title: string;
  content: PolicyContent;
  actor: Actor;
  /**
   * The draft revision the caller edited. When given, the save is refused ("conflict") if the open
   * draft is at another revision (someone else saved in between) or no draft is open any more;
   * nothing is overwritten. The refusal's details name the draft as it is now (`StaleDraft`).
   */
  expectedRevision?: number;
  /** For a new version: the version it was restored from or translates. */
  basedOnVersionId?: number | null;
};

/** The open draft a stale save collided with, in a conflict refusal's details. */
export type StaleDraft = { versionId: number; revision: number; state: VersionState };

/** The draft a refused save collided with, when the refusal is a stale revision of an open version. */
export function staleDraftOf(refusal: Refusal): StaleDraft | null {
  return (refusal.details?.current as StaleDraft | undefined) ?? null;
}

/**
 * Stores content as the document's open draft: a new version number, or — when a draft is
 * already open — a new revision of it. A version in review or approved is not overwritten.
 * Creates the document on first import.
 */
export async function saveDraft(input: DraftInput): Promise<DraftSaved> {
  return transaction(async (tx) => await writeDraft(tx, input));
}

/** saveDraft inside a caller's transaction, so that a draft and what it belongs to are written together. */
async function writeDraft(tx: Transaction, input: DraftInput): Promise<DraftSaved> {
  const locale = input.locale ?? DEFAULT_LOCALE;
  const rendered = renderPolicy(input.content);
  const authorId = input.actor.kind === "user" ? input.actor.id : null;
  const { document, created } = await ensureDocument(tx, { slug: input.slug, locale, title: input.title });
  if (created) {
    await recordAudit(tx, {
      actor: input.actor,
      action: "document.created",
      documentId: document.id,
      details: { slug: document.slug, locale, title: document.title },
    });
  }
  const open = await findOpenVersion(tx, document.id);
  const derived = {
    content: input.content,
    html: rendered.html,
    text: rendered.text,
    outline: rendered.outline,
    contentHash: rendered.contentHash,
  };
  if (input.expectedRevision !== undefined && (!open || open.revision !== input.expectedRevision)) {
    throw new Refusal(
      "conflict",
      open
        ? `version ${open.number} of ${document.slug} was changed by someone else since you opened it (you edited revision ${input.expectedRevision}; it is now at revision ${open.revision}${open.state === "draft" ? "" : open.state === "in_review" ? " and in review" : " and approved"})`
        : `${document.slug} has no open draft any more (it was published or discarded since you opened it)`,
      open
        ? { current: { versionId: open.id, revision: open.revision, state: open.state } satisfies StaleDraft }
        : undefined,
    );
  }
  if (open && open.state !== "draft") {
    throw new Refusal(
      "conflict",
      `version ${open.number} of ${document.slug} is ${open.state === "in_review" ? "in review" : "approved"}; it must be sent back to draft before its content changes`,
    );
  }
  if (open) {
    const version = (await first(
      tx
        .update(versions)
        .set({ ...derived, revision: open.revision + 1, updatedAt: new Date().toISOString() })
        .where(eq(versions.id, open.id))
        .returning(),
    ))!;
    await recordAudit(tx, {
      actor: input.actor,
      action: "version.draft-saved",
      documentId: document.id,
      versionId: version.id,
      details: { number: version.number, revision: version.revision, contentHash: version.contentHash },
    });
    return { document, version, outcome: "replaced" };
  }
  const last = await first(
    tx
      .select({ number: versions.number })
      .from(versions)
      .where(eq(versions.documentId, document.id))
      .orderBy(desc(versions.number))
      .limit(1),
  );
  const version = (await first(
    tx
      .insert(versions)
      .values({
        ...derived,
        documentId: document.id,
        number: (last?.number ?? 0) + 1,
        authorId,
        basedOnVersionId: input.basedOnVersionId ?? null,
      })
      .returning(),
  ))!;
  await recordAudit(tx, {
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
  return { document, version, outcome: "created" };
}

/** The document for slug and locale, created when it does not exist yet. */
async function ensureDocument(
  tx: Transaction,
  { slug, locale, title }: Pick<Document, "slug" | "locale" | "title">,
): Promise<{ document: Document; created: boolean }> {
  const existing = await findDocumentBySlug(tx, slug, locale);
  if (existing) return { document: existing, created: false };
  const checked = checkNewDocument({ slug, locale, title });
  return {
    document: (await first(tx.insert(documents).values({ slug, locale, title: checked }).returning()))!,
    created: true,
  };
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
  const title = checkNewDocument({ slug, locale, title: input.title });
  return transaction(async (tx) => {
    if (await findDocumentBySlug(tx, slug, locale))
      throw new Refusal("conflict", `a document "${slug}" in ${locale} already exists`);
    return (await writeDraft(tx, { slug, locale, title, content: EMPTY_DOCUMENT, actor: input.actor }))
      .document;
  });
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
  const locale = input.locale.trim();
  return transaction(async (tx) => {
    const source = await findDocumentById(tx, input.sourceDocumentId);
    if (!source) throw new Refusal("not-found", "no such document");
    const root = source.translationOfId ? await findDocumentById(tx, source.translationOfId) : source;
    if (!root) throw new Refusal("not-found", "no such document");
    const title = checkNewDocument({ slug: root.slug, locale, title: input.title });
    const basis = await findLatestPublishedVersion(tx, root.id);
    if (!basis) {
      throw new Refusal(
        "conflict",
        "publish the original first: a translation starts from a published version",
      );
    }
    if (await findDocumentBySlug(tx, root.slug, locale))
      throw new Refusal("conflict", `"${root.slug}" already exists in ${locale}`);
    const created = (await first(
      tx.insert(documents).values({ slug: root.slug, locale, title, translationOfId: root.id }).returning(),
    ))!;
    await recordAudit(tx, {
      actor: input.actor,
      action: "document.created",
      documentId: created.id,
      details: { slug: created.slug, locale, title, translationOf: root.id, sourceVersion: basis.number },
    });
    await writeDraft(tx, {
      slug: created.slug,
      locale: created.locale,
      title: created.title,
      content: basis.content,
      actor: input.actor,
      basedOnVersionId: basis.id,
    });
    return created;
  });
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
  return transaction(async (tx) => {
    const document = await findDocumentById(tx, input.documentId);
    if (!document) throw new Refusal("not-found", "no such document");
    const open = await findOpenVersion(tx, document.id);
    if (open) {
      throw new Refusal(
        "conflict",
        `version ${open.number} is still open (${open.state.replace("_", " ")}); publish it or send it back and edit it instead`,
      );
    }
    const restored =
      input.fromNumber === undefined
        ? undefined
        : await findVersionByNumber(tx, document.id, input.fromNumber);
    const source =
      input.fromNumber === undefined
        ? await findLatestPublishedVersion(tx, document.id)
        : restored && isPublishedState(restored.state)
          ? restored
          : undefined;
    if (input.fromNumber !== undefined && !source) {
      throw new Refusal("not-found", `there is no published version ${input.fromNumber} to restore`);
    }
    const { version } = await writeDraft(tx, {
      slug: document.slug,
      locale: document.locale,
      title: document.title,
      content: source?.content ?? EMPTY_DOCUMENT,
      actor: input.actor,
      basedOnVersionId: source?.id ?? null,
    });
    if (input.fromNumber !== undefined) {
      await recordAudit(tx, {
        actor: input.actor,
        action: "version.restored",
        documentId: document.id,
        versionId: version.id,
        details: { number: version.number, restoredFrom: input.fromNumber },
      });
    }
    return version;
  });
}

/**
 * Checks editor content sent by a browser: at most 2 MB, Tiptap JSON that fits the schema, links
 * restricted to http, https, mailto and relative targets. Returns it in canonical form; refuses
 * ("too-large" or "invalid") with a message the editor shows as it is.
 */
export function checkEditorContent(serialized: string): PolicyContent {
  if (Buffer.byteLength(serialized, "utf8") > MAX_SOURCE_BYTES) {
    throw new Refusal("too-large", "The document is larger than 2 MB, so it was not saved.");
  }
  let json: unknown;
  try {
    json = JSON.parse(serialized);
  } catch {
    throw new Refusal("invalid", "The editor sent content that is not valid JSON, so it was not saved.");
  }
  if (!json || typeof json !== "object" || Array.isArray(json)) {
    throw new Refusal("invalid", "The content is not a document, so it was not saved.");
  }
  try {
    return validatePolicyContent(json);
  } catch (error) {
    if (error instanceof PolicyImportError) throw new Refusal("invalid", `Not saved: ${error.message}.`);
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
  const content = checkEditorContent(input.content);
  return transaction(async (tx) => {
    const document = await findDocumentById(tx, input.documentId);
    if (!document) throw new Refusal("not-found", "no such document");
    return (
      await writeDraft(tx, {
        slug: document.slug,
        locale: document.locale,
        title: document.title,
        content,
        actor: input.actor,
        expectedRevision: input.expectedRevision,
      })
    ).version;
  });
}

/** Who saved the draft's current revision and when (from the audit log). */
export async function lastDraftSave(
  versionId: number,
): Promise<{ email: string | null; userId: number | null; at: string } | null> {
  const entry = await first(
    reader()
      .select({ actor: auditLog.actor, at: auditLog.at })
      .from(auditLog)
      .where(
        and(
          eq(auditLog.versionId, versionId),
          inArray(auditLog.action, ["version.drafted", "version.draft-saved"]),
        ),
      )
      .orderBy(desc(auditLog.id))
      .limit(1),
  );
  if (!entry) return null;
  const match = /^user:(\d+)$/.exec(entry.actor);
  const user = match
    ? await first(
        reader()
          .select({ email: users.email })
          .from(users)
          .where(eq(users.id, Number(match[1]))),
      )
    : undefined;
  return { email: user?.email ?? entry.actor, userId: match ? Number(match[1]) : null, at: entry.at };
}

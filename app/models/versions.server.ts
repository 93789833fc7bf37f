/**
 * Reading versions: the one definition of a document's open version and of its latest published
 * version, the columns a version's facts are read with, and which published version is in effect.
 * The workflow's writes are in drafts, review and publication.
 */
import { and, desc, eq, gt, inArray, type SQL, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import { first } from "../../db/dialect";
import { auditLog, type Version, versions } from "../../db/tables";
import { isoDateOf } from "../core/dates";
import { type PublicStatus, publicStatuses } from "../core/versions/in-effect";
import { OPEN_STATES, PUBLIC_STATES } from "../core/versions/workflow";
import { reader } from "./db.server";

/** A database handle or a transaction: anything these reads can run on. */
export type Reader = Pick<ReturnType<typeof reader>, "select">;

/** SQL: the version is still being worked on (draft, in review or approved). A document has at most one. */
export const isOpenVersion: SQL = inArray(versions.state, [...OPEN_STATES]);

/** SQL: the version is published, whether it is in effect, upcoming or no longer in effect. */
export const isPublishedVersion: SQL = inArray(versions.state, [...PUBLIC_STATES]);

const later = alias(versions, "later");

/** SQL: the version is its document's latest published version (no published version has a higher number). */
export const isLatestPublishedVersion = and(
  isPublishedVersion,
  sql`NOT EXISTS (SELECT 1 FROM ${versions} AS ${sql.identifier("later")} WHERE ${and(
    eq(later.documentId, versions.documentId),
    inArray(later.state, [...PUBLIC_STATES]),
    gt(later.number, versions.number),
  )})`,
) as SQL;

/** The document's open version (draft, in review or approved), if any. */
export async function findOpenVersion(database: Reader, documentId: number): Promise<Version | undefined> {
  return await first(
    database
      .select()
      .from(versions)
      .where(and(eq(versions.documentId, documentId), isOpenVersion)),
  );
}

/** The document's latest published version, if it has one. */
export async function findLatestPublishedVersion(
  database: Reader,
  documentId: number,
): Promise<Version | undefined> {
  return await first(
    database
      .select()
      .from(versions)
      .where(and(eq(versions.documentId, documentId), isLatestPublishedVersion)),
  );
}

/** The document's version that is still being worked on (draft, in review or approved), if any. */
export async function getOpenVersion(documentId: number): Promise<Version | undefined> {
  return await findOpenVersion(reader(), documentId);
}

/** Version `number` of a document, whatever its state. */
export async function findVersionByNumber(
  database: Reader,
  documentId: number,
  number: number,
): Promise<Version | undefined> {
  return await first(
    database
      .select()
      .from(versions)
      .where(and(eq(versions.documentId, documentId), eq(versions.number, number))),
  );
}

export async function getVersion({
  documentId,
  number,
}: {
  documentId: number;
  number: number;
}): Promise<Version | undefined> {
  return await findVersionByNumber(reader(), documentId, number);
}

/**
 * The columns a version's facts are read with: everything but its body (content, HTML, text,
 * outline), which a list of long policies would otherwise read whole.
 */
export const VERSION_FACTS = {
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
  imported: versions.imported,
  createdAt: versions.createdAt,
  updatedAt: versions.updatedAt,
};

export type VersionFactsRow = Omit<Version, "content" | "html" | "text" | "outline">;

/**
 * Who wrote a version: its creator and everyone who saved a revision of it, read from the audit log
 * (the record every save writes in its own transaction). One query for any number of versions.
 */
export async function authorIdsOf(
  database: Reader,
  versionIds: readonly number[],
): Promise<Map<number, Set<number>>> {
  const byVersion = new Map<number, Set<number>>(versionIds.map((id) => [id, new Set()]));
  if (versionIds.length === 0) return byVersion;
  const creators = await database
    .select({ id: versions.id, authorId: versions.authorId })
    .from(versions)
    .where(inArray(versions.id, [...versionIds]));
  for (const { id, authorId } of creators) if (authorId) byVersion.get(id)?.add(authorId);
  const saves = await database
    .select({ versionId: auditLog.versionId, actor: auditLog.actor })
    .from(auditLog)
    .where(
      and(
        inArray(auditLog.versionId, [...versionIds]),
        inArray(auditLog.action, ["version.drafted", "version.draft-saved"]),
      ),
    );
  for (const { versionId, actor } of saves) {
    const match = /^user:(\d+)$/.exec(actor);
    if (match && versionId !== null) byVersion.get(versionId)?.add(Number(match[1]));
  }
  return byVersion;
}

/** Who wrote a version (see authorIdsOf): whoever may not approve it. */
export async function versionAuthorIds(versionId: number): Promise<Set<number>> {
  return (await authorIdsOf(reader(), [versionId])).get(versionId)!;
}

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
  /** Imported from the company's earlier history: its materiality is not known (ADR 0020-import-history). */
  imported: boolean;
};

/**
 * The facts of the documents' published versions, newest first: the public pages' hottest query,
 * answered from versions_facts_idx alone (test/integration/database.test.ts checks the plan).
 */
export function publishedFactsQuery(documentIds: readonly number[]) {
  return reader()
    .select(VERSION_FACTS)
    .from(versions)
    .where(and(inArray(versions.documentId, [...documentIds]), isPublishedVersion))
    .orderBy(desc(versions.number));
}

/**
 * The published versions of several documents in one query, newest first per document, each
 * marked in effect ("current"), upcoming or no longer in effect as of `now`. Bodies are left out.
 */
export async function publishedVersionsByDocument(
  documentIds: readonly number[],
  now = new Date(),
): Promise<Map<number, PublishedVersionSummary[]>> {
  const byDocument = new Map<number, PublishedVersionSummary[]>(documentIds.map((id) => [id, []]));
  if (documentIds.length === 0) return byDocument;
  const rows = await publishedFactsQuery(documentIds);
  const today = isoDateOf(now);
  for (const [documentId, list] of byDocument) {
    const own = rows.filter((row) => row.documentId === documentId);
    const statuses = publicStatuses(
      own.map((v) => ({ number: v.number, effectiveAt: v.effectiveAt! })),
      today,
    );
    for (const v of own) {
      // A published row always has its dates (CHECK constraint).
      list.push({
        id: v.id,
        number: v.number,
        status: statuses.get(v.number)!,
        lastUpdated: v.lastUpdated!,
        effectiveAt: v.effectiveAt!,
        publishedAt: v.publishedAt!,
        material: v.material,
        summary: v.summary,
        contentHash: v.contentHash,
        basedOnVersionId: v.basedOnVersionId,
        auditHead: v.auditHead,
        imported: v.imported !== null,
      });
    }
  }
  return byDocument;
}

/** Every published version of a document, newest first, each marked in effect, upcoming or no longer in effect. */
export async function listPublishedVersions(
  documentId: number,
  now = new Date(),
): Promise<PublishedVersionSummary[]> {
  return (await publishedVersionsByDocument([documentId], now)).get(documentId)!;
}

export type PublishedVersion = Version & { status: PublicStatus };

/**
 * Reading documents: by id or slug, the workspace's list with each document's open and latest
 * published version, translations, and the policy in effect. A document is created with its first
 * draft (drafts.server.ts).
 */
import { and, asc, eq, inArray, or } from "drizzle-orm";
import { first } from "../../db/dialect";
import { type Document, documents, type Version, versions } from "../../db/tables";
import { DEFAULT_LOCALE } from "../core/identifiers";
import { reader } from "./db.server";
import {
  isLatestPublishedVersion,
  isOpenVersion,
  isPublishedVersion,
  listPublishedVersions,
  type PublishedVersion,
  type PublishedVersionSummary,
  type Reader,
} from "./versions.server";

export { DEFAULT_LOCALE };

export async function findDocumentById(database: Reader, documentId: number): Promise<Document | undefined> {
  return await first(database.select().from(documents).where(eq(documents.id, documentId)));
}

export async function getDocument(documentId: number): Promise<Document | undefined> {
  return await findDocumentById(reader(), documentId);
}

/** The document a slug and locale name (a translation is its own document, with the same slug). */
export async function findDocumentBySlug(
  database: Reader,
  slug: string,
  locale: string,
): Promise<Document | undefined> {
  return await first(
    database
      .select()
      .from(documents)
      .where(and(eq(documents.slug, slug), eq(documents.locale, locale))),
  );
}

export async function findDocument({
  slug,
  locale = DEFAULT_LOCALE,
}: Pick<Document, "slug"> & { locale?: string }): Promise<Document | undefined> {
  return await findDocumentBySlug(reader(), slug, locale);
}

export type DocumentSummary = Document & {
  openVersion: Pick<Version, "id" | "number" | "state" | "revision" | "updatedAt"> | null;
  latestPublished: Pick<Version, "number" | "lastUpdated" | "effectiveAt"> | null;
};

/** Every document with its open version and latest published version. */
export async function listDocuments(): Promise<DocumentSummary[]> {
  const docs = await reader().select().from(documents).orderBy(asc(documents.slug), asc(documents.locale));
  const open = await reader()
    .select({
      documentId: versions.documentId,
      id: versions.id,
      number: versions.number,
      state: versions.state,
      revision: versions.revision,
      updatedAt: versions.updatedAt,
    })
    .from(versions)
    .where(isOpenVersion);
  const published = await reader()
    .select({
      documentId: versions.documentId,
      number: versions.number,
      lastUpdated: versions.lastUpdated,
      effectiveAt: versions.effectiveAt,
    })
    .from(versions)
    .where(isLatestPublishedVersion);
  return docs.map((document) => {
    const own = open.find((v) => v.documentId === document.id);
    const latest = published.find((v) => v.documentId === document.id);
    return {
      ...document,
      openVersion: own
        ? {
            id: own.id,
            number: own.number,
            state: own.state,
            revision: own.revision,
            updatedAt: own.updatedAt,
          }
        : null,
      latestPublished: latest
        ? { number: latest.number, lastUpdated: latest.lastUpdated, effectiveAt: latest.effectiveAt }
        : null,
    };
  });
}

/** Translations of a document and the document it translates, if any. */
export async function listRelatedDocuments(document: Document): Promise<Document[]> {
  const rootId = document.translationOfId ?? document.id;
  return (
    await reader()
      .select()
      .from(documents)
      .where(or(eq(documents.id, rootId), eq(documents.translationOfId, rootId)))
      .orderBy(asc(documents.locale))
  ).filter((d) => d.id !== document.id);
}

/** Documents that have at least one published version, for the home page. */
export async function listPublishedDocuments(): Promise<Document[]> {
  const published = reader()
    .selectDistinct({ documentId: versions.documentId })
    .from(versions)
    .where(isPublishedVersion);
  return await reader()
    .select()
    .from(documents)
    .where(inArray(documents.id, published))
    .orderBy(asc(documents.slug), asc(documents.locale));
}

export async function countDocuments(): Promise<number> {
  return reader().$count(documents);
}

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
  const document = await findDocument({ slug, locale });
  if (!document) return null;
  const published = await listPublishedVersions(document.id, now);
  const current = published.find((v) => v.status === "current");
  if (!current) return null;
  const upcoming = published.find((v) => v.status === "upcoming");
  const wanted = upcoming ? [current, upcoming] : [current];
  const bodies = await reader()
    .select()
    .from(versions)
    .where(
      inArray(
        versions.id,
        wanted.map((v) => v.id),
      ),
    );
  const withBody = (summary: PublishedVersionSummary): PublishedVersion => ({
    ...bodies.find((row) => row.id === summary.id)!,
    status: summary.status,
  });
  return { document, current: withBody(current), upcoming: upcoming ? withBody(upcoming) : null };
}

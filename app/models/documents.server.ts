import { and, asc, eq, inArray } from "drizzle-orm";
import type { Transaction } from "../../db/client";
import { type Document, documents, versions } from "../../db/schema";
import { PUBLIC_STATES } from "../core/versions/workflow";
import { db } from "./db.server";

export const DEFAULT_LOCALE = "en";

/** Slugs appear in URLs: lowercase letters, digits and single dashes. */
export const SLUG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
/** BCP 47-ish language tags: "en", "de", "pt-BR". */
export const LOCALE_PATTERN = /^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$/;

export async function findDocument({
  slug,
  locale = DEFAULT_LOCALE,
}: Pick<Document, "slug"> & { locale?: string }): Promise<Document | undefined> {
  return db()
    .select()
    .from(documents)
    .where(and(eq(documents.slug, slug), eq(documents.locale, locale)))
    .get();
}

/** The document for slug and locale, created when it does not exist yet. */
export function ensureDocument(
  tx: Transaction,
  { slug, locale, title }: Pick<Document, "slug" | "locale" | "title">,
): { document: Document; created: boolean } {
  const existing = tx
    .select()
    .from(documents)
    .where(and(eq(documents.slug, slug), eq(documents.locale, locale)))
    .get();
  if (existing) return { document: existing, created: false };
  return { document: tx.insert(documents).values({ slug, locale, title }).returning().get(), created: true };
}

/** Documents that have at least one published version, for the home page. */
export async function listPublishedDocuments(): Promise<Document[]> {
  const published = db()
    .selectDistinct({ documentId: versions.documentId })
    .from(versions)
    .where(inArray(versions.state, [...PUBLIC_STATES]));
  return db()
    .select()
    .from(documents)
    .where(inArray(documents.id, published))
    .orderBy(asc(documents.slug), asc(documents.locale))
    .all();
}

export async function countDocuments(): Promise<number> {
  return db().$count(documents);
}

import { and, asc, eq, inArray } from "drizzle-orm";
import type { Transaction } from "../../db/client";
import { type Document, documents, versions } from "../../db/schema";
import { displayTextProblem } from "../core/display-text";
import { DEFAULT_LOCALE, isLocale, isSlug, LOCALE_RULE, SLUG_RULE } from "../core/identifiers";
import { PUBLIC_STATES } from "../core/versions/workflow";
import { db } from "./db.server";

export { DEFAULT_LOCALE };

/** Longest document title (the admin form's limit, and what fits a page heading and an email subject). */
export const MAX_TITLE_LENGTH = 200;

/** A document that cannot be created as asked; the message says why. */
export class DocumentError extends Error {
  override name = "DocumentError";
}

/**
 * Checks what names a new document — the one slug rule, the one locale rule, a title of 1–200
 * characters without control or text-direction characters — for every way in: command line,
 * workspace, first start. Returns the title trimmed.
 */
export function checkNewDocument({
  slug,
  locale,
  title,
}: Pick<Document, "slug" | "locale" | "title">): string {
  if (!isSlug(slug)) throw new DocumentError(`"${slug.slice(0, 120)}" is not a slug: use ${SLUG_RULE}`);
  if (!isLocale(locale)) throw new DocumentError(`"${locale.slice(0, 40)}" is not ${LOCALE_RULE}`);
  const trimmed = title.trim();
  if (!trimmed || trimmed.length > MAX_TITLE_LENGTH) {
    throw new DocumentError(`the title must be 1–${MAX_TITLE_LENGTH} characters`);
  }
  const problem = displayTextProblem("the title", trimmed);
  if (problem) throw new DocumentError(problem);
  return trimmed;
}

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
  const checked = checkNewDocument({ slug, locale, title });
  return {
    document: tx.insert(documents).values({ slug, locale, title: checked }).returning().get(),
    created: true,
  };
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

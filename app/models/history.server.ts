/**
 * A document's history as the workspace shows it: every version with the people involved and,
 * for published versions, whether each is in effect, upcoming or no longer in effect today.
 */
import { desc, eq } from "drizzle-orm";
import { first } from "../../db/dialect";
import { documents, versions } from "../../db/tables";
import { isoDateOf } from "../core/dates";
import { type PublicStatus, publicStatuses } from "../core/versions/in-effect";
import { isPublishedState } from "../core/versions/workflow";
import { reader } from "./db.server";
import { userEmailsById } from "./users.server";
import { authorIdsOf, listPublishedVersions, VERSION_FACTS, type VersionFactsRow } from "./versions.server";

export type VersionRow = VersionFactsRow & {
  /** For a published version: what a reader is told today (the public site's status); else null. */
  publicStatus: PublicStatus | null;
  authorEmails: string[];
  approverEmail: string | null;
  publisherEmail: string | null;
};

/** Every version's facts, newest first, from versions_facts_idx alone (database.test.ts checks the plan). */
export function versionFactsQuery(documentId: number) {
  return reader()
    .select(VERSION_FACTS)
    .from(versions)
    .where(eq(versions.documentId, documentId))
    .orderBy(desc(versions.number));
}

/** Every version of a document, newest first, with the people involved (a fixed number of queries). */
export async function listVersionHistory(documentId: number, now = new Date()): Promise<VersionRow[]> {
  const rows = await versionFactsQuery(documentId);
  const emails = await userEmailsById();
  const email = (id: number | null) => (id ? (emails.get(id) ?? `user ${id}`) : null);
  const authors = await authorIdsOf(
    reader(),
    rows.map((row) => row.id),
  );
  const statuses = publicStatuses(
    rows
      .filter((row) => isPublishedState(row.state))
      .map((row) => ({ number: row.number, effectiveAt: row.effectiveAt! })),
    isoDateOf(now),
  );
  return rows.map((row) => ({
    ...row,
    publicStatus: statuses.get(row.number) ?? null,
    authorEmails: [...(authors.get(row.id) ?? [])].map((id) => email(id)!),
    approverEmail: email(row.approvedById),
    publisherEmail: email(row.publishedById),
  }));
}

/** What a reader is told today of one version of a document: null unless it is published. */
export async function publicStatusOf(
  documentId: number,
  number: number,
  now = new Date(),
): Promise<PublicStatus | null> {
  return (await listPublishedVersions(documentId, now)).find((v) => v.number === number)?.status ?? null;
}

/** The version a draft was restored from or translates: its number and document. */
export async function versionOrigin(
  versionId: number | null,
): Promise<{ number: number; documentId: number; title: string; locale: string } | null> {
  if (!versionId) return null;
  return (
    (await first(
      reader()
        .select({
          number: versions.number,
          documentId: documents.id,
          title: documents.title,
          locale: documents.locale,
        })
        .from(versions)
        .innerJoin(documents, eq(documents.id, versions.documentId))
        .where(eq(versions.id, versionId)),
    )) ?? null
  );
}

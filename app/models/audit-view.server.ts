import { and, asc, desc, eq, gt, gte, lt, type SQL } from "drizzle-orm";
import { auditLog, documents, users, versions } from "../../db/tables";
import { type AuditExportRow, type AuditFilter, auditRangeBounds } from "../core/audit-filter";
import { reader } from "./db.server";
import { userEmailsById } from "./users.server";

export type AuditRow = {
  id: number;
  at: string;
  actor: string;
  actorLabel: string;
  action: string;
  document: string | null;
  documentId: number | null;
  versionNumber: number | null;
  details: Record<string, unknown>;
};

/** The SQL condition of a filter (app/core/audit-filter.ts). */
function filterCondition(filter: AuditFilter): SQL | undefined {
  const { since, until } = auditRangeBounds(filter);
  return and(
    filter.action ? eq(auditLog.action, filter.action) : undefined,
    filter.actor ? eq(auditLog.actor, filter.actor) : undefined,
    filter.documentId ? eq(auditLog.documentId, filter.documentId) : undefined,
    since ? gte(auditLog.at, since) : undefined,
    until ? lt(auditLog.at, until) : undefined,
  );
}

/** How entries name people, documents and versions, read once per page or export. */
async function namer() {
  const emails = new Map([...(await userEmailsById())].map(([id, email]) => [`user:${id}`, email]));
  const docs = new Map(
    (
      await reader()
        .select({ id: documents.id, slug: documents.slug, locale: documents.locale })
        .from(documents)
    ).map((d) => [d.id, `${d.slug} (${d.locale})`]),
  );
  const numbers = new Map(
    (await reader().select({ id: versions.id, number: versions.number }).from(versions)).map((v) => [
      v.id,
      v.number,
    ]),
  );
  return {
    actorLabel: (actor: string) => emails.get(actor) ?? (actor === "cli" ? "command line" : actor),
    document: (id: number | null) => (id ? (docs.get(id) ?? null) : null),
    versionNumber: (id: number | null) => (id ? (numbers.get(id) ?? null) : null),
  };
}

/** A page of the audit log, newest first, with people and versions named; optionally filtered. */
export async function auditPage({
  before,
  limit = 100,
  filter = {},
}: {
  before?: number;
  limit?: number;
  filter?: AuditFilter;
}): Promise<AuditRow[]> {
  const rows = await reader()
    .select()
    .from(auditLog)
    .where(and(before ? lt(auditLog.id, before) : undefined, filterCondition(filter)))
    .orderBy(desc(auditLog.id))
    .limit(limit);
  const names = await namer();
  return rows.map((row) => ({
    id: row.id,
    at: row.at,
    actor: row.actor,
    actorLabel: names.actorLabel(row.actor),
    action: row.action,
    document: names.document(row.documentId),
    documentId: row.documentId,
    versionNumber: names.versionNumber(row.versionId),
    details: row.details,
  }));
}

/**
 * The filtered log, oldest first, in chunks read one at a time (keyset on the id), so that an export
 * of a large log streams in constant memory and never holds the database for long.
 */
export async function* auditExportChunks(filter: AuditFilter, size = 1000): AsyncGenerator<AuditExportRow[]> {
  const names = await namer();
  let after = 0;
  for (;;) {
    const rows = await reader()
      .select()
      .from(auditLog)
      .where(and(gt(auditLog.id, after), filterCondition(filter)))
      .orderBy(asc(auditLog.id))
      .limit(size);
    if (rows.length === 0) return;
    yield rows.map((row) => ({
      id: row.id,
      at: row.at,
      actor: row.actor,
      actorLabel: names.actorLabel(row.actor),
      action: row.action,
      document: names.document(row.documentId),
      versionNumber: names.versionNumber(row.versionId),
      details: row.details,
      prevHash: row.prevHash,
      hash: row.hash,
    }));
    after = rows[rows.length - 1].id;
  }
}

/** What the filters offer: the actions and people the log holds, and the documents. */
export async function auditFilterChoices(): Promise<{
  actions: string[];
  people: { actor: string; label: string }[];
  documents: { id: number; label: string }[];
}> {
  const actions = await reader()
    .selectDistinct({ action: auditLog.action })
    .from(auditLog)
    .orderBy(auditLog.action);
  const actors = await reader()
    .selectDistinct({ actor: auditLog.actor })
    .from(auditLog)
    .orderBy(auditLog.actor);
  const people = await reader().select({ id: users.id, email: users.email }).from(users);
  const emails = new Map(people.map((u) => [`user:${u.id}`, u.email]));
  const docs = await reader()
    .select({ id: documents.id, slug: documents.slug, locale: documents.locale })
    .from(documents)
    .orderBy(documents.slug, documents.locale);
  return {
    actions: actions.map((a) => a.action),
    people: actors
      .map(({ actor }) => ({
        actor,
        label: emails.get(actor) ?? (actor === "cli" ? "command line" : actor),
      }))
      .sort((a, b) => a.label.localeCompare(b.label)),
    documents: docs.map((d) => ({ id: d.id, label: `${d.slug} (${d.locale})` })),
  };
}

import { desc } from "drizzle-orm";
import type { Transaction } from "../../db/client";
import { type AuditEntry, auditLog } from "../../db/schema";
import {
  type AuditFacts,
  auditEntryHash,
  type ChainBreak,
  findChainBreak,
  GENESIS_HASH,
} from "../core/audit";
import { type Actor, actorLabel, db } from "./db.server";

export type AuditRecord = {
  actor: Actor;
  action: string;
  documentId?: number | null;
  versionId?: number | null;
  details?: Record<string, unknown>;
};

/**
 * Appends one entry to the hash-chained log. Call it inside the transaction that makes the
 * change, so that the change and its record commit together or not at all.
 */
export function recordAudit(tx: Transaction, record: AuditRecord): AuditEntry {
  const last = tx.select({ hash: auditLog.hash }).from(auditLog).orderBy(desc(auditLog.id)).limit(1).get();
  const facts: AuditFacts = {
    at: new Date().toISOString(),
    actor: actorLabel(record.actor),
    action: record.action,
    documentId: record.documentId ?? null,
    versionId: record.versionId ?? null,
    details: record.details ?? {},
  };
  const prevHash = last?.hash ?? GENESIS_HASH;
  return tx
    .insert(auditLog)
    .values({ ...facts, prevHash, hash: auditEntryHash(prevHash, facts) })
    .returning()
    .get();
}

export type AuditVerification = { entries: number; break: ChainBreak | null };

/** Re-computes the whole chain, streaming rows so memory stays flat on a long log. */
export async function verifyAuditLog(): Promise<AuditVerification> {
  const statement = db().$client.prepare(
    "SELECT id, at, actor, action, document_id, version_id, details, prev_hash, hash FROM audit_log ORDER BY id",
  );
  let entries = 0;
  function* rows() {
    for (const row of statement.iterate() as IterableIterator<Record<string, unknown>>) {
      entries++;
      yield {
        id: row.id as number,
        at: row.at as string,
        actor: row.actor as string,
        action: row.action as string,
        documentId: row.document_id as number | null,
        versionId: row.version_id as number | null,
        details: JSON.parse(row.details as string) as Record<string, unknown>,
        prevHash: row.prev_hash as string,
        hash: row.hash as string,
      };
    }
  }
  const chainBreak = findChainBreak(rows());
  return { entries, break: chainBreak };
}

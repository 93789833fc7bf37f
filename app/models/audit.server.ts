import { desc, sql } from "drizzle-orm";
import type { Transaction } from "../../db/client";
import { first, jsonValue, rows } from "../../db/dialect";
import { auditChangeStamp, auditIdsIssued, inspectEngineRules, orphanRows } from "../../db/maintenance";
import { type AuditEntry, auditLog } from "../../db/tables";
import {
  type AuditFacts,
  type AuditProblem,
  auditEntryHash,
  auditEntryMac,
  type ChainBreak,
  ChainVerifier,
  GENESIS_HASH,
  range,
  type StoredAuditEntry,
} from "../core/audit";
import { getAuditKeys } from "../env.server";
import { ProofReplay } from "./audit-proof.server";
import { type Actor, actorLabel, engine, holdWriteLock, snapshot } from "./db.server";

export type AuditRecord = {
  actor: Actor;
  action: string;
  documentId?: number | null;
  versionId?: number | null;
  details?: Record<string, unknown>;
};

/**
 * Appends one entry to the hash-chained log, signed with the audit key (ADR 0011). Call it inside
 * the transaction that makes the change, so that the change and its record commit together or not
 * at all.
 */
export async function recordAudit(tx: Transaction, record: AuditRecord): Promise<AuditEntry> {
  // Appends are serialised so that two writers never chain onto the same head.
  await holdWriteLock(tx);
  const last = await first(
    tx.select({ hash: auditLog.hash }).from(auditLog).orderBy(desc(auditLog.id)).limit(1),
  );
  const facts: AuditFacts = {
    at: new Date().toISOString(),
    actor: actorLabel(record.actor),
    action: record.action,
    documentId: record.documentId ?? null,
    versionId: record.versionId ?? null,
    details: record.details ?? {},
  };
  const prevHash = last?.hash ?? GENESIS_HASH;
  const hash = auditEntryHash(prevHash, facts);
  const key = getAuditKeys().signing;
  return (await first(
    tx
      .insert(auditLog)
      .values({ ...facts, prevHash, hash, keyId: key.id, mac: auditEntryMac(key, hash) })
      .returning(),
  ))!;
}

export type AuditVerification = {
  entries: number;
  /** The last entry's id and hash: save it to prove later that nothing before it was rewritten. */
  head: { id: number; hash: string } | null;
  /** The first entry that does not chain, if any (also among `problems`). */
  break: ChainBreak | null;
  signedFrom: number | null;
  savedHead: { id: number; hash: string } | null;
  /** Everything found wrong, in the order checked; empty when the log and the proof agree. */
  problems: AuditProblem[];
};

const PAGE = 2000;

/**
 * Verifies the audit log in one consistent snapshot, reading it page by page so memory stays flat:
 * the hash chain, the signatures under the configured keys, the saved `head` if given, and that no
 * entry was cut from the end. With `proof`, also that published versions, notices, deliveries and
 * acknowledgements agree with the entries that record them (ADR 0011).
 */
export async function verifyAuditLog({
  head = null,
  proof = false,
}: {
  head?: string | null;
  proof?: boolean;
} = {}): Promise<AuditVerification> {
  // One read transaction: one snapshot, whatever is appended meanwhile (db.server.ts `snapshot`).
  return snapshot(
    async (tx) => {
      const verifier = new ChainVerifier({ keys: getAuditKeys().all, savedHead: head });
      const replay = proof ? await ProofReplay.start(tx, engine().kind) : null;
      let after = 0;
      for (;;) {
        const page = await rows<Record<string, unknown>>(
          tx,
          sql`SELECT id, at, actor, action, document_id, version_id, details, prev_hash, hash, key_id, mac
              FROM audit_log WHERE id > ${after} ORDER BY id LIMIT ${PAGE}`,
        );
        for (const row of page) {
          const entry: StoredAuditEntry = {
            id: Number(row.id),
            at: row.at as string,
            actor: row.actor as string,
            action: row.action as string,
            documentId: row.document_id as number | null,
            versionId: row.version_id as number | null,
            details: jsonValue<Record<string, unknown>>(row.details),
            prevHash: row.prev_hash as string,
            hash: row.hash as string,
            keyId: row.key_id as string | null,
            mac: row.mac as string | null,
          };
          verifier.push(entry);
          replay?.push(entry);
        }
        await replay?.flush();
        if (page.length < PAGE) break;
        after = Number(page[page.length - 1].id);
      }
      const report = verifier.finish();
      const problems = [...report.problems];
      // Ids are never issued twice (SQLite's AUTOINCREMENT, PostgreSQL's high-water mark), and a
      // rolled-back append gives its id back: ids issued past the last entry were cut from the end.
      const issued = await auditIdsIssued(engine(), tx);
      const lastId = report.head?.id ?? 0;
      if (issued !== null && issued > lastId) {
        problems.push({
          kind: "truncated",
          entry: lastId + 1,
          message: `${range(lastId + 1, issued)} removed from the end of the log (ids up to ${issued} were issued)`,
        });
      }
      if (replay) problems.push(...(await replay.finish()));
      return {
        entries: report.entries,
        head: report.head,
        break: report.break,
        signedFrom: report.signedFrom,
        savedHead: report.savedHead,
        problems,
      };
    },
    { temporaryTables: proof },
  );
}

let lastVerification: { at: number; key: string; result: AuditVerification } | null = null;

/**
 * The whole-chain verification the workspace's audit page shows, reused while nothing can have
 * changed the log (`auditChangeStamp`, db/maintenance.ts): on SQLite no other connection has
 * written to the file since (data_version) and the head is the same; on PostgreSQL the head, the
 * number of entries, the high-water mark and the table's counts of written rows are the same.
 * Verifying every entry on every view would let a large log stall the server for each visit (about
 * 3 s at 100,000 entries); an edit made outside Redline still shows at the next view.
 * `redline audit verify` always checks afresh.
 */
export async function recentAuditVerification(): Promise<AuditVerification & { checkedAt: string }> {
  const key = await auditChangeStamp(engine());
  if (lastVerification?.key !== key) {
    lastVerification = { at: Date.now(), key, result: await verifyAuditLog() };
  }
  return { ...lastVerification.result, checkedAt: new Date(lastVerification.at).toISOString() };
}

/**
 * What is wrong with the database's own rules right now: protective rules missing, altered,
 * disabled or added by someone else, and (with `foreignKeys`, a scan of every table) rows whose
 * parent is gone — written while foreign keys were off, which only a connection other than
 * Redline's can do. Read-only: `migrate()` repairs the rules.
 */
export async function databaseRuleProblems({
  foreignKeys = true,
}: {
  foreignKeys?: boolean;
} = {}): Promise<AuditProblem[]> {
  const problems: AuditProblem[] = (await inspectEngineRules(engine())).map(({ name, problem }) => ({
    kind: "trigger",
    message:
      problem === "unexpected"
        ? `trigger ${name} is not one of Redline's: it may hide or rewrite writes`
        : `protective trigger ${name} is ${problem}; the next start or command restores it`,
  }));
  if (!foreignKeys) return problems;
  const orphans = orphanRows(engine());
  for (const row of orphans.slice(0, 20)) {
    problems.push({
      kind: "foreign-key",
      message: `${row.table} row ${row.rowid} refers to a missing ${row.parent} row`,
    });
  }
  if (orphans.length > 20) {
    problems.push({ kind: "foreign-key", message: `${orphans.length - 20} more rows refer to missing rows` });
  }
  return problems;
}

import { createHash } from "node:crypto";
import { stableStringify } from "./stable-json";

/** The hash the first audit entry chains to. */
export const GENESIS_HASH = "0".repeat(64);

/** What an audit entry says; its hash covers exactly these fields and the previous hash. */
export type AuditFacts = {
  at: string;
  actor: string;
  action: string;
  documentId: number | null;
  versionId: number | null;
  details: Record<string, unknown>;
};

export function auditEntryHash(prevHash: string, facts: AuditFacts): string {
  const body = stableStringify({
    at: facts.at,
    actor: facts.actor,
    action: facts.action,
    documentId: facts.documentId,
    versionId: facts.versionId,
    details: facts.details,
  });
  return createHash("sha256").update(`${prevHash}\n${body}`).digest("hex");
}

export type ChainBreak = { id: number; reason: "prev-hash-mismatch" | "hash-mismatch" };

/**
 * Walks entries in id order and names the first that does not chain: its prevHash is not the
 * previous entry's hash (an entry was removed or inserted) or its hash does not match its facts
 * (an entry was edited).
 */
export function findChainBreak(
  entries: Iterable<AuditFacts & { id: number; prevHash: string; hash: string }>,
): ChainBreak | null {
  let expectedPrev = GENESIS_HASH;
  for (const entry of entries) {
    if (entry.prevHash !== expectedPrev) return { id: entry.id, reason: "prev-hash-mismatch" };
    if (auditEntryHash(entry.prevHash, entry) !== entry.hash)
      return { id: entry.id, reason: "hash-mismatch" };
    expectedPrev = entry.hash;
  }
  return null;
}

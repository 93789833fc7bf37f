import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { stableStringify } from "./stable-json";

/** The hash the first audit entry chains to. */
export const GENESIS_HASH = "0".repeat(64);

/** The entry with which `migrate()` begins signing a log that has unsigned entries (ADR 0011). */
export const SIGNING_STARTED = "audit.signing-started";

/** A chain head as published and as `redline audit verify --head` takes it: 64 hex digits. */
export const AUDIT_HEAD_PATTERN = /^[0-9a-f]{64}$/;

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

/* ------------------------------------------------------------------------------ signatures */

/** A secret the database never holds; entries signed with it cannot be forged by someone with the file. */
export type AuditKey = { id: string; secret: string };

/**
 * A key's public name, recorded with every entry it signs so that a rotated key can still verify
 * the entries it signed. Derived from the key (HMAC), so it reveals nothing about it.
 */
function auditKeyId(secret: string): string {
  return createHmac("sha256", secret).update("redline audit key id").digest("hex").slice(0, 16);
}

export function auditKey(secret: string): AuditKey {
  return { id: auditKeyId(secret), secret };
}

/** The entry's signature: HMAC-SHA256 over its hash (which covers its facts and the whole chain before it). */
export function auditEntryMac(key: AuditKey, hash: string): string {
  return createHmac("sha256", key.secret).update(`redline audit entry\n${key.id}\n${hash}`).digest("hex");
}

function sameHex(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

/* ------------------------------------------------------------------------------ verification */

export type ChainBreak = { id: number; reason: "prev-hash-mismatch" | "hash-mismatch" };

export type StoredAuditEntry = AuditFacts & {
  id: number;
  prevHash: string;
  hash: string;
  keyId?: string | null;
  mac?: string | null;
};

/** What `audit verify` can find wrong, by kind; `entry` names the audit entry when there is one. */
export type AuditProblemKind =
  | "chain"
  | "signature"
  | "unsigned"
  | "head"
  | "truncated"
  | "trigger"
  | "foreign-key"
  | "version"
  | "notice"
  | "delivery"
  | "acknowledgement";

export type AuditProblem = { kind: AuditProblemKind; entry?: number; message: string };

export type ChainReport = {
  entries: number;
  /** The last entry: what a later verification can be checked against. */
  head: { id: number; hash: string } | null;
  /** The first entry that does not chain (kept for the admin page and older callers). */
  break: ChainBreak | null;
  /** The first signed entry, when any entry is signed. */
  signedFrom: number | null;
  /** Where the saved head was found, when one was given and found. */
  savedHead: { id: number; hash: string } | null;
  problems: AuditProblem[];
};

/**
 * Checks a log entry by entry, in id order, without holding it in memory:
 * - each entry chains to the one before (an entry removed or inserted) and its hash matches its
 *   facts (an entry edited);
 * - with keys: every entry from the first signed one on carries a valid signature under a known key,
 *   and the log ends in a signed entry — so a rewrite needs the key even when every hash was
 *   recomputed, and stripping signatures or cutting the signed tail shows;
 * - with a saved head: that entry is still in the chain, at its position (its id is its place).
 */
export class ChainVerifier {
  private expectedPrev = GENESIS_HASH;
  private count = 0;
  private last: StoredAuditEntry | null = null;
  private chainBreak: ChainBreak | null = null;
  private signedFrom: number | null = null;
  private savedHeadAt: { id: number; hash: string; inPlace: boolean } | null = null;
  /** First entry and count: a rewritten log may have millions. */
  private badSignatures = { first: 0, count: 0 };
  private unknownKeys = new Map<string, { first: number; count: number }>();
  private unsignedAfterSigned = { first: 0, count: 0 };
  private gaps: { from: number; to: number }[] = [];
  private unsealed: { count: number; signedAt: number } | null = null;

  constructor(
    private readonly options: {
      /** Every key that may have signed an entry, by id; null checks the hash chain only. */
      keys: ReadonlyMap<string, AuditKey> | null;
      savedHead?: string | null;
    },
  ) {}

  push(entry: StoredAuditEntry): void {
    this.count++;
    // Ids are issued one by one and a rolled-back insert gives its id back: a jump is a deletion,
    // even when the entries after it were re-chained or appended later.
    const expectedId = (this.last?.id ?? 0) + 1;
    if (entry.id !== expectedId && this.gaps.length < 20)
      this.gaps.push({ from: expectedId, to: entry.id - 1 });
    if (!this.chainBreak) {
      if (entry.prevHash !== this.expectedPrev)
        this.chainBreak = { id: entry.id, reason: "prev-hash-mismatch" };
      else if (auditEntryHash(entry.prevHash, entry) !== entry.hash)
        this.chainBreak = { id: entry.id, reason: "hash-mismatch" };
    }
    this.expectedPrev = entry.hash;
    if (this.options.savedHead && entry.hash === this.options.savedHead) {
      // Ids are issued one by one and entries are never deleted: an entry's id is its place.
      this.savedHeadAt = { id: entry.id, hash: entry.hash, inPlace: entry.id === this.count };
    }
    const keys = this.options.keys;
    if (keys) {
      if (entry.mac) {
        if (this.signedFrom === null) {
          this.signedFrom = entry.id;
          // Unsigned entries are those written before signing began, and the first signed entry
          // then seals exactly them (migrate(), ADR 0011). Anything else is a stripped log that
          // a later signed entry merely continued.
          const before = this.count - 1;
          const seal = entry.details;
          if (
            before > 0 &&
            !(
              entry.action === SIGNING_STARTED &&
              seal.unsignedEntries === before &&
              seal.unsignedHead === entry.prevHash
            )
          ) {
            this.unsealed = { count: before, signedAt: entry.id };
          }
        }
        const key = entry.keyId ? keys.get(entry.keyId) : undefined;
        if (!key) {
          const id = entry.keyId ?? "(none)";
          const seen = this.unknownKeys.get(id);
          this.unknownKeys.set(id, { first: seen?.first ?? entry.id, count: (seen?.count ?? 0) + 1 });
        } else if (!sameHex(auditEntryMac(key, entry.hash), entry.mac)) {
          tally(this.badSignatures, entry.id);
        }
      } else if (this.signedFrom !== null) {
        tally(this.unsignedAfterSigned, entry.id);
      }
    }
    this.last = entry;
  }

  finish(): ChainReport {
    const problems: AuditProblem[] = [];
    if (this.chainBreak) {
      problems.push({
        kind: "chain",
        entry: this.chainBreak.id,
        message:
          this.chainBreak.reason === "hash-mismatch"
            ? `audit log broken at entry ${this.chainBreak.id} (hash-mismatch): its facts were changed after it was written`
            : `audit log broken at entry ${this.chainBreak.id} (prev-hash-mismatch): an entry before it was removed, inserted or rewritten`,
      });
    }
    for (const gap of this.gaps) {
      problems.push({
        kind: "truncated",
        entry: gap.to + 1,
        message: `${range(gap.from, gap.to)} removed from the log (the ids jump from ${gap.from - 1} to ${gap.to + 1})`,
      });
    }
    if (this.badSignatures.count > 0) {
      const { first, count } = this.badSignatures;
      problems.push({
        kind: "signature",
        entry: first,
        message: `${entries(first, count)} ${verb(count, "carries", "carry")} a signature that does not match: written or rewritten without the audit key`,
      });
    }
    for (const [keyId, { first, count }] of this.unknownKeys) {
      problems.push({
        kind: "signature",
        entry: first,
        message: `${entries(first, count)} ${verb(count, "is", "are")} signed with key ${keyId}, which is neither AUDIT_KEY nor in AUDIT_RETIRED_KEYS`,
      });
    }
    if (this.unsignedAfterSigned.count > 0) {
      const { first, count } = this.unsignedAfterSigned;
      problems.push({
        kind: "unsigned",
        entry: first,
        message: `${entries(first, count)} ${verb(count, "carries", "carry")} no signature although entries are signed from ${this.signedFrom} on: signatures were stripped or entries added without the key`,
      });
    }
    if (this.unsealed) {
      problems.push({
        kind: "unsigned",
        entry: 1,
        message: `${this.unsealed.count === 1 ? "entry 1 carries" : `entries 1–${this.unsealed.count} carry`} no signature and entry ${this.unsealed.signedAt} is not the seal that began signing: signatures were stripped`,
      });
    }
    if (this.options.keys && this.last && this.signedFrom === null) {
      problems.push({
        kind: "unsigned",
        entry: this.last.id,
        message: `no entry is signed, yet Redline signs every entry and sealed the unsigned ones when signing began: signed entries were removed or their signatures stripped`,
      });
    }
    const saved = this.options.savedHead;
    if (saved) {
      if (!this.savedHeadAt) {
        problems.push({
          kind: "head",
          message: `the saved head ${saved} is not in the chain: the log was rewritten or cut before it`,
        });
      } else if (!this.savedHeadAt.inPlace) {
        problems.push({
          kind: "head",
          entry: this.savedHeadAt.id,
          message: `the saved head is entry ${this.savedHeadAt.id} but not in its place in the chain: entries before it were removed`,
        });
      }
    }
    return {
      entries: this.count,
      head: this.last ? { id: this.last.id, hash: this.last.hash } : null,
      break: this.chainBreak,
      signedFrom: this.signedFrom,
      savedHead: this.savedHeadAt ? { id: this.savedHeadAt.id, hash: this.savedHeadAt.hash } : null,
      problems,
    };
  }
}

/** "entry 7 was" / "entries 7–9 were". */
export const range = (from: number, to: number) =>
  from >= to ? `entry ${from} was` : `entries ${from}–${to} were`;

function tally(seen: { first: number; count: number }, id: number) {
  if (seen.count === 0) seen.first = id;
  seen.count++;
}

/** "entry 7" / "entry 7 and 3 later entries". */
const entries = (first: number, count: number) =>
  count > 1 ? `entry ${first} and ${count - 1} later ${count === 2 ? "entry" : "entries"}` : `entry ${first}`;
const verb = (count: number, one: string, many: string) => (count > 1 ? many : one);

/**
 * Walks entries in id order and names the first that does not chain: its prevHash is not the
 * previous entry's hash (an entry was removed or inserted) or its hash does not match its facts
 * (an entry was edited).
 */
export function findChainBreak(entries: Iterable<StoredAuditEntry>): ChainBreak | null {
  const verifier = new ChainVerifier({ keys: null });
  for (const entry of entries) verifier.push(entry);
  return verifier.finish().break;
}

import { describe, expect, it } from "vitest";
import {
  type AuditFacts,
  auditEntryHash,
  auditEntryMac,
  auditKey,
  ChainVerifier,
  findChainBreak,
  GENESIS_HASH,
  SIGNING_STARTED,
  type StoredAuditEntry,
} from "./audit";

function chain(count: number) {
  const entries = [];
  let prevHash = GENESIS_HASH;
  for (let id = 1; id <= count; id++) {
    const facts: AuditFacts = {
      at: `2026-11-27T10:00:0${id}Z`,
      actor: "cli",
      action: "version.published",
      documentId: 1,
      versionId: id,
      details: { number: id },
    };
    const hash = auditEntryHash(prevHash, facts);
    entries.push({ ...facts, id, prevHash, hash });
    prevHash = hash;
  }
  return entries;
}

describe("the audit hash chain", () => {
  it("verifies an untouched log", () => {
    expect(findChainBreak(chain(5))).toBeNull();
  });

  it("names the entry whose facts were edited", () => {
    const entries = chain(5);
    entries[2] = { ...entries[2], actor: "user:9" };
    expect(findChainBreak(entries)).toEqual({ id: 3, reason: "hash-mismatch" });
  });

  it("names the entry after one that was removed", () => {
    const entries = chain(5);
    entries.splice(1, 1);
    expect(findChainBreak(entries)).toEqual({ id: 3, reason: "prev-hash-mismatch" });
  });

  it("detects an edit whose hash was recomputed, at the next entry", () => {
    const entries = chain(4);
    const forged = { ...entries[1], details: { number: 99 } };
    forged.hash = auditEntryHash(forged.prevHash, forged);
    entries[1] = forged;
    expect(findChainBreak(entries)).toEqual({ id: 3, reason: "prev-hash-mismatch" });
  });
});

const KEY = auditKey("k".repeat(40));
const OTHER = auditKey("o".repeat(40));
const keys = new Map([[KEY.id, KEY]]);

/** A chain whose entries from `signedFrom` on are signed with `key` (earlier ones as before keys existed). */
function signedChain(count: number, { signedFrom = 1, key = KEY } = {}) {
  return chain(count).map((entry) =>
    entry.id >= signedFrom ? { ...entry, keyId: key.id, mac: auditEntryMac(key, entry.hash) } : entry,
  );
}

/** Two entries from before keys, then the seal that began signing, then two signed entries. */
function sealedChain() {
  const legacy = chain(2);
  const entries: StoredAuditEntry[] = [...legacy];
  let prevHash = legacy[1].hash;
  for (const [id, action, details] of [
    [3, SIGNING_STARTED, { unsignedEntries: 2, unsignedHead: legacy[1].hash }],
    [4, "user.created", {}],
    [5, "user.created", {}],
  ] as const) {
    const facts: AuditFacts = {
      at: "2026-11-28T10:00:00Z",
      actor: "system",
      action,
      documentId: null,
      versionId: null,
      details,
    };
    const hash = auditEntryHash(prevHash, facts);
    entries.push({ ...facts, id, prevHash, hash, keyId: KEY.id, mac: auditEntryMac(KEY, hash) });
    prevHash = hash;
  }
  return entries;
}

/** The entries again with entry `id`'s details replaced, every hash recomputed and signed with the key. */
function resign(entries: StoredAuditEntry[], id: number, details: Record<string, unknown>) {
  let prevHash = entries[0].prevHash;
  return entries.map((entry) => {
    const facts = { ...entry, details: entry.id === id ? details : entry.details };
    const hash = auditEntryHash(prevHash, facts);
    const signed = { ...facts, prevHash, hash, keyId: KEY.id, mac: auditEntryMac(KEY, hash) };
    prevHash = hash;
    return signed;
  });
}

/** Rewrites entry `id`'s details and recomputes every hash from there on, as a forger would. */
function rewrite(entries: ReturnType<typeof signedChain>, id: number) {
  let prevHash = entries[id - 2]?.hash ?? GENESIS_HASH;
  return entries.map((entry) => {
    if (entry.id < id) return entry;
    const details = entry.id === id ? { number: 99 } : entry.details;
    const hash = auditEntryHash(prevHash, { ...entry, details });
    const forged = { ...entry, details, prevHash, hash };
    prevHash = hash;
    return forged;
  });
}

function verify(entries: Iterable<StoredAuditEntry>, options: { savedHead?: string } = {}) {
  const verifier = new ChainVerifier({ keys, ...options });
  for (const entry of entries) verifier.push(entry);
  return verifier.finish();
}

describe("the signed audit chain", () => {
  it("verifies a signed log, and one whose entries from before keys existed were sealed by the first signed one", () => {
    expect(verify(signedChain(5)).problems).toEqual([]);
    const upgraded = verify(sealedChain());
    expect(upgraded.problems).toEqual([]);
    expect(upgraded.signedFrom).toBe(3);
    expect(upgraded.head?.id).toBe(5);
  });

  it("does not take a stripped log that a signed entry merely continued for one written before keys", () => {
    const continued = verify(signedChain(5, { signedFrom: 3 }));
    expect(continued.problems).toEqual([
      expect.objectContaining({
        kind: "unsigned",
        message: expect.stringContaining("entry 3 is not the seal"),
      }),
    ]);
    // A seal that does not name exactly the entries before it is no seal.
    const entries = sealedChain();
    const wrongCount = entries.slice(0, 2).concat(resign(entries.slice(2), 3, { unsignedEntries: 1 }));
    expect(verify(wrongCount).problems).toEqual([
      expect.objectContaining({
        kind: "unsigned",
        message: expect.stringContaining("entry 3 is not the seal"),
      }),
    ]);
  });

  it("catches a rewrite whose hashes were all recomputed: the signatures no longer match", () => {
    const report = verify(rewrite(signedChain(5), 2));
    expect(report.break).toBeNull();
    expect(report.problems).toEqual([
      expect.objectContaining({
        kind: "signature",
        entry: 2,
        message: expect.stringContaining("and 3 later entries"),
      }),
    ]);
  });

  it("catches signatures stripped from the end or from everything", () => {
    const stripped = signedChain(5).map((e) => (e.id >= 4 ? { ...e, keyId: null, mac: null } : e));
    expect(verify(stripped).problems).toEqual([expect.objectContaining({ kind: "unsigned", entry: 4 })]);
    const bare = rewrite(
      signedChain(5).map((e) => ({ ...e, keyId: null, mac: null })),
      2,
    );
    expect(verify(bare).problems).toEqual([expect.objectContaining({ kind: "unsigned", entry: 5 })]);
  });

  it("names entries signed with a key it was not given", () => {
    const entries = signedChain(4, { key: OTHER });
    expect(verify(entries).problems).toEqual([
      expect.objectContaining({ kind: "signature", entry: 1, message: expect.stringContaining(OTHER.id) }),
    ]);
    const both = new ChainVerifier({
      keys: new Map([
        [KEY.id, KEY],
        [OTHER.id, OTHER],
      ]),
    });
    for (const entry of entries) both.push(entry);
    expect(both.finish().problems).toEqual([]);
  });

  it("finds a saved head in its place, and reports one that a rewrite or a cut removed", () => {
    const entries = signedChain(6);
    const saved = entries[2].hash;
    expect(verify(entries, { savedHead: saved })).toMatchObject({ savedHead: { id: 3 }, problems: [] });
    expect(verify(rewrite(entries, 2), { savedHead: saved }).problems).toContainEqual(
      expect.objectContaining({ kind: "head", message: expect.stringContaining("is not in the chain") }),
    );
    expect(verify(entries.slice(0, 2), { savedHead: saved }).problems).toEqual([
      expect.objectContaining({ kind: "head" }),
    ]);
    // The head's entry still there, but an entry before it deleted: out of place.
    const gapped = entries.filter((e) => e.id !== 2);
    expect(verify(gapped, { savedHead: saved }).problems).toContainEqual(
      expect.objectContaining({
        kind: "head",
        entry: 3,
        message: expect.stringContaining("not in its place"),
      }),
    );
  });

  it("derives key ids from the key without revealing it", () => {
    expect(KEY.id).toMatch(/^[0-9a-f]{16}$/);
    expect(KEY.id).not.toBe(OTHER.id);
    expect(auditKey("k".repeat(40)).id).toBe(KEY.id);
    expect(KEY.id).not.toContain("kkkk");
  });
});

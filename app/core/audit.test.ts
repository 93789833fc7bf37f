import { describe, expect, it } from "vitest";
import { type AuditFacts, auditEntryHash, findChainBreak, GENESIS_HASH } from "./audit";

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

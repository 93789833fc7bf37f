/**
 * The model layer's transactions (db/engine.ts) on a real SQLite file: a transaction may await
 * between its statements and still be isolated, serialised and all-or-nothing.
 */
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { Refusal } from "../../app/core/refusal";
import { recordAudit, verifyAuditLog } from "../../app/models/audit.server";
import { db, reader, transaction, write } from "../../app/models/db.server";

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Counter = { name: string; value: number };
const counter = (name: string) =>
  reader().get<Counter | undefined>(sql`SELECT name, value FROM engine_counters WHERE name = ${name}`);

beforeAll(() => {
  // A scratch table of this test file's own database.
  db().$client.exec("CREATE TABLE engine_counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL)");
});

describe("transaction()", () => {
  it("keeps its writes from readers while it awaits, and shows them once committed", async () => {
    let inside: (() => void) | undefined;
    const reached = new Promise<void>((resolve) => {
      inside = resolve;
    });
    const writing = transaction(async (tx) => {
      tx.run(sql`INSERT INTO engine_counters (name, value) VALUES ('isolated', 1)`);
      inside?.();
      await pause(20);
      // Its own writes are visible to it.
      expect(tx.get<Counter>(sql`SELECT value FROM engine_counters WHERE name = 'isolated'`)?.value).toBe(1);
      return "done";
    });
    await reached;
    // Another request reads meanwhile: nothing uncommitted.
    expect(counter("isolated")).toBeUndefined();
    await pause(5);
    expect(counter("isolated")).toBeUndefined();
    expect(await writing).toBe("done");
    expect(counter("isolated")).toEqual({ name: "isolated", value: 1 });
  });

  it("serialises concurrent read-then-write transactions: no update is lost", async () => {
    db().$client.exec("INSERT INTO engine_counters (name, value) VALUES ('raced', 0)");
    const increment = (delay: number) =>
      transaction(async (tx) => {
        const { value } = tx.get<Counter>(sql`SELECT value FROM engine_counters WHERE name = 'raced'`);
        await pause(delay);
        tx.run(sql`UPDATE engine_counters SET value = ${value + 1} WHERE name = 'raced'`);
        return value;
      });
    const seen = await Promise.all([increment(15), increment(1), increment(5), increment(0)]);
    // Each saw the one before it, in the order they were called.
    expect(seen).toEqual([0, 1, 2, 3]);
    expect(counter("raced")?.value).toBe(4);
  });

  it("rolls back everything when its callback throws, a refusal included, and lets the next one run", async () => {
    const auditBefore = reader().get<{ n: number }>(sql`SELECT count(*) AS n FROM audit_log`).n;
    for (const failure of [new Error("boom"), new Refusal("conflict", "changed meanwhile")]) {
      await expect(
        transaction(async (tx) => {
          tx.run(sql`INSERT INTO engine_counters (name, value) VALUES ('half', 1)`);
          await recordAudit(tx, { actor: { kind: "system" }, action: "engine.test" });
          await pause(5);
          tx.run(sql`UPDATE engine_counters SET value = 2 WHERE name = 'half'`);
          throw failure;
        }),
      ).rejects.toBe(failure);
      expect(counter("half")).toBeUndefined();
      expect(reader().get<{ n: number }>(sql`SELECT count(*) AS n FROM audit_log`).n).toBe(auditBefore);
    }
    // A statement that fails inside rolls back too, and the connection is usable afterwards.
    const failed = await transaction(async (tx) => {
      tx.run(sql`INSERT INTO engine_counters (name, value) VALUES ('dup', 1)`);
      tx.run(sql`INSERT INTO engine_counters (name, value) VALUES ('dup', 2)`);
    }).catch((error: Error) => error);
    expect(String((failed as Error).cause)).toMatch(/UNIQUE constraint failed/);
    expect(counter("dup")).toBeUndefined();
    expect(db().$client.inTransaction).toBe(false);
    await transaction(async (tx) => {
      tx.run(sql`INSERT INTO engine_counters (name, value) VALUES ('after', 1)`);
    });
    expect(counter("after")?.value).toBe(1);
  });

  it("keeps the audit chain linear under 20 concurrent transactions that append entries", async () => {
    const before = reader().get<{ n: number }>(sql`SELECT count(*) AS n FROM audit_log`).n;
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        transaction(async (tx) => {
          await pause(i % 3);
          await recordAudit(tx, {
            actor: { kind: "system" },
            action: "engine.test",
            details: { i, step: 1 },
          });
          await pause(1);
          await recordAudit(tx, {
            actor: { kind: "system" },
            action: "engine.test",
            details: { i, step: 2 },
          });
        }),
      ),
    );
    const entries = reader().all<{ id: number; prev_hash: string; hash: string; details: string }>(
      sql`SELECT id, prev_hash, hash, details FROM audit_log ORDER BY id`,
    );
    expect(entries).toHaveLength(before + 40);
    for (let i = 1; i < entries.length; i++) expect(entries[i].prev_hash).toBe(entries[i - 1].hash);
    // Each transaction's two entries are adjacent: nothing interleaved.
    const added = entries.slice(before).map((e) => JSON.parse(e.details) as { i: number; step: number });
    for (let k = 0; k < added.length; k += 2) {
      expect(added[k].i).toBe(added[k + 1].i);
      expect([added[k].step, added[k + 1].step]).toEqual([1, 2]);
    }
    const verification = await verifyAuditLog();
    expect(verification.problems).toEqual([]);
  });

  it("refuses a nested transaction, a queued write or a read of the other connection inside one", async () => {
    await expect(transaction(async () => transaction(async () => 1))).rejects.toThrow(/inside a transaction/);
    await expect(transaction(async () => write(() => 1))).rejects.toThrow(/inside a transaction/);
    await expect(transaction(async () => reader())).rejects.toThrow(/inside a transaction/);
    expect(db().$client.inTransaction).toBe(false);
  });

  it("queues a single write outside a transaction behind the open one", async () => {
    const order: string[] = [];
    const open = transaction(async (tx) => {
      tx.run(sql`INSERT INTO engine_counters (name, value) VALUES ('queued', 1)`);
      await pause(15);
      order.push("transaction");
      throw new Error("rolled back");
    });
    const single = write((database) => {
      order.push("write");
      return database.run(sql`INSERT INTO engine_counters (name, value) VALUES ('single', 1)`).changes;
    });
    await expect(open).rejects.toThrow("rolled back");
    expect(await single).toBe(1);
    // The single write did not join the transaction and was not rolled back with it.
    expect(order).toEqual(["transaction", "write"]);
    expect(counter("queued")).toBeUndefined();
    expect(counter("single")?.value).toBe(1);
  });

  it("reads through a read-only connection", () => {
    let failure: unknown;
    try {
      reader().run(sql`INSERT INTO engine_counters (name, value) VALUES ('no', 1)`);
    } catch (error) {
      failure = error;
    }
    expect(String((failure as Error).cause)).toMatch(/readonly/);
  });
});

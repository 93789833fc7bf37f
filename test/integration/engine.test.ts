/**
 * The model layer's transactions (db/engine.ts, db/pg/engine.ts) on a real database of either
 * engine: a transaction may await between its statements and still be isolated, serialised and
 * all-or-nothing; a snapshot sees one state throughout.
 */
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { Refusal } from "../../app/core/refusal";
import { recordAudit, verifyAuditLog } from "../../app/models/audit.server";
import { db, reader, snapshot, transaction, write } from "../../app/models/db.server";
import { execute, jsonValue, row, rows } from "../../db/dialect";
import { TEST_ENGINE } from "../support/databases";

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Counter = { name: string; value: number };
const counter = (name: string) =>
  row<Counter>(reader(), sql`SELECT name, value FROM engine_counters WHERE name = ${name}`);
const auditCount = async () =>
  Number((await row<{ n: number }>(reader(), sql`SELECT count(*) AS n FROM audit_log`))!.n);

beforeAll(async () => {
  // A scratch table of this test file's own database.
  await execute(db(), sql`CREATE TABLE engine_counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL)`);
});

describe("transaction()", () => {
  it("keeps its writes from readers while it awaits, and shows them once committed", async () => {
    let inside: (() => void) | undefined;
    const reached = new Promise<void>((resolve) => {
      inside = resolve;
    });
    let readersDone: (() => void) | undefined;
    const finished = new Promise<void>((resolve) => {
      readersDone = resolve;
    });
    const writing = transaction(async (tx) => {
      await execute(tx, sql`INSERT INTO engine_counters (name, value) VALUES ('isolated', 1)`);
      inside?.();
      // Open until the readers have read, however long a new connection takes to open.
      await finished;
      // Its own writes are visible to it.
      expect(
        (await row<Counter>(tx, sql`SELECT value FROM engine_counters WHERE name = 'isolated'`))?.value,
      ).toBe(1);
      return "done";
    });
    await reached;
    // Another request reads meanwhile: nothing uncommitted.
    expect(await counter("isolated")).toBeUndefined();
    await pause(5);
    expect(await counter("isolated")).toBeUndefined();
    readersDone?.();
    expect(await writing).toBe("done");
    expect(await counter("isolated")).toEqual({ name: "isolated", value: 1 });
  });

  it("serialises concurrent read-then-write transactions: no update is lost", async () => {
    await execute(db(), sql`INSERT INTO engine_counters (name, value) VALUES ('raced', 0)`);
    const increment = (delay: number) =>
      transaction(async (tx) => {
        const { value } = (await row<Counter>(
          tx,
          sql`SELECT value FROM engine_counters WHERE name = 'raced'`,
        ))!;
        await pause(delay);
        await execute(tx, sql`UPDATE engine_counters SET value = ${value + 1} WHERE name = 'raced'`);
        return value;
      });
    const seen = await Promise.all([increment(15), increment(1), increment(5), increment(0)]);
    // Each saw the one before it: in the order they were called on SQLite (one in-process queue);
    // on PostgreSQL in the order they got the advisory lock, which need not be the call order.
    if (TEST_ENGINE === "sqlite") expect(seen).toEqual([0, 1, 2, 3]);
    else expect([...seen].sort()).toEqual([0, 1, 2, 3]);
    expect((await counter("raced"))?.value).toBe(4);
  });

  it("rolls back everything when its callback throws, a refusal included, and lets the next one run", async () => {
    const auditBefore = await auditCount();
    for (const failure of [new Error("boom"), new Refusal("conflict", "changed meanwhile")]) {
      await expect(
        transaction(async (tx) => {
          await execute(tx, sql`INSERT INTO engine_counters (name, value) VALUES ('half', 1)`);
          await recordAudit(tx, { actor: { kind: "system" }, action: "engine.test" });
          await pause(5);
          await execute(tx, sql`UPDATE engine_counters SET value = 2 WHERE name = 'half'`);
          throw failure;
        }),
      ).rejects.toBe(failure);
      expect(await counter("half")).toBeUndefined();
      expect(await auditCount()).toBe(auditBefore);
    }
    // A statement that fails inside rolls back too, and the connection is usable afterwards.
    const failed = await transaction(async (tx) => {
      await execute(tx, sql`INSERT INTO engine_counters (name, value) VALUES ('dup', 1)`);
      await execute(tx, sql`INSERT INTO engine_counters (name, value) VALUES ('dup', 2)`);
    }).catch((error: Error) => error);
    expect(String((failed as Error).cause)).toMatch(/UNIQUE constraint failed|duplicate key value/);
    expect(await counter("dup")).toBeUndefined();
    if (TEST_ENGINE === "sqlite") expect(db().$client.inTransaction).toBe(false);
    await transaction(async (tx) => {
      await execute(tx, sql`INSERT INTO engine_counters (name, value) VALUES ('after', 1)`);
    });
    expect((await counter("after"))?.value).toBe(1);
  });

  it("keeps the audit chain linear under 20 concurrent transactions that append entries", async () => {
    const before = await auditCount();
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
    const entries = await rows<{ id: number; prev_hash: string; hash: string; details: unknown }>(
      reader(),
      sql`SELECT id, prev_hash, hash, details FROM audit_log ORDER BY id`,
    );
    expect(entries).toHaveLength(before + 40);
    for (let i = 1; i < entries.length; i++) expect(entries[i].prev_hash).toBe(entries[i - 1].hash);
    // Each transaction's two entries are adjacent: nothing interleaved.
    const added = entries.slice(before).map((e) => jsonValue<{ i: number; step: number }>(e.details));
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
    await expect(transaction(async () => snapshot(async () => 1))).rejects.toThrow(/inside a transaction/);
    if (TEST_ENGINE === "sqlite") expect(db().$client.inTransaction).toBe(false);
  });

  // SQLite only: there a single write waits for the one write connection; PostgreSQL's `write`
  // runs on the pool at once (its transactions queue on the advisory lock instead).
  it.skipIf(TEST_ENGINE === "postgres")(
    "queues a single write outside a transaction behind the open one",
    async () => {
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
      expect(await counter("queued")).toBeUndefined();
      expect((await counter("single"))?.value).toBe(1);
    },
  );

  // SQLite only: PostgreSQL reads on the pool (a read-only role is the operator's choice there).
  it.skipIf(TEST_ENGINE === "postgres")("reads through a read-only connection", () => {
    let failure: unknown;
    try {
      reader().run(sql`INSERT INTO engine_counters (name, value) VALUES ('no', 1)`);
    } catch (error) {
      failure = error;
    }
    expect(String((failure as Error).cause)).toMatch(/readonly/);
  });
});

describe("snapshot()", () => {
  it("sees one state throughout while a transaction writes beside it", async () => {
    await execute(db(), sql`INSERT INTO engine_counters (name, value) VALUES ('snap', 1)`);
    let firstRead: (() => void) | undefined;
    const reached = new Promise<void>((resolve) => {
      firstRead = resolve;
    });
    const reading = snapshot(async (tx) => {
      const first = (await row<Counter>(tx, sql`SELECT value FROM engine_counters WHERE name = 'snap'`))!
        .value;
      firstRead?.();
      await pause(40);
      const again = (await row<Counter>(tx, sql`SELECT value FROM engine_counters WHERE name = 'snap'`))!
        .value;
      return [first, again];
    });
    await reached;
    // PostgreSQL: commits while the snapshot waits; SQLite: queued behind it.
    const writing = transaction((w) =>
      execute(w, sql`UPDATE engine_counters SET value = 2 WHERE name = 'snap'`),
    );
    const seen = await reading;
    await writing;
    expect(seen).toEqual([1, 1]);
    expect((await counter("snap"))?.value).toBe(2);
  });
});

import type Database from "better-sqlite3";
import { type RedlineDatabase, sharedEngine, type Transaction } from "../../db/client";
import { inTransaction, type SnapshotOptions, type TransactionOptions } from "../../db/engine";
import { getEnv } from "../env.server";

export type { Transaction };

/** The engine DATABASE_URL names, for the engine-specific upkeep in db/maintenance.ts. */
export function engine() {
  return sharedEngine(getEnv().DATABASE_URL);
}

/**
 * The write connection itself, for migrations, the command line's backup, tests and benchmarks:
 * never for a model's query, which would run inside whatever transaction is open on it.
 */
export function db(): RedlineDatabase {
  return engine().writer;
}

/**
 * Runs `fn` in one write transaction (`BEGIN IMMEDIATE`), queued behind this process's other
 * transactions; committed when it settles, rolled back if it throws (db/engine.ts).
 */
export function transaction<T>(
  fn: (tx: Transaction) => Promise<T>,
  options?: TransactionOptions,
): Promise<T> {
  return engine().transaction(fn, options);
}

/**
 * In a `rowLocks` transaction (PostgreSQL), queues behind the other writers from here to the commit:
 * before a read-then-write that row locks cannot protect, such as an audit append.
 */
export function holdWriteLock(tx: Transaction): Promise<void> {
  return engine().holdWriteLock(tx);
}

/**
 * The SQLite connection the current transaction runs on, for a hot loop that reuses its own
 * prepared statements (the CSV import's upsert). Only inside `transaction`; SQLite only — the
 * PostgreSQL port gives such loops a drizzle prepared query instead.
 */
export function transactionClient(): Database.Database {
  if (!inTransaction()) throw new Error("transactionClient() outside a transaction");
  return engine().writer.$client;
}

/**
 * The read connection, for reads outside a transaction: it sees committed data only. Refused inside
 * a transaction, whose own writes it would not see: read through the `tx` there.
 */
export function reader(): RedlineDatabase {
  if (inTransaction()) throw new Error("reader() inside a transaction: read through its tx");
  return engine().read;
}

/**
 * Runs `fn` in one read transaction: all its queries see one committed snapshot, however long it
 * takes (ADR 0017). SQLite: on the write connection, after this process's open transactions;
 * PostgreSQL: REPEATABLE READ on one pooled connection, writers unhindered.
 */
export function snapshot<T>(fn: (tx: Transaction) => Promise<T>, options?: SnapshotOptions): Promise<T> {
  return engine().snapshot(fn, options);
}

/** A single write outside a transaction, queued behind open transactions (db/engine.ts). */
export function write<T>(fn: (db: RedlineDatabase) => T): Promise<T> {
  return engine().write(fn);
}

/** Who did something, as written in the audit log. */
export type Actor = { kind: "user"; id: number } | { kind: "cli" } | { kind: "system" };

export function actorLabel(actor: Actor): string {
  return actor.kind === "user" ? `user:${actor.id}` : actor.kind;
}

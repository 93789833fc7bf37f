import { AsyncLocalStorage } from "node:async_hooks";
import Database from "better-sqlite3";
import { drizzle } from "drizzle-orm/better-sqlite3";
import { Checkpointer, DEFAULT_AUTOCHECKPOINT_PAGES, FALLBACK_AUTOCHECKPOINT_PAGES } from "./checkpointer";
import type { RedlineDatabase } from "./client";
import * as schema from "./schema";

/**
 * What a transaction's callback receives: the query builder of the connection the transaction
 * runs on. Every query on it belongs to the transaction. (No `transaction` of its own: a nested
 * transaction is refused, see `Engine.transaction`; no `$client`: raw statements go through
 * `tx.run/get/all(sql…)`, which the PostgreSQL driver has too.)
 */
export type Transaction = Omit<RedlineDatabase, "transaction" | "$client" | "batch">;

/**
 * A first-come, first-served lock for one process, kept here rather than taken from a library
 * because it is all the engine needs: `acquire` resolves, in call order, once everyone before has
 * called their release. No timeouts, no cancellation: a holder always releases in a `finally`.
 */
class FifoLock {
  private tail: Promise<void> = Promise.resolve();

  acquire(): Promise<() => void> {
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const previous = this.tail;
    this.tail = previous.then(() => held);
    return previous.then(() => release);
  }
}

/** Marks the code running inside a transaction, so that a nested call is refused, not deadlocked. */
export const inside = new AsyncLocalStorage<object>();

/**
 * What the model layer needs from a database, whichever engine holds it (ADR 0017): SQLite here,
 * PostgreSQL in db/pg/engine.ts.
 */
export interface DatabaseEngine {
  readonly kind: "sqlite" | "postgres";
  /** Reads outside a transaction: committed data only. */
  readonly read: RedlineDatabase;
  /** The bare connection (pool on PostgreSQL): migrations, command line, tests, never a model's query. */
  readonly writer: RedlineDatabase;
  transaction<T>(fn: (tx: Transaction) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /**
   * Inside a `rowLocks` transaction, takes the writers' lock before a step that needs it (an audit
   * append); a no-op in any other transaction and on SQLite, where every transaction holds it.
   */
  holdWriteLock(tx: Transaction): Promise<void>;
  write<T>(fn: (db: RedlineDatabase) => T | Promise<T>): Promise<T>;
  /**
   * Runs `fn` in one read transaction: every query in it sees the same committed snapshot, however
   * long it awaits. Nothing it writes to real tables is kept; with `temporaryTables` it may create
   * and fill temporary tables (gone when it ends).
   */
  snapshot<T>(fn: (tx: Transaction) => Promise<T>, options?: SnapshotOptions): Promise<T>;
  close(): Promise<void>;
}

export type SnapshotOptions = { temporaryTables?: boolean };

export type TransactionOptions = {
  /**
   * PostgreSQL: do not queue behind the writers' lock; the transaction's statements protect what
   * they touch with row locks (`FOR UPDATE SKIP LOCKED`) and take the writers' lock only for a step
   * that needs it (`holdWriteLock`). For paths that must write in parallel across processes, such
   * as dispatchers claiming batches (ADR 0025). SQLite has one writer and ignores it.
   */
  rowLocks?: boolean;
};

/** How long a write waits for another process's lock before failing (SQLite's `busy_timeout`). */
export const BUSY_WAIT_MS = 5000;

/**
 * The model layer's access to one SQLite database (ADR proposal for issue 13, decision 1):
 *
 * - `transaction(async (tx) => …)`: every read-then-write and every multi-statement write. The
 *   callback may `await` anything; the transaction stays open until it settles and is committed
 *   then, or rolled back if it throws (a `Refusal` included). Transactions of this process queue on
 *   an in-memory FIFO lock in front of the one write connection (SQLite has one writer anyway:
 *   waiting here replaces waiting on `busy_timeout`). Each one is `BEGIN IMMEDIATE`: it holds the
 *   write lock from its first statement, so a read-then-write cannot be overtaken. Another
 *   process's lock (the worker, the command line) is waited for asynchronously (`beginImmediate`);
 *   `busy_timeout` still covers statements run on the connections directly (migrations, tests).
 * - `read`: reads outside a transaction, on a second, read-only connection to the same file. In WAL
 *   mode each of its statements sees the last commit, never a transaction still open on the write
 *   connection, even while that transaction awaits.
 * - `write(fn)`: a single write statement outside a transaction, or a synchronous block that needs
 *   the write connection to itself; it waits its turn behind open transactions like one, and runs
 *   as one.
 * - WAL checkpoints: a thread of its own folds the WAL back into the file (db/checkpointer.ts), so
 *   that no COMMIT on this event loop copies and syncs megabytes of pages.
 *
 * A `:memory:` database is private to its connection, so there the read connection is the write
 * connection: a read outside a transaction may then see an open transaction's writes. Nothing in the
 * application or its tests runs on `:memory:` (every test gets a file); it is kept for quick trials.
 */
export class Engine implements DatabaseEngine {
  readonly kind = "sqlite" as const;
  readonly read: RedlineDatabase;
  private readonly lock = new FifoLock();
  private readonly begin: Database.Statement;
  private readonly commit: Database.Statement;
  private readonly rollback: Database.Statement;
  private readonly beginRead: Database.Statement;
  /** Checkpoints the WAL off this thread (db/checkpointer.ts); none for `:memory:`. */
  private readonly checkpointer: Checkpointer | null = null;

  constructor(
    readonly writer: RedlineDatabase,
    file: string,
  ) {
    const client = writer.$client;
    if (file !== ":memory:") {
      client.pragma(`wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT_PAGES}`);
      this.checkpointer = new Checkpointer(
        file,
        () => client.open && client.pragma(`wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT_PAGES}`),
      );
    }
    this.begin = client.prepare("BEGIN IMMEDIATE");
    this.commit = client.prepare("COMMIT");
    this.rollback = client.prepare("ROLLBACK");
    this.beginRead = client.prepare("BEGIN");
    this.read = file === ":memory:" ? writer : openReader(file);
  }

  /** Runs `fn` in one write transaction, after the transactions before it; see the class comment. */
  async transaction<T>(fn: (tx: Transaction) => Promise<T>, _options?: TransactionOptions): Promise<T> {
    refuseNesting("transaction");
    const release = await this.lock.acquire();
    try {
      await this.beginImmediate();
      try {
        const result = await inside.run(this, () => fn(this.writer));
        this.commit.run();
        return result;
      } catch (error) {
        // A failed COMMIT may already have ended the transaction.
        if (this.writer.$client.inTransaction) this.rollback.run();
        throw error;
      }
    } finally {
      release();
    }
  }

  /**
   * `BEGIN IMMEDIATE`, waiting for another process's write lock without blocking this one: SQLite's
   * busy handler sleeps inside the call, and the whole event loop with it (every request of a web
   * process, every timer of a dispatcher, for as long as a worker holds the lock). Here the attempt
   * fails at once and is repeated after an asynchronous pause, for as long as `busy_timeout` would
   * have waited.
   */
  private async beginImmediate(): Promise<void> {
    const client = this.writer.$client;
    const giveUpAt = performance.now() + BUSY_WAIT_MS;
    for (let pause = 1; ; pause = Math.min(pause * 2, 16)) {
      client.pragma("busy_timeout = 0");
      try {
        this.begin.run();
        return;
      } catch (error) {
        if ((error as { code?: string }).code !== "SQLITE_BUSY" || performance.now() >= giveUpAt) throw error;
      } finally {
        client.pragma(`busy_timeout = ${BUSY_WAIT_MS}`);
      }
      await new Promise((resolve) => setTimeout(resolve, pause * (0.5 + Math.random())));
    }
  }

  /** Every SQLite transaction is `BEGIN IMMEDIATE`: it already holds the one write lock. */
  async holdWriteLock(_tx: Transaction): Promise<void> {}

  /**
   * Runs `fn` on the write connection once no transaction is open on it, as a transaction of its
   * own: its lock is waited for like a transaction's, never by freezing the process (the send-rate
   * slot every dispatcher asks for is such a write).
   */
  async write<T>(fn: (db: RedlineDatabase) => T | Promise<T>): Promise<T> {
    refuseNesting("write");
    return this.transaction(async () => fn(this.writer));
  }

  /**
   * A deferred transaction on the write connection, which it has to itself meanwhile (the read-only
   * connection cannot hold temporary tables): WAL gives it one snapshot from its first read; it is
   * rolled back at the end, temporary tables with it.
   */
  async snapshot<T>(fn: (tx: Transaction) => Promise<T>, _options?: SnapshotOptions): Promise<T> {
    refuseNesting("snapshot");
    const release = await this.lock.acquire();
    try {
      this.beginRead.run();
      try {
        return await inside.run(this, () => fn(this.writer));
      } finally {
        if (this.writer.$client.inTransaction) this.rollback.run();
      }
    } finally {
      release();
    }
  }

  async close(): Promise<void> {
    this.closeNow();
  }

  /** Closes both connections at once (process exit cannot wait). */
  closeNow(): void {
    this.checkpointer?.closeNow();
    if (this.read !== this.writer) this.read.$client.close();
    this.writer.$client.close();
  }
}

export function refuseNesting(what: string): void {
  if (inside.getStore()) {
    throw new Error(
      `${what}() called inside a transaction: pass its tx down instead (a nested call would wait for itself)`,
    );
  }
}

/** True while the caller runs inside `transaction` or `write` (reads there must use their tx). */
export function inTransaction(): boolean {
  return inside.getStore() !== undefined;
}

/**
 * The read connection: read-only at open and `query_only`, so a write sent to it by mistake fails
 * loudly instead of committing outside any transaction. The file exists (the write connection made
 * it, 0600) and is already in WAL mode, which is a property of the file.
 */
function openReader(file: string): RedlineDatabase {
  const sqlite = new Database(file, { readonly: true, fileMustExist: true });
  sqlite.pragma("query_only = ON");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma(`busy_timeout = ${BUSY_WAIT_MS}`);
  return drizzle(sqlite, { schema }) as RedlineDatabase;
}

import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/node-postgres";
import pg from "pg";
import type { RedlineDatabase } from "../client";
import {
  type DatabaseEngine,
  inside,
  refuseNesting,
  type SnapshotOptions,
  type Transaction,
  type TransactionOptions,
} from "../engine";
import { ChannelListener } from "./listener";
import * as schema from "./schema";

/** SQLSTATEs after which PostgreSQL has rolled the transaction back and running it again is safe. */
const RETRYABLE = new Set(["40001", "40P01"]); // serialization_failure, deadlock_detected
const ATTEMPTS = 3;
/** The writers' lock: transaction-scoped, so it is released by COMMIT or ROLLBACK, even on a dropped connection. */
const WRITE_LOCK = sql`SELECT pg_advisory_xact_lock(hashtext('redline.write'))`;

/**
 * The model layer's access to a PostgreSQL database (ADR 0017): a `pg` pool, reads straight on it,
 * and `transaction` on one pooled connection.
 *
 * Every transaction first takes one transaction-scoped advisory lock, so writers queue as they do on
 * SQLite, across every process and host: the models were written against a single writer (read
 * the chain head, then append; read the last version number, then insert), and this keeps each of
 * those read-then-write steps correct on READ COMMITTED without a lock per query. Readers never
 * wait for it. Paths that must write in parallel (many dispatchers claiming batches) opt out with
 * `{ rowLocks: true }`: their statements lock the rows they touch (`FOR UPDATE SKIP LOCKED`) and
 * they take the writers' lock only for a step that needs it, such as an audit append (ADR 0025).
 */
export class PgEngine implements DatabaseEngine {
  readonly kind = "postgres" as const;
  readonly pool: pg.Pool;
  readonly read: RedlineDatabase;
  readonly writer: RedlineDatabase;
  private readonly listeners = new Map<string, ChannelListener>();
  /** Open `rowLocks` transactions that have not taken the writers' lock yet. */
  private readonly unlocked = new WeakSet<object>();

  constructor(
    private readonly url: string,
    options: { max?: number } = {},
  ) {
    // allowExitOnIdle: a command (or a test) ends when its work is done, not after the idle timeout.
    this.pool = new pg.Pool({ connectionString: url, max: options.max ?? 10, allowExitOnIdle: true });
    // An idle connection that the server drops (restart, failover) must not crash the process:
    // the pool discards it and the next query opens a new one.
    this.pool.on("error", () => {});
    // The same for a connection dropped while checked out between two queries (a transaction awaiting
    // something): its next query fails, the transaction with it, and the pool discards it on release.
    this.pool.on("connect", (client) => client.on("error", () => {}));
    this.read = drizzle(this.pool, { schema }) as unknown as RedlineDatabase;
    this.writer = this.read;
  }

  async transaction<T>(fn: (tx: Transaction) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    refuseNesting("transaction");
    const db = this.read as unknown as ReturnType<typeof drizzle<typeof schema>>;
    for (let attempt = 1; ; attempt++) {
      try {
        return await db.transaction(async (tx) => {
          if (options.rowLocks) this.unlocked.add(tx);
          else await tx.execute(WRITE_LOCK);
          return inside.run(this, () => fn(tx as unknown as Transaction));
        });
      } catch (error) {
        const code =
          (error as { code?: string; cause?: { code?: string } }).code ??
          (error as { cause?: { code?: string } }).cause?.code;
        if (attempt < ATTEMPTS && code && RETRYABLE.has(code)) continue;
        throw error;
      }
    }
  }

  async holdWriteLock(tx: Transaction): Promise<void> {
    if (!this.unlocked.has(tx)) return;
    this.unlocked.delete(tx);
    await (tx as unknown as { execute: (query: unknown) => Promise<unknown> }).execute(WRITE_LOCK);
  }

  async write<T>(fn: (db: RedlineDatabase) => T | Promise<T>): Promise<T> {
    refuseNesting("write");
    return inside.run(this, () => fn(this.writer));
  }

  /**
   * A REPEATABLE READ transaction on one pooled connection: one snapshot for all its queries, no
   * write lock (writers go on meanwhile). READ ONLY unless it needs temporary tables, which a
   * read-only transaction may not create; those are made `ON COMMIT DROP` by the caller. Rolled
   * back at the end either way, so nothing it did stays.
   */
  async snapshot<T>(fn: (tx: Transaction) => Promise<T>, options: SnapshotOptions = {}): Promise<T> {
    refuseNesting("snapshot");
    const client = await this.pool.connect();
    // A connection whose BEGIN or ROLLBACK failed is discarded, not handed to the next caller.
    let broken: Error | undefined;
    try {
      await client
        .query(
          `BEGIN ISOLATION LEVEL REPEATABLE READ ${options.temporaryTables ? "READ WRITE" : "READ ONLY"}`,
        )
        .catch((error: Error) => {
          broken = error;
          throw error;
        });
      try {
        const tx = drizzle(client, { schema }) as unknown as Transaction;
        return await inside.run(this, () => fn(tx));
      } finally {
        await client.query("ROLLBACK").catch((error: Error) => {
          broken = error;
        });
      }
    } finally {
      client.release(broken);
    }
  }

  /** The process's one listener on `channel`, started on first use (db/pg/listener.ts). */
  listener(channel: string): ChannelListener {
    let listener = this.listeners.get(channel);
    if (!listener) {
      listener = new ChannelListener(this.url, channel);
      listener.start();
      this.listeners.set(channel, listener);
    }
    return listener;
  }

  async close(): Promise<void> {
    await Promise.all([...this.listeners.values()].map((listener) => listener.stop()));
    this.listeners.clear();
    await this.pool.end();
  }
}

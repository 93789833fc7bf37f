import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

/** How often the thread folds the WAL back: a few MB of writes at most between two checkpoints. */
const CHECKPOINT_EVERY_MS = 250;

/**
 * Pages of WAL after which a commit still checkpoints in its own connection (SQLite's default is
 * 1,000): only when the thread has fallen far behind, or a long read keeps it from finishing.
 */
export const FALLBACK_AUTOCHECKPOINT_PAGES = 10_000;

/** SQLite's own threshold, for a connection whose checkpoint thread could not run. */
export const DEFAULT_AUTOCHECKPOINT_PAGES = 1_000;

// CommonJS, run by `eval`: no file to find next to the build, and better-sqlite3 is passed by path.
const SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
// Never wait for a lock: a checkpoint that cannot run now runs at the next tick.
db.pragma("busy_timeout = 0");
const timer = setInterval(() => {
  try {
    db.pragma("wal_checkpoint(PASSIVE)");
  } catch {}
}, workerData.everyMs);
parentPort.once("message", () => {
  clearInterval(timer);
  db.close();
  Atomics.store(workerData.closed, 0, 1);
  Atomics.notify(workerData.closed, 0);
});
`;

/**
 * Folds a SQLite file's WAL back into the database from a thread of its own, with a connection of
 * its own (ADR 0017): a passive checkpoint every CHECKPOINT_EVERY_MS, which never blocks a reader
 * or a writer. SQLite's automatic checkpoint runs inside whichever COMMIT crosses 1,000 pages of WAL
 * — copying 4 MB into the database file and syncing it, 20–40 ms on the event loop of whoever
 * wrote last; the write connection keeps it only as a fallback (FALLBACK_AUTOCHECKPOINT_PAGES).
 */
export class Checkpointer {
  private readonly worker: Worker;
  private readonly closed = new Int32Array(new SharedArrayBuffer(4));

  private running = true;

  /** `onStopped`: the thread could not start or died; the caller checkpoints on its own again. */
  constructor(file: string, onStopped: (error: unknown) => void, everyMs = CHECKPOINT_EVERY_MS) {
    const driver = createRequire(import.meta.url).resolve("better-sqlite3");
    this.worker = new Worker(SOURCE, {
      eval: true,
      workerData: { file, everyMs, driver, closed: this.closed },
    });
    // Housekeeping never keeps a process alive.
    this.worker.unref();
    this.worker.once("error", (error) => {
      this.running = false;
      onStopped(error);
    });
    this.worker.once("exit", () => {
      this.running = false;
    });
  }

  /**
   * Closes the thread's connection and waits for it (at most a second, synchronously: process
   * exit cannot wait), so that the write connection, closed next, is the file's last and folds the
   * rest of the WAL into it.
   */
  closeNow(): void {
    if (!this.running) return;
    this.running = false;
    this.worker.postMessage("close");
    Atomics.wait(this.closed, 0, 0, 1000);
    void this.worker.terminate();
  }
}

import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Checkpointer } from "./checkpointer";

const directories: string[] = [];
afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

function scratchFile(): string {
  const directory = mkdtempSync(join(tmpdir(), "redline-checkpointer-"));
  directories.push(directory);
  return join(directory, "scratch.db");
}

describe("the checkpoint thread", () => {
  it("folds what another connection committed into the file, and closes its connection first", async () => {
    const file = scratchFile();
    const writer = new Database(file);
    writer.pragma("journal_mode = WAL");
    // The writer never checkpoints by itself: only the thread can move the pages into the file.
    writer.pragma("wal_autocheckpoint = 0");
    writer.exec("CREATE TABLE ballast (b BLOB)");
    const before = statSync(file).size;
    writer.exec(
      "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20) INSERT INTO ballast SELECT randomblob(100000) FROM n",
    );
    const onStopped = vi.fn();
    const checkpointer = new Checkpointer(file, onStopped, 20);
    await vi.waitFor(() => expect(statSync(file).size - before).toBeGreaterThan(1_900_000), {
      timeout: 5_000,
      interval: 20,
    });
    checkpointer.closeNow();
    // Its connection is closed: the writer is the last one, and closing removes the WAL.
    writer.close();
    expect(() => statSync(`${file}-wal`)).toThrow(/ENOENT/);
    expect(onStopped).not.toHaveBeenCalled();
  });

  it("tells its owner when it cannot run, so that the owner checkpoints again by itself", async () => {
    const onStopped = vi.fn();
    const checkpointer = new Checkpointer(join(scratchFile(), "missing", "x.db"), onStopped);
    await vi.waitFor(() => expect(onStopped).toHaveBeenCalledOnce(), { timeout: 5_000 });
    // Nothing to wait for: the thread is gone.
    checkpointer.closeNow();
  });
});

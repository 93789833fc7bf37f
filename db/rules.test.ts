import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { expectedTriggers, inspectTriggers, restoreTriggers } from "./rules";

/** A migrations folder as drizzle-kit writes it: SQL files split by breakpoints, and a journal. */
function migrations(files: Record<string, string>): string {
  const folder = mkdtempSync(join(tmpdir(), "redline-rules-"));
  mkdirSync(join(folder, "meta"));
  const tags = Object.keys(files);
  writeFileSync(
    join(folder, "meta", "_journal.json"),
    JSON.stringify({ entries: tags.map((tag) => ({ tag })) }),
  );
  for (const tag of tags) writeFileSync(join(folder, `${tag}.sql`), files[tag]);
  return folder;
}

const first = `CREATE TABLE t (x integer);
--> statement-breakpoint
-- A comment before the trigger, as our migrations have.
CREATE TRIGGER \`t_no_delete\`
BEFORE DELETE ON \`t\`
BEGIN
  SELECT RAISE(ABORT, 'no');
END;
--> statement-breakpoint
CREATE TRIGGER t_old BEFORE UPDATE ON t BEGIN SELECT 1; END;`;
const second = `DROP TRIGGER t_old;
--> statement-breakpoint
DROP TRIGGER \`t_no_delete\`;
--> statement-breakpoint
CREATE TRIGGER \`t_no_delete\` BEFORE DELETE ON \`t\` BEGIN SELECT RAISE(ABORT, 'never'); END;`;

describe("the protective triggers the migrations define", () => {
  it("are the last definition of each, without the ones a later migration dropped", () => {
    const folder = migrations({ "0000_first": first, "0001_second": second });
    expect([...expectedTriggers(folder).keys()]).toEqual(["t_no_delete"]);
    expect(expectedTriggers(folder).get("t_no_delete")).toContain("'never'");
  });

  it("are restored when missing or altered, and nothing else is touched", () => {
    const folder = migrations({ "0000_first": first });
    const sqlite = new Database(":memory:");
    for (const statement of first.split("--> statement-breakpoint")) sqlite.exec(statement);
    expect(inspectTriggers(sqlite, folder)).toEqual([]);
    expect(restoreTriggers(sqlite, folder)).toEqual([]);

    sqlite.exec("DROP TRIGGER t_no_delete; DROP TRIGGER t_old");
    sqlite.exec("CREATE TRIGGER t_old BEFORE UPDATE ON t BEGIN SELECT 2; END");
    sqlite.exec("CREATE TRIGGER mine AFTER INSERT ON t BEGIN SELECT 1; END");
    expect(inspectTriggers(sqlite, folder)).toEqual([
      { name: "t_no_delete", problem: "missing" },
      { name: "t_old", problem: "altered" },
      { name: "mine", problem: "unexpected" },
    ]);
    expect(restoreTriggers(sqlite, folder)).toEqual([
      { name: "t_no_delete", problem: "missing" },
      { name: "t_old", problem: "altered" },
    ]);
    expect(inspectTriggers(sqlite, folder)).toEqual([{ name: "mine", problem: "unexpected" }]);
    sqlite.exec("INSERT INTO t VALUES (1)");
    expect(() => sqlite.exec("DELETE FROM t")).toThrow("no");
  });
});

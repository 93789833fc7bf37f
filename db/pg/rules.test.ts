import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { expectedRules } from "./rules";

/** A migrations folder as drizzle-kit writes it: SQL files split by breakpoints, and a journal. */
function migrations(files: Record<string, string>): string {
  const folder = mkdtempSync(join(tmpdir(), "redline-pg-rules-"));
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
-- A comment before the function, as our migrations have.
CREATE FUNCTION t_no_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'no';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER t_no_delete BEFORE DELETE ON t FOR EACH ROW EXECUTE FUNCTION t_no_delete();
--> statement-breakpoint
CREATE FUNCTION t_old() RETURNS trigger LANGUAGE plpgsql AS $body$ BEGIN RETURN NEW; END; $body$;
--> statement-breakpoint
CREATE TRIGGER t_old BEFORE UPDATE ON "public"."t" FOR EACH ROW EXECUTE FUNCTION t_old();`;
const second = `DROP TRIGGER t_old ON t;
--> statement-breakpoint
DROP FUNCTION IF EXISTS t_old;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION t_no_delete() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'never'; END; $$;`;

describe("the protective rules the PostgreSQL migrations define", () => {
  it("are the last definition of each function and trigger, without the ones a later migration dropped", () => {
    const one = expectedRules(migrations({ "0000_first": first }));
    expect([...one.functions.keys()]).toEqual(["t_no_delete", "t_old"]);
    expect([...one.triggers.keys()]).toEqual(["t.t_no_delete", "t.t_old"]);
    expect(one.functions.get("t_old")?.body).toBe(" BEGIN RETURN NEW; END; ");

    const both = expectedRules(migrations({ "0000_first": first, "0001_second": second }));
    expect([...both.functions.keys()]).toEqual(["t_no_delete"]);
    expect([...both.triggers.keys()]).toEqual(["t.t_no_delete"]);
    expect(both.functions.get("t_no_delete")?.body).toContain("'never'");
  });

  it("are the committed ones: a function and trigger per SQLite trigger, TRUNCATE guards, the chain guard, its high-water mark", () => {
    const rules = expectedRules(join(import.meta.dirname, "migrations"));
    // 0007: the high-water mark's guard (one function, its row and TRUNCATE triggers); the chain
    // guard it raises is redefined, not added. 0010: a new branding tells every web process, through
    // the public state's existing function (one trigger). 0011: reminders of their notice (one
    // function and trigger; notices_fixed is redefined, again in 0012).
    expect(rules.functions.size).toBe(30);
    expect(rules.triggers.size).toBe(42);
    expect(rules.functions.get("audit_log_appends_to_head")?.body).toContain("audit_log_head_mark");
    for (const trigger of rules.triggers.values()) {
      expect(rules.functions.has(/EXECUTE FUNCTION (\w+)\(\)/.exec(trigger.statement)?.[1] ?? "")).toBe(true);
    }
  });
});

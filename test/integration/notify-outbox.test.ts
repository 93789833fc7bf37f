import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { count, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { parsePolicy } from "../../app/core/document";
import { db } from "../../app/models/db.server";
import { saveDraft } from "../../app/models/drafts.server";
import { countAudience, findSubscriber } from "../../app/models/subscribers.server";
import { first, rows } from "../../db/dialect";
import { auditLog, deliveries, deliveryBatches, notices, versions } from "../../db/tables";
import { main } from "../../scripts/redline";
import { testDirectory } from "../support/fresh-database";
import { addSubscribers, emailTo, publishFirst, publishMaterial } from "./notify-support";

function runCli(args: string[]) {
  let out = "";
  let err = "";
  const io = {
    out: (t: string) => {
      out += `${t}\n`;
    },
    err: (t: string) => {
      err += `${t}\n`;
    },
  };
  return main(args, io).then((code) => ({ code, out, err }));
}

describe("publishing a material change with notices", () => {
  it("creates the notice and one delivery per subscriber in fixed batches of at most 100, in the publish transaction", async () => {
    await publishFirst("outbox");
    await addSubscribers("outbox", 230);
    const version = await publishMaterial("outbox", emailTo("outbox", { channels: ["email", "dashboard"] }));
    const notice = (await first(db().select().from(notices).where(eq(notices.versionId, version.id))))!;
    expect(notice).toMatchObject({
      channels: ["dashboard", "email"],
      batchCount: 3,
      previousNumber: version.number - 1,
    });

    const perBatch = await rows<{ batch: number; n: number }>(
      db(),
      sql`
      SELECT batch_number AS batch, CAST(count(*) AS INTEGER) AS n FROM deliveries
      WHERE notice_id = ${notice.id} AND channel = 'email' GROUP BY batch_number ORDER BY batch_number`,
    );
    expect(perBatch).toEqual([
      { batch: 1, n: 100 },
      { batch: 2, n: 100 },
      { batch: 3, n: 30 },
    ]);
    expect(typeof perBatch[0].batch).toBe("number");
    const batches = await db().select().from(deliveryBatches).where(eq(deliveryBatches.noticeId, notice.id));
    expect(batches.map((b) => [b.number, b.status])).toEqual([
      [1, "pending"],
      [2, "pending"],
      [3, "pending"],
    ]);
    const dashboard = (await first(
      db()
        .select({ n: count() })
        .from(deliveries)
        .where(sql`${deliveries.noticeId} = ${notice.id} AND ${deliveries.channel} = 'dashboard'`),
    ))!.n;
    expect(dashboard).toBe(230);
    const audit = (await db().select().from(auditLog)).at(-1)!;
    expect(audit).toMatchObject({ action: "notice.created", details: { emailDeliveries: 230, batches: 3 } });
  });

  it("targets only subscribers whose attributes match the audience, and says how many first", async () => {
    await publishFirst("audience");
    await addSubscribers("audience", 30, (i) => ({
      region: ["EU", "US", "APAC"][i % 3],
      plan: i < 15 ? "team" : "solo",
    }));
    expect(await countAudience({ group: "audience", region: "EU" })).toBe(10);
    expect(await countAudience({ group: "audience", region: ["EU", "US"], plan: "team" })).toBe(10);
    const version = await publishMaterial(
      "audience",
      emailTo("audience", { audience: { group: "audience", region: "EU" } }),
    );
    const notice = (await first(db().select().from(notices).where(eq(notices.versionId, version.id))))!;
    const targeted = (await first(
      db().select({ n: count() }).from(deliveries).where(eq(deliveries.noticeId, notice.id)),
    ))!.n;
    expect(targeted).toBe(10);
  });

  it("refuses to notify about a non-material change, and writes nothing", async () => {
    await publishFirst("not-material");
    await addSubscribers("not-material", 5);
    const content = parsePolicy("# Privacy\n\nA typo fixed.", "markdown").content;
    await saveDraft({ slug: "not-material", title: "Privacy", content, actor: { kind: "cli" } });
    const before = (await first(db().select({ n: count() }).from(notices)))!.n;
    const result = await runCli(["publish", "not-material", "--notify", "email"]);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/only a material change notifies subscribers/);
    expect((await first(db().select({ n: count() }).from(notices)))!.n).toBe(before);
    const open = (await db().select().from(versions)).filter((v) => v.state === "draft");
    expect(open.length).toBeGreaterThan(0);
  });

  it("is done from the command line with --notify and --audience, and `notify status` counts per status", async () => {
    await publishFirst("cli-notify");
    await addSubscribers("cli-notify", 12, (i) => ({ region: i < 7 ? "EU" : "US" }));
    const content = parsePolicy("# Privacy\n\nWe now share data with Parcelpay.", "markdown").content;
    await saveDraft({ slug: "cli-notify", title: "Privacy", content, actor: { kind: "cli" } });
    const published = await runCli([
      "publish",
      "cli-notify",
      "--material",
      "--summary",
      "Parcelpay",
      "--notify",
      "email,dashboard",
      "--audience",
      '{"group":"cli-notify","region":"EU"}',
    ]);
    expect(published.code, published.err).toBe(0);
    expect(published.out).toMatch(
      /notice \d+: dashboard for 7 subscribers, email to 7 subscribers in 1 batches/,
    );

    const status = await runCli(["notify", "status", "cli-notify", "2", "--format", "json"]);
    expect(status.code, status.err).toBe(0);
    const [notice] = JSON.parse(status.out).notices;
    expect(notice.counts.email).toMatchObject({ pending: 7, sent: 0, failed: 0 });
    expect(notice.counts.dashboard).toMatchObject({ pending: 7 });
    expect(notice.batches).toEqual({ total: 1, pending: 1, sent: 0, failed: 0 });
    const text = await runCli(["notify", "status", "cli-notify", "2"]);
    expect(text.out).toMatch(/email +pending 7 +sent 0/);
    expect((await runCli(["notify", "status", "cli-notify", "9"])).err).toMatch(/has no version 9/);
  });

  it("refuses bad --notify and --audience values with the reason", async () => {
    expect(
      (await runCli(["publish", "outbox", "--material", "--summary", "x", "--notify", "sms"])).err,
    ).toMatch(/--notify takes email, dashboard/);
    expect((await runCli(["publish", "outbox", "--notify", "email", "--audience", "{bad"])).err).toMatch(
      /--audience: audience is not JSON/,
    );
    expect(
      (await runCli(["publish", "outbox", "--notify", "email", "--audience", '{"a b":"x"}'])).err,
    ).toMatch(/is not a valid name/);
  });
});

describe("importing subscribers from CSV", () => {
  it("keeps the valid rows and reports the invalid ones with line numbers and reasons", async () => {
    const file = join(testDirectory, "users.csv");
    writeFileSync(
      file,
      [
        "externalId,email,name,locale,region",
        "csv-1,one@example.test,One,en,EU",
        "csv-2,not-an-address,Two,en,US",
        "csv-3,three@example.test,Three,de,",
        "csv-1,dup@example.test,Dup,en,EU",
        "csv-4,four@example.test,Four",
        "bad id,five@example.test,Five,en,EU",
        'csv-6,six@example.test,"Six, the ""sixth""",fr,APAC',
        "",
      ].join("\n"),
    );
    const result = await runCli(["subscribers", "import", file, "--format", "json"]);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/4 rows rejected; the other rows were imported/);
    const report = JSON.parse(result.out);
    expect(report).toMatchObject({ rows: 7, created: 3, updated: 0 });
    expect(report.rejected).toEqual([
      {
        line: 3,
        externalId: "csv-2",
        reason: expect.stringMatching(/email "not-an-address" is not an email address/),
      },
      { line: 5, externalId: "csv-1", reason: 'duplicate externalId "csv-1" (first on line 2)' },
      { line: 6, externalId: "csv-4", reason: "the row does not have as many cells as the header" },
      { line: 7, externalId: "bad id", reason: expect.stringMatching(/externalId "bad id" must be/) },
    ]);
    expect(await findSubscriber("csv-1")).toMatchObject({
      email: "one@example.test",
      attributes: { region: "EU" },
    });
    expect(await findSubscriber("csv-3")).toMatchObject({ locale: "de", attributes: {} });
    expect(await findSubscriber("csv-6")).toMatchObject({
      name: 'Six, the "sixth"',
      attributes: { region: "APAC" },
    });
    expect(await findSubscriber("csv-2")).toBeUndefined();
  });

  it("updates existing subscribers and reads attributes from a JSON column", async () => {
    const file = join(testDirectory, "again.csv");
    writeFileSync(file, 'externalId,email,attributes\ncsv-1,one@example.test,"{""plan"":""team""}"\n');
    const result = await runCli(["subscribers", "import", file]);
    expect(result.code, result.err).toBe(0);
    expect(result.out).toMatch(/imported 1 of 1 rows \(0 new, 1 updated\), rejected 0/);
    expect((await findSubscriber("csv-1"))?.attributes).toEqual({ plan: "team" });
  });

  it("names a missing column or file instead of importing", async () => {
    const file = join(testDirectory, "no-email.csv");
    writeFileSync(file, "externalId,name\nx,y\n");
    expect((await runCli(["subscribers", "import", file])).err).toMatch(/needs an "email" column/);
    expect((await runCli(["subscribers", "import", join(testDirectory, "missing.csv")])).err).toMatch(
      /no such file/,
    );
  });
});

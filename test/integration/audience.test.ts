/**
 * Which subscribers an audience reaches, decided by the SQL condition that counting an audience
 * and publishing a notice both run (`audienceCondition`), against a real migrated database.
 */
import { and, asc, like } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { type Audience, parseAudience } from "../../app/core/notify/audience";
import { db } from "../../app/models/db.server";
import { audienceCondition, eraseSubscriber, upsertSubscribers } from "../../app/models/subscribers.server";
import { subscribers } from "../../db/tables";

/** Stores one subscriber per entry (externalId `${group}-${key}`) with the given attributes. */
async function addPeople(group: string, people: Record<string, Record<string, string>>) {
  await upsertSubscribers(
    Object.entries(people).map(([key, attributes]) => ({
      externalId: `${group}-${key}`,
      email: `${group}-${key}@example.test`,
      name: null,
      locale: "en",
      attributes,
    })),
  );
}

/** The keys of the group's subscribers the audience selects, in order. */
async function reached(group: string, audience: Audience | null): Promise<string[]> {
  return (
    await db()
      .select({ externalId: subscribers.externalId })
      .from(subscribers)
      .where(and(like(subscribers.externalId, `${group}-%`), audienceCondition(db(), audience)))
      .orderBy(asc(subscribers.externalId))
  ).map((row) => row.externalId.slice(group.length + 1));
}

describe("an audience", () => {
  it("absent, null or empty reaches everyone, whatever their attributes", async () => {
    await addPeople("all", { eu: { region: "EU" }, none: {} });
    expect(await reached("all", null)).toEqual(["eu", "none"]);
    expect(await reached("all", parseAudience("{}"))).toEqual(["eu", "none"]);
    expect(await reached("all", parseAudience(null))).toEqual(["eu", "none"]);
  });

  it("reaches those whose every named attribute has one of the accepted values", async () => {
    await addPeople("match", {
      "eu-team": { region: "EU", plan: "team" },
      "us-team": { region: "US", plan: "team" },
      "eu-solo": { region: "EU", plan: "solo" },
      "team-only": { plan: "team" },
      "uk-team": { region: "UK", plan: "team" },
      nothing: {},
    });
    expect(await reached("match", parseAudience('{"region":["US","EU"],"plan":"team"}'))).toEqual([
      "eu-team",
      "us-team",
    ]);
    expect(await reached("match", parseAudience('{"plan":"team"}'))).toEqual([
      "eu-team",
      "team-only",
      "uk-team",
      "us-team",
    ]);
  });

  it("compares values exactly: case, spaces and look-alike numbers count", async () => {
    await addPeople("exact", {
      upper: { region: "EU" },
      lower: { region: "eu" },
      spaced: { region: "EU " },
      one: { tier: "1" },
      "one-zero": { tier: "1.0" },
    });
    expect(await reached("exact", { region: "EU" })).toEqual(["upper"]);
    expect(await reached("exact", { tier: "1" })).toEqual(["one"]);
  });

  it("reads attribute names with dashes and underscores as names, not as JSON paths", async () => {
    await addPeople("names", {
      dashed: { "sales-region": "EU" },
      underscored: { sales_region: "EU" },
    });
    expect(await reached("names", { "sales-region": "EU" })).toEqual(["dashed"]);
    expect(await reached("names", { sales_region: "EU" })).toEqual(["underscored"]);
  });

  it("does not reach an erased subscriber by attributes: erasure removed them", async () => {
    await addPeople("erased", { kept: { region: "EU" }, gone: { region: "EU" } });
    await eraseSubscriber({ externalId: "erased-gone", actor: { kind: "cli" } });
    expect(await reached("erased", { region: "EU" })).toEqual(["kept"]);
  });
});

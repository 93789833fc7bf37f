import { describe, expect, it } from "vitest";
import { batchCount, batchIdempotencyKey } from "./batching";
import { subscriberFromCsvRecord, subscriberProblems } from "./subscriber";

describe("subscriber rules", () => {
  it("accept a well-formed subscriber", () => {
    expect(
      subscriberProblems({
        externalId: "user_1",
        email: "a.b+c@mail.example.com",
        attributes: { region: "EU" },
      }),
    ).toEqual([]);
  });

  it("name every problem of a bad one", () => {
    const problems = subscriberProblems({
      externalId: "has space",
      email: "a@b",
      name: 5,
      locale: "english",
      attributes: { "bad key": "x" },
    });
    expect(problems.map((p) => p.field)).toEqual(["externalId", "email", "name", "locale", "attributes"]);
  });

  it("turn extra CSV columns into attributes and merge a JSON attributes column", () => {
    const row = subscriberFromCsvRecord({
      externalId: "u1",
      email: " u1@example.test ",
      name: "",
      region: "EU",
      attributes: '{"plan":"team"}',
      empty: "",
    });
    expect(row).toEqual({
      ok: true,
      subscriber: {
        externalId: "u1",
        email: "u1@example.test",
        name: null,
        locale: "en",
        attributes: { plan: "team", region: "EU" },
      },
    });
    expect(subscriberFromCsvRecord({ externalId: "u1", email: "x@example.test", attributes: "[1]" })).toEqual(
      {
        ok: false,
        reason: "attributes is not a JSON object",
      },
    );
  });
});

describe("batches", () => {
  it("hold at most 100 emails and have a stable idempotency key", () => {
    expect([0, 1, 100, 101, 1_000_000].map(batchCount)).toEqual([0, 1, 1, 2, 10_000]);
    expect(batchIdempotencyKey(7, 3)).toBe("notice-7-batch-3");
    expect(batchIdempotencyKey(7, 3, 1)).toBe("notice-7-batch-3-retry-1");
  });
});

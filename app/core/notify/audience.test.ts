import { describe, expect, it } from "vitest";
import { Refusal } from "../refusal";
import { audienceConditions, parseAudience } from "./audience";

describe("audiences", () => {
  // Which subscribers an audience reaches is decided in SQL: test/integration/audience.test.ts.
  it("treat null, an empty object and absent input as everyone", () => {
    expect(parseAudience(null)).toBeNull();
    expect(parseAudience(undefined)).toBeNull();
    expect(parseAudience("{}")).toBeNull();
  });

  it("keep a single value as it is and a list of values without repeats, sorted", () => {
    expect(parseAudience('{"region":["US","EU","US"],"plan":"team"}')).toEqual({
      region: ["EU", "US"],
      plan: "team",
    });
  });

  it("list conditions in a stable order", () => {
    expect(audienceConditions({ z: "1", a: ["2", "3"] })).toEqual([
      { name: "a", values: ["2", "3"] },
      { name: "z", values: ["1"] },
    ]);
  });

  it("refuse malformed filters, naming the problem", () => {
    expect(() => parseAudience("{nope")).toThrow(Refusal);
    expect(() => parseAudience("[1]")).toThrow(/JSON object/);
    expect(() => parseAudience({ "$.x": "1" })).toThrow(/not a valid name/);
    expect(() => parseAudience({ region: 5 })).toThrow(/string or a list of strings/);
    expect(() => parseAudience({ region: [] })).toThrow(/needs 1–100 values/);
  });
});

import { describe, expect, it } from "vitest";
import { AudienceError, audienceConditions, matchesAudience, parseAudience } from "./audience";

describe("audiences", () => {
  it("treat null, an empty object and absent input as everyone", () => {
    expect(parseAudience(null)).toBeNull();
    expect(parseAudience("{}")).toBeNull();
    expect(matchesAudience({ region: "EU" }, null)).toBe(true);
  });

  it("match when every named attribute has an accepted value", () => {
    const audience = parseAudience('{"region":["US","EU"],"plan":"team"}');
    expect(audience).toEqual({ region: ["EU", "US"], plan: "team" });
    expect(matchesAudience({ region: "EU", plan: "team" }, audience)).toBe(true);
    expect(matchesAudience({ region: "EU", plan: "solo" }, audience)).toBe(false);
    expect(matchesAudience({ plan: "team" }, audience)).toBe(false);
    expect(matchesAudience(null, audience)).toBe(false);
  });

  it("list conditions in a stable order", () => {
    expect(audienceConditions({ z: "1", a: ["2", "3"] })).toEqual([
      { name: "a", values: ["2", "3"] },
      { name: "z", values: ["1"] },
    ]);
  });

  it("refuse malformed filters, naming the problem", () => {
    expect(() => parseAudience("{nope")).toThrow(AudienceError);
    expect(() => parseAudience("[1]")).toThrow(/JSON object/);
    expect(() => parseAudience({ "$.x": "1" })).toThrow(/not a valid name/);
    expect(() => parseAudience({ region: 5 })).toThrow(/string or a list of strings/);
    expect(() => parseAudience({ region: [] })).toThrow(/needs 1–100 values/);
  });
});

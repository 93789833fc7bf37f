import { describe, expect, it } from "vitest";
import { currentCacheControl, etagOf, ifNoneMatchMatches } from "./http-cache";

describe("public HTTP caching", () => {
  it("tags equal facts equally, whatever the order of their keys", () => {
    expect(etagOf({ a: 1, b: [1, 2] })).toBe(etagOf({ b: [1, 2], a: 1 }));
    expect(etagOf({ a: 1 })).not.toBe(etagOf({ a: 2 }));
    expect(etagOf("x")).toMatch(/^W\/"[\w-]+"$/);
  });

  it("matches If-None-Match lists, weak tags and the wildcard", () => {
    const tag = etagOf("page");
    expect(ifNoneMatchMatches(tag, tag)).toBe(true);
    // Weak comparison: the same tag sent back without its W/ still matches.
    expect(ifNoneMatchMatches(`"other", ${tag.replace(/^W\//, "")}`, tag)).toBe(true);
    expect(ifNoneMatchMatches("*", tag)).toBe(true);
    expect(ifNoneMatchMatches('"other"', tag)).toBe(false);
    expect(ifNoneMatchMatches(null, tag)).toBe(false);
    expect(ifNoneMatchMatches(`${"x".repeat(9000)}, ${tag}`, tag)).toBe(false);
  });

  it("never lets a current page be reused past the next UTC midnight", () => {
    expect(currentCacheControl(new Date("2026-11-27T12:00:00Z"))).toBe("public, max-age=60");
    expect(currentCacheControl(new Date("2026-11-27T23:59:30Z"))).toBe("public, max-age=30");
    expect(currentCacheControl(new Date("2026-11-27T23:59:59.900Z"))).toBe("public, max-age=0");
  });
});

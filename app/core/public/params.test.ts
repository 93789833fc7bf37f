import { describe, expect, it } from "vitest";
import { parseComparisonQuery, parsePolicyParams } from "./params";

const query = (qs: string) => new URLSearchParams(qs);

describe("public URL parameters", () => {
  it("accepts a slug, a language and a version number", () => {
    expect(parsePolicyParams({ slug: "privacy", n: "12" }, query("lang=pt-BR"))).toEqual({
      slug: "privacy",
      lang: "pt-BR",
      number: 12,
    });
    expect(parsePolicyParams({ slug: "privacy" }, query(""))).toEqual({
      slug: "privacy",
      lang: null,
      number: null,
    });
  });

  it.each([
    [{ slug: "Privacy" }, ""],
    [{ slug: "../etc" }, ""],
    [{ slug: "privacy", n: "0" }, ""],
    [{ slug: "privacy", n: "01" }, ""],
    [{ slug: "privacy", n: "1e3" }, ""],
    [{ slug: "privacy", n: "99999999999" }, ""],
    [{ slug: "privacy" }, "lang=<script>"],
    [{ slug: "privacy" }, "lang=de&lang=fr"],
    [{ slug: "privacy" }, `lang=${"a".repeat(5000)}`],
  ])("refuses %o with ?%s", (params, qs) => {
    expect(parsePolicyParams(params, query(qs))).toBeNull();
  });

  it("reads a comparison of two different versions", () => {
    expect(parseComparisonQuery(query("from=1&to=3"))).toEqual({ ok: true, from: 1, to: 3 });
    expect(parseComparisonQuery(query("from=3&to=1"))).toEqual({ ok: true, from: 3, to: 1 });
  });

  it.each([
    ["", /missing/],
    ["from=1", /to is missing/],
    ["from=&to=2", /from is missing/],
    ["from=1&to=1", /both version 1/],
    ["from=one&to=2", /from must be a version number/],
    ["from=1&to=-2", /to must be a version number/],
    ["from=1&from=2&to=3", /only once/],
  ])("explains why ?%s cannot be compared", (qs, reason) => {
    const result = parseComparisonQuery(query(qs));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(reason);
  });

  it("never echoes hostile input in its explanation", () => {
    const result = parseComparisonQuery(query("from=<script>alert(1)</script>&to=2"));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).not.toContain("<script>");
  });
});

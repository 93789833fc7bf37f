import { describe, expect, it } from "vitest";
import { countOf } from "./plural";

describe("countOf", () => {
  const batches = { one: "batch", other: "batches" };

  it("uses the singular for one and the plural otherwise, by the locale's rules", () => {
    expect(countOf(1, batches)).toBe("1 batch");
    expect(countOf(0, batches)).toBe("0 batches");
    expect(countOf(2, batches)).toBe("2 batches");
    expect(countOf(1, { one: "failed email", other: "failed emails" })).toBe("1 failed email");
  });

  it("falls back to the other form for a category not given", () => {
    expect(countOf(2, { few: "x", other: "pieces" }, "pl")).toBe("2 x");
    expect(countOf(5, { one: "piece", other: "pieces" }, "pl")).toBe("5 pieces");
  });
});

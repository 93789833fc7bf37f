import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { RULES } from ".";

// Files here that are not rules: the table, the shared reading of a block, and test helpers.
const NOT_RULES = new Set(["index.ts", "rule.ts", "facts.ts", "document-index.ts", "test-support.ts"]);

describe("the materiality rule table", () => {
  it("runs every rule module exactly once", async () => {
    const files = readdirSync(import.meta.dirname).filter(
      (file) => file.endsWith(".ts") && !file.endsWith(".test.ts") && !NOT_RULES.has(file),
    );
    const factories = [];
    for (const file of files) factories.push(...Object.values(await import(`./${file}`)));
    expect(new Set(RULES)).toEqual(new Set(factories));
    expect(RULES).toHaveLength(new Set(RULES).size);
  });
});

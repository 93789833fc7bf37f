import { describe, expect, it } from "vitest";
import { authenticateApiKey, createApiKey, revokeApiKey } from "../../app/models/api-keys.server";
import { db } from "../../app/models/db.server";
import { bearerToken } from "../../app/notify/http.server";
import { apiKeys } from "../../db/tables";
import { main } from "../../scripts/redline";

const cli = { kind: "cli" } as const;

describe("API keys", () => {
  it("are shown once and stored only as a hash", async () => {
    const { key } = await createApiKey({ name: "backend", actor: cli });
    const stored = await db().select().from(apiKeys);
    expect(JSON.stringify(stored)).not.toContain(key);
    expect((await authenticateApiKey(key))?.name).toBe("backend");
  });

  it("stop working when revoked, and the name can be used again", async () => {
    const { key } = await createApiKey({ name: "rotating", actor: cli });
    await expect(createApiKey({ name: "rotating", actor: cli })).rejects.toThrow(/already exists/);
    await revokeApiKey({ name: "rotating", actor: cli });
    expect(await authenticateApiKey(key)).toBeNull();
    const replacement = await createApiKey({ name: "rotating", actor: cli });
    expect(await authenticateApiKey(replacement.key)).not.toBeNull();
  });

  it("reject anything that is not a live key", async () => {
    const { key } = await createApiKey({ name: "probe", actor: cli });
    for (const attempt of [
      null,
      "",
      "rl_",
      `${key}x`,
      key.toUpperCase(),
      `Bearer ${key}`,
      "x".repeat(10_000),
    ]) {
      expect(await authenticateApiKey(attempt)).toBeNull();
    }
  });

  it("are read from an Authorization: Bearer header", () => {
    const request = (value: string) => new Request("http://x/", { headers: { authorization: value } });
    expect(bearerToken(request("Bearer rl_abc"))).toBe("rl_abc");
    expect(bearerToken(request("bearer   rl_abc "))).toBe("rl_abc");
    expect(bearerToken(request("Basic dXNlcjpwYXNz"))).toBeNull();
    expect(bearerToken(new Request("http://x/"))).toBeNull();
  });

  it("are created and revoked from the command line", async () => {
    let out = "";
    const io = {
      out: (text: string) => {
        out += text;
      },
      err: () => {},
    };
    expect(await main(["apikey", "create", "from-cli"], io)).toBe(0);
    expect(await authenticateApiKey(out.trim())).not.toBeNull();
    expect(await main(["apikey", "revoke", "from-cli"], io)).toBe(0);
    expect(await authenticateApiKey(out.split("revoked")[0].trim())).toBeNull();
    expect(await main(["apikey", "revoke", "never-existed"], { out: () => {}, err: () => {} })).toBe(1);
  });
});

/**
 * The public state's change notifications on PostgreSQL (db/pg/listener.ts, migration 0004): every
 * web process learns at commit that what the public site shows changed, and knows when it cannot
 * know (connection lost), so its response cache never serves a page from before a publication.
 */
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { ChannelListener } from "../../db/pg/listener";
import { createPostgresDatabase, prepareTemplate } from "../support/databases";

let database: Awaited<ReturnType<typeof createPostgresDatabase>>;
let client: pg.Client;
let listener: ChannelListener;

beforeAll(async () => {
  await prepareTemplate();
  database = await createPostgresDatabase();
  client = new pg.Client({ connectionString: database.url });
  await client.connect();
  listener = new ChannelListener(database.url, "redline_public_state");
  listener.start();
  await vi.waitFor(() => expect(listener.live).toBe(true), { timeout: 10_000 });
});

afterAll(async () => {
  await listener?.stop();
  await client?.end();
  await database?.drop();
});

describe("the public state listener", () => {
  it("moves on when a document or version changes, at commit and not before", async () => {
    const before = listener.generation;
    await client.query("BEGIN");
    await client.query("INSERT INTO documents (slug, locale, title) VALUES ('privacy', 'en', 'Privacy')");
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(listener.generation).toBe(before);
    await client.query("COMMIT");
    await vi.waitFor(() => expect(listener.generation).toBeGreaterThan(before));
  });

  it("does not move for writes that do not change the public site", async () => {
    const before = listener.generation;
    await client.query("INSERT INTO send_rates (name, next_free_at) VALUES ('email', 0)");
    await client.query(
      "INSERT INTO users (email, role, password_hash) VALUES ('a@example.test', 'admin', 'x')",
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(listener.generation).toBe(before);
  });

  it("says it is not live when its connection is cut, and comes back on its own", async () => {
    const before = listener.generation;
    await client.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query ILIKE 'LISTEN%'",
    );
    await vi.waitFor(() => expect(listener.live).toBe(false), { timeout: 5000 });
    expect(listener.generation).toBeGreaterThan(before);
    await vi.waitFor(() => expect(listener.live).toBe(true), { timeout: 10_000 });
    const reconnected = listener.generation;
    await client.query("UPDATE documents SET title = 'Privacy notice' WHERE slug = 'privacy'");
    await vi.waitFor(() => expect(listener.generation).toBeGreaterThan(reconnected));
  });
});

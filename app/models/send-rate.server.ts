/**
 * The send rate every dispatcher shares (ADR 0017, decision 5): a slot store in the database. Each
 * provider request takes the slot with one conditional UPDATE — atomic on SQLite under its single
 * writer, on PostgreSQL under the row's lock — so any number of `redline worker` processes and web
 * processes, on any number of hosts, together keep to SEND_RATE_PER_SECOND. Times are the
 * database's clock, so hosts whose clocks disagree still space their requests correctly.
 */
import { sql } from "drizzle-orm";
import { epochMs, execute, greatest, row } from "../../db/dialect";
import type { SlotStore } from "../core/notify/rate-limiter";
import { write } from "./db.server";

export class SharedSlots implements SlotStore {
  constructor(private readonly name = "email") {}

  async take(intervalMs: number): Promise<number> {
    const interval = Math.ceil(intervalMs);
    return write(async (db) => {
      const now = epochMs(db);
      // The database's clock is read once per statement, so "free" and "taken from" agree.
      const taken = await execute(
        db,
        sql`UPDATE send_rates SET next_free_at = ${now} + ${interval} WHERE name = ${this.name} AND next_free_at <= ${now}`,
      );
      if (taken > 0) return 0;
      const state = await row<{ wait: number }>(
        db,
        sql`SELECT next_free_at - ${now} AS wait FROM send_rates WHERE name = ${this.name}`,
      );
      if (state) return Math.max(1, Number(state.wait));
      // First use of this rate: the row is created free, and the caller asks again at once.
      await execute(
        db,
        sql`INSERT INTO send_rates (name, next_free_at) VALUES (${this.name}, 0) ON CONFLICT DO NOTHING`,
      );
      return 1;
    });
  }

  async pause(ms: number): Promise<void> {
    await write(async (db) => {
      const until = sql`${epochMs(db)} + ${Math.ceil(ms)}`;
      await execute(
        db,
        sql`UPDATE send_rates SET next_free_at = ${greatest(db, sql`next_free_at`, until)} WHERE name = ${this.name}`,
      );
    });
  }
}

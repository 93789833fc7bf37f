/**
 * The send rate every dispatcher shares (ADR 0017, decision 5): a slot store in the database. Each
 * provider request takes the slot with one conditional UPDATE — atomic on SQLite under its single
 * writer, on PostgreSQL under the row's lock — so any number of `redline worker` processes and web
 * processes, on any number of hosts, together keep to SEND_RATE_PER_SECOND. Times are the
 * database's clock, so hosts whose clocks disagree still space their requests correctly.
 */
import { sql } from "drizzle-orm";
import { epochMs, execute, greatest, row } from "../../db/dialect";
import type { SlotAnswer, SlotStore } from "../core/notify/rate-limiter";
import { write } from "./db.server";

export class SharedSlots implements SlotStore {
  constructor(private readonly name = "email") {}

  async take(intervalMs: number, aheadMs: number): Promise<SlotAnswer> {
    const interval = Math.ceil(intervalMs);
    const ahead = Math.floor(aheadMs);
    return write(async (db) => {
      const now = epochMs(db);
      // The database's clock is read once per statement, so "free", "reserved from" and the wait
      // agree. The next slot is reserved when it is at most `ahead` away (see RateLimiter).
      const reserved = await row<{ wait: number; now: number }>(
        db,
        sql`UPDATE send_rates SET next_free_at = ${greatest(db, sql`next_free_at`, now)} + ${interval}
            WHERE name = ${this.name} AND next_free_at <= ${now} + ${ahead}
            RETURNING next_free_at - ${interval} - ${now} AS wait, ${now} AS now`,
      );
      if (reserved) return { sendInMs: Math.max(0, Number(reserved.wait)), storeNow: Number(reserved.now) };
      const state = await row<{ wait: number }>(
        db,
        sql`SELECT next_free_at - ${ahead} - ${now} AS wait FROM send_rates WHERE name = ${this.name}`,
      );
      if (state) return { askAgainInMs: Math.max(1, Number(state.wait)) };
      // First use of this rate: the row is created free, and the caller asks again at once.
      await execute(
        db,
        sql`INSERT INTO send_rates (name, next_free_at) VALUES (${this.name}, 0) ON CONFLICT DO NOTHING`,
      );
      return { askAgainInMs: 1 };
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

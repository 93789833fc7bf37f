/**
 * The tables models query, for the engine this process runs on (ADR 0017): the SQLite schema
 * (db/schema.ts) or its PostgreSQL twin (db/pg/schema.ts), chosen once when this module loads, from
 * DATABASE_URL as the process was started with. Both have the same tables, columns and property
 * names (test/integration/schema-twins.test.ts), so models are written and type-checked once, against
 * the SQLite types; everything else (types, constants) is the SQLite schema module's. A table that
 * models reach only through raw SQL (send_rates, notice_views) needs no entry here.
 */
import { engineKind } from "./client";
import * as pg from "./pg/schema";
import * as sqlite from "./schema";

export * from "./schema";

const onPostgres = engineKind(process.env.DATABASE_URL ?? "") === "postgres";

const pick = <T>(sqliteTable: T, pgTable: unknown): T => (onPostgres ? (pgTable as T) : sqliteTable);

export const documents = pick(sqlite.documents, pg.documents);
export const users = pick(sqlite.users, pg.users);
export const versions = pick(sqlite.versions, pg.versions);
export const auditLog = pick(sqlite.auditLog, pg.auditLog);
export const apiKeys = pick(sqlite.apiKeys, pg.apiKeys);
export const subscribers = pick(sqlite.subscribers, pg.subscribers);
export const notices = pick(sqlite.notices, pg.notices);
export const deliveryBatches = pick(sqlite.deliveryBatches, pg.deliveryBatches);
export const deliveries = pick(sqlite.deliveries, pg.deliveries);
export const acknowledgements = pick(sqlite.acknowledgements, pg.acknowledgements);
export const webhookEvents = pick(sqlite.webhookEvents, pg.webhookEvents);
export const embedSecrets = pick(sqlite.embedSecrets, pg.embedSecrets);
export const embedOrigins = pick(sqlite.embedOrigins, pg.embedOrigins);
export const sessions = pick(sqlite.sessions, pg.sessions);
export const signInThrottles = pick(sqlite.signInThrottles, pg.signInThrottles);
export const passwordResets = pick(sqlite.passwordResets, pg.passwordResets);
export const reviewComments = pick(sqlite.reviewComments, pg.reviewComments);
export const storedDiffs = pick(sqlite.storedDiffs, pg.storedDiffs);
export const brandingLogos = pick(sqlite.brandingLogos, pg.brandingLogos);
export const brandingRevisions = pick(sqlite.brandingRevisions, pg.brandingRevisions);

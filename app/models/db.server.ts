import { sharedDatabase } from "../../db/client";
import { getEnv } from "../env.server";

/** The process's database handle (one per file, see db/client.ts). */
export function db() {
  return sharedDatabase(getEnv().DATABASE_URL);
}

/** Who did something, as written in the audit log. */
export type Actor = { kind: "user"; id: number } | { kind: "cli" } | { kind: "system" };

export function actorLabel(actor: Actor): string {
  return actor.kind === "user" ? `user:${actor.id}` : actor.kind;
}

import { randomBytes } from "node:crypto";
import { hash } from "@node-rs/argon2";
import { eq } from "drizzle-orm";
import { first } from "../../db/dialect";
import { type Role, type User, users } from "../../db/tables";
import { displayTextProblem } from "../core/display-text";
import { Refusal } from "../core/refusal";
import { recordAudit } from "./audit.server";
import { type Actor, reader, transaction } from "./db.server";

export const MIN_PASSWORD_LENGTH = 12;
export const MAX_USER_NAME_LENGTH = 200;

/** A password nobody has to invent: 24 characters from 144 random bits. */
export function generatePassword(): string {
  return randomBytes(18).toString("base64url");
}

/** Emails are compared case-insensitively; stored trimmed and lowercased. */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** Creates a login for the legal team; the password is stored only as an argon2id hash. */
export async function createUser(input: {
  email: string;
  role: Role;
  password: string;
  name?: string | null;
  /** A break-glass admin: may sign in with a password even when AUTH_PASSWORDS=off (audited). */
  breakGlass?: boolean;
  actor: Actor;
}): Promise<User> {
  if (input.breakGlass && input.role !== "admin") {
    throw new Refusal("invalid", "a break-glass account must be an admin (--role admin)");
  }
  if (input.password.length < MIN_PASSWORD_LENGTH) {
    throw new Refusal("invalid", `the password must be at least ${MIN_PASSWORD_LENGTH} characters`);
  }
  const email = normaliseEmail(input.email);
  const emailProblem = displayTextProblem("the email address", email);
  if (emailProblem) throw new Refusal("invalid", emailProblem);
  const name = input.name?.trim() || null;
  if (name !== null) {
    if (name.length > MAX_USER_NAME_LENGTH) {
      throw new Refusal("invalid", `the name must be at most ${MAX_USER_NAME_LENGTH} characters`);
    }
    const problem = displayTextProblem("the name", name);
    if (problem) throw new Refusal("invalid", problem);
  }
  const passwordHash = await hash(input.password);
  return transaction(async (tx) => {
    const existing = await first(
      tx.select({ deactivatedAt: users.deactivatedAt }).from(users).where(eq(users.email, email)),
    );
    if (existing?.deactivatedAt) {
      throw new Refusal("conflict", `${email} belongs to a deactivated user; reactivate them instead`);
    }
    if (existing) throw new Refusal("conflict", `a user with the email ${email} already exists`);
    const breakGlass = input.breakGlass ?? false;
    const user = (await first(
      tx.insert(users).values({ email, role: input.role, passwordHash, name, breakGlass }).returning(),
    ))!;
    await recordAudit(tx, {
      actor: input.actor,
      action: "user.created",
      details: { userId: user.id, email, role: user.role, ...(breakGlass ? { breakGlass } : {}) },
    });
    return user;
  });
}

export async function countUsers(): Promise<number> {
  return reader().$count(users);
}

/** Every person's email by id: how history and audit pages name who did what (one query). */
export async function userEmailsById(): Promise<Map<number, string>> {
  return new Map(
    (await reader().select({ id: users.id, email: users.email }).from(users)).map((u) => [u.id, u.email]),
  );
}

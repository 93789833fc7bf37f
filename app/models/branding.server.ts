/**
 * The organisation's branding (ADR 0026): one append-only row per save, the newest in effect.
 * Read per request (a primary-key lookup); a save changes the public state token, so the public
 * response cache drops every page at once (SQLite: the token's query reads the newest id;
 * PostgreSQL: a trigger notifies every process, migration 0010).
 */
import { createHash } from "node:crypto";
import { desc, eq, lte } from "drizzle-orm";
import { first } from "../../db/dialect";
import { brandingLogos, brandingRevisions } from "../../db/tables";
import {
  type Branding,
  DEFAULT_BRANDING,
  type LogoType,
  MAX_LOGO_BYTES,
  sniffLogoType,
} from "../core/branding";
import type { BrandingInput } from "../core/branding-input";
import { Refusal } from "../core/refusal";
import { describeBytes } from "../http/body.server";
import { recordAudit } from "./audit.server";
import { type Actor, reader, transaction } from "./db.server";

const columns = {
  revision: brandingRevisions.id,
  organisationName: brandingRevisions.organisationName,
  logoHash: brandingRevisions.logoHash,
  logoType: brandingLogos.contentType,
  accentColour: brandingRevisions.accentColour,
  contactUrl: brandingRevisions.contactUrl,
  imprintUrl: brandingRevisions.imprintUrl,
  supportEmail: brandingRevisions.supportEmail,
};

/**
 * The branding in effect now, or — with `asOf` — the one in effect at that moment (an email
 * batch's frozen_at, so that a retry renders what the first attempt rendered). Redline's defaults
 * before the first save.
 */
export async function currentBranding({ asOf }: { asOf?: string | null } = {}): Promise<Branding> {
  const query = reader()
    .select(columns)
    .from(brandingRevisions)
    .leftJoin(brandingLogos, eq(brandingLogos.hash, brandingRevisions.logoHash));
  const found = await first(
    (asOf ? query.where(lte(brandingRevisions.createdAt, asOf)) : query)
      .orderBy(desc(brandingRevisions.id))
      .limit(1),
  );
  return found ?? DEFAULT_BRANDING;
}

export type BrandingRevisionInfo = { id: number; createdAt: string; createdBy: number | null };

/** The latest saves, newest first, for the settings page. */
export async function brandingHistory(limit = 10): Promise<BrandingRevisionInfo[]> {
  return await reader()
    .select({
      id: brandingRevisions.id,
      createdAt: brandingRevisions.createdAt,
      createdBy: brandingRevisions.createdById,
    })
    .from(brandingRevisions)
    .orderBy(desc(brandingRevisions.id))
    .limit(limit);
}

/** What to do with the logo on save. */
export type LogoChange = { kind: "keep" } | { kind: "remove" } | { kind: "upload"; bytes: Uint8Array };

/** Checks an uploaded logo: its real type (from its bytes) and size. Throws a Refusal with a message for the form. */
function checkLogo(bytes: Uint8Array): LogoType {
  if (bytes.byteLength === 0) throw new Refusal("invalid", "The logo file is empty.");
  if (bytes.byteLength > MAX_LOGO_BYTES) {
    throw new Refusal(
      "too-large",
      `The logo is ${describeBytes(bytes.byteLength)}; logos may be at most ${describeBytes(MAX_LOGO_BYTES)}. Save a smaller image.`,
    );
  }
  const type = sniffLogoType(bytes);
  if (!type) throw new Refusal("invalid", "The logo must be a PNG, JPEG or SVG image.");
  return type;
}

/**
 * Saves a new branding revision (and a new logo, stored once per content) and audits it in the same
 * transaction. Returns the branding now in effect.
 */
export async function saveBranding({
  input,
  logo,
  actor,
}: {
  input: BrandingInput;
  logo: LogoChange;
  actor: Actor;
}): Promise<Branding> {
  const upload = logo.kind === "upload" ? { bytes: logo.bytes, type: checkLogo(logo.bytes) } : null;
  await transaction(async (tx) => {
    const previous = await first(
      tx
        .select({ logoHash: brandingRevisions.logoHash })
        .from(brandingRevisions)
        .orderBy(desc(brandingRevisions.id))
        .limit(1),
    );
    let logoHash = logo.kind === "keep" ? (previous?.logoHash ?? null) : null;
    if (upload) {
      logoHash = createHash("sha256").update(upload.bytes).digest("base64url");
      await tx
        .insert(brandingLogos)
        .values({
          hash: logoHash,
          contentType: upload.type,
          data: Buffer.from(upload.bytes).toString("base64"),
          byteSize: upload.bytes.byteLength,
        })
        .onConflictDoNothing();
    }
    const created = (await first(
      tx
        .insert(brandingRevisions)
        .values({
          organisationName: input.organisationName,
          logoHash,
          accentColour: input.accentColour,
          contactUrl: input.contactUrl,
          imprintUrl: input.imprintUrl,
          supportEmail: input.supportEmail,
          createdById: actor.kind === "user" ? actor.id : null,
        })
        .returning({ id: brandingRevisions.id }),
    ))!;
    await recordAudit(tx, {
      actor,
      action: "branding.changed",
      details: {
        brandingRevision: created.id,
        ...input,
        logo: upload ? { hash: logoHash, type: upload.type, bytes: upload.bytes.byteLength } : logoHash,
      },
    });
  });
  return currentBranding();
}

/** A stored logo by its hash, or null. */
export async function findLogo(hash: string): Promise<{ contentType: LogoType; bytes: Buffer } | null> {
  const found = await first(
    reader()
      .select({ contentType: brandingLogos.contentType, data: brandingLogos.data })
      .from(brandingLogos)
      .where(eq(brandingLogos.hash, hash))
      .limit(1),
  );
  return found ? { contentType: found.contentType, bytes: Buffer.from(found.data, "base64") } : null;
}

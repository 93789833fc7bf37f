/**
 * "Download PDF" (ADR 0030): a version or a redline as a PDF, drawn in the diff pool. Public PDFs are
 * kept in a byte-bounded cache keyed by what they show (content hashes, dates, branding, the running
 * code), and concurrent requests for the same one share one drawing. Text in a writing system the
 * bundled fonts cannot draw is refused (the page says to use the browser's Print → Save as PDF).
 */
import { createHash } from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import { LRUCache } from "lru-cache";
import { first } from "../../db/dialect";
import { type Document, type Version, versions } from "../../db/tables";
import { formatLongDate } from "../core/dates";
import type { Redline } from "../core/diff";
import { summaryText } from "../core/history/types";
import { stableStringify } from "../core/stable-json";
import { isPublishedState } from "../core/versions/workflow";
import { runPdf, runRedline } from "../diff-pool.server";
import type { PdfRequest } from "../pdf/draw";
import { pdfFileName, unsupportedScript } from "../pdf/layout";
import { currentBranding } from "./branding.server";
import { reader } from "./db.server";
import {
  comparePublishedVersions,
  getPublishedBody,
  type PublicPolicy,
  type PublicVersion,
  renderStamp,
} from "./public-policies.server";
import { publishedRedline } from "./redlines.server";
import { isPublishedVersion } from "./versions.server";

/** A PDF to send, or the writing system that stopped it. */
export type PdfOutcome = { ok: true; bytes: Buffer; fileName: string } | { ok: false; script: string };

type VersionFacts = {
  number: number;
  lastUpdated: string | null;
  effectiveAt: string | null;
  publishedAt?: string | null;
  material: boolean;
  summary: string | null;
  imported?: unknown;
};

const dateLine = (label: string, date: string | null) => (date ? [`${label}: ${formatLongDate(date)}`] : []);

/** The header of one version's PDF: the same facts as the top of its page. */
function versionHeader(organisation: string, title: string, version: VersionFacts): PdfRequest["header"] {
  return {
    organisation,
    title,
    heading: `Version ${version.number}`,
    facts: [
      ...dateLine("Last updated", version.lastUpdated),
      ...dateLine("Effective date", version.effectiveAt),
    ],
    notes: version.material
      ? [{ label: "Material change", text: summaryText({ summary: version.summary, imported: false }) }]
      : version.summary
        ? [{ label: "Summary of changes", text: version.summary }]
        : [],
  };
}

/** The header of a redline's PDF: the two versions compared, and the summary of each one between. */
function redlineHeader(
  organisation: string,
  title: string,
  from: VersionFacts,
  to: VersionFacts,
  between: VersionFacts[],
): PdfRequest["header"] {
  const facts = (v: VersionFacts) => (v.lastUpdated ? `, last updated ${formatLongDate(v.lastUpdated)}` : "");
  return {
    organisation,
    title,
    heading: `Changes from version ${from.number} to version ${to.number}`,
    facts: [`Compared: version ${from.number}${facts(from)} → version ${to.number}${facts(to)}.`],
    notes: between.map((v) => ({
      label: `Version ${v.number}${v.material ? " (material change)" : ""}`,
      text: summaryText({ summary: v.summary, imported: Boolean(v.imported) }),
    })),
    legend: true,
  };
}

const MEGABYTE = 1024 * 1024;

/** Public PDFs drawn lately, by what they show. */
const drawn = new LRUCache<string, Buffer>({
  maxSize: 48 * MEGABYTE,
  sizeCalculation: (bytes) => bytes.length,
});
/** Public PDFs being drawn: a second request for one waits for the same drawing. */
const drawing = new Map<string, Promise<Buffer>>();

/**
 * A public PDF from memory, or drawn once however many ask at the same time. `facts` names everything
 * the PDF shows besides the body (whose content hashes are in it too).
 */
async function sharedPdf(facts: unknown, request: () => Promise<PdfRequest>): Promise<Buffer> {
  const key = createHash("sha1")
    .update(stableStringify([renderStamp(), facts]))
    .digest("base64url");
  const cached = drawn.get(key);
  if (cached) return cached;
  let pending = drawing.get(key);
  if (!pending) {
    pending = request()
      .then(runPdf)
      .then((bytes) => {
        drawn.set(key, bytes);
        return bytes;
      })
      .finally(() => drawing.delete(key));
    drawing.set(key, pending);
  }
  return pending;
}

/** A published version's content as stored (JSON text on SQLite): parsed in the worker, not here. */
async function publishedContent(version: Pick<PublicVersion, "id">): Promise<string | object> {
  const found = await first(
    reader()
      .select({ content: sql<string | object>`${versions.content}` })
      .from(versions)
      .where(and(eq(versions.id, version.id), isPublishedVersion)),
  );
  if (!found) throw new Error(`version ${version.id} is not published`);
  return found.content;
}

const refusedScript = (...texts: string[]) => unsupportedScript(texts.join("\n"));

/** One published version of a public policy as a PDF. */
export async function publicVersionPdf(policy: PublicPolicy, version: PublicVersion): Promise<PdfOutcome> {
  const { slug, locale, title } = policy.document;
  const script = refusedScript(title, (await getPublishedBody(version)).text);
  if (script) return { ok: false, script };
  const { organisationName } = await currentBranding();
  const header = versionHeader(organisationName, title, version);
  const bytes = await sharedPdf(["version", version.contentHash, header, locale], async () => ({
    header,
    locale,
    createdAt: version.publishedAt,
    body: { kind: "document", content: (await publishedContent(version)) as string },
  }));
  return {
    ok: true,
    bytes,
    fileName: pdfFileName({ organisation: organisationName, slug, locale, versions: [version.number] }),
  };
}

/** The public redline between two published versions as a PDF. */
export async function publicComparisonPdf(
  policy: PublicPolicy,
  from: PublicVersion,
  to: PublicVersion,
  between: PublicVersion[],
): Promise<PdfOutcome> {
  const { slug, locale, title } = policy.document;
  const [older, newer] = await Promise.all([getPublishedBody(from), getPublishedBody(to)]);
  const script = refusedScript(title, older.text, newer.text);
  if (script) return { ok: false, script };
  const { organisationName } = await currentBranding();
  const header = redlineHeader(organisationName, title, from, to, between);
  const facts = ["redline", from.contentHash, to.contentHash, header, locale];
  const bytes = await sharedPdf(facts, async () => ({
    header,
    locale,
    createdAt: to.publishedAt,
    // A full diff pool refuses here too (503 with Retry-After).
    body: { kind: "redline", blocks: (await comparePublishedVersions(from, to)).blocks },
  }));
  return {
    ok: true,
    bytes,
    fileName: pdfFileName({
      organisation: organisationName,
      slug,
      locale,
      versions: [from.number, to.number],
    }),
  };
}

type WorkspaceDocument = Pick<Document, "slug" | "locale" | "title">;

/** A version in the workspace, draft or published, as a PDF (never cached: drafts change). */
export async function workspaceVersionPdf(
  document: WorkspaceDocument,
  version: Version,
): Promise<PdfOutcome> {
  const script = refusedScript(document.title, version.text);
  if (script) return { ok: false, script };
  const { organisationName } = await currentBranding();
  const bytes = await runPdf({
    header: versionHeader(organisationName, document.title, version),
    locale: document.locale,
    body: { kind: "document", content: version.content },
  });
  return {
    ok: true,
    bytes,
    fileName: pdfFileName({
      organisation: organisationName,
      slug: document.slug,
      locale: document.locale,
      versions: [version.number],
    }),
  };
}

/** The workspace's redline between two versions (drafts included) as a PDF. */
export async function workspaceComparisonPdf(
  document: WorkspaceDocument,
  older: Version,
  newer: Version,
): Promise<PdfOutcome> {
  const script = refusedScript(document.title, older.text, newer.text);
  if (script) return { ok: false, script };
  const { organisationName } = await currentBranding();
  const redline: Redline =
    isPublishedState(older.state) && isPublishedState(newer.state)
      ? await publishedRedline(older, newer, "workspace")
      : await runRedline({ older: older.content, newer: newer.content });
  const bytes = await runPdf({
    header: redlineHeader(organisationName, document.title, older, newer, []),
    locale: document.locale,
    body: { kind: "redline", blocks: redline.blocks },
  });
  return {
    ok: true,
    bytes,
    fileName: pdfFileName({
      organisation: organisationName,
      slug: document.slug,
      locale: document.locale,
      versions: [older.number, newer.number],
    }),
  };
}

/**
 * Preview and test of a notice before it is published (issue 16, item 1): the email (HTML and
 * text) and the banner exactly as one subscriber would get them, and one real test email to the
 * person at the keyboard. Nothing here creates a notice or a delivery, so nothing is counted.
 */
import { randomUUID } from "node:crypto";
import { senderWithName } from "../core/branding";
import { noticeLanguage } from "../core/notify/messages";
import { Refusal } from "../core/refusal";
import type { Env } from "../env.server";
import type { PendingNotice } from "../models/acknowledgements.server";
import { recordAudit } from "../models/audit.server";
import { currentBranding } from "../models/branding.server";
import { transaction } from "../models/db.server";
import type { NoticeContent } from "../models/deliveries.server";
import { findSubscriber } from "../models/subscribers.server";
import { type BannerNotice, bannerNotices } from "./banner-words.server";
import { type RenderedEmail, renderNoticeEmail } from "./email.server";
import { resendProvider } from "./provider.server";
import { type MailTransport, planMailTransport } from "./transport.server";

/** What the publish form knows about the notice it is about to create. */
export type DraftNotice = {
  documentId: number;
  slug: string;
  documentLocale: string;
  title: string;
  version: number;
  previousNumber: number | null;
  summary: string;
  effectiveAt: string;
  lastUpdated: string;
  requiresAck: boolean;
};

export type NoticePreview = {
  reader: { externalId: string | null; locale: string; language: string };
  email: RenderedEmail;
  banner: BannerNotice;
};

/** Test emails say so in the subject and in a header, so no filter or person takes them for the real one. */
const TEST_SUBJECT_PREFIX = "[Test] ";
const TEST_HEADER = "X-Redline-Test";

/** Stands in for the reader's own signed link, which exists only once the notice is sent. */
const PREVIEW_ACK_PATH = "/notices/acknowledge/preview";

function contentOf(draft: DraftNotice): NoticeContent {
  return {
    noticeId: 0,
    documentId: draft.documentId,
    slug: draft.slug,
    documentLocale: draft.documentLocale,
    title: draft.title,
    version: draft.version,
    summary: draft.summary,
    effectiveAt: draft.effectiveAt,
    lastUpdated: draft.lastUpdated,
    previousNumber: draft.previousNumber,
    requiresAck: draft.requiresAck,
    reminderRound: null,
    remindsOfAt: null,
    audienceKind: "subscribers",
  };
}

/**
 * The email and banner for subscriber `externalId` (their locale and name), or for a bare
 * `locale` when no subscriber is named. A version not yet published has no translation, so every
 * other language shows the fallback note — as it would if it were sent right away.
 */
export async function previewNotice({
  draft,
  externalId,
  locale,
  baseUrl,
}: {
  draft: DraftNotice;
  externalId: string | null;
  locale: string | null;
  baseUrl: string;
}): Promise<NoticePreview> {
  const subscriber = externalId ? await findSubscriber(externalId) : undefined;
  if (externalId && (!subscriber || subscriber.status === "erased")) {
    throw new Refusal("not-found", `no subscriber "${externalId}"`);
  }
  const readerLocale = locale || subscriber?.locale || "en";
  const content = contentOf(draft);
  const email = await renderNoticeEmail(
    content,
    { locale: readerLocale, name: subscriber?.name ?? null, redlineFrom: draft.previousNumber },
    baseUrl,
    { ackUrl: draft.requiresAck ? `${baseUrl}${PREVIEW_ACK_PATH}` : null, branding: await currentBranding() },
  );
  const pending: PendingNotice = {
    id: 0,
    document: draft.slug,
    locale: draft.documentLocale,
    title: draft.title,
    version: draft.version,
    summary: draft.summary,
    effectiveAt: draft.effectiveAt,
    lastUpdated: draft.lastUpdated,
    material: true,
    requiresAck: draft.requiresAck,
    alsoCovers: [],
    emailUndelivered: false,
    links: { policy: `${baseUrl}/policies/${draft.slug}/versions/${draft.version}`, redline: null },
  };
  const [banner] = await bannerNotices([pending], readerLocale);
  return {
    reader: { externalId, locale: readerLocale, language: noticeLanguage(readerLocale) },
    email,
    banner,
  };
}

/**
 * Sends the previewed email once to `to` through the configured transport, marked as a test, and
 * records that in the audit log (who, which document, which language — not the address).
 */
export async function sendTestNotice({
  env,
  transport,
  preview,
  draft,
  to,
  userId,
}: {
  env: Env;
  transport: MailTransport;
  preview: NoticePreview;
  draft: DraftNotice;
  to: string;
  userId: number;
}): Promise<{ providerMessageId: string }> {
  const plan = planMailTransport(env);
  const baseUrl = plan.kind === "capture" ? transport.captureUrl : plan.baseUrl;
  if (plan.kind === "capture" && !baseUrl) throw new Refusal("conflict", "no mail transport in this process");
  const provider = resendProvider({ apiKey: plan.apiKey, baseUrl: baseUrl ?? undefined });
  const result = await provider.sendBatch(
    [
      {
        from: senderWithName(env.MAIL_FROM, (await currentBranding()).organisationName),
        to,
        subject: `${TEST_SUBJECT_PREFIX}${preview.email.subject}`,
        html: preview.email.html,
        text: preview.email.text,
        headers: { [TEST_HEADER]: "preview" },
        tags: [{ name: "redline_test", value: "true" }],
      },
    ],
    `test-${randomUUID()}`,
  );
  if (!result.ok) throw new Refusal("conflict", `the test email was not accepted: ${result.failure.reason}`);
  const providerMessageId = result.messageIds[0];
  await transaction(async (tx) => {
    await recordAudit(tx, {
      actor: { kind: "user", id: userId },
      action: "notice.test-sent",
      documentId: draft.documentId,
      details: {
        version: draft.version,
        previewedFor: preview.reader.externalId,
        locale: preview.reader.locale,
        requiresAck: draft.requiresAck,
        providerMessageId,
        transport: transport.label,
      },
    });
  });
  return { providerMessageId };
}

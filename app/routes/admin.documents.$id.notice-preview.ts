import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { documentFromParams } from "~/auth/params.server";
import { requireUser, requireUserForm } from "~/auth/session.server";
import { addDays, isoDateOf } from "~/core/dates";
import { EXTERNAL_ID_PATTERN } from "~/core/notify/subscriber";
import { isRefusal } from "~/core/refusal";
import { getEnv } from "~/env.server";
import { reader } from "~/models/db.server";
import { findLatestPublishedVersion, getOpenVersion } from "~/models/versions.server";
import { type DraftNotice, previewNotice, sendTestNotice } from "~/notify/notice-preview.server";

/**
 * /admin/documents/:id/notice-preview (approvers, like publishing; issue 16, item 1): the notice
 * of the open version as one subscriber would get it — GET gives subject, text and banner as JSON,
 * `?format=html` the HTML part for a frame — and POST `intent=send-test` sends that email once to
 * the signed-in person, marked as a test, audited, never a notice.
 */
const Fields = z.object({
  externalId: z
    .string()
    .trim()
    .max(128)
    .refine((v) => v === "" || EXTERNAL_ID_PATTERN.test(v), "not a valid externalId")
    .optional(),
  locale: z
    .string()
    .trim()
    .max(35)
    .regex(/^([A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*)?$/, "not a locale")
    .optional(),
  summary: z.string().max(2000).optional(),
  effectiveAt: z
    .string()
    .regex(/^(\d{4}-\d{2}-\d{2})?$/)
    .optional(),
  requireAck: z.enum(["on", ""]).optional(),
});

/** The framed HTML part may style itself inline, never run script, and be framed only by the workspace. */
const EMAIL_FRAME_POLICY = [
  "default-src 'none'",
  "style-src 'unsafe-inline'",
  "img-src https: data:",
  "sandbox",
  "frame-ancestors 'self'",
].join("; ");

async function draftFor(params: LoaderFunctionArgs["params"], fields: z.infer<typeof Fields>) {
  const document = await documentFromParams(params);
  const open = await getOpenVersion(document.id);
  if (!open) throw new Response("This document has no open version to preview.", { status: 404 });
  const today = isoDateOf(new Date());
  const draft: DraftNotice = {
    documentId: document.id,
    slug: document.slug,
    documentLocale: document.locale,
    title: document.title,
    version: open.number,
    previousNumber: (await findLatestPublishedVersion(reader(), document.id))?.number ?? null,
    summary: fields.summary?.trim() || "(The summary you write above appears here.)",
    effectiveAt: fields.effectiveAt || addDays(today, getEnv().NOTICE_PERIOD_DAYS),
    lastUpdated: today,
    requiresAck: fields.requireAck === "on",
  };
  return draft;
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireUser(request, { role: "approver" });
  const url = new URL(request.url);
  const fields = Fields.safeParse(Object.fromEntries(url.searchParams));
  if (!fields.success) {
    return Response.json(
      { ok: false, error: `Check the preview: ${fields.error.issues[0].message}` },
      { status: 400 },
    );
  }
  const draft = await draftFor(params, fields.data);
  try {
    const preview = await previewNotice({
      draft,
      externalId: fields.data.externalId || null,
      locale: fields.data.locale || null,
      baseUrl: getEnv().PUBLIC_BASE_URL,
    });
    if (url.searchParams.get("format") === "html") {
      return new Response(preview.email.html, {
        headers: {
          "Content-Type": "text/html; charset=utf-8",
          "Content-Security-Policy": EMAIL_FRAME_POLICY,
        },
      });
    }
    // A resource route: plain JSON responses, so the status reaches the client as given.
    return Response.json({
      ok: true,
      reader: preview.reader,
      subject: preview.email.subject,
      text: preview.email.text,
      banner: preview.banner,
    });
  } catch (error) {
    if (isRefusal(error)) {
      return Response.json(
        { ok: false, error: error.message },
        { status: error.reason === "not-found" ? 404 : 400 },
      );
    }
    throw error;
  }
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { user, form } = await requireUserForm(request, { role: "approver" });
  const fields = Fields.extend({ intent: z.literal("send-test") }).safeParse(Object.fromEntries(form));
  if (!fields.success) {
    return Response.json(
      { ok: false, error: `Check the preview: ${fields.error.issues[0].message}` },
      { status: 400 },
    );
  }
  const draft = await draftFor(params, fields.data);
  try {
    const env = getEnv();
    const preview = await previewNotice({
      draft,
      externalId: fields.data.externalId || null,
      locale: fields.data.locale || null,
      baseUrl: env.PUBLIC_BASE_URL,
    });
    await sendTestNotice({
      env,
      transport: context.services.mail,
      preview,
      draft,
      to: user.email,
      userId: user.id,
    });
    return Response.json({ ok: true, sentTo: user.email });
  } catch (error) {
    if (isRefusal(error)) return Response.json({ ok: false, error: error.message }, { status: 400 });
    throw error;
  }
}

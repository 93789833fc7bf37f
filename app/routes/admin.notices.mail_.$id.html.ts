import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireUser } from "~/auth/session.server";
import type { CapturedMessage } from "~/notify/mail-server.server";

/**
 * The HTML part of one captured email, framed by the captured-mail page. Served on its own so it
 * gets a policy of its own: emails are styled inline, which the workspace's policy forbids (and a
 * `srcdoc` frame would inherit it). This document may style itself inline and show images, but runs
 * no script (`sandbox`, and no script-src) and may be framed only by the workspace itself.
 */
const MAIL_PREVIEW_POLICY = [
  "default-src 'none'",
  "style-src 'unsafe-inline'",
  "img-src https: data:",
  "sandbox",
  "frame-ancestors 'self'",
].join("; ");

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  await requireUser(request, { role: "admin" });
  const captureUrl = context.services.mail.captureUrl;
  const id = params.id ?? "";
  if (!captureUrl || !/^[\w-]+$/.test(id)) throw new Response("Not found", { status: 404 });
  const response = await fetch(`${captureUrl}/_mail/messages/${id}`);
  const message = response.ok ? ((await response.json()) as CapturedMessage) : null;
  if (!message?.html) throw new Response("Not found", { status: 404 });
  return new Response(message.html, {
    headers: {
      "Content-Type": "text/html; charset=utf-8",
      "Content-Security-Policy": MAIL_PREVIEW_POLICY,
    },
  });
}

import type {
  ActionFunctionArgs,
  HeadersFunction,
  LinksFunction,
  LoaderFunctionArgs,
  MetaFunction,
} from "@remix-run/node";
import { data } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { PublicShell } from "~/components/public-shell";
import { verifyAckToken } from "~/core/notify/ack-token";
import { calendarDate, type MessageKey, noticeMessages } from "~/core/notify/messages";
import { translationFor } from "~/core/notify/translations";
import { policyPath } from "~/core/public/urls";
import { isRefusal } from "~/core/refusal";
import { BODY_LIMITS, BodyError, readFormBody } from "~/http/body.server";
import { acknowledgeNotice } from "~/models/acknowledgements.server";
import { emailAckTarget } from "~/models/email-acknowledgements.server";
import { noticeTranslations } from "~/models/notice-translations.server";
import { ackLinkSecret } from "~/notify/ack-link.server";
import type { RouteHandle } from "~/root";
import publicStyles from "~/styles/public.css";

/**
 * /notices/acknowledge/:token — the confirmation page behind an email's "Review and acknowledge"
 * link (issue 16, item 3; ADR notices-0020). GET only shows: mail scanners and link previews that
 * follow the link record nothing. Only the POST of "I acknowledge" records, with channel `email`.
 * There is no session: the signed token, in the URL the form posts to and in the form itself, is
 * the proof that the reader received this email — a page elsewhere cannot forge the POST without
 * knowing the token, and the server refuses cross-site form posts by their Origin anyway.
 */
export const handle: RouteHandle = { hydrate: false };
export const links: LinksFunction = () => [{ rel: "stylesheet", href: publicStyles }];
export const headers: HeadersFunction = () => ({
  // Personal, and the token must not travel on: no caches, no Referer, no search engines.
  "cache-control": "no-store",
  // Not "no-referrer": browsers then send `Origin: null` with the form, which the cross-site guard
  // refuses. Same-origin only, and the page's links carry rel="noreferrer".
  "referrer-policy": "same-origin",
  "x-robots-tag": "noindex",
});
export const meta: MetaFunction = () => [{ title: "Acknowledge" }, { name: "robots", content: "noindex" }];

type PageState = "ready" | "done" | "invalid" | "expired" | "gone";

type Page = {
  state: PageState;
  language: string;
  heading: string;
  notice?: {
    summary: string;
    effective: string;
    redline: { href: string; label: string } | null;
    policy: { href: string; label: string };
    lead: string;
    button: string;
    done: string | null;
    token: string;
  };
};

async function pageFor(token: string): Promise<{ status: number; page: Page }> {
  const check = verifyAckToken(token, [ackLinkSecret()]);
  if (!check.ok) {
    return {
      status: check.reason === "expired" ? 410 : 404,
      page: problem(check.reason === "expired" ? "expired" : "invalid"),
    };
  }
  const target = await emailAckTarget(check.deliveryId);
  if (!target) return { status: 404, page: problem("invalid") };
  const messages = noticeMessages(target.locale);
  if (target.subscriberStatus === "erased") return { status: 410, page: problem("gone", target.locale) };
  const translation = translationFor(await noticeTranslations(target.noticeId), target.locale);
  const title = translation?.title ?? target.title;
  const redline =
    target.redlineFrom !== null && target.redlineFrom < target.version
      ? policyPath(target.slug, target.documentLocale, "/compare", {
          from: target.redlineFrom,
          to: target.version,
        })
      : null;
  const acknowledged = target.acknowledgedAt !== null;
  const pageState: PageState = acknowledged ? "done" : "ready";
  return {
    status: 200,
    page: {
      state: pageState,
      language: messages.language,
      heading: messages.t("ackPageTitle", { title }),
      notice: {
        summary: translation?.summary ?? target.summary,
        effective: messages.t("effective", { date: calendarDate(target.effectiveAt) }),
        redline: redline ? { href: redline, label: messages.t("whatChanged") } : null,
        policy: {
          href: policyPath(target.slug, target.documentLocale, `/versions/${target.version}`),
          label: messages.t("fullPolicy"),
        },
        lead: messages.t("ackPageLead"),
        button: messages.t("acknowledge"),
        done: target.acknowledgedAt
          ? messages.t("ackPageDone", { date: calendarDate(target.acknowledgedAt) })
          : null,
        token,
      },
    },
  };
}

function problem(reason: "invalid" | "expired" | "gone", locale = "en"): Page {
  const messages = noticeMessages(locale);
  const key: MessageKey =
    reason === "expired" ? "ackPageExpired" : reason === "gone" ? "ackPageGone" : "ackPageInvalid";
  return { state: reason, language: messages.language, heading: messages.t(key) };
}

export async function loader({ params }: LoaderFunctionArgs) {
  const { status, page } = await pageFor(params.token ?? "");
  return data(page, { status });
}

export async function action({ params, request }: ActionFunctionArgs) {
  const token = params.token ?? "";
  let form: FormData;
  try {
    form = await readFormBody(request, BODY_LIMITS.acknowledgement);
  } catch (error) {
    if (error instanceof BodyError) return data(problem("invalid"), { status: error.status });
    throw error;
  }
  // The form repeats the token: a post must carry the whole link, not only reach its address.
  if (form.get("token") !== token) return data(problem("invalid"), { status: 400 });
  const check = verifyAckToken(token, [ackLinkSecret()]);
  if (check.ok) {
    const target = await emailAckTarget(check.deliveryId);
    if (target && target.subscriberStatus !== "erased") {
      try {
        await acknowledgeNotice({
          externalId: target.externalId,
          noticeId: target.noticeId,
          channel: "email",
          via: "email-link",
        });
      } catch (error) {
        if (!isRefusal(error)) throw error;
      }
    }
  }
  const { status, page } = await pageFor(token);
  return data(page, { status });
}

export default function AcknowledgePage() {
  const loaded = useLoaderData<Page>();
  const posted = useActionData<Page>();
  const page = posted ?? loaded;
  const notice = page.notice;
  return (
    <PublicShell locale={page.language}>
      <header className="policy-header">
        <h1>{page.heading}</h1>
      </header>
      {notice ? (
        <>
          <blockquote className="notice-summary" style={{ whiteSpace: "pre-line" }}>
            {notice.summary}
          </blockquote>
          <p>
            <strong>{notice.effective}</strong>
          </p>
          <p>
            {notice.redline ? (
              <>
                <a href={notice.redline.href} rel="noreferrer">
                  {notice.redline.label}
                </a>
                {" · "}
              </>
            ) : null}
            <a href={notice.policy.href} rel="noreferrer">
              {notice.policy.label}
            </a>
          </p>
          {page.state === "done" ? (
            <p role="status" className="ack-done">
              {notice.done}
            </p>
          ) : (
            <form method="post">
              <p>{notice.lead}</p>
              <input type="hidden" name="token" value={notice.token} />
              <button type="submit" className="button">
                {notice.button}
              </button>
            </form>
          )}
        </>
      ) : null}
    </PublicShell>
  );
}

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
import { scopeWords, verifyConfirmToken } from "~/core/notify/public-subscription";
import { policyPath } from "~/core/public/urls";
import { BODY_LIMITS, BodyError, readFormBody } from "~/http/body.server";
import { confirmPublicSubscription, followedDocument } from "~/models/public-subscriptions.server";
import { publicLinkSecret } from "~/notify/public-links.server";
import type { RouteHandle } from "~/root";
import publicStyles from "~/styles/public.css";

/**
 * /subscriptions/confirm/:token — the double opt-in's second step (ADR 0029). Like the email
 * acknowledgement page (ADR 0024), GET only shows a button: mail scanners and link previews follow
 * links and must confirm nothing. Only the POST, repeating the token in its body, stores the
 * subscription. The token is the proof of the mailbox; there is no session to forge.
 */
export const handle: RouteHandle = { hydrate: false };
export const links: LinksFunction = () => [{ rel: "stylesheet", href: publicStyles }];
export const headers: HeadersFunction = () => ({
  // The token names an address: no caches, no Referer beyond this site, no search engines.
  "cache-control": "no-store",
  "referrer-policy": "same-origin",
  "x-robots-tag": "noindex",
});
export const meta: MetaFunction = () => [
  { title: "Confirm your subscription" },
  { name: "robots", content: "noindex" },
];

type Page = {
  state: "ready" | "done" | "invalid" | "expired";
  heading: string;
  text?: string;
  token?: string;
  policy?: { href: string; title: string };
};

const invalid: Page = { state: "invalid", heading: "This confirmation link is not valid" };
const expired: Page = {
  state: "expired",
  heading: "This confirmation link has expired",
  text: "Ask again on the policy page: a new link works for 24 hours.",
};

async function check(token: string) {
  const verified = verifyConfirmToken(token, [publicLinkSecret("confirm")]);
  if (!verified.ok) {
    return verified.reason === "expired"
      ? ({ ok: false, status: 410, page: expired } as const)
      : ({ ok: false, status: 404, page: invalid } as const);
  }
  const document = await followedDocument(verified.claims.documentId);
  if (!document) return { ok: false, status: 404, page: invalid } as const;
  return { ok: true, claims: verified.claims, document } as const;
}

export async function loader({ params }: LoaderFunctionArgs) {
  const token = params.token ?? "";
  const checked = await check(token);
  if (!checked.ok) return data(checked.page, { status: checked.status });
  const { claims, document } = checked;
  return data<Page>({
    state: "ready",
    heading: `Confirm updates about ${document.title}`,
    text: `Email ${claims.email} about ${scopeWords(claims.scope)} of ${document.title}.`,
    token,
    policy: { href: policyPath(document.slug, document.locale), title: document.title },
  });
}

export async function action({ params, request }: ActionFunctionArgs) {
  const token = params.token ?? "";
  let form: FormData;
  try {
    form = await readFormBody(request, BODY_LIMITS.publicSubscription);
  } catch (error) {
    if (error instanceof BodyError) return data(invalid, { status: error.status });
    throw error;
  }
  // The form repeats the token: a post must carry the whole link, not only reach its address.
  if (form.get("token") !== token) return data(invalid, { status: 400 });
  const checked = await check(token);
  if (!checked.ok) return data(checked.page, { status: checked.status });
  const { claims, document } = checked;
  const saved = await confirmPublicSubscription(claims);
  if (!saved) return data(invalid, { status: 404 });
  return data<Page>({
    state: "done",
    heading: "You are subscribed",
    text: `We will email ${claims.email} about ${scopeWords(claims.scope)} of ${document.title}. Every email has a one-click unsubscribe link.`,
    policy: { href: policyPath(document.slug, document.locale), title: document.title },
  });
}

export default function ConfirmSubscriptionPage() {
  const loaded = useLoaderData<Page>();
  const posted = useActionData<Page>();
  const page = posted ?? loaded;
  return (
    <PublicShell>
      <header className="policy-header">
        <h1>{page.heading}</h1>
      </header>
      {page.text ? <p role={page.state === "done" ? "status" : undefined}>{page.text}</p> : null}
      {page.state === "ready" ? (
        <form method="post">
          <input type="hidden" name="token" value={page.token} />
          <button type="submit" className="button">
            Confirm my subscription
          </button>
        </form>
      ) : null}
      {page.policy ? (
        <p>
          <a href={page.policy.href} rel="noreferrer">
            {page.policy.title}
          </a>
        </p>
      ) : null}
    </PublicShell>
  );
}

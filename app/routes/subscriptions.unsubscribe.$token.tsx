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
import { verifyUnsubscribeToken } from "~/core/notify/public-subscription";
import { policyPath } from "~/core/public/urls";
import { BODY_LIMITS, BodyError, readFormBody } from "~/http/body.server";
import { unsubscribeByDelivery, unsubscribeTarget } from "~/models/public-subscriptions.server";
import { publicLinkSecret } from "~/notify/public-links.server";
import type { RouteHandle } from "~/root";
import publicStyles from "~/styles/public.css";

/**
 * /subscriptions/unsubscribe/:token — the link in every public update email and in its
 * `List-Unsubscribe` header (ADR 0029). A POST ends the subscription at once: the mail client's
 * one-click request (RFC 8058: `List-Unsubscribe=One-Click` in the body, no cookies, no Origin) or
 * the page's button. A GET only shows the button — scanners follow links. The token is the only key;
 * a repeat answers the same, so nothing tells a stranger whether someone was subscribed.
 */
export const handle: RouteHandle = { hydrate: false };
export const links: LinksFunction = () => [{ rel: "stylesheet", href: publicStyles }];
export const headers: HeadersFunction = () => ({
  "cache-control": "no-store",
  "referrer-policy": "same-origin",
  "x-robots-tag": "noindex",
});
export const meta: MetaFunction = () => [{ title: "Unsubscribe" }, { name: "robots", content: "noindex" }];

type Page = {
  state: "ready" | "done" | "invalid";
  heading: string;
  token?: string;
  policy?: { href: string; title: string };
};

const invalid: Page = { state: "invalid", heading: "This unsubscribe link is not valid" };

async function targetOf(token: string) {
  const verified = verifyUnsubscribeToken(token, [publicLinkSecret("unsubscribe")]);
  return verified.ok ? await unsubscribeTarget(verified.deliveryId) : undefined;
}

export async function loader({ params }: LoaderFunctionArgs) {
  const token = params.token ?? "";
  const target = await targetOf(token);
  if (!target) return data(invalid, { status: 404 });
  const policy = { href: policyPath(target.slug, target.locale), title: target.title };
  if (target.subscriptionId === null)
    return data<Page>({ state: "done", heading: "You are unsubscribed", policy });
  return data<Page>({ state: "ready", heading: `Stop emails about ${target.title}?`, token, policy });
}

export async function action({ params, request }: ActionFunctionArgs) {
  const token = params.token ?? "";
  try {
    // The body says nothing we need (RFC 8058's is "List-Unsubscribe=One-Click"); read within bounds.
    await readFormBody(request, BODY_LIMITS.publicSubscription);
  } catch (error) {
    if (!(error instanceof BodyError)) throw error;
  }
  const target = await targetOf(token);
  if (!target) return data(invalid, { status: 404 });
  await unsubscribeByDelivery(target.deliveryId);
  return data<Page>({
    state: "done",
    heading: "You are unsubscribed",
    policy: { href: policyPath(target.slug, target.locale), title: target.title },
  });
}

export default function UnsubscribePage() {
  const loaded = useLoaderData<Page>();
  const posted = useActionData<Page>();
  const page = posted ?? loaded;
  return (
    <PublicShell>
      <header className="policy-header">
        <h1>{page.heading}</h1>
      </header>
      {page.state === "done" ? (
        <p role="status">
          We will not email you about this policy again, and no longer keep your address for it.
        </p>
      ) : null}
      {page.state === "ready" ? (
        <form method="post">
          <input type="hidden" name="token" value={page.token} />
          <button type="submit" className="button">
            Unsubscribe
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

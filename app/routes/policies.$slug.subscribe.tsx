import type {
  ActionFunctionArgs,
  HeadersFunction,
  LinksFunction,
  LoaderFunctionArgs,
  MetaFunction,
} from "@remix-run/node";
import { data } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { clientAddress } from "~/auth/session.server";
import { PublicShell } from "~/components/public-shell";
import { PublicSubscribeForm } from "~/components/public-subscribe-form";
import { SubscribeForm } from "~/core/notify/public-subscription";
import { policyPath } from "~/core/public/urls";
import { describeWait } from "~/core/throttle";
import { getEnv } from "~/env.server";
import { BODY_LIMITS, BodyError, readFormBody } from "~/http/body.server";
import { readPolicyRequest } from "~/models/public-pages.server";
import { requestPublicSubscription } from "~/notify/public-subscribe.server";
import type { RouteHandle } from "~/root";
import publicStyles from "~/styles/public.css";

/**
 * /policies/:slug/subscribe — where the policy page's "Get notified of changes" form posts (ADR
 * 0025); a GET shows the form alone. No session and no script: the answer is a page.
 *
 * CSRF: the form has no per-visitor token (the policy page is served from a shared cache) and needs
 * none — nothing is recorded until the mailbox's owner confirms, so a forged post can at most send
 * one rate-limited confirmation email, which anyone could ask for themselves. Cross-site posts are
 * refused anyway: by `Origin` (server/request-guards.ts) and here by `Sec-Fetch-Site`.
 */
export const handle: RouteHandle = { hydrate: false };
export const links: LinksFunction = () => [{ rel: "stylesheet", href: publicStyles }];
export const headers: HeadersFunction = ({ actionHeaders }) => {
  const retryAfter = actionHeaders.get("Retry-After");
  return {
    "cache-control": "no-store",
    "x-robots-tag": "noindex",
    ...(retryAfter ? { "Retry-After": retryAfter } : {}),
  };
};
export const meta: MetaFunction = () => [
  { title: "Get notified of changes" },
  { name: "robots", content: "noindex" },
];

type Page = {
  state: "form" | "sent" | "invalid" | "throttled" | "not-sent" | "refused";
  slug: string;
  locale: string;
  title: string;
  email?: string;
  scope?: "all" | "material";
  message?: string;
};

async function policyOf(params: LoaderFunctionArgs["params"], request: Request) {
  const found = await readPolicyRequest({ slug: params.slug }, request);
  if (!found?.policy.current) throw new Response("Not Found", { status: 404 });
  return found.policy.document;
}

export async function loader({ params, request }: LoaderFunctionArgs) {
  const document = await policyOf(params, request);
  return data<Page>({ state: "form", slug: document.slug, locale: document.locale, title: document.title });
}

export async function action({ params, request, context }: ActionFunctionArgs) {
  const document = await policyOf(params, request);
  const page = { slug: document.slug, locale: document.locale, title: document.title };
  if (request.headers.get("sec-fetch-site") === "cross-site") {
    return data<Page>(
      { ...page, state: "refused", message: "Subscribe from the policy page itself." },
      { status: 403 },
    );
  }
  let form: FormData;
  try {
    form = await readFormBody(request, BODY_LIMITS.publicSubscription);
  } catch (error) {
    if (!(error instanceof BodyError)) throw error;
    return data<Page>({ ...page, state: "invalid", message: error.message }, { status: error.status });
  }
  const fields = SubscribeForm.safeParse({ email: form.get("email") ?? "", scope: form.get("scope") ?? "" });
  if (!fields.success) {
    return data<Page>(
      {
        ...page,
        state: "invalid",
        email: String(form.get("email") ?? "").slice(0, 254),
        message: fields.error.issues[0].message,
      },
      { status: 400 },
    );
  }
  const outcome = await requestPublicSubscription({
    env: getEnv(),
    transport: context.services.mail,
    document: {
      documentId: document.id,
      slug: document.slug,
      locale: document.locale,
      title: document.title,
    },
    email: fields.data.email,
    scope: fields.data.scope,
    clientAddress: clientAddress(context),
  });
  if (outcome.kind === "throttled") {
    return data<Page>(
      {
        ...page,
        state: "throttled",
        ...fields.data,
        message: `Too many subscription requests. Try again in ${describeWait(outcome.retryAfterSeconds)}.`,
      },
      { status: 429, headers: { "Retry-After": String(outcome.retryAfterSeconds) } },
    );
  }
  if (outcome.kind === "not-sent") {
    return data<Page>(
      {
        ...page,
        state: "not-sent",
        ...fields.data,
        message: "We could not send the email just now. Try again later.",
      },
      { status: 503 },
    );
  }
  // The same answer for an address already subscribed: the form tells nobody who follows a policy.
  return data<Page>({ ...page, state: "sent" });
}

export default function SubscribePage() {
  const loaded = useLoaderData<Page>();
  const posted = useActionData<Page>();
  const page = posted ?? loaded;
  return (
    <PublicShell locale={page.locale}>
      <header className="policy-header">
        <h1>{page.state === "sent" ? "Check your inbox" : `Updates about ${page.title}`}</h1>
      </header>
      {page.state === "sent" ? (
        <p role="status">
          If the address can receive email, a confirmation link is on its way. Nothing is stored until you
          confirm; the link works for 24 hours.
        </p>
      ) : (
        <PublicSubscribeForm
          slug={page.slug}
          locale={page.locale}
          title={page.title}
          email={page.email}
          scope={page.scope}
          error={page.message ?? null}
        />
      )}
      <p>
        <a href={policyPath(page.slug, page.locale)}>Back to {page.title}</a>
      </p>
    </PublicShell>
  );
}

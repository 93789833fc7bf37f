import { policyPath } from "~/core/public/urls";

/**
 * "Get notified of changes" on a public policy page (ADR 0029): a plain form that works without
 * script (public pages run none) and carries nothing per visitor, so the page stays cacheable. It
 * asks for an address and a choice, never a name.
 */
export function PublicSubscribeForm({
  slug,
  locale,
  title,
  email = "",
  scope = "material",
  error = null,
}: {
  slug: string;
  locale: string;
  title: string;
  email?: string;
  scope?: "all" | "material";
  error?: string | null;
}) {
  return (
    <section className="public-subscribe" aria-labelledby="public-subscribe-heading">
      <h2 id="public-subscribe-heading">Get notified of changes</h2>
      <p>We email you when {title} changes. Confirm from the email we send; unsubscribe with one click.</p>
      <form method="post" action={policyPath(slug, locale, "/subscribe")}>
        <p>
          <label htmlFor="public-subscribe-email">Email address</label>{" "}
          <input
            id="public-subscribe-email"
            type="email"
            name="email"
            required
            maxLength={254}
            autoComplete="email"
            defaultValue={email}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? "public-subscribe-error" : undefined}
          />
        </p>
        <fieldset>
          <legend>Tell me about</legend>
          <label>
            <input type="radio" name="scope" value="material" defaultChecked={scope === "material"} />{" "}
            material changes only
          </label>{" "}
          <label>
            <input type="radio" name="scope" value="all" defaultChecked={scope === "all"} /> every new version
          </label>
        </fieldset>
        {error ? (
          <p id="public-subscribe-error" className="form-error" role="alert">
            {error}
          </p>
        ) : null}
        <button type="submit">Get notified</button>
        <p className="fine-print">We keep only your address and this choice, and only once you confirm.</p>
      </form>
    </section>
  );
}

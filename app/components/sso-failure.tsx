import { SSO_FAILURE_TEXT, type SsoFailure } from "~/core/sso";

/** What a failed sign-in through the provider says: what happened, what to do, and the way back. */
export function SsoFailurePage({
  failure,
  detail,
  expectedCallback,
  providerName,
}: {
  failure: SsoFailure;
  detail: string | null;
  /** The callback URL Redline expects (for "wrong callback" pages). */
  expectedCallback: string | null;
  providerName: string | null;
}) {
  const text = SSO_FAILURE_TEXT[failure];
  return (
    <div className="sign-in">
      <h1>{text.title}</h1>
      <div className="notice notice-error" role="alert">
        <p>{text.what}</p>
      </div>
      <h2>What to do</h2>
      <p>{text.todo}</p>
      {expectedCallback ? (
        <p>
          Redline's callback URL: <code>{expectedCallback}</code>
        </p>
      ) : null}
      {detail ? (
        <p className="muted">
          Reference for your IT team: <code>{failure}</code> · <code>{detail}</code>
        </p>
      ) : null}
      <p>
        <a href="/admin/login" className="button">
          Back to sign-in
        </a>
        {providerName ? (
          <>
            {" "}
            <a href="/admin/sso/start" className="button button-primary">
              Sign in with {providerName} again
            </a>
          </>
        ) : null}
      </p>
    </div>
  );
}

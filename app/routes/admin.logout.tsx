import { type ActionFunctionArgs, redirect } from "@remix-run/node";
import { z } from "zod";
import { checkCsrf, checkSameOrigin, endSession, getUser, readForm } from "~/auth/session.server";

const SignOut = z.object({ intent: z.literal("sign-out") });

/** Sign-out: deletes the session row (so the cookie is worthless even if copied) and clears the cookie. */
export async function action({ request }: ActionFunctionArgs) {
  const user = await getUser(request);
  if (!user) throw redirect("/admin/login");
  checkSameOrigin(request);
  const form = await readForm(request);
  checkCsrf(user, form);
  if (!SignOut.safeParse(Object.fromEntries(form)).success) {
    throw new Response("That request was not understood.", { status: 400 });
  }
  // A session that came from the identity provider: the sign-in page then offers the provider's own
  // sign-out too (Redline cannot end the provider's session for the person).
  const target =
    user.signInMethod === "sso" ? "/admin/login?signedOut=1&provider=1" : "/admin/login?signedOut=1";
  return redirect(target, { headers: { "Set-Cookie": await endSession(request) } });
}

export async function loader() {
  return redirect("/admin");
}

import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, isRouteErrorResponse, Link, NavLink, Outlet, useRouteError } from "@remix-run/react";
import { can } from "~/auth/roles";
import { getUser } from "~/auth/session.server";
import { type AdminLayoutData, CsrfField, MailCaptureBanner, useAdminUser } from "~/components/admin-ui";
import { UNEXPECTED_ERROR_ADVICE } from "~/components/error-advice";
import adminStyles from "~/styles/admin.css";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: adminStyles }];

export const meta: MetaFunction = () => [
  { title: "Redline workspace" },
  { name: "robots", content: "noindex" },
];

/**
 * The workspace layout. It does not require a sign-in itself (the sign-in page lives under it);
 * every child route checks the user and role in its own loader and action.
 */
export async function loader({ request, context }: LoaderFunctionArgs): Promise<AdminLayoutData> {
  const user = await getUser(request);
  return {
    user: user
      ? { id: user.id, email: user.email, name: user.name, role: user.role, csrfToken: user.csrfToken }
      : null,
    mailCaptured: context.services.mail.kind === "capture",
  };
}

export default function AdminLayout() {
  return (
    <div className="admin">
      <SkipLink />
      <AdminHeader />
      <MailCaptureBanner />
      <main className="admin-main" id="content" tabIndex={-1}>
        <Outlet />
      </main>
    </div>
  );
}

/** The first thing a keyboard reaches: past the navigation, straight to the page's content. */
function SkipLink() {
  return (
    <a href="#content" className="skip-link">
      Skip to content
    </a>
  );
}

function AdminHeader() {
  const user = useAdminUser();
  return (
    <header className="admin-header">
      <Link to="/admin" className="admin-brand">
        Redline <span>workspace</span>
      </Link>
      {user ? (
        <>
          <nav aria-label="Workspace" className="admin-nav">
            <NavLink to="/admin" end>
              Overview
            </NavLink>
            <NavLink to="/admin/documents">Documents</NavLink>
            <NavLink to="/admin/notices">Notices</NavLink>
            <NavLink to="/admin/subscribers">Subscribers</NavLink>
            <NavLink to="/admin/acknowledgements">Acknowledgements</NavLink>
            <NavLink to="/admin/audit">Audit log</NavLink>
            {can(user.role, "manageUsers") ? <NavLink to="/admin/users">Users</NavLink> : null}
            {can(user.role, "manageApiKeys") ? <NavLink to="/admin/api-keys">API keys</NavLink> : null}
            {can(user.role, "manageApiKeys") ? <NavLink to="/admin/embed">Dashboard banner</NavLink> : null}
          </nav>
          <div className="admin-user">
            <NavLink to="/admin/account" title="Your account" className="admin-user-email">
              {user.email}
            </NavLink>
            <div className="admin-user-actions">
              <span className="badge">{user.role}</span>
              <Form method="post" action="/admin/logout" className="inline-form">
                <CsrfField />
                <button type="submit" name="intent" value="sign-out" className="button-link">
                  Sign out
                </button>
              </Form>
            </div>
          </div>
        </>
      ) : null}
    </header>
  );
}

export function ErrorBoundary() {
  const error = useRouteError();
  const status = isRouteErrorResponse(error) ? error.status : 500;
  const detail = isRouteErrorResponse(error) && typeof error.data === "string" ? error.data : null;
  const title =
    status === 403
      ? "Not allowed"
      : status === 404
        ? "Not found"
        : status === 413
          ? "Too large"
          : status < 500
            ? "That request cannot be answered"
            : "Something went wrong";
  return (
    <div className="admin">
      <SkipLink />
      <AdminHeader />
      <MailCaptureBanner />
      <main className="admin-main" id="content" tabIndex={-1}>
        <title>{title}</title>
        <p className="error-status">{status}</p>
        <h1>{title}</h1>
        <p>{detail ?? (status >= 500 ? UNEXPECTED_ERROR_ADVICE : "")}</p>
        <p>
          <Link to="/admin">Back to the workspace</Link>
        </p>
      </main>
    </div>
  );
}

import { Link, useRouteLoaderData } from "@remix-run/react";
import type { ReactNode } from "react";
import type { Role, VersionState } from "../../../db/tables";
import { type Ability, can, roleAtLeast } from "../../auth/roles";
import { type PublicStatus, publicStatusLabel } from "../../core/versions/in-effect";

/**
 * What the admin layout's loader gives every page: who is signed in and their form token, and
 * whether email is captured on this machine instead of delivered.
 */
export type AdminLayoutData = {
  user: { id: number; email: string; name: string | null; role: Role; csrfToken: string } | null;
  mailCaptured: boolean;
};

export function useAdminUser() {
  return useRouteLoaderData<AdminLayoutData>("routes/admin")?.user ?? null;
}

/**
 * The permanent warning while email is captured: a notice "sent" in this workspace reached nobody.
 * Shown to everyone signed in; the link to the captured mail only to admins, who may read it.
 */
export function MailCaptureBanner() {
  const data = useRouteLoaderData<AdminLayoutData>("routes/admin");
  if (!data?.mailCaptured || !data.user) return null;
  return (
    <div className="mail-capture-banner" role="note" aria-label="Email is not delivered">
      Email is captured on this machine and not delivered to anyone.
      {roleAtLeast(data.user.role, "admin") ? (
        <Link to="/admin/notices/mail">See the captured mail</Link>
      ) : null}
    </div>
  );
}

/** Whether the signed-in user may do something; the server checks again in every action. */
export function useCan(ability: Ability): boolean {
  const user = useAdminUser();
  return user ? can(user.role, ability) : false;
}

/** The hidden CSRF field every form that changes something must carry. */
export function CsrfField() {
  const user = useAdminUser();
  return <input type="hidden" name="csrf" value={user?.csrfToken ?? ""} />;
}

/** The workflow's words for a version's database state (a published one is better named by VersionBadge). */
const STATE_LABELS: Record<VersionState, string> = {
  draft: "Draft",
  in_review: "In review",
  approved: "Approved",
  published: "Published",
  superseded: "Replaced",
};

export function StateBadge({ state }: { state: VersionState }) {
  return <span className={`badge badge-${state}`}>{STATE_LABELS[state]}</span>;
}

/**
 * A version as the workspace lists it: an open version by its workflow state, a published one by
 * what readers are told today (in effect, upcoming, superseded), in the public site's words.
 */
export function VersionBadge({
  state,
  publicStatus,
}: {
  state: VersionState;
  publicStatus: PublicStatus | null;
}) {
  if (!publicStatus) return <StateBadge state={state} />;
  return <span className={`badge badge-${publicStatus}`}>{publicStatusLabel(publicStatus)}</span>;
}

/** A message shown after an action; errors are announced to screen readers. */
export function Notice({
  kind,
  children,
}: {
  kind: "error" | "success" | "info" | "warning";
  children: ReactNode;
}) {
  return (
    <div className={`notice notice-${kind}`} role={kind === "error" ? "alert" : "status"}>
      {children}
    </div>
  );
}

/** The workspace's one way of showing an instant (app/core/dates.ts). */
export { formatDateTime } from "../../core/dates";

export function PageHeader({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <header className="admin-page-header">
      <h1>{title}</h1>
      {children ? <div className="admin-page-actions">{children}</div> : null}
    </header>
  );
}

/**
 * Prints the page with the workspace's print style sheet (admin.css, @media print): the browser's
 * print dialog also saves it as a PDF, exactly as printed.
 */
export function PrintButton() {
  return (
    <button type="button" className="button" onClick={() => window.print()}>
      Print or save as PDF
    </button>
  );
}

import {
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
  redirect,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useState } from "react";
import { z } from "zod";
import { attempt, formError } from "~/auth/errors.server";
import { documentFromParams } from "~/auth/params.server";
import { requireUser, requireUserForm } from "~/auth/session.server";
import { CsrfField, Notice, PageHeader, StateBadge } from "~/components/admin-ui";
import { AudienceBuilder } from "~/components/admin-ui/audience-builder";
import { MaterialitySuggestion } from "~/components/admin-ui/materiality";
import { NoticeLanguages } from "~/components/admin-ui/notice-languages";
import { NoticePreviewPanel } from "~/components/admin-ui/notice-preview";
import { RedlineHtml } from "~/components/admin-ui/redline";
import { addDays, formatLongDate, isoDateOf } from "~/core/dates";
import { type Audience, parseAudience } from "~/core/notify/audience";
import { REMINDER_LIMITS } from "~/core/notify/reminders";
import { getEnv } from "~/env.server";
import { refusedAsPage } from "~/http/refusals.server";
import { findAnnouncement, publishApproved } from "~/models/publication.server";
import { compareWithInEffect } from "~/models/review.server";
import { attributeCatalog, countAudience } from "~/models/subscribers.server";
import { getOpenVersion } from "~/models/versions.server";
import { publishLanguages } from "~/notify/publish-languages.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `Publish ${data.document.title} · Redline` : "Publish · Redline" },
];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request, { role: "approver" });
  const document = await documentFromParams(params);
  const open = await getOpenVersion(document.id);
  if (open?.state !== "approved") throw redirect(`/admin/documents/${document.id}`);
  const comparison = await refusedAsPage(compareWithInEffect(document, open));
  const today = isoDateOf(new Date());
  const noticePeriodDays = getEnv().NOTICE_PERIOD_DAYS;
  return {
    document: { id: document.id, title: document.title, slug: document.slug, locale: document.locale },
    version: { number: open.number, state: open.state, revision: open.revision },
    inEffect: comparison.inEffect,
    redline: comparison.html,
    changes: comparison.changesHtml,
    material: comparison.diff.material,
    today,
    noticePeriodDays,
    earliestMaterial: addDays(today, noticePeriodDays),
    isAdmin: user.role === "admin",
    activeSubscribers: await countAudience(null),
    attributes: await attributeCatalog(),
    announced: await findAnnouncement(document.id, today),
    noticeLanguages: await publishLanguages(document),
  };
}

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "use the form YYYY-MM-DD");

const PublishAction = z.object({
  intent: z.literal("publish"),
  revision: z.coerce.number().int().positive(),
  lastUpdated: isoDate,
  effectiveAt: isoDate,
  material: z.literal("on").optional(),
  summary: z.string().max(2000).optional(),
  overrideReason: z.string().max(5000).optional(),
  replaceAnnouncementReason: z.string().max(5000).optional(),
  notifyEmail: z.literal("on").optional(),
  notifyDashboard: z.literal("on").optional(),
  requireAck: z.literal("on").optional(),
  remind: z.literal("on").optional(),
  remindAfterDays: z.coerce
    .number()
    .int()
    .min(REMINDER_LIMITS.afterDays.min)
    .max(REMINDER_LIMITS.afterDays.max)
    .optional(),
  remindTimes: z.coerce
    .number()
    .int()
    .min(REMINDER_LIMITS.times.min)
    .max(REMINDER_LIMITS.times.max)
    .optional(),
  audience: z.string().max(10_000).optional(),
});

const CountAction = z.object({
  intent: z.literal("count-audience"),
  audience: z.string().max(10_000).optional(),
});

/** The audience field: empty means every active subscriber. */
function audienceFrom(text: string | undefined): Audience | null {
  return text?.trim() ? parseAudience(text) : null;
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { user, form } = await requireUserForm(request, { role: "approver" });
  const document = await documentFromParams(params);
  const fields = Object.fromEntries(form);
  if (fields.intent === "count-audience") {
    const count = CountAction.safeParse(fields);
    if (!count.success) return formError('Check the audience: it must be JSON such as {"region":"EU"}');
    return attempt(async () => ({
      ok: true as const,
      audienceCount: await countAudience(audienceFrom(count.data.audience)),
    }));
  }
  const parsed = PublishAction.safeParse(fields);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return formError(`Check the form: ${issue.path.join(".") || "request"} — ${issue.message}`);
  }
  const input = parsed.data;
  return attempt(async () => {
    const material = input.material === "on";
    const channels = [
      ...(input.notifyEmail === "on" ? (["email"] as const) : []),
      ...(input.notifyDashboard === "on" ? (["dashboard"] as const) : []),
    ];
    const published = await publishApproved({
      documentId: document.id,
      expectedRevision: input.revision,
      form: {
        lastUpdated: input.lastUpdated,
        effectiveAt: input.effectiveAt,
        material: input.material === "on",
        summary: input.summary?.trim() || null,
        overrideReason: input.overrideReason?.trim() || null,
        replaceAnnouncementReason: input.replaceAnnouncementReason?.trim() || null,
      },
      actor: { kind: "user", id: user.id },
      role: user.role,
      noticePeriodDays: getEnv().NOTICE_PERIOD_DAYS,
      notify:
        material && channels.length > 0
          ? {
              channels,
              audience: audienceFrom(input.audience),
              requireAck: input.requireAck === "on",
              reminders:
                input.requireAck === "on" && input.remind === "on"
                  ? { afterDays: input.remindAfterDays ?? 7, times: input.remindTimes ?? 2 }
                  : null,
            }
          : undefined,
    });
    return redirect(`/admin/documents/${document.id}/history?published=${published.number}`);
  });
}

export default function Publish() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const { document, version } = data;
  const [material, setMaterial] = useState(data.material.suggested);
  const [effective, setEffective] = useState(data.material.suggested ? data.earliestMaterial : data.today);
  const [effectiveTouched, setEffectiveTouched] = useState(false);
  const [requireAck, setRequireAck] = useState(false);
  const [remind, setRemind] = useState(false);
  const shortened = material && effective < data.earliestMaterial;
  const announced = data.announced;
  const replacing = announced !== null && effective === announced.effectiveAt;
  return (
    <>
      <PageHeader title={`Publish: ${document.title}`}>
        <Link to={`/admin/documents/${document.id}/review`} className="button">
          Back to the review
        </Link>
      </PageHeader>
      <p className="muted">
        Version {version.number} <StateBadge state={version.state} /> ·{" "}
        {data.inEffect
          ? `replaces version ${data.inEffect.number}, in effect since ${formatLongDate(data.inEffect.effectiveAt ?? data.today)}`
          : "the first published version"}
      </p>
      {result && !result.ok ? <Notice kind="error">{result.error}</Notice> : null}
      {result?.ok && "audienceCount" in result ? (
        <Notice kind="info">
          That audience reaches {result.audienceCount} active subscriber
          {result.audienceCount === 1 ? "" : "s"}.
        </Notice>
      ) : null}
      <div className="review-layout">
        <div>
          <h2>What changes for readers</h2>
          <RedlineHtml
            html={data.redline}
            changesHtml={data.changes}
            label="Redline against the version in effect"
          />
        </div>
        <aside className="review-side">
          <MaterialitySuggestion material={data.material} />
          <Form method="post" className="stack publish-form">
            <CsrfField />
            <input type="hidden" name="revision" value={version.revision} />
            <label>
              Last updated
              <input type="date" name="lastUpdated" defaultValue={data.today} required />
            </label>
            <label className="checkbox">
              <input
                type="checkbox"
                name="material"
                checked={material}
                onChange={(e) => {
                  setMaterial(e.target.checked);
                  if (!effectiveTouched) setEffective(e.target.checked ? data.earliestMaterial : data.today);
                }}
              />
              Material change
            </label>
            <label>
              Effective date
              <input
                type="date"
                name="effectiveAt"
                value={effective}
                min={data.today}
                onChange={(e) => {
                  setEffective(e.target.value);
                  setEffectiveTouched(true);
                }}
                required
                aria-describedby="effective-help"
              />
            </label>
            <p id="effective-help" className="help">
              {material
                ? `A material change takes effect ${data.noticePeriodDays} days after publication at the earliest (${formatLongDate(data.earliestMaterial)}).`
                : "A non-material change can take effect today."}
            </p>
            {announced ? (
              <p className="help" id="announced-help">
                Version {announced.number} is announced to take effect on{" "}
                {formatLongDate(announced.effectiveAt)}. A later date lets both take effect in turn; the same
                date replaces its announcement.
              </p>
            ) : null}
            {replacing ? (
              <fieldset className="stack replace-announcement">
                <legend>Replace the announcement of version {announced.number}</legend>
                <p className="help">
                  Version {announced.number} will never take effect.
                  {announced.subscribersTold > 0
                    ? ` Its notice went to ${announced.subscribersTold} ${announced.subscribersTold === 1 ? "subscriber" : "subscribers"}: this version's notice reaches each of them too, whatever the audience.`
                    : " No subscriber was told about it."}
                </p>
                <label>
                  Reason for replacing version {announced.number} (recorded in the audit log)
                  <textarea name="replaceAnnouncementReason" rows={3} required maxLength={5000} />
                </label>
              </fieldset>
            ) : null}
            {material ? (
              <label>
                Summary of changes
                <textarea
                  name="summary"
                  rows={4}
                  required
                  maxLength={2000}
                  placeholder="In plain language: what changes for the people this policy is about."
                />
              </label>
            ) : (
              <label>
                Summary of changes (optional)
                <textarea name="summary" rows={3} maxLength={2000} />
              </label>
            )}
            {material ? (
              <fieldset className="stack notify-options">
                <legend>Tell the people affected</legend>
                <label className="checkbox">
                  <input type="checkbox" name="notifyEmail" defaultChecked /> Email notice
                </label>
                <label className="checkbox">
                  <input type="checkbox" name="notifyDashboard" defaultChecked /> Dashboard notice
                </label>
                <label className="checkbox">
                  <input
                    type="checkbox"
                    name="requireAck"
                    checked={requireAck}
                    onChange={(e) => setRequireAck(e.target.checked)}
                  />{" "}
                  Require acknowledgement
                </label>
                {requireAck ? (
                  <fieldset className="stack reminder-options">
                    <legend>Reminders</legend>
                    <label className="checkbox">
                      <input
                        type="checkbox"
                        name="remind"
                        checked={remind}
                        onChange={(e) => setRemind(e.target.checked)}
                      />{" "}
                      Remind those who have not acknowledged, by email
                    </label>
                    {remind ? (
                      <>
                        <label>
                          Days before each reminder
                          <input
                            type="number"
                            name="remindAfterDays"
                            defaultValue={7}
                            min={REMINDER_LIMITS.afterDays.min}
                            max={REMINDER_LIMITS.afterDays.max}
                            required
                          />
                        </label>
                        <label>
                          At most this many reminders
                          <input
                            type="number"
                            name="remindTimes"
                            defaultValue={2}
                            min={REMINDER_LIMITS.times.min}
                            max={REMINDER_LIMITS.times.max}
                            required
                          />
                        </label>
                        <p className="help">
                          Reminders go by email only to people whose notice email was delivered and who have
                          not acknowledged yet; each one counts from the one before. They stop when the person
                          acknowledges or when a newer version is published.
                        </p>
                      </>
                    ) : null}
                  </fieldset>
                ) : null}
                <AudienceBuilder attributes={data.attributes} activeSubscribers={data.activeSubscribers} />
                <noscript>
                  <button
                    type="submit"
                    name="intent"
                    value="count-audience"
                    formNoValidate
                    className="button"
                  >
                    Count this audience
                  </button>
                </noscript>
                <NoticeLanguages {...data.noticeLanguages} />
                <NoticePreviewPanel documentId={document.id} />
              </fieldset>
            ) : null}
            {shortened ? (
              data.isAdmin ? (
                <label>
                  Reason for a shorter notice period (admins only, recorded in the audit log)
                  <textarea name="overrideReason" rows={3} required />
                </label>
              ) : (
                <Notice kind="error">
                  Only an admin can publish a material change with less than {data.noticePeriodDays} days'
                  notice.
                </Notice>
              )
            ) : null}
            <button type="submit" name="intent" value="publish" className="button-primary">
              Publish
            </button>
          </Form>
        </aside>
      </div>
    </>
  );
}

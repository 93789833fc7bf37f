import { type ActionFunctionArgs, data, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { type ChangeEvent, type ReactNode, useState } from "react";
import { z } from "zod";
import { requireUser, requireUserForm } from "~/auth/session.server";
import { CsrfField, formatDateTime, Notice, PageHeader } from "~/components/admin-ui";
import { BrandingPreview } from "~/components/admin-ui/branding-preview";
import { contrastWithWhite, DEFAULT_ACCENT, logoPath, MAX_LOGO_BYTES, MIN_CONTRAST } from "~/core/branding";
import { BrandingInput, brandingErrors } from "~/core/branding-input";
import { isRefusal } from "~/core/refusal";
import { BODY_LIMITS } from "~/http/body.server";
import { brandingHistory, currentBranding, type LogoChange, saveBranding } from "~/models/branding.server";

export const meta: MetaFunction = () => [{ title: "Branding · Redline" }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requireUser(request, { role: "admin" });
  const [branding, history] = await Promise.all([currentBranding(), brandingHistory()]);
  return { branding: { ...branding, logoSrc: logoPath(branding) }, history };
}

/** The logo travels as base64 text in the form (the workspace's forms take no files): 4/3 of its bytes. */
const BrandingForm = z.object({
  logoAction: z.enum(["keep", "remove", "upload"]).default("keep"),
  logoData: z
    .string()
    .max(
      Math.ceil((MAX_LOGO_BYTES * 4) / 3) + 8,
      "The logo is larger than 100 KB, the limit: save a smaller image.",
    )
    .default(""),
});

type FieldErrors = Partial<Record<keyof BrandingInput | "logo", string>>;

export async function action({ request }: ActionFunctionArgs) {
  const { user, form } = await requireUserForm(request, { role: "admin", limit: BODY_LIMITS.form });
  const fields = Object.fromEntries(form);
  const input = BrandingInput.safeParse(fields);
  const extra = BrandingForm.safeParse(fields);
  const errors: FieldErrors = input.success ? {} : brandingErrors(input.error);
  if (!extra.success) errors.logo = extra.error.issues[0]?.message ?? "The logo could not be read.";
  let logo: LogoChange = { kind: "keep" };
  if (extra.success && extra.data.logoAction === "remove") logo = { kind: "remove" };
  if (extra.success && extra.data.logoAction === "upload") {
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(extra.data.logoData)) errors.logo = "Choose a logo file to upload.";
    else logo = { kind: "upload", bytes: Buffer.from(extra.data.logoData, "base64") };
  }
  if (!input.success || Object.keys(errors).length > 0) {
    return data({ ok: false as const, errors }, { status: 400 });
  }
  try {
    await saveBranding({ input: input.data, logo, actor: { kind: "user", id: user.id } });
  } catch (error) {
    if (isRefusal(error))
      return data({ ok: false as const, errors: { logo: error.message } as FieldErrors }, { status: 400 });
    throw error;
  }
  return data({ ok: true as const, errors: {} as FieldErrors });
}

export default function BrandingSettings() {
  const { branding, history } = useLoaderData<typeof loader>();
  const result = useActionData<{ ok: boolean; errors: FieldErrors }>();
  const saving = useNavigation().state === "submitting";
  const [values, setValues] = useState({
    organisationName: branding.organisationName,
    accentColour: branding.revision === 0 ? DEFAULT_ACCENT : branding.accentColour,
    contactUrl: branding.contactUrl ?? "",
    imprintUrl: branding.imprintUrl ?? "",
    supportEmail: branding.supportEmail ?? "",
  });
  const [logo, setLogo] = useState<{
    action: "keep" | "remove" | "upload";
    data: string;
    note: string | null;
  }>({
    action: "keep",
    data: "",
    note: null,
  });
  // Checked as the person types, with the server's own rules; the server checks again on save.
  const live = BrandingInput.safeParse(values);
  const liveErrors: FieldErrors = live.success ? {} : brandingErrors(live.error);
  const errors: FieldErrors = { ...(result?.errors ?? {}) };
  const shown = (field: keyof FieldErrors) =>
    errors[field] ?? (touched(field) ? liveErrors[field] : undefined);
  const touched = (field: keyof FieldErrors) =>
    field !== "logo" && (values as Record<string, string>)[field] !== initial(branding)[field];
  const set = (field: keyof typeof values) => (event: ChangeEvent<HTMLInputElement>) =>
    setValues((current) => ({ ...current, [field]: event.target.value }));

  function chooseLogo(event: ChangeEvent<HTMLInputElement>) {
    const file = event.target.files?.[0];
    if (!file) return;
    if (file.size > MAX_LOGO_BYTES) {
      setLogo({
        action: "keep",
        data: "",
        note: `${file.name} is larger than 100 KB: choose a smaller image.`,
      });
      return;
    }
    const reader = new FileReader();
    reader.onload = () => {
      const url = String(reader.result);
      setLogo({
        action: "upload",
        data: url.slice(url.indexOf(",") + 1),
        note: `${file.name} will be uploaded when you save.`,
      });
    };
    reader.readAsDataURL(file);
  }

  const contrast = /^#[0-9a-fA-F]{6}$/.test(values.accentColour)
    ? contrastWithWhite(values.accentColour.toLowerCase())
    : null;
  return (
    <>
      <PageHeader title="Branding" />
      <p className="muted">
        Your organisation's name, logo, colour and links, shown on the public policy pages (header, footer,
        page titles and error pages), in notice emails (sender name, header and footer) and in the dashboard
        banner. Every save is kept and recorded in the audit log.
      </p>
      {result?.ok ? <Notice kind="success">Branding saved. The public pages show it now.</Notice> : null}
      {result && !result.ok ? (
        <Notice kind="error">
          <p>The branding was not saved:</p>
          <ul>
            {Object.entries(result.errors).map(([field, message]) => (
              <li key={field}>{message}</li>
            ))}
          </ul>
        </Notice>
      ) : null}
      <div className="branding-layout">
        <Form method="post" className="panel branding-form" noValidate>
          <CsrfField />
          <input type="hidden" name="logoAction" value={logo.action} />
          <input type="hidden" name="logoData" value={logo.data} />
          <Field label="Organisation name" error={shown("organisationName")} id="organisationName">
            <input
              id="organisationName"
              name="organisationName"
              value={values.organisationName}
              onChange={set("organisationName")}
              maxLength={100}
              required
              placeholder="Acme GmbH"
            />
          </Field>
          <Field
            label="Accent colour"
            error={shown("accentColour")}
            id="accentColour"
            hint={
              contrast !== null
                ? `Contrast against white: ${contrast.toFixed(1)}:1 (at least ${MIN_CONTRAST}:1 needed).`
                : "Written as #rrggbb."
            }
          >
            <span className="colour-inputs">
              <input
                type="color"
                aria-label="Pick the accent colour"
                value={
                  /^#[0-9a-fA-F]{6}$/.test(values.accentColour)
                    ? values.accentColour.toLowerCase()
                    : "#000000"
                }
                onChange={set("accentColour")}
              />
              <input
                id="accentColour"
                name="accentColour"
                value={values.accentColour}
                onChange={set("accentColour")}
                maxLength={7}
                placeholder="#1d4ed8"
              />
            </span>
          </Field>
          <Field
            label="Logo"
            error={errors.logo ?? logo.note ?? undefined}
            id="logo"
            hint="PNG, JPEG or SVG, at most 100 KB."
          >
            {branding.logoSrc && logo.action === "keep" ? (
              <p>
                <img src={branding.logoSrc} alt="Current logo" height={32} />
              </p>
            ) : null}
            <input id="logo" type="file" accept="image/png,image/jpeg,image/svg+xml" onChange={chooseLogo} />
            {branding.logoSrc ? (
              <label className="checkbox">
                <input
                  type="checkbox"
                  checked={logo.action === "remove"}
                  onChange={(event) =>
                    setLogo({ action: event.target.checked ? "remove" : "keep", data: "", note: null })
                  }
                />{" "}
                Remove the logo
              </label>
            ) : null}
          </Field>
          <Field label="Contact link" error={shown("contactUrl")} id="contactUrl" hint="https:// or mailto:">
            <input
              id="contactUrl"
              name="contactUrl"
              value={values.contactUrl}
              onChange={set("contactUrl")}
              placeholder="https://acme.example/contact"
            />
          </Field>
          <Field label="Imprint link" error={shown("imprintUrl")} id="imprintUrl" hint="https:// or mailto:">
            <input
              id="imprintUrl"
              name="imprintUrl"
              value={values.imprintUrl}
              onChange={set("imprintUrl")}
              placeholder="https://acme.example/imprint"
            />
          </Field>
          <Field label="Support address" error={shown("supportEmail")} id="supportEmail">
            <input
              id="supportEmail"
              name="supportEmail"
              type="email"
              value={values.supportEmail}
              onChange={set("supportEmail")}
              placeholder="privacy@acme.example"
            />
          </Field>
          <button type="submit" className="button-primary" disabled={saving}>
            {saving ? "Saving…" : "Save branding"}
          </button>
        </Form>
        <BrandingPreview
          values={values}
          logoSrc={logo.action === "keep" ? branding.logoSrc : null}
          logoPending={logo.action === "upload"}
        />
      </div>
      {history.length > 0 ? (
        <section className="panel">
          <h2>Recent changes</h2>
          <ul className="plain-list">
            {history.map((entry) => (
              <li key={entry.id}>
                Revision {entry.id}, {formatDateTime(entry.createdAt)}
              </li>
            ))}
          </ul>
          <p className="small muted">Who changed what is in the audit log ("branding.changed").</p>
        </section>
      ) : null}
    </>
  );
}

function initial(
  branding: { organisationName: string; accentColour: string; revision: number } & Record<string, unknown>,
) {
  return {
    organisationName: branding.organisationName,
    accentColour: branding.revision === 0 ? DEFAULT_ACCENT : branding.accentColour,
    contactUrl: (branding.contactUrl as string | null) ?? "",
    imprintUrl: (branding.imprintUrl as string | null) ?? "",
    supportEmail: (branding.supportEmail as string | null) ?? "",
  } as Record<string, string>;
}

function Field({
  label,
  id,
  error,
  hint,
  children,
}: {
  label: string;
  id: string;
  error?: string;
  hint?: string;
  children: ReactNode;
}) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children}
      {hint ? (
        <p className="small muted" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
      {error ? (
        <p className="field-error" id={`${id}-error`} role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}

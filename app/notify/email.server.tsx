import {
  Body,
  Button,
  Container,
  Head,
  Heading,
  Hr,
  Html,
  Img,
  Link,
  Preview,
  Section,
  Text,
} from "@react-email/components";
import { render } from "@react-email/render";
import { LRUCache } from "lru-cache";
import { type Branding, DEFAULT_BRANDING, logoPath } from "../core/branding";
import { calendarDate, type NoticeMessages, noticeMessages } from "../core/notify/messages";
import { type NoticeTranslation, translationFor } from "../core/notify/translations";
import type { BatchMember, NoticeContent } from "../models/deliveries.server";

type NoticeEmailProps = {
  content: NoticeContent;
  messages: NoticeMessages;
  /** The reader's translation of title and summary; null: the source's, with a one-line note. */
  translation: NoticeTranslation | null;
  name: string | null;
  redlineFrom: number | null;
  baseUrl: string;
  /** The confirmation page, when the notice asks for acknowledgement. */
  ackUrl: string | null;
  /** The organisation's name, logo, colour and links (ADR 0026). */
  branding: Branding;
};

function noticeLinks(
  content: NoticeContent,
  redlineFrom: number | null,
  baseUrl: string,
  translation: NoticeTranslation | null = null,
) {
  const lang = content.documentLocale === "en" ? "" : `lang=${encodeURIComponent(content.documentLocale)}`;
  // A reader with a translation reads the full text in it; the redline compares the source's versions.
  const policy = translation
    ? `${baseUrl}/policies/${content.slug}/versions/${translation.number}${translation.locale === "en" ? "" : `?lang=${encodeURIComponent(translation.locale)}`}`
    : `${baseUrl}/policies/${content.slug}/versions/${content.version}${lang ? `?${lang}` : ""}`;
  const redline =
    redlineFrom !== null
      ? `${baseUrl}/policies/${content.slug}/compare?from=${redlineFrom}&to=${content.version}${lang ? `&${lang}` : ""}`
      : null;
  return { policy, redline };
}

/** The words of one email, in the reader's language: the same for the HTML and the text part. */
function noticeWords(
  content: NoticeContent,
  messages: NoticeMessages,
  translation: NoticeTranslation | null,
) {
  const { t, language, languageName } = messages;
  const title = translation?.title ?? content.title;
  const sameLanguage = content.documentLocale.split(/[-_]/)[0].toLowerCase() === language;
  const subject = t("subject", { title });
  const reminder = content.reminderRound !== null && content.reminderRound !== undefined;
  return {
    title,
    summary: translation?.summary ?? content.summary,
    subject: reminder ? t("reminderSubject", { subject }) : subject,
    // A reminder says so at the top, with the day the notice itself was sent.
    reminder: reminder
      ? t("reminderLead", { date: calendarDate(content.remindsOfAt ?? content.lastUpdated) })
      : null,
    // A reader whose language has no published translation is told so, in their language.
    untranslated:
      translation || sameLanguage
        ? null
        : t("untranslated", {
            language: languageName(language),
            source: languageName(content.documentLocale),
          }),
  };
}

/** The notice email. Every word comes from the stored notice and catalogues, so a retry renders the same bytes. */
function NoticeEmail({
  content,
  messages,
  translation,
  name,
  redlineFrom,
  baseUrl,
  ackUrl,
  branding,
}: NoticeEmailProps) {
  const { t, language } = messages;
  const words = noticeWords(content, messages, translation);
  const date = calendarDate(content.effectiveAt);
  const links = noticeLinks(content, redlineFrom, baseUrl, translation);
  const accent = branding.accentColour;
  const logo = logoPath(branding);
  const button = {
    backgroundColor: accent,
    color: "#ffffff",
    padding: "10px 16px",
    borderRadius: "4px",
  };
  return (
    <Html lang={language}>
      <Head />
      <Preview>{words.summary.slice(0, 140)}</Preview>
      <Body
        style={{ fontFamily: "Helvetica, Arial, sans-serif", color: "#1a1a1a", backgroundColor: "#ffffff" }}
      >
        <Container style={{ maxWidth: "560px", padding: "24px" }}>
          {branding.organisationName ? (
            <Section
              style={{ borderBottom: `3px solid ${accent}`, paddingBottom: "8px", marginBottom: "16px" }}
            >
              {logo ? (
                <Img
                  src={`${baseUrl}${logo}`}
                  alt={branding.organisationName}
                  height="32"
                  style={{ height: "32px" }}
                />
              ) : (
                <Text style={{ fontSize: "18px", fontWeight: "bold", margin: "0" }}>
                  {branding.organisationName}
                </Text>
              )}
            </Section>
          ) : null}
          <Heading as="h1" style={{ fontSize: "22px" }}>
            {words.subject}
          </Heading>
          {words.reminder && (
            <Text>
              <strong>{words.reminder}</strong>
            </Text>
          )}
          {words.untranslated && <Text style={{ fontStyle: "italic" }}>{words.untranslated}</Text>}
          <Text>{t("greeting", { hasName: name ? "yes" : "no", name: name ?? "" })}</Text>
          <Text>{t("intro", { title: words.title })}</Text>
          <Section style={{ borderLeft: `4px solid ${accent}`, paddingLeft: "12px" }}>
            <Text style={{ whiteSpace: "pre-line" }}>{words.summary}</Text>
          </Section>
          <Text>
            <strong>{t("effective", { date })}</strong>
          </Text>
          {links.redline && (
            <Button href={links.redline} style={button}>
              {t("whatChanged")}
            </Button>
          )}
          <Text>
            <Link href={links.policy}>{t("fullPolicy")}</Link>
          </Text>
          {ackUrl && (
            <Section>
              <Text>
                <strong>{t("ackRequest")}</strong>
              </Text>
              <Button href={ackUrl} style={button}>
                {t("ackLink")}
              </Button>
            </Section>
          )}
          <Hr />
          <Text style={{ fontSize: "12px", color: "#666666" }}>{t("footer")}</Text>
          <BrandingFooter branding={branding} />
        </Container>
      </Body>
    </Html>
  );
}

/** The organisation's name, contact and imprint links and support address under every notice. */
function BrandingFooter({ branding }: { branding: Branding }) {
  const parts = [
    branding.contactUrl ? { href: branding.contactUrl, label: "Contact" } : null,
    branding.imprintUrl ? { href: branding.imprintUrl, label: "Imprint" } : null,
    branding.supportEmail ? { href: `mailto:${branding.supportEmail}`, label: branding.supportEmail } : null,
  ].filter((part) => part !== null);
  if (!branding.organisationName && parts.length === 0) return null;
  const small = { fontSize: "12px", color: "#666666" };
  return (
    <Text style={small}>
      {branding.organisationName}
      {parts.map((part) => (
        <span key={part.label}>
          {" · "}
          <Link href={part.href} style={{ color: "#666666" }}>
            {part.label}
          </Link>
        </span>
      ))}
    </Text>
  );
}

export type RenderedEmail = { subject: string; html: string; text: string };

// Placeholders without spaces or markup: React leaves them alone and text wrapping never splits them.
const NAME_TOKEN = "REDLINExRECIPIENTxNAME";
type Template = { subject: string; html: string; text: string };
/** Rendered templates, bounded by the memory their strings take (two bytes a character). */
const templates = new LRUCache<string, Template>({
  maxSize: 16 * 1024 * 1024,
  sizeCalculation: (t) => 2 * (t.subject.length + t.html.length + t.text.length),
});
/** Templates being rendered, so that a batch's members share one rendering. */
const rendering = new Map<string, Promise<Template>>();
const ACK_TOKEN = "REDLINExACKxURL";

const escapeHtml = (value: string) =>
  value.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;" })[c]!,
  );

export type RenderOptions = {
  /** The published translations of the notice, by locale (empty: everyone reads the source). */
  translations?: ReadonlyMap<string, NoticeTranslation>;
  /** The member's acknowledgement link, when the notice requires acknowledgement. */
  ackUrl?: string | null;
  /** The branding to wear: the one in effect when the batch was frozen (ADR 0026). Default: none. */
  branding?: Branding;
};

/**
 * Renders one recipient's email. The React tree is rendered once per notice, language,
 * translation, redline start and "has a name" / "has a link", then the (escaped) name and link are
 * put in: rendering 100 emails per batch stays cheap.
 */
export async function renderNoticeEmail(
  content: NoticeContent,
  member: Pick<BatchMember, "locale" | "name" | "redlineFrom">,
  baseUrl: string,
  options: RenderOptions = {},
): Promise<RenderedEmail> {
  const messages = noticeMessages(member.locale);
  const translation = translationFor(options.translations ?? new Map(), member.locale);
  const ackUrl = options.ackUrl ?? null;
  const branding = options.branding ?? DEFAULT_BRANDING;
  const key = JSON.stringify([
    branding,
    content.noticeId,
    content.version,
    content.reminderRound ?? null,
    messages.language,
    translation,
    member.redlineFrom,
    !!member.name,
    !!ackUrl,
    baseUrl,
  ]);
  let template: Template | Promise<Template> | undefined = templates.get(key) ?? rendering.get(key);
  if (!template) {
    const props: NoticeEmailProps = {
      content,
      messages,
      translation,
      name: member.name ? NAME_TOKEN : null,
      redlineFrom: member.redlineFrom,
      baseUrl,
      ackUrl: ackUrl ? ACK_TOKEN : null,
      branding,
    };
    template = Promise.all([
      render(<NoticeEmail {...props} />),
      render(<NoticeEmail {...props} />, { plainText: true }),
    ]).then(([html, text]) => ({
      subject: noticeWords(content, messages, translation).subject,
      html,
      text,
    }));
    const pending = template;
    rendering.set(key, pending);
    pending
      .then((rendered) => templates.set(key, rendered))
      .catch(() => {})
      .finally(() => rendering.delete(key));
  }
  const { subject, html, text } = await template;
  const name = member.name ?? "";
  const link = ackUrl ?? "";
  return {
    subject,
    // The link first: a name that happens to spell the link's placeholder stays a name.
    html: html.split(ACK_TOKEN).join(escapeHtml(link)).split(NAME_TOKEN).join(escapeHtml(name)),
    text: text.split(ACK_TOKEN).join(link).split(NAME_TOKEN).join(name),
  };
}

import {
  Body,
  Button,
  Container,
  Head,
  Heading,
  Hr,
  Html,
  Link,
  Preview,
  Section,
  Text,
} from "@react-email/components";
import { render } from "@react-email/render";
import { LRUCache } from "lru-cache";
import { formatLongDate } from "../core/dates";
import type { BatchMember, NoticeContent } from "../models/deliveries.server";

type Strings = {
  subject: (title: string) => string;
  greeting: (name: string | null) => string;
  intro: (title: string) => string;
  effective: (date: string) => string;
  whatChanged: string;
  fullPolicy: string;
  footer: string;
};

/** One string table per locale; a subscriber's locale falls back to its language, then English. */
const STRINGS: Record<string, Strings> = {
  en: {
    subject: (title) => `Changes to our ${title}`,
    greeting: (name) => (name ? `Hello ${name},` : "Hello,"),
    intro: (title) => `We have made changes to our ${title}. In short:`,
    effective: (date) => `The changes take effect on ${date}.`,
    whatChanged: "See exactly what changed",
    fullPolicy: "Read the full policy",
    footer: "You receive this notice because you use our service. It is a legal notice, not marketing.",
  },
  de: {
    subject: (title) => `Änderungen: ${title}`,
    greeting: (name) => (name ? `Hallo ${name},` : "Hallo,"),
    intro: (title) => `Wir haben Folgendes geändert (${title}):`,
    effective: (date) => `Die Änderungen gelten ab dem ${date}.`,
    whatChanged: "Alle Änderungen ansehen",
    fullPolicy: "Vollständige Fassung lesen",
    footer:
      "Sie erhalten diese Mitteilung, weil Sie unseren Dienst nutzen. Sie ist rechtlich erforderlich, keine Werbung.",
  },
  fr: {
    subject: (title) => `Modifications : ${title}`,
    greeting: (name) => (name ? `Bonjour ${name},` : "Bonjour,"),
    intro: (title) => `Nous avons modifié notre document « ${title} ». En bref :`,
    effective: (date) => `Ces modifications prennent effet le ${date}.`,
    whatChanged: "Voir précisément ce qui a changé",
    fullPolicy: "Lire le texte complet",
    footer:
      "Vous recevez cet avis parce que vous utilisez notre service. Il s'agit d'une information légale, pas de publicité.",
  },
};

function stringsFor(locale: string): { strings: Strings; locale: string } {
  const language = locale.split("-")[0].toLowerCase();
  if (STRINGS[locale]) return { strings: STRINGS[locale], locale };
  if (STRINGS[language]) return { strings: STRINGS[language], locale: language };
  return { strings: STRINGS.en, locale: "en" };
}

type NoticeEmailProps = {
  content: NoticeContent;
  locale: string;
  name: string | null;
  redlineFrom: number | null;
  baseUrl: string;
};

function noticeLinks(content: NoticeContent, redlineFrom: number | null, baseUrl: string) {
  const lang = content.documentLocale === "en" ? "" : `lang=${encodeURIComponent(content.documentLocale)}`;
  const policy = `${baseUrl}/policies/${content.slug}/versions/${content.version}${lang ? `?${lang}` : ""}`;
  const redline =
    redlineFrom !== null
      ? `${baseUrl}/policies/${content.slug}/compare?from=${redlineFrom}&to=${content.version}${lang ? `&${lang}` : ""}`
      : null;
  return { policy, redline };
}

/** The notice email. Every word comes from the stored notice, so a retry renders the same bytes. */
function NoticeEmail({ content, locale, name, redlineFrom, baseUrl }: NoticeEmailProps) {
  const { strings, locale: used } = stringsFor(locale);
  const date = formatLongDate(content.effectiveAt, used);
  const links = noticeLinks(content, redlineFrom, baseUrl);
  return (
    <Html lang={used}>
      <Head />
      <Preview>{content.summary.slice(0, 140)}</Preview>
      <Body
        style={{ fontFamily: "Helvetica, Arial, sans-serif", color: "#1a1a1a", backgroundColor: "#ffffff" }}
      >
        <Container style={{ maxWidth: "560px", padding: "24px" }}>
          <Heading as="h1" style={{ fontSize: "22px" }}>
            {strings.subject(content.title)}
          </Heading>
          <Text>{strings.greeting(name)}</Text>
          <Text>{strings.intro(content.title)}</Text>
          <Section style={{ borderLeft: "4px solid #b42318", paddingLeft: "12px" }}>
            <Text style={{ whiteSpace: "pre-line" }}>{content.summary}</Text>
          </Section>
          <Text>
            <strong>{strings.effective(date)}</strong>
          </Text>
          {links.redline && (
            <Button
              href={links.redline}
              style={{
                backgroundColor: "#b42318",
                color: "#ffffff",
                padding: "10px 16px",
                borderRadius: "4px",
              }}
            >
              {strings.whatChanged}
            </Button>
          )}
          <Text>
            <Link href={links.policy}>{strings.fullPolicy}</Link>
          </Text>
          <Hr />
          <Text style={{ fontSize: "12px", color: "#666666" }}>{strings.footer}</Text>
        </Container>
      </Body>
    </Html>
  );
}

export type RenderedEmail = { subject: string; html: string; text: string };

// A placeholder without spaces or markup: React leaves it alone and text wrapping never splits it.
const NAME_TOKEN = "REDLINExRECIPIENTxNAME";
type Template = { subject: string; html: string; text: string };
/** Rendered templates, bounded by the memory their strings take (two bytes a character). */
const templates = new LRUCache<string, Template>({
  maxSize: 16 * 1024 * 1024,
  sizeCalculation: (t) => 2 * (t.subject.length + t.html.length + t.text.length),
});
/** Templates being rendered, so that a batch's members share one rendering. */
const rendering = new Map<string, Promise<Template>>();

const escapeHtml = (value: string) =>
  value.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;" })[c]!,
  );

/**
 * Renders one recipient's email. The React tree is rendered once per notice, locale, redline start
 * and "has a name", then the (escaped) name is put in: rendering 100 emails per batch stays cheap.
 */
export async function renderNoticeEmail(
  content: NoticeContent,
  member: Pick<BatchMember, "locale" | "name" | "redlineFrom">,
  baseUrl: string,
): Promise<RenderedEmail> {
  const key = JSON.stringify([
    content.noticeId,
    content.version,
    member.locale,
    member.redlineFrom,
    !!member.name,
    baseUrl,
  ]);
  let template: Template | Promise<Template> | undefined = templates.get(key) ?? rendering.get(key);
  if (!template) {
    const props: NoticeEmailProps = {
      content,
      locale: member.locale,
      name: member.name ? NAME_TOKEN : null,
      redlineFrom: member.redlineFrom,
      baseUrl,
    };
    template = Promise.all([
      render(<NoticeEmail {...props} />),
      render(<NoticeEmail {...props} />, { plainText: true }),
    ]).then(([html, text]) => ({
      subject: stringsFor(member.locale).strings.subject(content.title),
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
  return {
    subject,
    html: html.split(NAME_TOKEN).join(escapeHtml(name)),
    text: text.split(NAME_TOKEN).join(name),
  };
}

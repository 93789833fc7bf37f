/**
 * The two emails of public subscriptions (ADR 0029): the confirmation of a request (double opt-in)
 * and the update sent when a version is published. The update carries a one-click unsubscribe link
 * in its body and in the `List-Unsubscribe` / `List-Unsubscribe-Post` headers (RFC 8058).
 */
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
  Text,
} from "@react-email/components";
import { render } from "@react-email/render";
import { calendarDate, noticeMessages } from "../core/notify/messages";
import type { PublicSubscriptionScope } from "../core/notify/public-subscription";
import type { NoticeContent } from "../models/deliveries.server";
import type { FollowedDocument } from "../models/public-subscriptions.server";

const button = { backgroundColor: "#b42318", color: "#ffffff", padding: "10px 16px", borderRadius: "4px" };
const body = { fontFamily: "Helvetica, Arial, sans-serif", color: "#1a1a1a", backgroundColor: "#ffffff" };
const small = { fontSize: "12px", color: "#666666" };

/** In the document's language: whoever follows a German policy reads German (ADR 0024's catalogues). */
function ConfirmEmail({
  document,
  scope,
  confirmUrl,
}: {
  document: FollowedDocument;
  scope: PublicSubscriptionScope;
  confirmUrl: string;
}) {
  const { language, t } = noticeMessages(document.locale);
  return (
    <Html lang={language}>
      <Head />
      <Preview>{t("publicConfirmPreview", { title: document.title })}</Preview>
      <Body style={body}>
        <Container style={{ maxWidth: "560px", padding: "24px" }}>
          <Heading as="h1" style={{ fontSize: "22px" }}>
            {t("publicConfirmHeading")}
          </Heading>
          <Text>{t("publicConfirmLead", { title: document.title, scope })}</Text>
          <Button href={confirmUrl} style={button}>
            {t("publicConfirmButton")}
          </Button>
          <Text style={small}>{t("publicConfirmFooter")}</Text>
        </Container>
      </Body>
    </Html>
  );
}

export type RenderedEmail = { subject: string; html: string; text: string };

export async function renderConfirmEmail(props: {
  document: FollowedDocument;
  scope: PublicSubscriptionScope;
  confirmUrl: string;
}): Promise<RenderedEmail> {
  const [html, text] = await Promise.all([
    render(<ConfirmEmail {...props} />),
    render(<ConfirmEmail {...props} />, { plainText: true }),
  ]);
  const { t } = noticeMessages(props.document.locale);
  return { subject: t("publicConfirmSubject", { title: props.document.title }), html, text };
}

// A placeholder without spaces or markup: React leaves it alone and text wrapping never splits it.
const UNSUBSCRIBE_TOKEN = "REDLINExUNSUBSCRIBExURL";

function UpdateEmail({ content, baseUrl }: { content: NoticeContent; baseUrl: string }) {
  const lang = content.documentLocale === "en" ? "" : `lang=${encodeURIComponent(content.documentLocale)}`;
  const policy = `${baseUrl}/policies/${content.slug}/versions/${content.version}${lang ? `?${lang}` : ""}`;
  const redline =
    content.previousNumber !== null
      ? `${baseUrl}/policies/${content.slug}/compare?from=${content.previousNumber}&to=${content.version}${lang ? `&${lang}` : ""}`
      : null;
  const { language, t } = noticeMessages(content.documentLocale);
  const heading = t("publicUpdateHeading", { title: content.title, version: content.version });
  return (
    <Html lang={language}>
      <Head />
      <Preview>{content.summary ?? heading}</Preview>
      <Body style={body}>
        <Container style={{ maxWidth: "560px", padding: "24px" }}>
          <Heading as="h1" style={{ fontSize: "22px" }}>
            {heading}
          </Heading>
          <Text>
            {t("publicUpdateIntro", {
              title: content.title,
              updated: calendarDate(content.lastUpdated),
              effective: calendarDate(content.effectiveAt),
            })}
          </Text>
          {content.summary ? <Text style={{ whiteSpace: "pre-line" }}>{content.summary}</Text> : null}
          {redline ? (
            <Button href={redline} style={button}>
              {t("whatChanged")}
            </Button>
          ) : null}
          <Text>
            <Link href={policy}>{t("fullPolicy")}</Link>
          </Text>
          <Hr />
          <Text style={small}>
            {t("publicUpdateFooter", { title: content.title })}{" "}
            <Link href={UNSUBSCRIBE_TOKEN}>{t("unsubscribe")}</Link>
          </Text>
        </Container>
      </Body>
    </Html>
  );
}

/**
 * One update email per recipient: the tree is rendered once per batch and each recipient's
 * unsubscribe link put in, so a retry renders the same bytes (the link names the delivery).
 */
export async function renderPublicUpdates(
  content: NoticeContent,
  baseUrl: string,
  unsubscribeUrls: string[],
): Promise<(RenderedEmail & { headers: Record<string, string> })[]> {
  const [html, text] = await Promise.all([
    render(<UpdateEmail content={content} baseUrl={baseUrl} />),
    render(<UpdateEmail content={content} baseUrl={baseUrl} />, { plainText: true }),
  ]);
  const subject = noticeMessages(content.documentLocale).t("publicUpdateSubject", {
    title: content.title,
    version: content.version,
  });
  return unsubscribeUrls.map((url) => ({
    subject,
    // Signed tokens are base64url and "."; the address needs no escaping in HTML.
    html: html.split(UNSUBSCRIBE_TOKEN).join(url),
    text: text.split(UNSUBSCRIBE_TOKEN).join(url),
    headers: {
      "List-Unsubscribe": `<${url}>`,
      "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    },
  }));
}

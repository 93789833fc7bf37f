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
import { type PublicSubscriptionScope, scopeWords } from "../core/notify/public-subscription";
import type { NoticeContent } from "../models/deliveries.server";
import type { FollowedDocument } from "../models/public-subscriptions.server";

const button = { backgroundColor: "#b42318", color: "#ffffff", padding: "10px 16px", borderRadius: "4px" };
const body = { fontFamily: "Helvetica, Arial, sans-serif", color: "#1a1a1a", backgroundColor: "#ffffff" };
const small = { fontSize: "12px", color: "#666666" };

/** Calendar days are stored in UTC and printed like the public pages (en-GB). */
const day = (value: string) =>
  new Intl.DateTimeFormat("en-GB", { dateStyle: "long", timeZone: "UTC" }).format(new Date(value));

function ConfirmEmail({
  document,
  scope,
  confirmUrl,
}: {
  document: FollowedDocument;
  scope: PublicSubscriptionScope;
  confirmUrl: string;
}) {
  return (
    <Html lang="en">
      <Head />
      <Preview>{`Confirm that you want to hear about changes to ${document.title}`}</Preview>
      <Body style={body}>
        <Container style={{ maxWidth: "560px", padding: "24px" }}>
          <Heading as="h1" style={{ fontSize: "22px" }}>
            Confirm your subscription
          </Heading>
          <Text>
            Someone — probably you — asked to be emailed about changes to {document.title} (
            {scopeWords(scope)}). Nothing happens until you confirm.
          </Text>
          <Button href={confirmUrl} style={button}>
            Confirm my subscription
          </Button>
          <Text style={small}>
            The link works for 24 hours. If you did not ask for this, ignore this email: your address is not
            stored.
          </Text>
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
  return { subject: `Confirm: updates about ${props.document.title}`, html, text };
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
  return (
    <Html lang="en">
      <Head />
      <Preview>{content.summary ?? `${content.title} has a new version`}</Preview>
      <Body style={body}>
        <Container style={{ maxWidth: "560px", padding: "24px" }}>
          <Heading as="h1" style={{ fontSize: "22px" }}>
            {content.title}: version {content.version}
          </Heading>
          <Text>
            A new version of {content.title} was published (last updated {day(content.lastUpdated)}). It takes
            effect on {day(content.effectiveAt)}.
          </Text>
          {content.summary ? <Text style={{ whiteSpace: "pre-line" }}>{content.summary}</Text> : null}
          {redline ? (
            <Button href={redline} style={button}>
              See what changed
            </Button>
          ) : null}
          <Text>
            <Link href={policy}>Read the full text</Link>
          </Text>
          <Hr />
          <Text style={small}>
            You get this email because you subscribed to changes of {content.title} on its public page.{" "}
            <Link href={UNSUBSCRIBE_TOKEN}>Unsubscribe</Link>
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
  const subject = `${content.title} has changed: version ${content.version}`;
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

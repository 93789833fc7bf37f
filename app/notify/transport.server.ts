/**
 * How email leaves Redline, decided once from the settings. A record that says "sent" must name
 * what carried the message, and production never guesses: without a provider it refuses to start
 * unless capture was chosen explicitly (MAIL_TRANSPORT=capture).
 */
import { ConfigError, type Env } from "../env.server";

/** The API key the SDK presents to the bundled mail server, which accepts any key. */
const BUNDLED_MAIL_API_KEY = "re_bundled_local_mail_server";

const RESEND_API_HOST = "api.resend.com";

export type MailTransportKind = "resend" | "resend-compatible" | "capture";

/** What the settings ask for; capture without an address means "run the bundled server". */
export type MailTransportPlan =
  | { kind: "resend"; apiKey: string; baseUrl: string | null }
  | { kind: "resend-compatible"; apiKey: string; baseUrl: string }
  | { kind: "capture"; apiKey: string; baseUrl: null };

/** The transport in use, as the workspace and the proof ledger describe it (no secrets). */
export type MailTransport = {
  kind: MailTransportKind;
  /** Recorded on each delivery: "resend", "resend-compatible <origin>" or "capture". */
  label: string;
  /** The bundled capture server's address, when this process runs one. */
  captureUrl: string | null;
};

/**
 * The transport the settings name. Throws ConfigError, naming the variables, when production has
 * no provider and capture was not chosen, or when the settings contradict each other.
 */
export function planMailTransport(env: Env): MailTransportPlan {
  const provider = env.RESEND_API_KEY || env.RESEND_BASE_URL;
  if (env.MAIL_TRANSPORT === "capture") {
    if (provider) {
      throw new ConfigError(
        "Invalid configuration — MAIL_TRANSPORT: capture keeps mail on this machine, but RESEND_API_KEY or RESEND_BASE_URL names a provider; unset one of them",
      );
    }
    return { kind: "capture", apiKey: BUNDLED_MAIL_API_KEY, baseUrl: null };
  }
  if (env.RESEND_BASE_URL && new URL(env.RESEND_BASE_URL).host !== RESEND_API_HOST) {
    return {
      kind: "resend-compatible",
      apiKey: env.RESEND_API_KEY ?? BUNDLED_MAIL_API_KEY,
      baseUrl: env.RESEND_BASE_URL,
    };
  }
  if (env.RESEND_API_KEY)
    return { kind: "resend", apiKey: env.RESEND_API_KEY, baseUrl: env.RESEND_BASE_URL ?? null };
  if (env.NODE_ENV === "production" || env.MAIL_TRANSPORT === "resend") {
    throw new ConfigError(
      "Invalid configuration — no mail transport: set RESEND_API_KEY (Resend) or RESEND_BASE_URL (a Resend-compatible server), or MAIL_TRANSPORT=capture to keep every email on this machine (nothing is delivered)",
    );
  }
  return { kind: "capture", apiKey: BUNDLED_MAIL_API_KEY, baseUrl: null };
}

/** The description of a transport recorded on deliveries and shown in the workspace. */
export function describeMailTransport(kind: MailTransportKind, baseUrl: string | null): MailTransport {
  if (kind === "resend-compatible" && baseUrl)
    return { kind, label: `resend-compatible ${new URL(baseUrl).origin}`, captureUrl: null };
  if (kind === "capture") return { kind, label: "capture", captureUrl: baseUrl };
  return { kind, label: kind, captureUrl: null };
}

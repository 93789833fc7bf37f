/**
 * A real OpenID provider for tests: `oidc-provider` (the certified server library) in the test
 * process, on a loopback port over HTTP. Its people and their groups can be changed between sign-ins;
 * its signing key can be rotated (a restart on the same address with a new key); its clock can be put
 * out at the token endpoint; and it can be made to answer with an ID token re-signed by a key it has
 * retired — everything a relying party must cope with or refuse.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { CompactSign, exportJWK, generateKeyPair, type JWK } from "jose";
import Provider, { type Configuration } from "oidc-provider";

export type IdpPerson = { email?: string; name?: string; groups?: string[] };

type SigningKey = { kid: string; privateJwk: JWK; privateKey: CryptoKey };

export type TestIdp = {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** People by subject; change their groups between sign-ins. */
  people: Map<string, IdpPerson>;
  /** Seconds the provider's clock is put out by while it issues tokens (0: right). */
  clockOffsetSeconds: number;
  /** When set, the token endpoint's ID token is re-signed with this (retired) key. */
  forgeWith: SigningKey | null;
  /**
   * Scope claims (email, groups…) only at the userinfo endpoint, not in the ID token, as Okta and
   * oidc-provider do by default; takes effect at the next `restart`.
   */
  claimsOnlyAtUserinfo: boolean;
  /** Restarts the provider on the same address (same key), e.g. after changing `claimsOnlyAtUserinfo`. */
  restart: () => Promise<void>;
  /** The key signing now. */
  currentKey: () => SigningKey;
  /** Restarts the provider with a new signing key (the old one gone from its JWKS); returns the old one. */
  rotateKey: () => Promise<SigningKey>;
  /** Stops answering (connections refused), as an unreachable provider does. */
  stop: () => Promise<void>;
};

async function newKey(): Promise<SigningKey> {
  const { privateKey } = await generateKeyPair("RS256", { extractable: true });
  const kid = `key-${Math.random().toString(36).slice(2, 10)}`;
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: "RS256", use: "sig" };
  return { kid, privateJwk, privateKey };
}

/** An ID token with the same claims, signed by another key under that key's id. */
async function resign(idToken: string, key: SigningKey): Promise<string> {
  const payload = Buffer.from(idToken.split(".")[1], "base64url");
  return new CompactSign(payload).setProtectedHeader({ alg: "RS256", kid: key.kid }).sign(key.privateKey);
}

function readBody(req: IncomingMessage): Promise<URLSearchParams> {
  return new Promise((resolve, reject) => {
    let body = "";
    req.on("data", (chunk) => {
      body += chunk;
    });
    req.on("end", () => resolve(new URLSearchParams(body)));
    req.on("error", reject);
  });
}

const escapeHtml = (text: string) => text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * Starts the provider on a free loopback port. `redirectUri` is Redline's callback; the client may
 * also send people back to Redline's sign-in page after signing out there.
 */
export async function startIdp({
  redirectUri,
  postLogoutRedirectUri,
  people = {},
}: {
  redirectUri: string;
  postLogoutRedirectUri: string;
  people?: Record<string, IdpPerson>;
}): Promise<TestIdp> {
  const state = {
    people: new Map(Object.entries(people)),
    clockOffsetSeconds: 0,
    forgeWith: null as SigningKey | null,
    claimsOnlyAtUserinfo: false,
  };
  let key = await newKey();
  let provider: Provider;
  let port = 0;
  const clientId = "redline";
  const clientSecret = "redline-test-client-secret-0123456789";

  const makeProvider = (issuer: string) => {
    const configuration: Configuration = {
      clients: [
        {
          client_id: clientId,
          client_secret: clientSecret,
          redirect_uris: [redirectUri],
          post_logout_redirect_uris: [postLogoutRedirectUri],
          grant_types: ["authorization_code"],
          response_types: ["code"],
        },
      ],
      jwks: { keys: [key.privateJwk as never] },
      cookies: { keys: ["test-idp-cookie-key-0123456789abcdef"] },
      // Scope claims in the ID token itself, as Keycloak and Entra ID put them there (or not).
      conformIdTokenClaims: state.claimsOnlyAtUserinfo,
      scopes: ["openid", "email", "profile", "groups", "offline_access"],
      claims: { email: ["email", "email_verified"], profile: ["name"], groups: ["groups"] },
      pkce: { required: () => true },
      // Short ID tokens (so a clock put back makes them expired), everything else long (so a clock
      // put forward leaves the code and grant valid and only the token from the future).
      ttl: {
        IdToken: 60,
        AuthorizationCode: 3600,
        AccessToken: 3600,
        Interaction: 3600,
        Session: 3600,
        Grant: 3600,
      },
      features: { devInteractions: { enabled: false }, rpInitiatedLogout: { enabled: true } },
      interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
      findAccount: (_ctx, sub) => {
        const person = state.people.get(sub);
        if (!person) return undefined;
        return {
          accountId: sub,
          claims: () => ({
            sub,
            ...(person.email ? { email: person.email, email_verified: true } : {}),
            ...(person.name ? { name: person.name } : {}),
            groups: person.groups ?? [],
          }),
        };
      },
    };
    const created = new Provider(issuer, configuration);
    // The token endpoint: the clock put out while it issues tokens, and the forged answer when asked.
    created.use(async (ctx, next) => {
      if (ctx.path !== "/token") return next();
      const realNow = Date.now;
      const offset = state.clockOffsetSeconds * 1000;
      if (offset !== 0) Date.now = () => realNow() + offset;
      try {
        await next();
      } finally {
        Date.now = realNow;
      }
      const body = ctx.body as { id_token?: string } | undefined;
      if (state.forgeWith && body?.id_token) body.id_token = await resign(body.id_token, state.forgeWith);
    });
    return created;
  };

  /** The provider's sign-in page: who you are (a subject) and whether you let Redline know it. */
  const interaction = async (req: IncomingMessage, res: ServerResponse) => {
    const details = await provider.interactionDetails(req, res);
    if (req.method === "GET") {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end(`<!doctype html><title>Test identity provider</title>
<h1>Test identity provider</h1>
<form method="post" action="/interaction/${escapeHtml(details.uid)}">
<label>Username <input name="login" autocomplete="username"></label>
<button name="choice" value="allow">Allow Redline</button>
<button name="choice" value="deny">Deny</button>
</form>`);
      return;
    }
    const form = await readBody(req);
    if (form.get("choice") === "deny") {
      await provider.interactionFinished(
        req,
        res,
        { error: "access_denied", error_description: "End-User denied the request" },
        { mergeWithLastSubmission: false },
      );
      return;
    }
    const accountId = form.get("login") ?? "";
    const grant = new provider.Grant({ accountId, clientId: String(details.params.client_id) });
    grant.addOIDCScope(String(details.params.scope));
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { login: { accountId }, consent: { grantId } });
  };

  let server: Server;
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server = createServer((req, res) => {
        if (req.url?.startsWith("/interaction/")) {
          interaction(req, res).catch((error) => {
            res.writeHead(500);
            res.end(String(error));
          });
          return;
        }
        provider.callback()(req, res);
      });
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => {
        port = (server.address() as AddressInfo).port;
        resolve();
      });
    });
  const close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });

  // Listen first to learn the port, then name the issuer after it.
  provider = makeProvider("http://127.0.0.1:1");
  await listen();
  const issuer = `http://127.0.0.1:${port}`;
  provider = makeProvider(issuer);

  return Object.assign(state, {
    issuer,
    clientId,
    clientSecret,
    currentKey: () => key,
    rotateKey: async () => {
      const old = key;
      key = await newKey();
      await close();
      provider = makeProvider(issuer);
      await listen();
      return old;
    },
    restart: async () => {
      await close();
      provider = makeProvider(issuer);
      await listen();
    },
    stop: close,
  });
}

/**
 * An HTTP client that goes back and forth between Redline and the provider as a browser does:
 * cookies kept per origin, redirects followed one by one so a test can look at (or change) any step.
 */
export class WebClient {
  private jars = new Map<string, Map<string, string>>();

  /** The cookies this client holds for an origin (a copy, e.g. to replay an old one later). */
  cookies(origin: string): Map<string, string> {
    return new Map(this.jars.get(origin) ?? []);
  }

  setCookies(origin: string, cookies: Map<string, string>) {
    this.jars.set(origin, new Map(cookies));
  }

  async request(
    url: string,
    init: { method?: string; form?: Record<string, string> } = {},
  ): Promise<Response> {
    const { origin } = new URL(url);
    const jar = this.jars.get(origin) ?? new Map<string, string>();
    this.jars.set(origin, jar);
    const response = await fetch(url, {
      method: init.method ?? (init.form ? "POST" : "GET"),
      redirect: "manual",
      headers: {
        cookie: [...jar].map(([k, v]) => `${k}=${v}`).join("; "),
        ...(init.form ? { origin, "content-type": "application/x-www-form-urlencoded" } : {}),
      },
      body: init.form ? new URLSearchParams(init.form).toString() : undefined,
    });
    for (const header of response.headers.getSetCookie()) {
      const [pair] = header.split(";");
      const index = pair.indexOf("=");
      const name = pair.slice(0, index).trim();
      const value = pair.slice(index + 1);
      if (value === "" || /max-age=0/i.test(header) || /expires=Thu, 01 Jan 1970/i.test(header))
        jar.delete(name);
      else jar.set(name, value);
    }
    return response;
  }

  /** The absolute URL a redirect points to. */
  static next(response: Response, from: string): string {
    const location = response.headers.get("location");
    if (!location) throw new Error(`expected a redirect from ${from}, got ${response.status}`);
    return new URL(location, from).href;
  }
}

/**
 * Signs in through Redline's "Sign in with …" and the provider, as `login`, up to Redline's answer at
 * its callback. `changeAuthorization` may alter the request to the provider (a tampered nonce) and
 * `changeCallback` the provider's answer (a tampered state); `deny` refuses consent at the provider.
 */
export async function signInThroughProvider(
  client: WebClient,
  redlineUrl: string,
  {
    login,
    deny = false,
    changeAuthorization = (url: URL) => url,
    changeCallback = (url: URL) => url,
  }: {
    login: string;
    deny?: boolean;
    changeAuthorization?: (url: URL) => URL;
    changeCallback?: (url: URL) => URL;
  },
): Promise<{ response: Response; callbackUrl: string }> {
  const start = `${redlineUrl}/admin/sso/start`;
  const started = await client.request(start);
  if (started.status !== 302) return { response: started, callbackUrl: start };
  let url = changeAuthorization(new URL(WebClient.next(started, start))).href;
  // Through the provider: its authorization endpoint, our interaction, back to it, then to Redline.
  for (let hop = 0; hop < 10; hop++) {
    if (url.startsWith(redlineUrl)) break;
    const response = /\/interaction\/[^/]+$/.test(new URL(url).pathname)
      ? await client.request(url, { form: { login, choice: deny ? "deny" : "allow" } })
      : await client.request(url);
    url = WebClient.next(response, url);
  }
  const callbackUrl = changeCallback(new URL(url)).href;
  return { response: await client.request(callbackUrl), callbackUrl };
}

import { request as httpRequest } from "node:http";

type RequestInit = { method?: string; headers: Record<string, string>; body?: URLSearchParams };

/**
 * `fetch` (without following redirects) from a given local address, e.g. 127.0.0.7: on Linux all of
 * 127.0.0.0/8 is loopback, so tests can play many clients at different addresses.
 */
function fetchFrom(localAddress: string, url: string, init: RequestInit): Promise<Response> {
  const body = init.body?.toString();
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      {
        method: init.method ?? "GET",
        localAddress,
        headers: {
          ...init.headers,
          ...(body === undefined
            ? {}
            : {
                "content-type": "application/x-www-form-urlencoded;charset=UTF-8",
                "content-length": String(Buffer.byteLength(body)),
              }),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("error", reject);
        res.on("end", () => {
          const headers = new Headers();
          for (const [name, value] of Object.entries(res.headers)) {
            for (const one of Array.isArray(value) ? value : [value ?? ""]) headers.append(name, one);
          }
          const status = res.statusCode ?? 0;
          const nullBody = status === 204 || status === 304;
          resolve(new Response(nullBody ? null : Buffer.concat(chunks), { status, headers }));
        });
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/**
 * A signed-in (or anonymous) HTTP client for the admin workspace, for integration tests: keeps the
 * cookies the server sets and reads the CSRF token from the pages. With `localAddress` its requests
 * come from that loopback address (a client somewhere else).
 */
export class AdminClient {
  private cookies = new Map<string, string>();
  csrf = "";

  constructor(
    readonly baseUrl: string,
    readonly options: { localAddress?: string } = {},
  ) {}

  private send(path: string, init: RequestInit): Promise<Response> {
    const url = `${this.baseUrl}${path}`;
    if (this.options.localAddress) return fetchFrom(this.options.localAddress, url, init);
    return fetch(url, { ...init, redirect: "manual" });
  }

  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  private keep(response: Response) {
    for (const header of response.headers.getSetCookie()) {
      const [pair] = header.split(";");
      const index = pair.indexOf("=");
      const name = pair.slice(0, index);
      const value = pair.slice(index + 1);
      if (value === "" || /max-age=0/i.test(header) || /expires=Thu, 01 Jan 1970/i.test(header))
        this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  async get(path: string): Promise<Response> {
    const response = await this.send(path, { headers: { cookie: this.cookieHeader() } });
    this.keep(response);
    return response;
  }

  async post(
    path: string,
    fields: Record<string, string>,
    { csrf = true, headers = {} }: { csrf?: boolean; headers?: Record<string, string> } = {},
  ): Promise<Response> {
    const body = new URLSearchParams(csrf ? { csrf: this.csrf, ...fields } : fields);
    const response = await this.send(path, {
      method: "POST",
      body,
      headers: { cookie: this.cookieHeader(), ...headers },
    });
    this.keep(response);
    return response;
  }

  /** Opens the sign-in page (for its form token and cookie) and returns the token. */
  async openSignIn(): Promise<string> {
    const page = await (await this.get("/admin/login")).text();
    return /name="csrf" value="([^"]+)"/.exec(page)?.[1] ?? "";
  }

  /** Posts the sign-in form with a token from `openSignIn`, without reading anything afterwards. */
  submitSignIn(token: string, email: string, password: string): Promise<Response> {
    return this.post("/admin/login", { csrf: token, intent: "sign-in", email, password }, { csrf: false });
  }

  /** Signs in through the real form (login CSRF cookie included); returns the POST's response. */
  async signIn(email: string, password: string): Promise<Response> {
    const response = await this.submitSignIn(await this.openSignIn(), email, password);
    if (response.status === 302) await this.refreshCsrf();
    return response;
  }

  /** Reads the CSRF token from a workspace page (the sign-out form carries it). */
  async refreshCsrf(): Promise<void> {
    const html = await (await this.get("/admin/account")).text();
    this.csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? "";
  }

  /** A cookie this client holds (e.g. "redline_device", the trusted-browser cookie). */
  getCookie(name: string): string | undefined {
    return this.cookies.get(name);
  }

  /** Gives this client a cookie, as when a browser moves to another network. */
  setCookie(name: string, value: string): void {
    this.cookies.set(name, value);
  }

  hasSession(): boolean {
    return this.cookies.has("redline_session");
  }
}

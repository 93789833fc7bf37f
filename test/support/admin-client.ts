/**
 * A signed-in (or anonymous) HTTP client for the admin workspace, for integration tests: keeps the
 * cookies the server sets and reads the CSRF token from the pages.
 */
export class AdminClient {
  private cookies = new Map<string, string>();
  csrf = "";

  constructor(readonly baseUrl: string) {}

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
    const response = await fetch(`${this.baseUrl}${path}`, {
      redirect: "manual",
      headers: { cookie: this.cookieHeader() },
    });
    this.keep(response);
    return response;
  }

  async post(
    path: string,
    fields: Record<string, string>,
    { csrf = true, headers = {} }: { csrf?: boolean; headers?: Record<string, string> } = {},
  ): Promise<Response> {
    const body = new URLSearchParams(csrf ? { csrf: this.csrf, ...fields } : fields);
    const response = await fetch(`${this.baseUrl}${path}`, {
      method: "POST",
      redirect: "manual",
      body,
      headers: { cookie: this.cookieHeader(), ...headers },
    });
    this.keep(response);
    return response;
  }

  /** Signs in through the real form (login CSRF cookie included); returns the POST's response. */
  async signIn(email: string, password: string): Promise<Response> {
    const page = await (await this.get("/admin/login")).text();
    const token = /name="csrf" value="([^"]+)"/.exec(page)?.[1] ?? "";
    const response = await this.post(
      "/admin/login",
      { csrf: token, intent: "sign-in", email, password },
      { csrf: false },
    );
    if (response.status === 302) await this.refreshCsrf();
    return response;
  }

  /** Reads the CSRF token from a workspace page (the sign-out form carries it). */
  async refreshCsrf(): Promise<void> {
    const html = await (await this.get("/admin/account")).text();
    this.csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? "";
  }

  hasSession(): boolean {
    return this.cookies.has("redline_session");
  }
}

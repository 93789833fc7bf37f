import { Agent, request } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import { describe, expect, it } from "vitest";
import { DISCARD } from "../app/http/body.server";
import {
  answerExpressErrors,
  discardUnreadBodies,
  isCrossSiteWrite,
  refuseCrossSiteWrites,
} from "./request-guards";

const host = { host: "policies.example.com" };

describe("cross-site writes", () => {
  it("are form posts whose Origin names another host, a malformed origin or null", () => {
    expect(isCrossSiteWrite("POST", "/admin/users", { ...host, origin: "https://evil.example" })).toBe(true);
    expect(isCrossSiteWrite("PUT", "/admin/users", { ...host, origin: "null" })).toBe(true);
    expect(isCrossSiteWrite("DELETE", "/admin/users", { ...host, origin: "not a url" })).toBe(true);
    expect(isCrossSiteWrite("POST", "/admin/login", { origin: "https://policies.example.com" })).toBe(true);
  });

  it("are not same-origin posts, requests without Origin, reads, or the JSON API", () => {
    expect(
      isCrossSiteWrite("POST", "/admin/users", { ...host, origin: "https://policies.example.com" }),
    ).toBe(false);
    expect(isCrossSiteWrite("POST", "/admin/users", host)).toBe(false);
    expect(isCrossSiteWrite("GET", "/admin/users", { ...host, origin: "https://evil.example" })).toBe(false);
    const banner = { ...host, origin: "https://app.example.com" };
    expect(isCrossSiteWrite("POST", "/api/v1/embed/notices/1/ack", banner)).toBe(false);
    // The `.data` twin of an API path goes through Remix's page handling, and its check.
    expect(isCrossSiteWrite("POST", "/api/v1/embed/notices/1/ack.data", banner)).toBe(true);
  });

  it("compare with X-Forwarded-Host first, as Remix does behind a proxy", () => {
    const proxied = { host: "10.0.0.5:3000", "x-forwarded-host": "policies.example.com, proxy" };
    expect(
      isCrossSiteWrite("POST", "/admin/users", { ...proxied, origin: "https://policies.example.com" }),
    ).toBe(false);
    expect(isCrossSiteWrite("POST", "/admin/users", { ...proxied, origin: "http://10.0.0.5:3000" })).toBe(
      true,
    );
  });

  it("are answered 403 by the middleware, before the app", async () => {
    const app = express();
    app.use(refuseCrossSiteWrites());
    app.all("*", (_req, res) => {
      res.send("reached the app");
    });
    const server = app.listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/admin/users`;
    try {
      const refused = await fetch(url, {
        method: "POST",
        headers: { origin: "https://evil.example" },
        body: "a=b",
      });
      expect([refused.status, await refused.text()]).toEqual([403, "Cross-site request refused."]);
      const same = await fetch(url, {
        method: "POST",
        headers: { origin: new URL(url).origin },
        body: "a=b",
      });
      expect([same.status, await same.text()]).toEqual([200, "reached the app"]);
    } finally {
      server.close();
    }
  });
});

/** POSTs `size` bytes over the agent's connection; resolves with the answer's status once it has arrived. */
function post(agent: Agent, url: string, size: number) {
  return new Promise<number>((resolve, reject) => {
    const sent = request(url, { method: "POST", agent }, (response) => {
      response.resume();
      response.on("end", () => resolve(response.statusCode!));
    });
    sent.on("error", reject);
    sent.end(Buffer.alloc(size, 0x61));
  });
}

describe("an answer sent before the body was read", () => {
  it("is followed by the rest of the body thrown away, so the next request on the connection is answered", async () => {
    const app = express();
    app.use(discardUnreadBodies());
    const connections = new Set<unknown>();
    app.post("/unread", (req, res) => {
      connections.add(req.socket);
      // Like Remix's 405: the body starts flowing into a buffer nobody reads, then the answer goes out.
      req.once("data", () => req.pause());
      setTimeout(() => res.status(405).send("no"), 20);
    });
    app.post("/read", (req, res) => {
      connections.add(req.socket);
      req.resume();
      req.on("end", () => res.send("ok"));
    });
    const server = app.listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      expect(await post(agent, `${base}/unread`, 4 * 1024 * 1024)).toBe(405);
      // Without the guard this request would wait behind the unread 4 MB until the keep-alive
      // timeout reset the connection.
      expect(await post(agent, `${base}/read`, 10)).toBe(200);
      expect(connections.size).toBe(1);
      // A body read to its end keeps the connection as well.
      expect(await post(agent, `${base}/read`, DISCARD.bytes + 1024)).toBe(200);
      expect(connections.size).toBe(1);
    } finally {
      agent.destroy();
      server.close();
    }
  });
});

describe("Express's own refusals", () => {
  it("are answered 400 in plain text, without a stack trace in the log", async () => {
    const app = express();
    app.use("/build", express.static("/nonexistent"));
    app.get("/:slug", (req, res) => {
      res.send(req.params.slug);
    });
    const logged: { level: string; facts: object }[] = [];
    app.use(
      answerExpressErrors({
        info: (facts) => logged.push({ level: "info", facts }),
        error: (facts) => logged.push({ level: "error", facts }),
      }),
    );
    const server = app.listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      // Express's default handler would print the URIError's stack (and fail this test through console.error).
      const response = await fetch(`${base}/%E0%A4%A`);
      expect(response.status).toBe(400);
      expect(await response.text()).toMatch(/address is not valid/);
      expect(logged).toEqual([{ level: "info", facts: expect.objectContaining({ status: 400 }) }]);
      expect(logged[0].facts).not.toHaveProperty("err");
      expect((await fetch(`${base}/privacy`)).status).toBe(200);
    } finally {
      server.close();
    }
  });
});

import pino from "pino";

/** Structured logs on stderr. Secrets (passwords, keys, tokens) are never passed to it. */
export const logger = pino(
  {
    level: process.env.LOG_LEVEL ?? (process.env.NODE_ENV === "test" ? "warn" : "info"),
    redact: [
      "password",
      "*.password",
      "apiKey",
      "*.apiKey",
      "token",
      "*.token",
      "req.headers.authorization",
      "req.headers.cookie",
    ],
  },
  pino.destination(2),
);

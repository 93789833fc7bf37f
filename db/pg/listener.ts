import pg from "pg";

/**
 * One LISTEN connection for a channel (ADR 0017): `generation` changes with every notification and
 * with every loss of the connection, so a value cached under one generation is known to be current
 * while the generation is the same and `live` is true. While the connection is down (a restart, a
 * failover) `live` is false and callers read through; it reconnects with backoff on its own.
 */
export class ChannelListener {
  generation = 0;
  private client: pg.Client | null = null;
  private listening = false;
  private stopped = false;
  private retryMs = 250;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly url: string,
    private readonly channel: string,
  ) {}

  get live(): boolean {
    return this.listening;
  }

  start(): void {
    this.stopped = false;
    void this.connect();
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = new pg.Client({ connectionString: this.url });
    this.client = client;
    const lost = () => {
      if (this.client !== client) return;
      this.client = null;
      this.listening = false;
      this.generation++;
      client.removeAllListeners();
      client.on("error", () => {});
      void client.end().catch(() => {});
      if (!this.stopped) {
        this.timer = setTimeout(() => void this.connect(), this.retryMs);
        this.timer.unref();
        this.retryMs = Math.min(this.retryMs * 2, 10_000);
      }
    };
    client.on("error", lost);
    client.on("end", lost);
    client.on("notification", (message) => {
      if (message.channel === this.channel) this.generation++;
    });
    try {
      await client.connect();
      await client.query(`LISTEN "${this.channel}"`);
      // Anything may have changed while nobody listened.
      this.generation++;
      this.listening = true;
      this.retryMs = 250;
    } catch {
      lost();
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    const client = this.client;
    this.client = null;
    this.listening = false;
    if (client) await client.end().catch(() => {});
  }
}

import { Accounts } from "../app/accounts.ts";
import type { Parley } from "../app/parley.ts";
import { buildServer } from "./server.ts";

export interface Serving {
  url: string;
  /** Stops taking requests, lets those in flight finish, then closes the store. */
  close(): Promise<void>;
}

/**
 * Serves `parley` over HTTP until SIGTERM or SIGINT, then shuts down gracefully: the listener
 * closes, requests in flight finish, and the database is closed cleanly.
 */
export async function serve(
  parley: Parley,
  opts: { host: string; port: number; logLevel?: string; publicUrl?: string; onClosed?: () => void },
): Promise<Serving> {
  const accounts = new Accounts(parley.db, () => new Date(parley.now()), {}, parley.callers);
  const listenHost = opts.host.includes(":") ? `[${opts.host}]` : opts.host;
  const app = await buildServer({
    parley,
    accounts,
    logger: { level: opts.logLevel ?? "info" },
    publicUrl: opts.publicUrl ?? `http://${listenHost}:${opts.port}`,
  });
  await app.listen({ host: opts.host, port: opts.port });
  // IP hashes of comments are dropped once their retention passes, hourly, while serving.
  const stopPurge = app.comments.schedulePurge();
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : opts.port;
  let closing: Promise<void> | null = null;
  const close = () => {
    closing ??= (async () => {
      process.off("SIGTERM", onSignal);
      process.off("SIGINT", onSignal);
      stopPurge();
      await app.close();
      // Mails already asked for (a held comment's notice) go out before the store closes.
      await app.comments.settled();
      await parley.close();
      opts.onClosed?.();
    })();
    return closing;
  };
  const onSignal = (signal: NodeJS.Signals) => {
    app.log.info({ signal }, "shutting down");
    void close();
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  return { url: `http://${listenHost}:${port}`, close };
}

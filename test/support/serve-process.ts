import { type ChildProcess, spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** bin/parley.js, for tests that run the command as a user would. */
export const PARLEY_BIN = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "bin", "parley.js");

/** `parley serve` on a free loopback port in a child process, once it says where it listens. */
export async function serveProcess(
  location: string,
  logLevel = "warn",
): Promise<{ child: ChildProcess; base: string }> {
  const child = spawn(
    process.execPath,
    [PARLEY_BIN, "serve", "--db", location, "--port", "0", "--log-level", logLevel],
    {
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let out = "";
  const base = await new Promise<string>((resolve, reject) => {
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /serving (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.stderr!.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.on("exit", () => reject(new Error(`serve exited early: ${out}`)));
  });
  return { child, base };
}

/** Sends the signal and waits for the process to be gone (at once if it already is). */
export function stopProcess(child: ChildProcess, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.on("exit", () => resolve());
    child.kill(signal);
  });
}

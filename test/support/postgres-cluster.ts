import { spawn, spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * A PostgreSQL cluster made for one test run from the machine's own binaries: initdb into a
 * temporary folder, started on a free loopback port, removed afterwards. As root it runs as
 * `nobody`, since PostgreSQL refuses to run as root.
 */
export interface ThrowawayCluster {
  url: string;
  /** What a test needs to restart the server itself (fault tests). */
  control: ClusterControl;
  stop(): void;
}

export interface ClusterControl {
  pgCtl: string;
  data: string;
  log: string;
  uid?: number;
  gid?: number;
}

/** Stops the server the hard way (as a crash would) and starts it again on the same port; resolves when it is up. */
export function restartCluster(c: ClusterControl): Promise<void> {
  // Not spawnSync: the caller's load must go on while the database is down.
  const child = spawn(c.pgCtl, ["-D", c.data, "-l", c.log, "-m", "immediate", "-w", "restart"], {
    ...(c.uid === undefined ? {} : { uid: c.uid, gid: c.gid! }),
  });
  let output = "";
  child.stdout.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr.on("data", (d: Buffer) => (output += d.toString()));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`pg_ctl restart failed: ${output}`)),
    );
  });
}

/** The folder holding initdb and pg_ctl, or null when this machine has no PostgreSQL server. */
export function postgresBinaries(): string | null {
  const candidates: string[] = [];
  for (const dir of (process.env.PATH ?? "").split(":")) if (dir) candidates.push(dir);
  // Debian keeps the server's programs off the PATH, one folder per major version.
  const debian = "/usr/lib/postgresql";
  if (existsSync(debian)) {
    const versions = readdirSync(debian).sort((a, b) => Number(b) - Number(a));
    for (const v of versions) candidates.push(join(debian, v, "bin"));
  }
  return candidates.find((dir) => existsSync(join(dir, "initdb")) && existsSync(join(dir, "pg_ctl"))) ?? null;
}

/**
 * `durable`: keep PostgreSQL's default fsync and full-page writes (for benchmarks); tests turn
 * them off, since their data is thrown away.
 */
export async function startThrowawayCluster(
  bin: string,
  opts: { durable?: boolean } = {},
): Promise<ThrowawayCluster> {
  const dir = mkdtempSync(join(tmpdir(), "parley-pg-"));
  const data = join(dir, "data");
  const owner = process.getuid?.() === 0 ? unprivilegedUser() : null;
  if (owner) chownSync(dir, owner.uid, owner.gid);
  const run = (program: string, args: string[]) => {
    const r = spawnSync(join(bin, program), args, {
      encoding: "utf8",
      cwd: dir,
      ...(owner ? { uid: owner.uid, gid: owner.gid } : {}),
      env: { ...process.env, LC_ALL: "C.UTF-8", LANG: "C.UTF-8" },
    });
    if (r.status !== 0) throw new Error(`${program} failed: ${r.stderr || r.stdout || r.error?.message}`);
  };
  // C collation: text sorts by code point, as it does in SQLite, so both stores order alike.
  run("initdb", ["-D", data, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--locale=C", "-N"]);
  const port = await freePort();
  const settings = [
    `-p ${port}`,
    "-c listen_addresses=127.0.0.1",
    `-c unix_socket_directories=${dir}`,
    // Throwaway data: durability buys nothing here, and the suite creates many schemas.
    ...(opts.durable ? [] : ["-c fsync=off", "-c full_page_writes=off"]),
    "-c max_connections=300",
  ].join(" ");
  run("pg_ctl", ["-D", data, "-l", join(dir, "log"), "-o", settings, "-w", "start"]);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    control: { pgCtl: join(bin, "pg_ctl"), data, log: join(dir, "log"), ...(owner ?? {}) },
    stop() {
      spawnSync(join(bin, "pg_ctl"), ["-D", data, "-m", "immediate", "stop"], {
        ...(owner ? { uid: owner.uid, gid: owner.gid } : {}),
      });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function unprivilegedUser(): { uid: number; gid: number } {
  const line = readFileSync("/etc/passwd", "utf8")
    .split("\n")
    .find((l) => l.startsWith("nobody:"));
  if (!line) throw new Error("running as root, and there is no user 'nobody' to run PostgreSQL as");
  const [, , uid, gid] = line.split(":");
  return { uid: Number(uid), gid: Number(gid) };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

// A throwaway PostgreSQL cluster for tests: initdb into a temp dir, pg_ctl start on a free
// 127.0.0.1 port, stopped by PID. One cluster per test file (start it in `before`, stop it in
// `after`); `createDatabase()` gives each test a fresh database when it needs one.
//
// Auth: trust over the Unix socket (the harness's own admin connection), scram-sha-256 over
// TCP, so the driver under test connects with a real password and a wrong one is refused.
import { execFile, spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";

/** A running test cluster. */
export interface PostgresCluster {
  /** `postgres://cogwheel:<password>@127.0.0.1:<port>/postgres`. */
  readonly url: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  /** The URL of database `name` on this cluster (see {@link createDatabase}). */
  urlOf(database: string, password?: string): string;
  /** Creates a fresh, empty database and returns its URL. */
  createDatabase(name?: string): Promise<string>;
  /** {@link createDatabase}, returning the name too (for SQL through {@link query}). */
  newDatabase(): Promise<{ name: string; url: string }>;
  /** Runs SQL as the superuser (over the Unix socket), e.g. ALTER DATABASE. */
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params?: unknown[], database?: string): Promise<R[]>;
  /** Terminates every backend (or those with this application_name); resolves with how many. */
  terminateBackends(applicationName?: string): Promise<number>;
  /** `pg_ctl stop -m <mode>` (fast: clean; immediate: like a crash, WAL recovery on restart). */
  stop(mode?: "fast" | "immediate"): Promise<void>;
  /** SIGKILL of the postmaster and of its children: the server vanishes mid-whatever. */
  kill(): void;
  /** SIGSTOP of the server's processes: a server that hangs without closing any socket. */
  freeze(): void;
  /** SIGCONT after {@link freeze}. */
  thaw(): void;
  /** Starts the cluster again on the same port and data after stop() or kill(). */
  restart(): Promise<void>;
  /** Stops the server (immediately) and removes its files. Idempotent. */
  destroy(): Promise<void>;
}

const USER = "cogwheel";

/** The database a URL names. */
export const databaseName = (url: string): string => new URL(url).pathname.slice(1);

/** The directory holding initdb/pg_ctl: $COGWHEEL_PG_BIN, else the newest Debian one. */
function findBinaries(): string {
  const fromEnv = process.env.COGWHEEL_PG_BIN;
  if (fromEnv) {
    if (!existsSync(join(fromEnv, "initdb"))) throw new Error(`COGWHEEL_PG_BIN=${fromEnv} has no initdb: point it at PostgreSQL's bin directory`);
    return fromEnv;
  }
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, "bin", "initdb"))) : [];
  versions.sort((a, b) => Number(b) - Number(a));
  if (versions.length === 0) {
    // One line, saying what is missing and how to get it (.ci/run installs it with apt-get).
    throw new Error(
      "PostgreSQL is not installed: no /usr/lib/postgresql/*/bin/initdb (install it with `apt-get install -y postgresql`, or set COGWHEEL_PG_BIN)",
    );
  }
  return join(root, versions[0]!, "bin");
}

/** PostgreSQL refuses to run as root: as root, run its programs as the `postgres` user. */
function asServerUser(): { wrap: (argv: string[]) => string[]; uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  const id = (flag: string) => Number(spawnSync("id", [flag, "postgres"], { encoding: "utf8" }).stdout.trim());
  const uid = id("-u");
  const gid = id("-g");
  if (!Number.isInteger(uid) || uid <= 0) throw new Error("running as root but there is no `postgres` user to run PostgreSQL as");
  return { wrap: (argv) => ["runuser", "-u", "postgres", "--", ...argv], uid, gid };
}

function run(argv: string[], ms: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(argv[0]!, argv.slice(1), { timeout: ms, encoding: "utf8" }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${argv.join(" ")} failed: ${stderr || error.message}`.trim()));
      else resolve(stdout);
    });
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts a cluster (~1 s). Call from `before()` and `destroy()` it in `after()`; the process's
 * exit also kills it, so a crashed test run leaves no server behind.
 */
export async function startPostgres(): Promise<PostgresCluster> {
  const bin = findBinaries();
  const user = asServerUser();
  const wrap = user?.wrap ?? ((argv: string[]) => argv);
  const dir = mkdtempSync(join(tmpdir(), "cogwheel-pg-"));
  if (user) chownSync(dir, user.uid, user.gid);
  const data = join(dir, "data");
  const password = `pw-${Math.random().toString(36).slice(2)}`;
  await run(
    wrap([join(bin, "initdb"), "-D", data, "-U", USER, "--auth-local=trust", "--auth-host=scram-sha-256", "-N", "-E", "UTF8", "--locale=C"]),
    60_000,
  );
  let port = 0;
  let pid = 0;
  const start = async (): Promise<void> => {
    const options = `-p ${port} -c listen_addresses=127.0.0.1 -k ${dir} -c fsync=on -c max_connections=60`;
    await run(wrap([join(bin, "pg_ctl"), "-D", data, "-l", join(dir, "server.log"), "-w", "-t", "30", "-o", options, "start"]), 40_000);
    pid = Number(readFileSync(join(data, "postmaster.pid"), "utf8").split("\n")[0]);
  };
  // A free port can be taken between the probe and the bind: try a few.
  for (let attempt = 0; ; attempt++) {
    port = await freePort();
    try {
      await start();
      break;
    } catch (error) {
      if (attempt >= 3) throw error;
    }
  }
  const signalAll = (signal: NodeJS.Signals): void => {
    if (pid <= 0) return;
    const children = spawnSync("pgrep", ["-P", String(pid)], { encoding: "utf8" }).stdout.split("\n").filter(Boolean).map(Number);
    for (const p of [pid, ...children]) {
      try {
        process.kill(p, signal);
      } catch {
        // already gone
      }
    }
  };
  const killAll = (): void => {
    signalAll("SIGKILL");
    pid = 0;
  };
  const onExit = (): void => killAll();
  process.once("exit", onExit);

  const admin = async <R extends pg.QueryResultRow>(sql: string, params: unknown[] = [], database = "postgres"): Promise<R[]> => {
    // Unix socket, trust auth: works whatever the TCP password is.
    const client = new pg.Client({ host: dir, port, user: USER, database, connectionTimeoutMillis: 5000 });
    client.on("error", () => {}); // a terminated admin connection is reported by query()
    await client.connect();
    try {
      return (await client.query<R>(sql, params)).rows;
    } finally {
      await client.end().catch(() => {});
    }
  };
  await admin(`ALTER ROLE ${USER} PASSWORD '${password}'`);

  let databases = 0;
  let destroyed = false;
  const urlOf = (database: string, pw = password): string =>
    `postgres://${USER}:${encodeURIComponent(pw)}@127.0.0.1:${port}/${database}`;
  const createDatabase = async (name = `t${process.pid}_${++databases}`): Promise<string> => {
    await admin(`CREATE DATABASE "${name}"`);
    return urlOf(name);
  };
  return {
    get url() {
      return urlOf("postgres");
    },
    port,
    user: USER,
    password,
    urlOf,
    async newDatabase() {
      const url = await createDatabase();
      return { name: databaseName(url), url };
    },
    createDatabase,
    query: admin,
    async terminateBackends(applicationName) {
      const rows = await admin<{ n: string }>(
        "SELECT count(pg_terminate_backend(pid))::text AS n FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND backend_type = 'client backend' AND ($1::text IS NULL OR application_name = $1)",
        [applicationName ?? null],
      );
      return Number(rows[0]?.n ?? 0);
    },
    async stop(mode = "fast") {
      await run(wrap([join(bin, "pg_ctl"), "-D", data, "-m", mode, "-w", "-t", "30", "stop"]), 40_000);
      pid = 0;
    },
    kill: killAll,
    freeze: () => signalAll("SIGSTOP"),
    thaw: () => signalAll("SIGCONT"),
    async restart() {
      // After a SIGKILL the old backends may take a moment to notice; pg_ctl waits for the port.
      for (let attempt = 0; ; attempt++) {
        try {
          await start();
          return;
        } catch (error) {
          if (attempt >= 20) throw error;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    },
    async destroy() {
      if (destroyed) return;
      destroyed = true;
      killAll();
      process.off("exit", onExit);
      rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    },
  };
}

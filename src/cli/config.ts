// `cogwheel config migrate`: copies a JSON data dir's config into PostgreSQL. The work is done
// by src/config/migrate.ts; this file only wires flags, the data dir's lock and the output.
// Exit codes: 0 done (or nothing to do, or buckets that differ kept as the database has them),
// 1 refused or failed (one line on stderr).
import { resolve } from "node:path";
import { Command } from "commander";
import { isDirectory } from "../app/data-dir.ts";
import { acquireDataDirLock, DataDirLockError, type DataDirLock } from "../app/data-dir-lock.ts";
import type { ScopeRef } from "../config/bucket-driver.ts";
import { migrateConfig, type MigrationReport, type NamespaceMigration } from "../config/migrate.ts";
import { PostgresDriver } from "../config/postgres/driver.ts";
import { describeRef } from "../config/postgres/keys.ts";
import { checkUrl } from "../config/postgres/options.ts";
import { DATABASE_URL_ENV } from "./start-flags.ts";

/** Flags of `cogwheel config migrate`. */
export interface MigrateFlags {
  to?: string;
  dataDir: string;
  /** Replace buckets that differ in the database with the JSON files' values. */
  overwrite?: boolean;
}

/** A refusal or failure, printed as one line. */
class MigrateError extends Error {
  override name = "MigrateError";
}

/** `cogwheel config …`. */
export function buildConfigCommand(): Command {
  const config = new Command("config").description("manage the config store");
  config
    .command("migrate")
    .description(
      "copy the config of a JSON data dir into PostgreSQL, one transaction per namespace; writes only buckets the database lacks (one that differs is kept as the database has it, unless --overwrite); idempotent, checked afterwards; the bot on that data dir must be stopped",
    )
    .option("--to <url>", `PostgreSQL URL, postgres://user@host:port/database (default: $${DATABASE_URL_ENV})`)
    .option("--data-dir <dir>", "the data dir whose config/*.json files are copied", "./data")
    .option("--overwrite", "replace buckets that differ in the database with the JSON files' values (default: keep the database's, which may be newer)")
    .action(async (flags: MigrateFlags) => {
      try {
        process.exitCode = await runMigrate(flags, (line) => process.stdout.write(`${line}\n`));
      } catch (error) {
        // The target is named without its password by every message that reaches here.
        const known = error instanceof MigrateError || error instanceof DataDirLockError || isCatalogError(error);
        process.stderr.write(`cogwheel config migrate: ${known ? (error as Error).message : `unexpected error: ${String((error as Error)?.message ?? error)}`}\n`);
        process.exitCode = 1;
      }
    });
  return config;
}

/** ConfigError / ConfigTypeError: their messages are written for the owner and never hold a password. */
function isCatalogError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return error instanceof Error && typeof code === "string" && code.startsWith("ERR_CONFIG_");
}

/**
 * Runs a migration: checks the flags, takes the data dir's lock (so no bot changes a file
 * while it is copied, and none starts meanwhile), opens the database, copies, prints a summary.
 *
 * @returns the exit code: 0, or 1 when the check after writing found a difference
 * @throws MigrateError, DataDirLockError, ConfigError: one line each
 */
export async function runMigrate(flags: MigrateFlags, print: (line: string) => void): Promise<number> {
  const url = flags.to ?? (process.env[DATABASE_URL_ENV] || undefined);
  if (url === undefined) throw new MigrateError(`--to is missing: give the PostgreSQL URL (postgres://user@host:port/database) or set ${DATABASE_URL_ENV}`);
  if (url.trim() === "") throw new MigrateError("--to must not be empty");
  if (flags.dataDir.trim() === "") throw new MigrateError("--data-dir must not be empty");
  checkUrl(url); // a bad URL is refused before the data dir is touched
  const dataDir = resolve(flags.dataDir);
  if (!isDirectory(dataDir)) throw new MigrateError(`data dir ${dataDir} does not exist`);

  let lock: DataDirLock;
  try {
    lock = await acquireDataDirLock(dataDir);
  } catch (error) {
    if (error instanceof DataDirLockError && error.code === "ERR_DATA_DIR_LOCKED") {
      throw new MigrateError(`data dir ${dataDir} is in use by a running Cogwheel bot (pid ${error.pid}): stop it first, so that no config file changes while it is copied`);
    }
    throw error;
  }
  try {
    const driver = await PostgresDriver.open({ url });
    try {
      print(`Copying the config of ${dataDir} into ${driver.target}`);
      const report = await migrateConfig({ dataDir, target: driver, overwrite: flags.overwrite === true });
      return summarize(report, print);
    } finally {
      await driver.close();
    }
  } finally {
    lock.release();
  }
}

/**
 * One line per namespace, then the totals, then (if any) what was kept; a namespace that did not
 * check out → stderr, exit 1. Kept buckets are no failure (exit 0): keeping them is the default.
 */
function summarize(report: MigrationReport, print: (line: string) => void): number {
  for (const file of report.skipped) print(`  skipped ${file}: not a namespace file`);
  for (const ns of report.namespaces) print(`  ${describe(ns)}`);
  const written = report.namespaces.reduce((sum, ns) => sum + ns.written, 0);
  const unchanged = report.namespaces.reduce((sum, ns) => sum + ns.unchanged, 0);
  const kept = report.namespaces.reduce((sum, ns) => sum + ns.kept.length, 0);
  const count = `${report.namespaces.length} namespace${report.namespaces.length === 1 ? "" : "s"}`;
  if (report.namespaces.length === 0) {
    print(`Nothing to copy: ${report.folder} holds no namespace file`);
    return 0;
  }
  if (!report.ok) {
    const failed = report.namespaces.filter((ns) => ns.mismatches.length > 0);
    for (const ns of failed) process.stderr.write(`cogwheel config migrate: namespace "${ns.namespace}" does not match after copying: ${ns.mismatches.join("; ")}\n`);
    return 1;
  }
  print(
    written === 0 && kept === 0
      ? `Done: ${count}, nothing to write: ${unchanged} bucket${unchanged === 1 ? " was" : "s were"} already equal (already migrated)`
      : `Done: ${count}, ${written} bucket${written === 1 ? "" : "s"} written, ${unchanged} unchanged${kept === 0 ? "" : `, ${kept} differ${kept === 1 ? "s" : ""}: kept the database's`}; every bucket checked`,
  );
  if (kept > 0) {
    print(
      `${kept} bucket${kept === 1 ? " differs" : "s differ"} from the JSON files: kept the database's, which may be newer (listed above); --overwrite replaces ${kept === 1 ? "it" : "them"} with the JSON files' values`,
    );
  }
  return 0;
}

function describe(ns: NamespaceMigration): string {
  const kinds = Object.entries(ns.buckets).filter(([, n]) => n > 0).map(([kind, n]) => `${kind} ${n}`).join(", ");
  const total = Object.values(ns.buckets).reduce((sum, n) => sum + n, 0);
  const differs = ns.kept.length === 0 ? "" : `, ${ns.kept.length} differ${ns.kept.length === 1 ? "s" : ""}: kept the database's (${named(ns.kept)})`;
  const extra = ns.onlyInTarget > 0 ? `; ${ns.onlyInTarget} only in the database, kept` : "";
  return `${ns.namespace}: ${total} bucket${total === 1 ? "" : "s"}${kinds === "" ? "" : ` (${kinds})`}: ${ns.written} written, ${ns.unchanged} unchanged${differs}${extra}${ns.mismatches.length === 0 ? "" : "; MISMATCH"}`;
}

/** The first three buckets by name, `member("100", "7")`, and how many more. */
function named(refs: readonly ScopeRef[]): string {
  const more = refs.length > 3 ? ` and ${refs.length - 3} more` : "";
  return `${refs.slice(0, 3).map(describeRef).join(", ")}${more}`;
}

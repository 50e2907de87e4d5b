/**
 * The one `pg` client configuration every connection of the driver uses (pool, LISTEN, outcome
 * look-ups), built from the URL as `pg` would build it, with one difference: when no password is
 * known (not in the URL, `PGPASSWORD` or the password file, which options.ts reads), `pg` gets a
 * password function that refuses, instead of reading the password file itself, which prints a
 * DeprecationWarning (pg 8.23) and libpq-style warnings for a file it ignores.
 *
 * @module
 */
import type pg from "pg";
import { parseIntoClientConfig } from "pg-connection-string";
import type { ResolvedPostgresOptions } from "./options.ts";

/** The message of the refusal; driver.ts explains it (where a password could have come from). */
export const NO_PASSWORD = "no password given";

/**
 * @param options - resolved options (their `url` already holds a password found in a file)
 * @param settings - the driver's own settings (timeouts, application name)
 * @param env - the environment (default `process.env`)
 * @returns the configuration: the URL's parameters win over `settings`, as in `pg`
 */
export function clientConfig(options: ResolvedPostgresOptions, settings: pg.ClientConfig, env: NodeJS.ProcessEnv = process.env): pg.ClientConfig {
  const config: pg.ClientConfig = { ...settings, ...parseIntoClientConfig(options.url) };
  // An empty password (the URL has none) counts as none, as for pg; so does an empty PGPASSWORD.
  if (!config.password && !env.PGPASSWORD) {
    config.password = () => {
      throw new Error(NO_PASSWORD);
    };
  }
  return config;
}

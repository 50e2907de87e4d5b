/**
 * The default driver: one JSON file per namespace, `<dir>/config/<namespace>.json`,
 * each replaced atomically and durably on every write.
 *
 * @module
 */
import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { atomicWriteFile, removeTempFiles, syncDirectory } from "./atomic-write.ts";
import { checkDocument, type NamespaceDocument } from "./document.ts";
import type { ConfigDriver } from "./driver.ts";
import { ConfigError } from "./errors.ts";
import { assertNamespaceName } from "./validate.ts";

/** Stores each namespace in `<dir>/config/<namespace>.json`. Create with {@link JsonFileDriver.open}. */
export class JsonFileDriver implements ConfigDriver {
  /** The folder holding the namespace files (`<dir>/config`). */
  readonly folder: string;
  /** Tail of each file's write queue, so writes to one file never overlap. */
  readonly #queues = new Map<string, Promise<void>>();

  private constructor(folder: string) {
    this.folder = folder;
  }

  /**
   * Creates `<dir>/config` if needed and removes temp files left there by a crash.
   *
   * @param dir - the bot's data directory
   * @returns a ready driver
   */
  static async open(dir: string): Promise<JsonFileDriver> {
    const folder = join(dir, "config");
    const created = await mkdir(folder, { recursive: true });
    if (created !== undefined) {
      await syncDirectory(dir);
      await syncDirectory(folder);
    }
    await removeTempFiles(folder);
    return new JsonFileDriver(folder);
  }

  /**
   * @param namespace - a namespace name
   * @returns the path of the namespace's file
   */
  fileOf(namespace: string): string {
    assertNamespaceName(namespace);
    return join(this.folder, `${namespace}.json`);
  }

  /** {@inheritDoc ConfigDriver.load} */
  async load(namespace: string): Promise<NamespaceDocument | undefined> {
    const path = this.fileOf(namespace);
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw error;
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (error) {
      throw new ConfigError(
        "ERR_CONFIG_CORRUPT_FILE",
        `Config file ${path} is not valid JSON (${(error as Error).message}); ` +
          "fix or remove it by hand, it will not be overwritten",
        { path, cause: error },
      );
    }
    return checkDocument(raw, path);
  }

  /** {@inheritDoc ConfigDriver.write} */
  write(namespace: string, document: NamespaceDocument): Promise<void> {
    const path = this.fileOf(namespace);
    const text = `${JSON.stringify(document, null, 2)}\n`; // snapshot now, as the interface requires
    const previous = this.#queues.get(path) ?? Promise.resolve();
    const done = previous.catch(() => {}).then(() => atomicWriteFile(path, text));
    const tail = done.catch(() => {});
    this.#queues.set(path, tail);
    void tail.then(() => {
      if (this.#queues.get(path) === tail) this.#queues.delete(path);
    });
    return done;
  }

  /** {@inheritDoc ConfigDriver.close} */
  async close(): Promise<void> {
    await Promise.all(this.#queues.values());
  }
}

/**
 * The storage driver interface. The store keeps every namespace in memory and asks
 * its driver only to load a namespace once and to replace it durably. The JSON-file
 * driver is the only implementation for now.
 *
 * @module
 */
import type { NamespaceDocument } from "./document.ts";

/** Where a config store keeps its data. */
export interface ConfigDriver {
  /**
   * Loads a namespace's stored data.
   *
   * @param namespace - a validated, identifier-like namespace name
   * @returns the stored document, shape-checked (see `checkDocument`), or `undefined`
   *   if nothing was ever stored
   * @throws ConfigError with code `ERR_CONFIG_CORRUPT_FILE` when the stored data is unreadable
   */
  load(namespace: string): Promise<NamespaceDocument | undefined>;

  /**
   * Replaces a namespace's stored data. Must resolve only once the new data is
   * durable, and must never leave a half-written state behind, whatever happens.
   * The driver must take what it needs from `document` before returning (the
   * caller may build the next document right after).
   *
   * @param namespace - a validated, identifier-like namespace name
   * @param document - the complete new data of the namespace
   */
  write(namespace: string, document: NamespaceDocument): Promise<void>;

  /**
   * Where a namespace is stored, for error messages (the JSON driver: its file). Optional:
   * without it, messages name the namespace.
   */
  fileOf?(namespace: string): string;

  /** Waits for writes in progress and releases resources. Called once, by the store. */
  close(): Promise<void>;
}

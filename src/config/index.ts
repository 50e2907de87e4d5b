/**
 * Cogwheel's config store: scoped, typed, durable key/value config per owner.
 *
 * @module
 */
export { openConfigStore, type ConfigStore, type ConfigStoreOptions } from "./store.ts";
export type { ConfigChange, ConfigNamespace, NamespaceDefaults, ScopeKind, ValuesOf } from "./namespace.ts";
export type { ConfigScope, ScopeValues } from "./scope.ts";
export type { ScopeRef } from "./state.ts";
export type { ConfigTransaction, ConfigTransactionScope } from "./transaction.ts";
export type { ConfigDriver } from "./driver.ts";
export { checkDocument, type NamespaceDocument } from "./document.ts";
export { JsonFileDriver } from "./json-driver.ts";
export { JsonBucketDriver } from "./json-buckets.ts";
export { ConfigError, ConfigTypeError, type ConfigErrorCode } from "./errors.ts";
export type { JsonObject, JsonValue } from "./json.ts";
export { atomicWriteFile } from "./atomic-write.ts";
export type {
  BucketDriver,
  BucketRead,
  BucketVersion,
  BucketWrite,
  CommitResult,
  Invalidation,
  ListedBucket,
  VersionedBucket,
} from "./bucket-driver.ts";
export { PostgresDriver, type PostgresDriverState } from "./postgres/driver.ts";
export type { PostgresDriverOptions } from "./postgres/options.ts";

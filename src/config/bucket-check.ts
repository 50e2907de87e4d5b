/**
 * Argument checks of {@link BucketDriver.commit}, shared by every driver so that a bad commit
 * is refused the same way (and with the same code) whatever the store.
 *
 * @module
 */
import type { BucketRead, BucketWrite } from "./bucket-driver.ts";
import { ConfigTypeError } from "./errors.ts";
import { bucketKey } from "./postgres/keys.ts";

/**
 * Checks a commit's arguments: versions are non-negative safe integers, a bucket is not read
 * with two versions, every written bucket is in the reads (no blind write), none written twice.
 *
 * @param namespace - for messages
 * @param reads - the commit's reads
 * @param writes - the commit's writes
 * @returns the reads by bucket key (one entry per bucket, in first-read order)
 * @throws ConfigTypeError `ERR_CONFIG_INVALID_VALUE`
 */
export function checkCommit(namespace: string, reads: readonly BucketRead[], writes: readonly BucketWrite[]): Map<string, BucketRead> {
  const bad = (why: string): never => {
    throw new ConfigTypeError("ERR_CONFIG_INVALID_VALUE", `commit on namespace "${namespace}": ${why}`);
  };
  const expected = new Map<string, BucketRead>();
  for (const read of reads) {
    if (!Number.isSafeInteger(read.version) || read.version < 0) bad(`version ${String(read.version)} is not a bucket version`);
    const key = bucketKey(read.ref);
    const seen = expected.get(key);
    if (seen !== undefined && seen.version !== read.version) bad(`bucket ${key} is read with two versions`);
    expected.set(key, read);
  }
  const written = new Set<string>();
  for (const write of writes) {
    const key = bucketKey(write.ref);
    if (!expected.has(key)) bad(`bucket ${key} is written but not in the reads (a blind write would undo others' changes)`);
    if (written.has(key)) bad(`bucket ${key} is written twice`);
    written.add(key);
  }
  return expected;
}

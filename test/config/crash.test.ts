import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { openConfigStore, type NamespaceDocument } from "../../src/config/index.ts";
import { runAndKill, type KillPlan, inBatches } from "../support/crash-harness.ts";
import { tempDir } from "../support/config.ts";

const SCRIPT = fileURLToPath(new URL("./fixtures/crash-writer.ts", import.meta.url));
const ROUNDS = 24;
const PARALLEL = 4;
const PADDING = 256 * 1024;
const WORKERS = 16;

const TITLE = "SIGKILL at any moment leaves a complete file holding every acknowledged set";

test(TITLE, { timeout: 60_000 }, async (t) => {
  let totalAcks = 0;
  let roundsWithTempFiles = 0;
  let roundsWithAcks = 0;
  const round = async (i: number) => {
    const dir = await tempDir(t);
    // Vary the moment of the kill.
    const plans: KillPlan[] = [
      { msAfterReady: (i * 7) % 40 },
      { msAfterFirstAck: (i * 13) % 120 },
      { atAck: 1 + ((i * 37) % 400) },
    ];
    const { acked, tempFilesAtKill } = await runAndKill(SCRIPT, dir, [String(PADDING), String(WORKERS)], plans[i % 3]!);
    totalAcks += [...acked.values()].reduce((a, b) => a + b, 0);
    if (acked.size > 0) roundsWithAcks++;
    if (tempFilesAtKill > 0) roundsWithTempFiles++;

    // The file parses as a complete document: never torn, never empty.
    const path = join(dir, "config", "Crash.json");
    const text = await readFile(path, "utf8");
    let document: NamespaceDocument;
    try {
      document = JSON.parse(text) as NamespaceDocument;
    } catch (error) {
      assert.fail(`round ${i}: ${path} does not parse after SIGKILL (${text.length} bytes): ${String(error)}`);
    }
    assert.equal(document.version, 1);
    assert.equal((document.global.padding as string).length, PADDING, `round ${i}: acknowledged padding`);
    for (const [user, n] of acked) {
      const stored = document.member.g?.[user]?.n as number | undefined;
      assert.ok(stored !== undefined && stored >= n, `round ${i}: ${user} acknowledged ${n}, file has ${stored}`);
    }

    // Reopening cleans up temp files and sees the same data.
    const store = await openConfigStore({ dir });
    try {
      assert.deepEqual(
        (await readdir(join(dir, "config"))).filter((f) => f !== "Crash.json"),
        [],
        `round ${i}: temp files removed at open`,
      );
      const members = await store.namespace("Crash", { member: { n: 0 } }).allMembers("g");
      for (const [user, n] of acked) assert.ok((members.get(user)?.n ?? 0) >= n);
    } finally {
      await store.close();
    }
  };
  await inBatches(ROUNDS, PARALLEL, round);
  t.diagnostic(
    `${ROUNDS} kills; ${roundsWithAcks} with acknowledged sets (${totalAcks} in all); ` +
      `${roundsWithTempFiles} left a temp file behind`,
  );
  // By construction 2 rounds in 3 are killed after acknowledgements; checks the harness itself.
  assert.ok(roundsWithAcks >= (2 * ROUNDS) / 3, "kills happened while sets were being acknowledged");
});

import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { openConfigStore, type NamespaceDocument } from "../../src/config/index.ts";
import { runAndKill, type KillPlan, inBatches } from "../support/crash-harness.ts";
import { tempDir } from "../support/config.ts";

const SCRIPT = fileURLToPath(new URL("./fixtures/transfer-writer.ts", import.meta.url));
/** "updates" (separate debit and credit) must make this test fail: see the fixture. */
const MODE = "transaction";
const ROUNDS = 12;
const PARALLEL = 4;
const PADDING = 128 * 1024;
const WORKERS = 12;
const MEMBERS = 8;
const TOTAL = MEMBERS * 1000;

const TITLE = "SIGKILL during transactional transfers never loses or creates money";

test(TITLE, { timeout: 60_000 }, async (t) => {
  let totalAcks = 0;
  let roundsWithAcks = 0;
  const round = async (i: number) => {
    const dir = await tempDir(t);
    const plans: KillPlan[] = [
      { msAfterReady: (i * 7) % 40 },
      { msAfterFirstAck: (i * 13) % 120 },
      { atAck: 1 + ((i * 37) % 300) },
    ];
    const args = [String(PADDING), String(WORKERS), String(MEMBERS), MODE];
    const { acked } = await runAndKill(SCRIPT, dir, args, plans[i % 3]!);
    totalAcks += [...acked.values()].reduce((a, b) => a + b, 0);
    if (acked.size > 0) roundsWithAcks++;

    // The file parses, and the money in it is exactly the initial total.
    const path = join(dir, "config", "Transfer.json");
    const text = await readFile(path, "utf8");
    let document: NamespaceDocument;
    try {
      document = JSON.parse(text) as NamespaceDocument;
    } catch (error) {
      assert.fail(`round ${i}: ${path} does not parse after SIGKILL (${text.length} bytes): ${String(error)}`);
    }
    assert.equal((document.global.padding as string).length, PADDING, `round ${i}: the setup transaction is stored`);
    const balances = Object.values(document.member.g ?? {}).map((values) => values.balance as number);
    assert.equal(balances.length, MEMBERS);
    assert.ok(balances.every((b) => b >= 0), `round ${i}: no negative balance in ${JSON.stringify(balances)}`);
    assert.equal(
      balances.reduce((a, b) => a + b, 0),
      TOTAL,
      `round ${i}: the balances in the file add up to the initial total (${JSON.stringify(balances)})`,
    );
    // Every acknowledged transfer is stored.
    for (const [worker, n] of acked) {
      const stored = document.user[worker]?.done as number | undefined;
      assert.ok(stored !== undefined && stored >= n, `round ${i}: ${worker} acknowledged ${n} transfers, file has ${stored}`);
    }

    // Reopening cleans up temp files and sees the same total.
    const store = await openConfigStore({ dir });
    try {
      assert.deepEqual((await readdir(join(dir, "config"))).filter((f) => f !== "Transfer.json"), [], `round ${i}: temp files`);
      const members = await store.namespace("Transfer", { member: { balance: 0 } }).allMembers("g");
      assert.equal([...members.values()].reduce((sum, values) => sum + values.balance, 0), TOTAL);
    } finally {
      await store.close();
    }
  };
  await inBatches(ROUNDS, PARALLEL, round);
  t.diagnostic(`${ROUNDS} kills; ${roundsWithAcks} with acknowledged transfers (${totalAcks} in all)`);
  // By construction 2 rounds in 3 are killed after acknowledgements; checks the harness itself.
  assert.ok(roundsWithAcks >= (2 * ROUNDS) / 3, "kills happened while transfers were being acknowledged");
});

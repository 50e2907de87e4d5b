// The data-dir lock on real files, with real child processes as the other bots.
import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import { fileURLToPath } from "node:url";
import { acquireDataDirLock, DataDirLockError, LOCK_FILE, type LockRecord } from "../../src/app/data-dir-lock.ts";
import { tempDir } from "../support/temp.ts";

const MODULE = fileURLToPath(new URL("../../src/app/data-dir-lock.ts", import.meta.url));

function lockedMessage(dir: string, pid: number): string {
  return `data dir ${dir} is in use by another Cogwheel bot (pid ${pid}); stop it or choose another --data-dir`;
}

/** A lock file as another bot would have written it. */
function writeRecord(path: string, fields: Partial<LockRecord> & { pid: number }): string {
  const text = `${JSON.stringify({ startedAt: new Date().toISOString(), hostname: hostname(), nonce: "f".repeat(32), ...fields })}\n`;
  writeFileSync(path, text, { mode: 0o600 });
  return text;
}

function readRecord(path: string): LockRecord {
  return JSON.parse(readFileSync(path, "utf8")) as LockRecord;
}

/** Ages a file past the "still being written" grace. */
function makeOld(path: string): void {
  const past = new Date(Date.now() - 60_000);
  utimesSync(path, past, past);
}

/** A live process of this user, killed when the test ends. */
function liveProcess(t: TestContext): ChildProcess {
  const child = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)"], { stdio: "ignore" });
  t.after(() => {
    child.kill("SIGKILL");
  });
  return child;
}

/** The pid of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
  await new Promise((resolve) => child.once("exit", resolve));
  return child.pid!;
}

async function rejectsWith(promise: Promise<unknown>, code: string, message: string, pid?: number): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof DataDirLockError, String(error));
    assert.deepEqual([error.code, error.message], [code, message]);
    if (pid !== undefined) assert.equal(error.pid, pid);
    return true;
  });
}

test("acquire writes {pid, startedAt, hostname} with mode 0600; release removes it, twice is harmless", async (t) => {
  const dir = tempDir(t);
  const lock = await acquireDataDirLock(dir);
  const path = join(dir, LOCK_FILE);
  assert.equal(lock.path, path);
  assert.equal(lock.takenOver, null);
  const record = readRecord(path);
  assert.deepEqual([record.pid, record.hostname, typeof record.startedAt, record.nonce], [process.pid, hostname(), "string", lock.record.nonce]);
  assert.ok(Math.abs(Date.parse(record.startedAt) - Date.now()) < 10_000);
  assert.equal(statSync(path).mode & 0o777, 0o600);
  lock.release();
  assert.equal(existsSync(path), false);
  lock.release();
  assert.deepEqual(readdirSync(dir), []);
  // And the dir can be locked again.
  (await acquireDataDirLock(dir)).release();
});

test("a second acquire while the lock is held is refused with the holder's pid; after release it succeeds", async (t) => {
  const dir = tempDir(t);
  const first = await acquireDataDirLock(dir);
  t.after(() => first.release());
  await rejectsWith(acquireDataDirLock(dir), "ERR_DATA_DIR_LOCKED", lockedMessage(dir, process.pid), process.pid);
  first.release();
  const second = await acquireDataDirLock(dir);
  assert.equal(readRecord(second.path).nonce, second.record.nonce);
  second.release();
});

test("a lock held by a live process is refused and left untouched", async (t) => {
  const dir = tempDir(t);
  const child = liveProcess(t);
  const path = join(dir, LOCK_FILE);
  const text = writeRecord(path, { pid: child.pid! });
  await rejectsWith(acquireDataDirLock(dir), "ERR_DATA_DIR_LOCKED", lockedMessage(dir, child.pid!), child.pid);
  assert.equal(readFileSync(path, "utf8"), text);
  // With its true start time on record, it is still that process.
  const stat = readFileSync(`/proc/${child.pid}/stat`, "utf8");
  const procStart = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19]!;
  writeRecord(path, { pid: child.pid!, procStart });
  await rejectsWith(acquireDataDirLock(dir), "ERR_DATA_DIR_LOCKED", lockedMessage(dir, child.pid!), child.pid);
});

test("a process of another user (kill answers EPERM) counts as alive", async (t) => {
  const dir = tempDir(t);
  writeRecord(join(dir, LOCK_FILE), { pid: 1 }); // init: never ours, always running
  if (process.getuid?.() !== 0) {
    await rejectsWith(acquireDataDirLock(dir), "ERR_DATA_DIR_LOCKED", lockedMessage(dir, 1), 1);
    return;
  }
  // As root every kill(pid, 0) succeeds: ask from an unprivileged child instead.
  chmodSync(dir, 0o777);
  chmodSync(join(dir, LOCK_FILE), 0o644); // readable by that user
  const script = `import { acquireDataDirLock } from ${JSON.stringify(MODULE)};
try { await acquireDataDirLock(${JSON.stringify(dir)}); console.log("acquired"); } catch (error) { console.log(error.code, error.message); }`;
  const child = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { uid: 65534, gid: 65534, encoding: "utf8" });
  assert.equal(child.stdout, `ERR_DATA_DIR_LOCKED ${lockedMessage(dir, 1)}\n`, child.stderr);
});

test("a lock written on another host counts as held, and says which host", async (t) => {
  const dir = tempDir(t);
  writeRecord(join(dir, LOCK_FILE), { pid: 4242, hostname: "elsewhere.example" });
  await rejectsWith(
    acquireDataDirLock(dir),
    "ERR_DATA_DIR_LOCKED",
    `data dir ${dir} is in use by another Cogwheel bot (pid 4242 on host elsewhere.example); stop it or choose another --data-dir`,
    4242,
  );
});

test("a lock left by a dead process is taken over", async (t) => {
  const dir = tempDir(t);
  const pid = await deadPid();
  writeRecord(join(dir, LOCK_FILE), { pid });
  const lock = await acquireDataDirLock(dir);
  t.after(() => lock.release());
  assert.deepEqual(lock.takenOver, { pid });
  assert.equal(readRecord(lock.path).nonce, lock.record.nonce);
  assert.deepEqual(readdirSync(dir), [LOCK_FILE], "no temp or takeover file left");
});

test("a reused pid (live, but started at another time) and our own pid from an earlier run are stale", async (t) => {
  const dir = tempDir(t);
  const path = join(dir, LOCK_FILE);
  const child = liveProcess(t);
  writeRecord(path, { pid: child.pid!, procStart: "1" });
  const lock = await acquireDataDirLock(dir);
  assert.deepEqual(lock.takenOver, { pid: child.pid });
  lock.release();
  // A restarted container's bot has the same pid as the one that was killed.
  writeRecord(path, { pid: process.pid, nonce: "0".repeat(32) });
  const again = await acquireDataDirLock(dir);
  assert.deepEqual(again.takenOver, { pid: process.pid });
  again.release();
  // A lock from before a reboot: whatever runs under that pid now is not the bot.
  writeRecord(path, { pid: child.pid!, bootId: "00000000-0000-0000-0000-000000000000" });
  const rebooted = await acquireDataDirLock(dir);
  assert.deepEqual(rebooted.takenOver, { pid: child.pid });
  rebooted.release();
});

test("an empty or garbage lock file (a crash mid-write) is taken over once it is old", async (t) => {
  const dir = tempDir(t);
  const path = join(dir, LOCK_FILE);
  for (const content of ["", "{\"pid\": 12", "not json at all", "{}", "[1]"]) {
    writeFileSync(path, content);
    makeOld(path);
    const lock = await acquireDataDirLock(dir);
    assert.deepEqual(lock.takenOver, { pid: null }, JSON.stringify(content));
    assert.equal(readRecord(path).nonce, lock.record.nonce);
    lock.release();
  }
});

test("a young empty lock file is a bot writing it: waited for, not taken over", async (t) => {
  const dir = tempDir(t);
  const path = join(dir, LOCK_FILE);
  writeFileSync(path, "");
  await rejectsWith(
    acquireDataDirLock(dir, { waitMs: 300 }),
    "ERR_DATA_DIR_LOCK_FAILED",
    `cannot lock data dir ${dir}: ${path} stayed busy for 300 ms`,
  );
  assert.equal(readFileSync(path, "utf8"), "");
  // The writer finishes: its lock is seen.
  const child = liveProcess(t);
  writeRecord(path, { pid: child.pid! });
  await rejectsWith(acquireDataDirLock(dir), "ERR_DATA_DIR_LOCKED", lockedMessage(dir, child.pid!), child.pid);
});

test("a takeover in progress by a live process is waited for; one abandoned by a dead taker is walked past and removed", async (t) => {
  const dir = tempDir(t);
  const path = join(dir, LOCK_FILE);
  writeRecord(path, { pid: await deadPid() });
  const taker = liveProcess(t);
  writeRecord(`${path}.takeover.0`, { pid: taker.pid! });
  await rejectsWith(
    acquireDataDirLock(dir, { waitMs: 300 }),
    "ERR_DATA_DIR_LOCK_FAILED",
    `cannot lock data dir ${dir}: ${path} stayed busy for 300 ms`,
  );
  writeRecord(`${path}.takeover.0`, { pid: await deadPid() });
  writeFileSync(`${path}.takeover.1`, "");
  makeOld(`${path}.takeover.1`);
  const lock = await acquireDataDirLock(dir);
  t.after(() => lock.release());
  assert.equal(readRecord(path).nonce, lock.record.nonce);
  assert.deepEqual(readdirSync(dir), [LOCK_FILE]);
  lock.release();
  // Also when the lock itself is gone (deleted by hand after the taker died).
  writeRecord(`${path}.takeover.0`, { pid: await deadPid() });
  const next = await acquireDataDirLock(dir);
  t.after(() => next.release());
  assert.deepEqual([next.takenOver, readdirSync(dir)], [null, [LOCK_FILE]]);
});

test("racing on one stale lock in one process: exactly one of many acquirers wins", async (t) => {
  const dir = tempDir(t);
  for (let round = 0; round < 20; round++) {
    writeRecord(join(dir, LOCK_FILE), { pid: 999_999_999 - round }); // above any pid_max: never alive
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => acquireDataDirLock(dir)));
    const won = results.filter((r) => r.status === "fulfilled");
    assert.equal(won.length, 1, `round ${round}: ${won.length} winners`);
    for (const r of results) {
      if (r.status === "rejected") assert.equal((r.reason as DataDirLockError).code, "ERR_DATA_DIR_LOCKED");
    }
    const winner = won[0]!.value;
    assert.equal(readRecord(winner.path).nonce, winner.record.nonce);
    winner.release();
    assert.deepEqual(readdirSync(dir), []);
  }
});

test("racing on one stale lock in separate processes: exactly one wins, the others name its pid", async (t) => {
  const dir = tempDir(t);
  const script = `
    import { acquireDataDirLock } from ${JSON.stringify(MODULE)};
    console.log("ready");
    await new Promise((r) => process.stdin.once("data", r)); // start together
    let lock = null;
    try {
      lock = await acquireDataDirLock(${JSON.stringify(dir)});
      console.log(JSON.stringify({ won: true }));
    } catch (error) {
      console.log(JSON.stringify({ won: false, code: error.code, pid: error.pid }));
    }
    // Hold it until every racer has decided.
    process.stdin.on("end", () => lock?.release());
    process.stdin.resume();
  `;
  for (let round = 0; round < 3; round++) {
    writeRecord(join(dir, LOCK_FILE), { pid: 999_999_999 - round });
    const children = Array.from({ length: 6 }, () => {
      const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { stdio: ["pipe", "pipe", "inherit"] });
      t.after(() => {
        child.kill("SIGKILL");
      });
      return child;
    });
    const ready: Array<Promise<void>> = [];
    const outputs = children.map(
      (child) =>
        new Promise<{ pid: number; result: { won: boolean; code?: string; pid?: number } }>((resolve) => {
          let out = "";
          let loaded!: () => void;
          ready.push(new Promise((r) => (loaded = r)));
          child.stdout!.on("data", (chunk: Buffer) => {
            out += chunk.toString();
            const lines = out.split("\n");
            if (lines.length > 1) loaded();
            if (lines.length > 2) resolve({ pid: child.pid!, result: JSON.parse(lines[1]!) });
          });
        }),
    );
    // Once each has loaded the module, start them at once.
    await Promise.all(ready);
    for (const child of children) child.stdin!.write("go\n");
    const results = await Promise.all(outputs);
    const winners = results.filter((r) => r.result.won);
    assert.equal(winners.length, 1, JSON.stringify(results));
    const winner = winners[0]!.pid;
    assert.equal(readRecord(join(dir, LOCK_FILE)).pid, winner);
    for (const r of results.filter((r) => !r.result.won)) assert.deepEqual(r.result, { won: false, code: "ERR_DATA_DIR_LOCKED", pid: winner });
    for (const child of children) child.stdin!.end();
    await Promise.all(children.map((child) => new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once("exit", resolve)))));
    assert.deepEqual(readdirSync(dir), [], "the winner released it on exit");
  }
});

test("I/O failures are ERR_DATA_DIR_LOCK_FAILED; bad options are TypeErrors", async (t) => {
  const dir = tempDir(t);
  const missing = join(dir, "missing");
  await rejectsWith(acquireDataDirLock(missing), "ERR_DATA_DIR_LOCK_FAILED", `cannot lock data dir ${missing}: ENOENT`);
  mkdirSync(join(dir, LOCK_FILE));
  await rejectsWith(acquireDataDirLock(dir), "ERR_DATA_DIR_LOCK_FAILED", `cannot lock data dir ${dir}: EISDIR`);
  await assert.rejects(acquireDataDirLock(""), { name: "TypeError", message: "acquireDataDirLock: dir must be a non-empty string" });
  await assert.rejects(acquireDataDirLock(dir, { waitMs: -1 }), {
    name: "TypeError",
    message: "acquireDataDirLock: options.waitMs must be a finite number >= 0",
  });
});

test("release leaves a lock that is no longer ours", async (t) => {
  const dir = tempDir(t);
  const lock = await acquireDataDirLock(dir);
  const text = writeRecord(lock.path, { pid: 4242, nonce: "a".repeat(32) });
  lock.release();
  assert.equal(readFileSync(lock.path, "utf8"), text);
});

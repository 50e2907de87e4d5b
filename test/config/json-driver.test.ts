import assert from "node:assert/strict";
import { readFileSync, readlinkSync } from "node:fs";
import { mkdir, open as openFile, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { JsonFileDriver, openConfigStore } from "../../src/config/index.ts";
import { atomicWriteFile } from "../../src/config/atomic-write.ts";
import { tempDir } from "../support/config.ts";

test("data lives in <dir>/config/<namespace>.json as a version-1 document, mode 0600", async (t) => {
  const dir = await tempDir(t);
  const store = await openConfigStore({ dir });
  t.after(() => store.close());
  const conf = store.namespace("Core", { global: { prefixes: [] as string[], name: "Cogwheel" } });
  await conf.global().set("prefixes", ["!", "?"]);
  const path = join(dir, "config", "Core.json");
  assert.deepEqual(JSON.parse(await readFile(path, "utf8")), {
    version: 1,
    global: { prefixes: ["!", "?"] },
    guild: {},
    channel: {},
    user: {},
    member: {},
  });
  assert.equal((await stat(path)).mode & 0o777, 0o600);
  assert.deepEqual(await readdir(join(dir, "config")), ["Core.json"], "no temp file left behind");
});

test("a file that is not JSON is ERR_CONFIG_CORRUPT_FILE naming the file, and is never overwritten", async (t) => {
  const dir = await tempDir(t);
  await mkdir(join(dir, "config"));
  const path = join(dir, "config", "Economy.json");
  await writeFile(path, '{"version": 1, "global": {"currency": "cre');
  const store = await openConfigStore({ dir });
  t.after(() => store.close());
  const conf = store.namespace("Economy", { global: { currency: "credits" } });
  const corrupt = (e: Error & { code?: string; path?: string }) => {
    assert.equal(e.name, "ConfigError");
    assert.equal(e.code, "ERR_CONFIG_CORRUPT_FILE");
    assert.equal(e.path, path);
    assert.ok(e.message.includes(path), e.message);
    assert.match(e.message, /not valid JSON/);
    return true;
  };
  await assert.rejects(conf.global().get("currency"), corrupt);
  await assert.rejects(conf.global().set("currency", "coins"), corrupt);
  await assert.rejects(conf.allMembers("g1"), corrupt);
  assert.equal(readFileSync(path, "utf8"), '{"version": 1, "global": {"currency": "cre', "file left untouched");
  // Once the owner has fixed the file, asking for the namespace again loads it.
  await writeFile(path, '{"version": 1, "global": {"currency": "gold"}}');
  assert.equal(await store.namespace("Economy", { global: { currency: "credits" } }).global().get("currency"), "gold");
  // Other namespaces are unaffected.
  const other = await openConfigStore({ dir });
  t.after(() => other.close());
  await other.namespace("Core", { global: { n: 1 } }).global().set("n", 2);
});

test("a file with the wrong shape is ERR_CONFIG_CORRUPT_FILE with the reason", async (t) => {
  const dir = await tempDir(t);
  await mkdir(join(dir, "config"));
  const cases: [string, RegExp][] = [
    ["[]", /the top level must be an object/],
    ['{"version": 2}', /unsupported version 2/],
    ['{"global": {}}', /unsupported version undefined/],
    ['{"version": 1, "global": 5}', /global must be an object/],
    ['{"version": 1, "member": {"g1": {"u1": []}}}', /member\["g1"\]\["u1"\] must be an object/],
    ['{"version": 1, "extra": {}}', /unknown top-level key "extra"/],
    ["", /not valid JSON/],
  ];
  const driver = await JsonFileDriver.open(dir);
  for (const [text, reason] of cases) {
    await writeFile(join(dir, "config", "Bad.json"), text);
    await assert.rejects(driver.load("Bad"), (e: Error & { code?: string }) => {
      assert.equal(e.code, "ERR_CONFIG_CORRUPT_FILE", text);
      assert.match(e.message, reason);
      assert.ok(e.message.includes(join(dir, "config", "Bad.json")));
      return true;
    });
  }
  assert.equal(await driver.load("Missing"), undefined, "a missing file is an empty namespace");
  await assert.rejects(driver.load("../x"), { code: "ERR_CONFIG_INVALID_NAME" });
});

test("temp files left by a crash are removed at open; other files are kept", async (t) => {
  const dir = await tempDir(t);
  const folder = join(dir, "config");
  await mkdir(folder);
  await writeFile(join(folder, "Economy.json"), '{"version": 1, "global": {"currency": "gold"}}');
  const leftovers = [".Economy.json.4242.7.0a1b2c3d.tmp", ".Core.json.1.1.ffffffff.tmp"];
  for (const name of leftovers) await writeFile(join(folder, name), '{"version": 1, "glo');
  await writeFile(join(folder, "notes.tmp"), "not ours"); // does not match the temp-file pattern
  const store = await openConfigStore({ dir });
  t.after(() => store.close());
  assert.deepEqual((await readdir(folder)).sort(), ["Economy.json", "notes.tmp"]);
  assert.equal(await store.namespace("Economy", { global: { currency: "x" } }).global().get("currency"), "gold");
});

test("atomic write: fsync the temp file before the rename, fsync the directory after it", async (t) => {
  if (process.platform !== "linux") return t.skip("needs /proc/self/fd to name file handles");
  const dir = await tempDir(t);
  const target = join(dir, "target.json");
  await writeFile(target, "old");
  // Spy on FileHandle.prototype.sync/datasync and record what was synced, and what
  // the target held at that moment.
  const probe = await openFile(target, "r");
  const proto = Object.getPrototypeOf(probe) as { sync: () => Promise<void>; datasync: () => Promise<void> };
  await probe.close();
  const events: { what: string; target: string }[] = [];
  const originals = { sync: proto.sync, datasync: proto.datasync };
  for (const method of ["sync", "datasync"] as const) {
    proto[method] = async function (this: { fd: number }) {
      const path = readlinkSync(`/proc/self/fd/${this.fd}`);
      events.push({
        what: path === dir ? "dir" : path === target ? "target" : /\.target\.json\..*\.tmp$/.test(path) ? "temp" : path,
        target: readFileSync(target, "utf8"),
      });
      return originals[method].call(this);
    };
  }
  t.after(() => Object.assign(proto, originals));
  await atomicWriteFile(target, "new");
  Object.assign(proto, originals);
  assert.deepEqual(events, [
    { what: "temp", target: "old" }, // data durable before it becomes visible
    { what: "dir", target: "new" }, // the rename made durable
  ]);
  assert.deepEqual(await readdir(dir), ["target.json"]);
});

test("atomic write failure leaves the target and no temp file", async (t) => {
  const dir = await tempDir(t);
  const target = join(dir, "sub");
  await mkdir(target); // renaming a file over a directory fails
  await assert.rejects(atomicWriteFile(target, "data"), { code: "EISDIR" });
  assert.deepEqual(await readdir(dir), ["sub"]);
  await assert.rejects(atomicWriteFile(join(dir, "missing", "x.json"), "data"), { code: "ENOENT" });
});

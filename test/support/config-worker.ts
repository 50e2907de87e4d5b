// A child process holding one config store on PostgreSQL, driven by the multi-process tests
// (test/config/multiprocess.test.ts, pg-crash.test.ts) through test/support/config-workers.ts.
//
// Run as `node --import tsx config-worker.ts`. It reads one JSON command per stdin line,
// `{"id": 1, "op": "get", ...}`, and answers each with one stdout line, `{"id": 1, "ok": true,
// "result": ...}` or `{"id": 1, "ok": false, "code": ..., "message": ...}`. A running `loop`
// also prints `{"event": "ack", "value": n}` after each awaited write resolved, and
// `{"event": "error", "code": ...}` for each one that rejected. Stdout is a pipe, written
// synchronously on Linux: a printed ack was printed before the next write began.
//
// Stops by itself: stdin closing (the test ended or died) closes the store and exits.
import { createInterface } from "node:readline";
import { openConfigStore, type ConfigNamespace, type ConfigStore } from "../../src/config/index.ts";
import { PostgresDriver } from "../../src/config/postgres/driver.ts";

/** The namespaces the tests use: a counter per member, and the economy cog's own. */
const DEFAULTS = {
  Counter: { member: { n: 0 } },
  Economy: { global: { currency: "credits", paydayAmount: 120, paydayCooldown: 300 }, member: { balance: 0, lastPayday: 0 } },
};

type NamespaceName = keyof typeof DEFAULTS;
type Counter = ConfigNamespace<(typeof DEFAULTS)["Counter"]>;
type Economy = ConfigNamespace<(typeof DEFAULTS)["Economy"]>;

/** A command from the test; the fields used depend on `op`. */
interface Command {
  id: number;
  op: string;
  url?: string;
  applicationName?: string;
  guild?: string;
  user?: string;
  twin?: string;
  value?: number;
  count?: number;
  members?: string[];
  maxAmount?: number;
  seed?: number;
}

/** Refused by the bank's funds check: not an error of the store. */
class Refused extends Error {}

let store: ConfigStore | null = null;
const namespaces = new Map<NamespaceName, ConfigNamespace<never>>();
let loop: { stop: boolean; done: Promise<{ acks: number; errors: number }> } | null = null;

function print(line: object): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

function ns(name: "Counter"): Counter;
function ns(name: "Economy"): Economy;
function ns(name: NamespaceName): Counter | Economy {
  if (store === null) throw new Error("open first");
  let handle = namespaces.get(name);
  if (handle === undefined) {
    handle = store.namespace(name, DEFAULTS[name]) as unknown as ConfigNamespace<never>;
    namespaces.set(name, handle);
  }
  return handle as unknown as Counter | Economy;
}

/** mulberry32: a seeded generator, so that a failing run of transfers can be replayed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function run(command: Command): Promise<unknown> {
  const guild = command.guild ?? "g1";
  const user = command.user ?? "u1";
  switch (command.op) {
    case "open": {
      const driver = await PostgresDriver.open({ url: command.url!, applicationName: command.applicationName ?? "cogwheel" });
      store = await openConfigStore({ buckets: driver });
      return process.pid;
    }
    case "get":
      return ns("Counter").member(guild, user).get("n");
    case "set":
      return ns("Counter").member(guild, user).set("n", command.value!);
    case "increment": {
      // `count` increments of one key (with `twin`: transactions incrementing both keys),
      // counting how often the store ran the function.
      let calls = 0;
      const started = performance.now();
      const counter = ns("Counter");
      for (let i = 0; i < command.count!; i++) {
        if (command.twin === undefined) {
          await counter.member(guild, user).update("n", (n) => {
            calls++;
            return n + 1;
          });
        } else {
          await counter.transaction((tx) => {
            calls++;
            tx.member(guild, user).update("n", (n) => n + 1);
            tx.member(guild, command.twin!).update("n", (n) => n + 1);
          });
        }
      }
      return { updates: command.count, calls, ms: Math.round(performance.now() - started) };
    }
    case "transfers": {
      // The shape of cogs/economy/bank.ts's transfer: funds check, debit and credit in one
      // transaction (the cog itself imports the built package, so it is not loaded here).
      const next = random(command.seed ?? 1);
      const members = command.members!;
      const economy = ns("Economy");
      let done = 0;
      let refused = 0;
      let calls = 0;
      for (let i = 0; i < command.count!; i++) {
        const from = members[Math.floor(next() * members.length)]!;
        let to = members[Math.floor(next() * (members.length - 1))]!;
        if (to === from) to = members[members.length - 1]!;
        const amount = 1 + Math.floor(next() * command.maxAmount!);
        try {
          await economy.transaction((tx) => {
            calls++;
            const payer = tx.member(guild, from);
            const payee = tx.member(guild, to);
            const mine = payer.get("balance");
            if (mine < amount) throw new Refused(`${from} has ${mine} < ${amount}`);
            payer.set("balance", mine - amount);
            payee.set("balance", payee.get("balance") + amount);
          });
          done++;
        } catch (error) {
          if (!(error instanceof Refused)) throw error;
          refused++;
        }
      }
      return { done, refused, calls };
    }
    case "members": {
      const all = await ns("Economy").allMembers(guild);
      return Object.fromEntries([...all].map(([id, values]) => [id, values.balance]));
    }
    case "balances": {
      // One get per member: these come from the process's cache when it holds them.
      const economy = ns("Economy");
      const ids = command.members!;
      return Object.fromEntries(await Promise.all(ids.map(async (id) => [id, await economy.member(guild, id).get("balance")] as const)));
    }
    case "loop": {
      // Writes until told to stop (or killed): one increment of `user`, or with `twin` one
      // transaction incrementing both, printing each value once its write resolved.
      if (loop !== null) throw new Error("a loop is running");
      const state = { stop: false, done: Promise.resolve({ acks: 0, errors: 0 }) };
      const counter = ns("Counter");
      state.done = (async () => {
        let acks = 0;
        let errors = 0;
        while (!state.stop) {
          try {
            const value = command.twin === undefined
              ? await counter.member(guild, user).update("n", (n) => n + 1)
              : await counter.transaction((tx) => {
                const a = tx.member(guild, user).update("n", (n) => n + 1);
                const b = tx.member(guild, command.twin!).update("n", (n) => n + 1);
                if (a !== b) throw new Error(`twins differ before the write: ${a} ≠ ${b}`);
                return a;
              });
            acks++;
            print({ event: "ack", value });
          } catch (error) {
            errors++;
            const code = (error as { code?: unknown }).code;
            print({ event: "error", code: typeof code === "string" ? code : null, message: String((error as Error).message) });
            await new Promise((resolve) => setTimeout(resolve, 20)); // the server is down: do not spin
          }
        }
        return { acks, errors };
      })();
      loop = state;
      return "started";
    }
    case "stop": {
      if (loop === null) throw new Error("no loop is running");
      loop.stop = true;
      const result = await loop.done;
      loop = null;
      return result;
    }
    case "close": {
      const started = performance.now();
      await store?.close();
      store = null;
      namespaces.clear();
      return { ms: Math.round(performance.now() - started) };
    }
    default:
      throw new Error(`unknown op ${command.op}`);
  }
}

const lines = createInterface({ input: process.stdin });
lines.on("line", (line) => {
  const command = JSON.parse(line) as Command;
  run(command).then(
    (result) => print({ id: command.id, ok: true, result: result ?? null }),
    (error: unknown) => {
      const code = (error as { code?: unknown } | null)?.code;
      print({ id: command.id, ok: false, code: typeof code === "string" ? code : null, message: String((error as Error)?.message ?? error) });
    },
  );
});
lines.on("close", () => {
  if (loop !== null) loop.stop = true;
  void Promise.resolve(store?.close()).finally(() => process.exit(0)); // a test helper, not library code
});

/**
 * Cogwheel's JSON-RPC server with its defaults (every guard and limit on), an `echo` method and
 * a `TICK` topic for the fan-out test.
 */
import { pino } from "pino";
import { createRpcServer } from "../../src/rpc/index.ts";
import { runServer, tickData } from "./common.ts";

await runServer(async () => {
  const server = createRpcServer({ port: 0, logger: pino({ level: "silent" }) });
  await server.listen();
  server.methods.register("echo", (x: unknown) => x);
  const topic = server.topics.register("TICK", { doc: "Benchmark fan-out topic." });
  return {
    port: server.port,
    publish: (() => {
      let seq = 0;
      return (count: number): void => {
        for (let i = 0; i < count; i++) topic.publish(tickData(seq++));
      };
    })(),
  };
});

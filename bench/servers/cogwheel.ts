/**
 * Cogwheel's JSON-RPC server with its defaults (every guard and limit on), an `echo` method, the
 * same echo with a declared schema (`echo_typed`) and a `TICK` topic for the fan-out test.
 */
import { pino } from "pino";
import { createRpcServer, string } from "../../src/rpc/index.ts";
import { runServer, tickData } from "./common.ts";

await runServer(async () => {
  const server = createRpcServer({ port: 0, logger: pino({ level: "silent" }) });
  await server.listen();
  server.methods.register("echo", (x: unknown) => x);
  server.methods.register("echo_typed", (text: string) => text, { params: { text: string() }, result: string() });
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

/**
 * The runtime's own floor for a held long poll: a bare `node:http` server that reads each request's body and
 * then keeps the request open, with nothing of ours on top. Run by scripts/idle_floor.ts; `GET /held` says
 * how many it holds. Usage: floor_server.ts --port=N
 * @module
 */
import { createServer, type ServerResponse } from "node:http";
import process from "node:process";
import { parseArgs } from "node:util";

const { values } = parseArgs({ options: { port: { type: "string" } } });
const held = new Set<ServerResponse>();
createServer((request, response) => {
  if (request.method === "GET" && request.url === "/held") {
    response.end(String(held.size));
    return;
  }
  request.resume();
  request.once("end", () => held.add(response));
  response.once("close", () => held.delete(response));
}).listen(Number(values.port), "127.0.0.1", () => process.stdout.write("listening\n"));

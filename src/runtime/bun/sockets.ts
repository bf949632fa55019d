/**
 * Bun's raw TCP sockets, the two calls our HTTP code is built on: `Bun.listen` for our server
 * (src/http/server/) and `Bun.connect` for our client's dialer (dial.ts). Reached through functions, so a
 * file that imports them still loads under Deno, where the tests that need them are skipped.
 */
import type { BunListen } from "../../http/server/socket.ts";
import type { BunConnect } from "./dial.ts";

/** The slice of Bun's global we use here. */
declare const Bun: { readonly listen: BunListen; readonly connect: BunConnect };

/** `Bun.listen`, for `serveBunRaw`. */
export const bunListen: BunListen = (options) => Bun.listen(options);

/** `Bun.connect`, for `bunDialer`. */
export const bunConnect: BunConnect = (options) => Bun.connect(options);

/**
 * Bridges between node streams and Web streams, with backpressure both ways. Kept by hand rather than
 * `Readable.toWeb` because we need exact control of what cancellation does: a cancelled request body is
 * drained (so the connection can still carry our answer), never destroyed.
 */
import type { Readable, Writable } from "node:stream";

/** A Web ReadableStream over a node Readable; pauses the source while the consumer is not reading. */
export function nodeReadableToWeb(source: Readable): ReadableStream<Uint8Array> {
  // Once cancelled, closed or errored, the controller must not be touched again: Deno throws if it is.
  let finished = false;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      source.on("data", (chunk: Uint8Array) => {
        if (finished) return;
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        if ((controller.desiredSize ?? 0) <= 0) source.pause();
      });
      source.once("end", () => {
        if (finished) return;
        finished = true;
        controller.close();
      });
      source.once("error", (error) => {
        if (finished) return;
        finished = true;
        controller.error(error);
      });
      source.once("close", () => {
        // A peer that hangs up mid-body: "end" never comes.
        if (finished || source.readableEnded) return;
        finished = true;
        controller.error(new Error("connection closed before the body ended"));
      });
    },
    pull() {
      source.resume();
    },
    cancel() {
      finished = true;
      source.removeAllListeners("data");
      source.resume();
    },
  }, { highWaterMark: 1 });
}

/**
 * Writes a Web body into a node Writable, waiting for "drain" when it is full. If the body errors the
 * destination is destroyed, so the peer sees a broken transfer rather than a short but complete one. If the
 * destination goes away, the body is cancelled (which propagates back to whoever produces it).
 *
 * No `Promise.race` against a promise that lives as long as the transfer: every race leaves a reaction on
 * the long-lived promise that keeps the race's result (a chunk) reachable, so a 100 MiB relay would keep all
 * 100 MiB in memory until the end.
 */
export async function writeWebBodyToNode(
  body: ReadableStream<Uint8Array>,
  destination: Writable,
): Promise<void> {
  const reader = body.getReader();
  let closed = false;
  const onClose = () => {
    closed = true;
    // Settles a pending read() (as done), so the loop below ends without waiting for the producer.
    reader.cancel(new Error("peer closed the connection")).catch(() => {});
  };
  destination.once("close", onClose);
  try {
    for (;;) {
      const next = await reader.read();
      if (closed) return;
      if (next.done) break;
      if (!destination.write(next.value)) await drainedOrClosed(destination);
      if (closed) return;
    }
    destination.end();
  } catch {
    destination.destroy();
    reader.cancel().catch(() => {});
  } finally {
    destination.off("close", onClose);
  }
}

/** Resolves on the next "drain" or "close", removing both listeners again. */
export function drainedOrClosed(destination: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      destination.off("drain", done);
      destination.off("close", done);
      resolve();
    };
    destination.once("drain", done);
    destination.once("close", done);
  });
}

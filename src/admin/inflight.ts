/**
 * Requests in flight, from the handler's start to the last byte of the response body (or the
 * client going away), so that shutdown can wait for them whatever the runtime's server does
 * (Bun's `stop()` resolves before its handlers finish).
 */
import type { FetchHandler } from "./request_log.ts";

export class InflightRequests {
  #count = 0;
  #idleWaiters: (() => void)[] = [];

  get count(): number {
    return this.#count;
  }

  /** Resolves when no request is in flight. */
  idle(): Promise<void> {
    if (this.#count === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  wrap(fetch: FetchHandler): FetchHandler {
    return async (request, info) => {
      const end = this.#begin();
      let response: Response;
      try {
        response = await fetch(request, info);
      } catch (error) {
        end();
        throw error;
      }
      if (response.body === null) {
        end();
        return response;
      }
      return new Response(afterLastChunk(response.body, end), {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
      });
    };
  }

  #begin(): () => void {
    this.#count++;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      if (--this.#count === 0) { for (const resolve of this.#idleWaiters.splice(0)) resolve(); }
    };
  }
}

function afterLastChunk(
  body: ReadableStream<Uint8Array>,
  done: () => void,
): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const next = await reader.read();
        if (next.done) {
          controller.close();
          done();
        } else {
          controller.enqueue(next.value);
        }
      } catch (error) {
        done();
        controller.error(error);
      }
    },
    async cancel(reason) {
      done();
      await reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
}

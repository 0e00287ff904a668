import { assertEquals } from "../testing/assert.ts";
import { InflightRequests } from "./inflight.ts";

const info = { remoteAddress: "127.0.0.1" };

Deno.test("a request is in flight until the last byte of its body has been read", async () => {
  const inflight = new InflightRequests();
  const fetch = inflight.wrap(() => new Response("abc"));
  const response = await fetch(new Request("http://x/"), info);
  assertEquals(inflight.count, 1);
  let idle = false;
  const waiting = inflight.idle().then(() => idle = true);
  await Promise.resolve();
  assertEquals(idle, false);
  assertEquals(await response.text(), "abc");
  await waiting;
  assertEquals(inflight.count, 0);
});

Deno.test("bodiless responses, cancelled bodies and thrown handlers all end the request", async () => {
  const inflight = new InflightRequests();
  await inflight.wrap(() => new Response(null, { status: 204 }))(new Request("http://x/"), info);
  assertEquals(inflight.count, 0);
  const response = await inflight.wrap(() => new Response("long body"))(
    new Request("http://x/"),
    info,
  );
  await response.body!.cancel();
  assertEquals(inflight.count, 0);
  const failing = inflight.wrap(() => Promise.reject(new Error("boom")));
  await Promise.resolve(failing(new Request("http://x/"), info)).catch(() => {});
  assertEquals(inflight.count, 0);
  await inflight.idle();
});

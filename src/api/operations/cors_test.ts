import { assertEquals, assertThrows } from "../../testing/assert.ts";
import { S3Error } from "../s3_errors.ts";
import { matchCorsRule, parseCorsConfiguration } from "./cors.ts";

const config = `<CORSConfiguration>
  <CORSRule><AllowedOrigin>https://*.example.com</AllowedOrigin><AllowedMethod>GET</AllowedMethod>
    <AllowedHeader>x-amz-*</AllowedHeader><MaxAgeSeconds>60</MaxAgeSeconds></CORSRule>
  <CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>HEAD</AllowedMethod></CORSRule>
</CORSConfiguration>`;

Deno.test("CORS rules match origin wildcards, methods and requested headers, first rule wins", () => {
  const rules = parseCorsConfiguration(config);
  assertEquals(
    matchCorsRule(rules, {
      origin: "https://app.example.com",
      method: "GET",
      headers: ["X-Amz-Date"],
    }),
    rules[0],
  );
  assertEquals(
    matchCorsRule(rules, {
      origin: "https://app.example.com",
      method: "GET",
      headers: ["authorization"],
    }),
    undefined,
  );
  assertEquals(
    matchCorsRule(rules, { origin: "http://other.org", method: "HEAD", headers: [] }),
    rules[1],
  );
  assertEquals(
    matchCorsRule(rules, { origin: "http://other.org", method: "GET", headers: [] }),
    undefined,
  );
  assertEquals(rules[0].maxAgeSeconds, 60);
});

Deno.test("CORS configurations without rules, origins or with unknown methods are refused", () => {
  const code = (text: string) =>
    (assertThrows(() => parseCorsConfiguration(text), S3Error) as S3Error).code;
  assertEquals(code("<CORSConfiguration/>"), "MalformedXML");
  assertEquals(
    code(
      "<CORSConfiguration><CORSRule><AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>",
    ),
    "MalformedXML",
  );
  assertEquals(
    code(
      "<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>PATCH</AllowedMethod></CORSRule></CORSConfiguration>",
    ),
    "InvalidRequest",
  );
});

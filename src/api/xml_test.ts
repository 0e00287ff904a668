import { XMLParser } from "fast-xml-parser";
import { assertEquals, assertThrows } from "../testing/assert.ts";
import { child, childrenNamed, childText, el, escapeXml, parseXml, xmlDocument } from "./xml.ts";
import { S3Error } from "./s3_errors.ts";

const oracle = new XMLParser({ ignoreAttributes: false, parseTagValue: false, trimValues: false });

Deno.test("xmlDocument escapes text so an independent parser reads back the exact key", () => {
  const key = `a&b<c>"d'e/€ f`;
  const doc = xmlDocument(
    "ListBucketResult",
    el("Name", "b1"),
    el("Contents", el("Key", key), el("Size", 3)),
  );
  const parsed = oracle.parse(doc);
  assertEquals(parsed.ListBucketResult["@_xmlns"], "http://s3.amazonaws.com/doc/2006-03-01/");
  assertEquals(parsed.ListBucketResult.Contents.Key, key);
  assertEquals(parsed.ListBucketResult.Contents.Size, "3");
  assertEquals(escapeXml("\u0001"), "&#x1;");
});

Deno.test("parseXml reads a DeleteObjects body with namespaces, entities, CDATA and comments", () => {
  const body = `<?xml version="1.0" encoding="UTF-8"?>
<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><!-- c -->
  <Quiet>true</Quiet>
  <Object><Key>a&amp;b &lt;c&gt; &#x20AC;&#65;</Key></Object>
  <Object><Key><![CDATA[x<y]]></Key><VersionId>v1</VersionId></Object>
  <Object><Key> spaced </Key></Object>
</Delete>`;
  const root = parseXml(body, "Delete");
  assertEquals(childText(root, "Quiet"), "true");
  const objects = childrenNamed(root, "Object");
  assertEquals(objects.map((o) => childText(o, "Key")), ["a&b <c> €A", "x<y", " spaced "]);
  assertEquals(childText(objects[1], "VersionId"), "v1");
  assertEquals(child(root, "Missing"), undefined);
  // the oracle agrees on the named entities (it leaves numeric ones undecoded by default)
  const parsed = oracle.parse(body);
  assertEquals(parsed.Delete.Object[0].Key.slice(0, 8), "a&b <c> ");
});

Deno.test("parseXml rejects malformed documents with MalformedXML", () => {
  const bad = [
    "",
    "<Delete>",
    "<Delete><Object></Delete>",
    "<Delete></Delete><Extra/>",
    "<Other/>",
    "<Delete>&bogus;</Delete>",
    "<Delete>a & b</Delete>",
    '<!DOCTYPE x [<!ENTITY e "boom">]><Delete>&e;</Delete>',
    "<Delete attr=unquoted></Delete>",
    "text<Delete/>",
    "<" + "A>".repeat(40),
  ];
  for (const text of bad) {
    const error = assertThrows(() => parseXml(text, "Delete"), S3Error) as S3Error;
    assertEquals(error.code, "MalformedXML", text);
  }
  assertEquals(parseXml("<Delete/>", "Delete").children, []);
  assertEquals(
    parseXml("<s3:Delete xmlns:s3='x'><s3:Quiet>1</s3:Quiet></s3:Delete>", "Delete").children[0]
      .text,
    "1",
  );
});

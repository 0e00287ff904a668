import { assertEquals, assertThrows } from "../../testing/assert.ts";
import { S3Error } from "../s3_errors.ts";
import { parseCompleteParts, uploadPartNumber } from "./multipart.ts";

Deno.test("parseCompleteParts reads part numbers, unquoted ETags and checksums", () => {
  const parts = parseCompleteParts(
    `<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
    <Part><PartNumber>1</PartNumber><ETag>"aaa"</ETag><ChecksumCRC32>AAAAAA==</ChecksumCRC32></Part>
    <Part><ETag>&quot;bbb&quot;</ETag><PartNumber> 2 </PartNumber></Part>
  </CompleteMultipartUpload>`,
  );
  assertEquals(parts, [
    { partNumber: 1, etag: "aaa", checksums: { CRC32: "AAAAAA==" } },
    { partNumber: 2, etag: "bbb", checksums: {} },
  ]);
});

Deno.test("parseCompleteParts and part numbers refuse what S3 refuses", () => {
  const code = (fn: () => unknown) => (assertThrows(fn, S3Error) as S3Error).code;
  assertEquals(code(() => parseCompleteParts("<CompleteMultipartUpload/>")), "MalformedXML");
  assertEquals(
    code(() =>
      parseCompleteParts(
        "<CompleteMultipartUpload><Part><ETag>x</ETag></Part></CompleteMultipartUpload>",
      )
    ),
    "MalformedXML",
  );
  assertEquals(
    code(() => uploadPartNumber(new URLSearchParams("partNumber=0"))),
    "InvalidArgument",
  );
  assertEquals(
    code(() => uploadPartNumber(new URLSearchParams("partNumber=10001"))),
    "InvalidArgument",
  );
  assertEquals(uploadPartNumber(new URLSearchParams("partNumber=10000")), 10000);
});

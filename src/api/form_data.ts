/**
 * Streaming multipart/form-data for browser POST uploads: the text fields before the `file`
 * field are read (bounded), and the file itself is handed on as a stream that ends at the next
 * boundary — the upload is never held in memory. S3 ignores fields after the file.
 */
import { S3Error } from "./s3_errors.ts";

export interface FormUpload {
  /** Fields before the file, in order, names and values as sent. */
  fields: Array<[name: string, value: string]>;
  file: { filename: string; contentType?: string; stream: ReadableStream<Uint8Array> };
}

export interface FormLimits {
  /** Bytes of one part's header block. */
  partHeaderMaxBytes: number;
  /** Bytes of one text field's value. */
  fieldMaxBytes: number;
  /** Number of fields before the file. */
  fieldCountMax: number;
}

export function boundaryOf(contentType: string | null): string {
  const match = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? "");
  const boundary = match?.[1] ?? match?.[2];
  if (boundary === undefined || boundary.length > 70) {
    throw malformed("no multipart boundary in Content-Type");
  }
  return boundary;
}

function malformed(reason: string): S3Error {
  return new S3Error(
    "MalformedPOSTRequest",
    `The body of your POST request is not well-formed multipart/form-data: ${reason}.`,
  );
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Position of `needle` in `haystack` from `from`, or -1. */
export function indexOfBytes(haystack: Uint8Array, needle: Uint8Array, from = 0): number {
  const first = needle[0];
  const last = haystack.length - needle.length;
  for (
    let i = haystack.indexOf(first, from);
    i !== -1 && i <= last;
    i = haystack.indexOf(first, i + 1)
  ) {
    let j = 1;
    while (j < needle.length && haystack[i + j] === needle[j]) j++;
    if (j === needle.length) return i;
  }
  return -1;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** A buffered reader over a byte stream: read up to a delimiter, with a bound. */
class ByteReader {
  #buffer: Uint8Array = new Uint8Array(0);
  #done = false;
  constructor(readonly reader: ReadableStreamDefaultReader<Uint8Array>) {}

  get buffered(): Uint8Array {
    return this.#buffer;
  }

  set buffered(bytes: Uint8Array) {
    this.#buffer = bytes;
  }

  get done(): boolean {
    return this.#done;
  }

  /** Read one more chunk into the buffer; false at the end of the stream. */
  async fill(): Promise<boolean> {
    if (this.#done) return false;
    const { value, done } = await this.reader.read();
    if (done) {
      this.#done = true;
      return false;
    }
    this.#buffer = concat(this.#buffer, value);
    return true;
  }

  /** Bytes before `delimiter` (which is consumed); malformed past `maxBytes` or at the end. */
  async readUntil(delimiter: Uint8Array, maxBytes: number, what: string): Promise<Uint8Array> {
    let searchFrom = 0;
    for (;;) {
      const at = indexOfBytes(this.#buffer, delimiter, searchFrom);
      if (at !== -1) {
        const before = this.#buffer.slice(0, at);
        this.#buffer = this.#buffer.subarray(at + delimiter.length);
        return before;
      }
      if (this.#buffer.length > maxBytes + delimiter.length) throw malformed(`${what} is too long`);
      searchFrom = Math.max(0, this.#buffer.length - delimiter.length + 1);
      if (!(await this.fill())) throw malformed(`the body ended inside ${what}`);
    }
  }

  async readExactly(count: number): Promise<Uint8Array> {
    while (this.#buffer.length < count) {
      if (!(await this.fill())) throw malformed("the body ended early");
    }
    const bytes = this.#buffer.slice(0, count);
    this.#buffer = this.#buffer.subarray(count);
    return bytes;
  }
}

interface PartHeaders {
  name: string;
  filename?: string;
  contentType?: string;
}

function parsePartHeaders(block: string): PartHeaders {
  let disposition = "";
  let contentType: string | undefined;
  for (const line of block.split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon === -1) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === "content-disposition") disposition = value;
    if (name === "content-type") contentType = value;
  }
  const name = /(?:^|;)\s*name="([^"]*)"/i.exec(disposition)?.[1];
  if (!/^form-data\b/i.test(disposition) || name === undefined) {
    throw malformed("a part has no Content-Disposition: form-data name");
  }
  const filename = /;\s*filename="([^"]*)"/i.exec(disposition)?.[1];
  return { name, filename, contentType };
}

/** Read the fields up to the `file` field and return the file as a stream. */
export async function readFormUpload(
  body: ReadableStream<Uint8Array>,
  boundary: string,
  limits: FormLimits,
): Promise<FormUpload> {
  const input = new ByteReader(body.getReader());
  const delimiter = encoder.encode(`\r\n--${boundary}`);
  // The first boundary has no CRLF before it; prepend one so every boundary looks the same.
  input.buffered = encoder.encode("\r\n");
  await input.readUntil(delimiter, limits.fieldMaxBytes, "the preamble");
  const fields: Array<[string, string]> = [];
  for (;;) {
    const after = decoder.decode(await input.readExactly(2));
    if (after === "--") throw malformed("the form has no file field");
    if (after !== "\r\n") throw malformed("bad boundary line");
    const headerBlock = await input.readUntil(
      encoder.encode("\r\n\r\n"),
      limits.partHeaderMaxBytes,
      "part headers",
    );
    const part = parsePartHeaders(decoder.decode(headerBlock));
    if (part.name.toLowerCase() === "file") {
      return {
        fields,
        file: {
          filename: part.filename ?? "",
          contentType: part.contentType,
          stream: fileStream(input, delimiter),
        },
      };
    }
    if (fields.length >= limits.fieldCountMax) throw malformed("too many fields");
    const value = await input.readUntil(delimiter, limits.fieldMaxBytes, `field "${part.name}"`);
    fields.push([part.name, decoder.decode(value)]);
  }
}

/** The file part's bytes, up to (not including) the next boundary delimiter. */
function fileStream(input: ByteReader, delimiter: Uint8Array): ReadableStream<Uint8Array> {
  let finished = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      for (;;) {
        const buffer = input.buffered;
        const at = indexOfBytes(buffer, delimiter);
        if (at !== -1) {
          if (at > 0) controller.enqueue(buffer.slice(0, at));
          finished = true;
          controller.close();
          await input.reader.cancel().catch(() => {});
          return;
        }
        // Everything except a possible delimiter prefix at the end can go on.
        const safe = buffer.length - (delimiter.length - 1);
        if (safe > 0) {
          controller.enqueue(buffer.slice(0, safe));
          input.buffered = buffer.subarray(safe);
          return;
        }
        if (!(await input.fill())) throw malformed("the body ended inside the file");
      }
    },
    async cancel(reason) {
      if (!finished) await input.reader.cancel(reason).catch(() => {});
    },
  });
}

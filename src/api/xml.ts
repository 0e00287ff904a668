/**
 * S3 XML: building response documents (escaped text, the S3 namespace) and a small strict
 * parser for request bodies. Malformed input → S3Error MalformedXML; DOCTYPE is refused
 * (no entity expansion), nesting depth and element count are bounded.
 */
import { S3Error } from "./s3_errors.ts";

export const s3Namespace = "http://s3.amazonaws.com/doc/2006-03-01/";

/** Rendered XML: only `el` and `xmlDocument` make these, so text is always escaped. */
export interface XmlFragment {
  readonly xml: string;
}

export type XmlContent = XmlFragment | XmlFragment[] | string | number | boolean;

/** Escape text for element content and attribute values; characters XML 1.0 forbids become `&#x..;`. */
export function escapeXml(text: string): string {
  // deno-lint-ignore no-control-regex
  return text.replace(/[&<>"'\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, (c) => {
    switch (c) {
      case "&":
        return "&amp;";
      case "<":
        return "&lt;";
      case ">":
        return "&gt;";
      case '"':
        return "&quot;";
      case "'":
        return "&apos;";
      default:
        return `&#x${c.charCodeAt(0).toString(16).toUpperCase()};`;
    }
  });
}

/** `<name>content…</name>`; strings and numbers are escaped text, fragments are nested as they are. */
export function el(name: string, ...content: XmlContent[]): XmlFragment {
  return { xml: `<${name}>${renderContent(content)}</${name}>` };
}

/** `<name a="v" …>content…</name>`: attribute values are escaped like text. */
export function elWithAttributes(
  name: string,
  attributes: Record<string, string>,
  ...content: XmlContent[]
): XmlFragment {
  const rendered = Object.entries(attributes).map(([key, value]) => ` ${key}="${escapeXml(value)}"`)
    .join("");
  return { xml: `<${name}${rendered}>${renderContent(content)}</${name}>` };
}

/** Like `el`, but omitted entirely when `value` is undefined. */
export function optionalEl(
  name: string,
  value: string | number | boolean | undefined,
): XmlFragment {
  return value === undefined ? { xml: "" } : el(name, value);
}

function renderContent(content: XmlContent[]): string {
  let out = "";
  for (const item of content) {
    if (Array.isArray(item)) out += item.map((f) => f.xml).join("");
    else if (typeof item === "object") out += item.xml;
    else out += escapeXml(String(item));
  }
  return out;
}

/** A whole response document: declaration and a root element in the S3 namespace. */
export function xmlDocument(rootName: string, ...content: XmlContent[]): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${rootName} xmlns="${s3Namespace}">${
    renderContent(content)
  }</${rootName}>`;
}

/** A parsed element: local name (namespace prefix dropped), child elements, and its own text. */
export interface XmlNode {
  name: string;
  children: XmlNode[];
  text: string;
}

/** First child element with this name. */
export function child(node: XmlNode, name: string): XmlNode | undefined {
  return node.children.find((c) => c.name === name);
}

/** All child elements with this name. */
export function childrenNamed(node: XmlNode, name: string): XmlNode[] {
  return node.children.filter((c) => c.name === name);
}

/** Text of the first child element with this name, or undefined. */
export function childText(node: XmlNode, name: string): string | undefined {
  return child(node, name)?.text;
}

const xmlDepthMax = 32; // S3 request documents nest at most ~6 levels
const xmlElementCountMax = 50_000; // DeleteObjects: 1000 × a few elements; CORS / lifecycle rules

/** Parse a request body; the root element must be `rootName` (any namespace). */
export function parseXml(text: string, rootName: string): XmlNode {
  const root = new XmlParser(text).parseDocument();
  if (root.name !== rootName) {
    throw malformed(`root element is <${root.name}>, expected <${rootName}>`);
  }
  return root;
}

function malformed(reason: string): S3Error {
  return new S3Error("MalformedXML", `Cannot parse XML body: ${reason}`);
}

const namePattern = /^[A-Za-z_][\w.\-]*(?::[A-Za-z_][\w.\-]*)?/;

class XmlParser {
  #pos = 0;
  #elementCount = 0;
  constructor(readonly text: string) {}

  parseDocument(): XmlNode {
    this.#skipMisc();
    if (!this.text.startsWith("<", this.#pos)) throw malformed("no root element");
    const root = this.#parseElement(0);
    this.#skipMisc();
    if (this.#pos !== this.text.length) throw malformed("content after the root element");
    return root;
  }

  /** Whitespace, the XML declaration, processing instructions and comments between elements. */
  #skipMisc(): void {
    for (;;) {
      while (this.#pos < this.text.length && /\s/.test(this.text[this.#pos])) this.#pos++;
      if (this.text.startsWith("<?", this.#pos)) this.#skipPast("?>");
      else if (this.text.startsWith("<!--", this.#pos)) this.#skipPast("-->");
      else if (this.text.startsWith("<!", this.#pos)) throw malformed("DOCTYPE is not allowed");
      else return;
    }
  }

  #skipPast(end: string): string {
    const at = this.text.indexOf(end, this.#pos);
    if (at === -1) throw malformed(`unterminated "${end}"`);
    const skipped = this.text.slice(this.#pos, at);
    this.#pos = at + end.length;
    return skipped;
  }

  #parseElement(depth: number): XmlNode {
    if (depth >= xmlDepthMax) throw malformed("nesting too deep");
    if (++this.#elementCount > xmlElementCountMax) throw malformed("too many elements");
    this.#pos++; // "<"
    const qname = this.#readName();
    const selfClosing = this.#skipAttributes();
    const node: XmlNode = { name: qname.replace(/^[^:]*:/, ""), children: [], text: "" };
    if (selfClosing) return node;
    this.#parseContent(node, depth);
    const closing = this.#readName();
    if (closing !== qname) throw malformed(`</${closing}> closes <${qname}>`);
    while (/\s/.test(this.text[this.#pos] ?? "")) this.#pos++;
    if (this.text[this.#pos] !== ">") throw malformed(`bad closing tag </${qname}`);
    this.#pos++;
    return node;
  }

  #readName(): string {
    const match = namePattern.exec(this.text.slice(this.#pos, this.#pos + 256));
    if (!match) throw malformed(`bad element name at offset ${this.#pos}`);
    this.#pos += match[0].length;
    return match[0];
  }

  /** Skip `name="value"` pairs; true when the tag ends with "/>". */
  #skipAttributes(): boolean {
    const attributes = /^(?:\s+[A-Za-z_][\w.\-:]*\s*=\s*(?:"[^"<]*"|'[^'<]*'))*\s*(\/?)>/;
    const match = attributes.exec(this.text.slice(this.#pos, this.#pos + 4096));
    if (!match) throw malformed(`bad tag at offset ${this.#pos}`);
    this.#pos += match[0].length;
    return match[1] === "/";
  }

  /** Text, CDATA, comments and child elements up to (and past) the "</" of the closing tag. */
  #parseContent(node: XmlNode, depth: number): void {
    let text = "";
    for (;;) {
      const lt = this.text.indexOf("<", this.#pos);
      if (lt === -1) throw malformed(`<${node.name}> is not closed`);
      text += decodeEntities(this.text.slice(this.#pos, lt));
      this.#pos = lt;
      if (this.text.startsWith("</", lt)) {
        this.#pos += 2;
        node.text = text;
        return;
      }
      if (this.text.startsWith("<![CDATA[", lt)) {
        this.#pos += 9;
        text += this.#skipPast("]]>");
      } else if (this.text.startsWith("<!--", lt)) {
        this.#skipPast("-->");
      } else if (this.text.startsWith("<!", lt) || this.text.startsWith("<?", lt)) {
        throw malformed("declaration inside an element");
      } else {
        node.children.push(this.#parseElement(depth + 1));
      }
    }
  }
}

const namedEntities: Record<string, string> = {
  lt: "<",
  gt: ">",
  amp: "&",
  quot: '"',
  apos: "'",
};

function decodeEntities(raw: string): string {
  if (raw.includes(">") && raw.includes("]]>")) throw malformed('"]]>" in text');
  return raw.replace(/&([^;&]{0,10});|&/g, (whole, entity: string | undefined) => {
    if (entity === undefined) throw malformed('bare "&" in text');
    if (entity in namedEntities) return namedEntities[entity];
    const code = /^#x[0-9a-fA-F]{1,6}$/.test(entity)
      ? parseInt(entity.slice(2), 16)
      : /^#[0-9]{1,7}$/.test(entity)
      ? parseInt(entity.slice(1), 10)
      : NaN;
    if (!Number.isInteger(code) || code < 0 || code > 0x10ffff) {
      throw malformed(`unknown entity "${whole}"`);
    }
    return String.fromCodePoint(code);
  });
}

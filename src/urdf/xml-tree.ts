/**
 * Safe XML parsing into a small element tree, with saxes (a strict, streaming, non-validating
 * parser that expands only XML's five predefined entities and character references).
 *
 * Hostile documents are refused before they cost memory or time: a document type declaration
 * (the carrier of entity expansion attacks such as "billion laughs" and of external entities
 * that read local files) is rejected outright, and the text length, nesting depth, element count
 * and attribute length are capped, each with a message that says which cap was hit.
 */
import { SaxesParser } from 'saxes';
import { UrdfError } from './urdf-error.js';

/** Caps on an XML document; defaults in {@link DEFAULT_XML_LIMITS}. */
export interface XmlLimits {
  /** Longest document, in UTF-8 bytes. */
  maxBytes: number;
  /** Deepest element nesting. */
  maxDepth: number;
  /** Most elements in the document. */
  maxElements: number;
  /** Longest attribute value, in characters. */
  maxAttributeLength: number;
  /** Most attributes on one element. */
  maxAttributesPerElement: number;
}

/** Generous for real robot descriptions (the largest public ones are a few hundred KB). */
export const DEFAULT_XML_LIMITS: Readonly<XmlLimits> = Object.freeze({
  maxBytes: 8 * 1024 * 1024,
  maxDepth: 64,
  maxElements: 200_000,
  maxAttributeLength: 64 * 1024,
  maxAttributesPerElement: 256,
});

/** An element: its name, attributes and child elements (text is dropped). */
export interface XmlElement {
  readonly name: string;
  readonly attributes: ReadonlyMap<string, string>;
  readonly children: XmlElement[];
  /** 1-based line of the start tag, for messages. */
  readonly line: number;
}

function malformed(message: string): UrdfError {
  return new UrdfError('URDF_MALFORMED_XML', message, [{ path: '/', message }]);
}

function overLimit(message: string): UrdfError {
  return new UrdfError('URDF_XML_LIMIT', message, [{ path: '/', message }]);
}

function doctype(message: string): UrdfError {
  return new UrdfError('URDF_DOCTYPE', message, [{ path: '/', message }]);
}

/**
 * Parses `text` into its root element.
 * @throws UrdfError `URDF_TOO_LARGE` beyond maxBytes; `URDF_MALFORMED_XML`, `URDF_DOCTYPE` or `URDF_XML_LIMIT`
 *   DOCTYPE, or another cap exceeded.
 */
export function parseXml(text: string, limits: XmlLimits = DEFAULT_XML_LIMITS): XmlElement {
  // a UTF-16 code unit is at least one UTF-8 byte and at most three: count bytes only when needed
  const bytes = text.length * 3 <= limits.maxBytes ? 0 : Buffer.byteLength(text, 'utf8');
  if (bytes > limits.maxBytes) {
    const message = `the document has ${bytes} bytes (UTF-8); the limit is ${limits.maxBytes}`;
    throw new UrdfError('URDF_TOO_LARGE', message, [{ path: '/', message }]);
  }
  // a cheap early refusal (a DOCTYPE inside a comment is only text); the parser's doctype event
  // below is the authoritative check
  if (/<!DOCTYPE/i.test(text) && /<!DOCTYPE/i.test(text.replace(/<!--[\s\S]*?-->/g, ''))) {
    throw doctype('the document has a DOCTYPE declaration; DTDs and entity definitions are not accepted (remove the <!DOCTYPE …> block)');
  }
  const parser = new SaxesParser({ position: true });
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let elements = 0;
  parser.on('error', (error) => {
    throw malformed(`the document is not well-formed XML: ${error.message}`);
  });
  parser.on('doctype', () => {
    throw doctype('the document has a DOCTYPE declaration; DTDs and entity definitions are not accepted');
  });
  let attributesOfElement = 0;
  let elementName = '';
  parser.on('opentagstart', (tag) => {
    attributesOfElement = 0;
    elementName = tag.name;
  });
  parser.on('attribute', (attribute) => {
    // checked as each attribute arrives, before the element's attribute list is complete
    if (++attributesOfElement > limits.maxAttributesPerElement) {
      throw overLimit(`<${elementName}> on line ${parser.line} has more than ${limits.maxAttributesPerElement} attributes`);
    }
    if (attribute.value.length > limits.maxAttributeLength) {
      throw overLimit(`attribute "${attribute.name}" of <${elementName}> on line ${parser.line} has ${attribute.value.length} characters; the limit is ${limits.maxAttributeLength}`);
    }
  });
  parser.on('opentag', (tag) => {
    if (++elements > limits.maxElements) {
      throw overLimit(`the document has more than ${limits.maxElements} elements`);
    }
    if (stack.length >= limits.maxDepth) {
      throw overLimit(`elements are nested more than ${limits.maxDepth} deep (line ${parser.line})`);
    }
    const attributes = new Map<string, string>(Object.entries(tag.attributes));
    const element: XmlElement = { name: tag.name, attributes, children: [], line: parser.line };
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(element);
    else root = element;
    if (!tag.isSelfClosing) stack.push(element);
  });
  parser.on('closetag', (tag) => {
    if (!tag.isSelfClosing) stack.pop();
  });
  parser.write(text).close();
  if (!root) throw malformed('the document has no root element');
  return root;
}

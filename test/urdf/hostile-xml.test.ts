import { describe, expect, it } from 'vitest';
import { expectUrdfError } from '../helpers/errors.js';
import { loadUrdf } from '../../src/urdf/load-urdf.js';
import { DEFAULT_URDF_LIMITS, type UrdfLimits } from '../../src/urdf/urdf-parser.js';

/** Milliseconds taken by `fn`, which is expected to throw (the error is returned for checks). */
function timeThrow(fn: () => unknown): { ms: number; error: unknown } {
  const start = performance.now();
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  return { ms: performance.now() - start, error };
}

const limits = (overrides: Partial<UrdfLimits>): UrdfLimits => ({ ...DEFAULT_URDF_LIMITS, ...overrides });
const ROBOT_BODY = '<link name="a"/><link name="b"/><joint name="j" type="fixed"><parent link="a"/><child link="b"/></joint>';
const MB = 1024 * 1024;

describe('DOCTYPE declarations and entities', () => {
  const billionLaughs = `<?xml version="1.0"?>
<!DOCTYPE robot [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<robot name="&lol9;"><link name="&lol9;"/></robot>`;

  it('refuses billion laughs as URDF_SYNTAX, quickly and without expanding it', () => {
    const heapBefore = process.memoryUsage().heapUsed;
    const { ms, error } = timeThrow(() => loadUrdf(billionLaughs));
    const heapGrowth = process.memoryUsage().heapUsed - heapBefore;
    expectUrdfError(() => { throw error; }, 'URDF_DOCTYPE', 'DOCTYPE', 'not accepted');
    expect(ms).toBeLessThan(1000);
    expect(heapGrowth).toBeLessThan(50 * MB);
  });

  it('refuses an external entity (XXE) without reading the file', () => {
    const xxe = `<?xml version="1.0"?>
<!DOCTYPE robot [ <!ENTITY x SYSTEM "file:///etc/passwd"> ]>
<robot name="&x;"><link name="&x;"/></robot>`;
    const error = expectUrdfError(() => loadUrdf(xxe), 'URDF_DOCTYPE', 'DOCTYPE');
    expect(error.message).not.toContain('root:');
  });

  it('refuses an external DTD reference', () => {
    expectUrdfError(() => loadUrdf(`<!DOCTYPE robot SYSTEM "http://example.com/robot.dtd"><robot name="r">${ROBOT_BODY}</robot>`),
      'URDF_DOCTYPE', 'DOCTYPE');
  });

  it('refuses a lowercase doctype and one with odd spacing and line breaks', () => {
    expectUrdfError(() => loadUrdf(`<!doctype robot [<!entity a "b">]><robot name="r">${ROBOT_BODY}</robot>`), 'URDF_DOCTYPE', 'DOCTYPE');
    expectUrdfError(() => loadUrdf(`<?xml version="1.0"?>\n<!DocType\n\t  robot\n [\n<!ENTITY   a   "b"  >\n ]  >\n<robot name="&a;">${ROBOT_BODY}</robot>`),
      'URDF_DOCTYPE', 'DOCTYPE');
  });

  it('refuses an undefined entity reference in an attribute (no DOCTYPE)', () => {
    expectUrdfError(() => loadUrdf(`<robot name="&foo;">${ROBOT_BODY}</robot>`), 'URDF_MALFORMED_XML', 'not well-formed', 'undefined entity');
  });

  it('refuses an undefined entity reference in text (no DOCTYPE)', () => {
    expectUrdfError(() => loadUrdf(`<robot name="r">&foo;${ROBOT_BODY}</robot>`), 'URDF_MALFORMED_XML', 'not well-formed', 'undefined entity');
  });

  it('refuses a character reference to a character XML forbids', () => {
    expectUrdfError(() => loadUrdf('<robot name="r"><link name="&#0;"/></robot>'), 'URDF_MALFORMED_XML', 'not well-formed');
  });
});

describe('size caps', () => {
  it('refuses elements nested 10,000 deep, naming the depth cap', () => {
    const depth = 10_000;
    const text = `<robot name="r"><link name="a"/>${'<a>'.repeat(depth)}${'</a>'.repeat(depth)}</robot>`;
    expectUrdfError(() => loadUrdf(text), 'URDF_XML_LIMIT', `nested more than ${DEFAULT_URDF_LIMITS.maxDepth} deep`);
  });

  it('accepts nesting exactly at a custom depth cap and refuses one level more', () => {
    // <robot> is depth 1, <link> depth 2, <visual> depth 3, ...
    const nested = (levels: number): string => `<robot name="r"><link name="a">${'<x>'.repeat(levels)}${'</x>'.repeat(levels)}</link></robot>`;
    expect(loadUrdf(nested(3), { limits: limits({ maxDepth: 5 }) }).linkNames).toEqual(['a']);
    expectUrdfError(() => loadUrdf(nested(4), { limits: limits({ maxDepth: 5 }) }), 'URDF_XML_LIMIT', 'nested more than 5 deep');
  });

  it('refuses more elements than a custom maxElements, and accepts exactly that many', () => {
    const withElements = (n: number): string => `<robot name="r"><link name="a"/>${'<x/>'.repeat(n - 2)}</robot>`;
    const custom = { limits: limits({ maxElements: 100 }) };
    expect(loadUrdf(withElements(100), custom).linkNames).toEqual(['a']);
    expectUrdfError(() => loadUrdf(withElements(101), custom), 'URDF_XML_LIMIT', 'more than 100 elements');
  });

  it('refuses a generated document with more elements than the default cap', () => {
    const n = DEFAULT_URDF_LIMITS.maxElements + 1;
    const text = `<robot name="r"><link name="a"/>${'<x/>'.repeat(n - 2)}</robot>`;
    expect(text.length).toBeLessThan(DEFAULT_URDF_LIMITS.maxBytes); // the element cap is what trips
    expectUrdfError(() => loadUrdf(text), 'URDF_XML_LIMIT', `more than ${DEFAULT_URDF_LIMITS.maxElements} elements`);
  });

  it('refuses a huge attribute value, naming the attribute, the element, its length and the cap', () => {
    const length = DEFAULT_URDF_LIMITS.maxAttributeLength + 1000;
    const text = `<robot name="r"><link name="a"/><link name="${'b'.repeat(length)}"/></robot>`;
    expectUrdfError(() => loadUrdf(text), 'URDF_XML_LIMIT',
      'attribute "name" of <link>', `has ${length} characters`, `the limit is ${DEFAULT_URDF_LIMITS.maxAttributeLength}`);
  });

  it('refuses a 50 MB document in under a second, giving its length and the cap', () => {
    const text = `<robot name="r"><link name="a"/>${' '.repeat(50 * MB)}</robot>`;
    const { ms, error } = timeThrow(() => loadUrdf(text));
    expectUrdfError(() => { throw error; }, 'URDF_TOO_LARGE', `has ${text.length} bytes`, `the limit is ${DEFAULT_URDF_LIMITS.maxBytes}`);
    expect(ms).toBeLessThan(1000);
  });

  it('refuses a document one byte over a custom maxBytes, and accepts one at it', () => {
    const text = `<robot name="r">${ROBOT_BODY}</robot>`;
    expect(loadUrdf(text, { limits: limits({ maxBytes: text.length }) }).linkNames).toEqual(['a', 'b']);
    expectUrdfError(() => loadUrdf(`${text} `, { limits: limits({ maxBytes: text.length }) }), 'URDF_TOO_LARGE',
      `has ${text.length + 1} bytes`, `the limit is ${text.length}`);
  });

  it('counts the limit in UTF-8 bytes, not characters', () => {
    const text = `<robot name="ロボット">${ROBOT_BODY}</robot>`; // 4 characters of 3 bytes each
    const bytes = Buffer.byteLength(text, 'utf8');
    expect(bytes).toBe(text.length + 8);
    expect(loadUrdf(text, { limits: limits({ maxBytes: bytes }) }).name).toBe('ロボット');
    expectUrdfError(() => loadUrdf(text, { limits: limits({ maxBytes: bytes - 1 }) }), 'URDF_TOO_LARGE',
      `has ${bytes} bytes (UTF-8)`, `the limit is ${bytes - 1}`);
  });

  it('refuses more links than maxLinks', () => {
    const text = `<robot name="r">${Array.from({ length: 6 }, (_, i) => `<link name="l${i}"/>`).join('')}</robot>`;
    expectUrdfError(() => loadUrdf(text, { limits: limits({ maxLinks: 5 }) }), 'URDF_TOO_LARGE', 'more than 5 links');
  });

  it('refuses more joints than maxJoints', () => {
    const n = 6;
    const text = `<robot name="r">${Array.from({ length: n + 1 }, (_, i) => `<link name="l${i}"/>`).join('')}${
      Array.from({ length: n }, (_, i) => `<joint name="j${i}" type="fixed"><parent link="l${i}"/><child link="l${i + 1}"/></joint>`).join('')}</robot>`;
    expect(loadUrdf(text, { limits: limits({ maxJoints: n }) }).linkNames).toHaveLength(n + 1);
    expectUrdfError(() => loadUrdf(text, { limits: limits({ maxJoints: n - 1 }) }), 'URDF_TOO_LARGE', `more than ${n - 1} joints`);
  });

  it('takes a DOCTYPE inside a comment for the text it is', () => {
    const text = `<!-- generated; no <!DOCTYPE robot> needed --><robot name="r">${ROBOT_BODY}</robot>`;
    expect(loadUrdf(text).linkNames).toEqual(['a', 'b']);
    expectUrdfError(() => loadUrdf(`<!-- x --><!DOCTYPE robot><robot name="r">${ROBOT_BODY}</robot>`), 'URDF_DOCTYPE', 'DOCTYPE');
  });
});

describe('pathological values', () => {
  it('refuses a 60,000-digit non-number in under a second', () => {
    // a long run of digits that then fails to be a number must not make the number check backtrack
    const value = `${'1'.repeat(60_000)}x`;
    const text = `<robot name="r"><link name="a"/><link name="b"/><joint name="j" type="revolute"><parent link="a"/><child link="b"/><limit lower="${value}" upper="1" effort="1" velocity="1"/></joint></robot>`;
    const { ms, error } = timeThrow(() => loadUrdf(text));
    expectUrdfError(() => { throw error; }, 'URDF_INVALID_ELEMENT', 'joint "j" <limit> lower', 'not a finite number');
    expect(ms).toBeLessThan(1000);
  });
});

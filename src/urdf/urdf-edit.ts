/**
 * Surgical edits of URDF text: a joint's origin xyz and rpy and its limit's lower and upper are
 * rewritten where they stand, and everything else in the document (other elements, attributes,
 * comments, whitespace, attribute order and quoting) is left byte for byte as it was. The text is
 * expected to have passed the URDF parser (well-formed, no DOCTYPE), so a small scanner that
 * skips comments, CDATA and processing instructions finds the tags.
 */
import { UrdfError } from './urdf-error.js';

/** New values for one joint; absent fields stay as they are. */
export interface JointTextEdit {
  xyz?: readonly number[];
  rpy?: readonly number[];
  /** Subtracted from the limit's lower and upper (an absent lower or upper counts as 0, URDF's default). */
  limitShift?: number;
}

interface Attribute { name: string; valueStart: number; valueEnd: number }
interface Tag { name: string; start: number; end: number; selfClosing: boolean; attributes: Attribute[] }

/** Number text that reads back as the same double (shortest round trip). */
function numberText(x: number): string {
  return Object.is(x, -0) ? '0' : String(x);
}

function parseTag(text: string, start: number): { tag: Tag; next: number } {
  let i = start + 1;
  const nameMatch = /^[^\s/>]+/.exec(text.slice(i, i + 256));
  const name = nameMatch ? nameMatch[0] : '';
  i += name.length;
  const attributes: Attribute[] = [];
  const attribute = /\s*([^\s=/>]+)\s*=\s*(["'])/y;
  for (;;) {
    attribute.lastIndex = i;
    const m = attribute.exec(text);
    if (!m) break;
    const quote = m[2]!;
    const valueStart = attribute.lastIndex;
    const valueEnd = text.indexOf(quote, valueStart);
    attributes.push({ name: m[1]!, valueStart, valueEnd });
    i = valueEnd + 1;
  }
  const close = text.indexOf('>', i);
  const selfClosing = text[close - 1] === '/';
  return { tag: { name, start, end: close + 1, selfClosing, attributes }, next: close + 1 };
}

interface JointTags { joint: Tag; origin?: Tag; limit?: Tag }

/** The <joint> children of <robot>, with their direct <origin> and <limit> children. */
function findJoints(text: string): Map<string, JointTags> {
  const joints = new Map<string, JointTags>();
  const stack: string[] = [];
  let current: JointTags | undefined;
  let i = 0;
  while ((i = text.indexOf('<', i)) >= 0) {
    if (text.startsWith('<!--', i)) { i = text.indexOf('-->', i) + 3; continue; }
    if (text.startsWith('<![CDATA[', i)) { i = text.indexOf(']]>', i) + 3; continue; }
    if (text.startsWith('<?', i) || text.startsWith('<!', i)) { i = text.indexOf('>', i) + 1; continue; }
    if (text.startsWith('</', i)) {
      const closed = stack.pop();
      if (closed === 'joint' && stack.length === 1) current = undefined;
      i = text.indexOf('>', i) + 1;
      continue;
    }
    const { tag, next } = parseTag(text, i);
    i = next;
    if (stack.length === 1 && stack[0] === 'robot' && tag.name === 'joint') {
      const nameAttribute = tag.attributes.find((a) => a.name === 'name');
      const name = nameAttribute ? text.slice(nameAttribute.valueStart, nameAttribute.valueEnd) : '';
      current = { joint: tag };
      if (!joints.has(name)) joints.set(name, current);
    } else if (current && stack.length === 2 && (tag.name === 'origin' || tag.name === 'limit')) {
      current[tag.name] ??= tag;
    }
    if (!tag.selfClosing) stack.push(tag.name);
  }
  return joints;
}

interface Splice { at: number; remove: number; insert: string }

/** Replaces an attribute's value, or adds the attribute before the tag's end. */
function setAttribute(tag: Tag, name: string, value: string, splices: Splice[]): void {
  const a = tag.attributes.find((x) => x.name === name);
  if (a) { splices.push({ at: a.valueStart, remove: a.valueEnd - a.valueStart, insert: value }); return; }
  const end = tag.selfClosing ? tag.end - 2 : tag.end - 1;
  splices.push({ at: end, remove: 0, insert: ` ${name}="${value}"` });
}

function attributeValue(text: string, tag: Tag | undefined, name: string): string | undefined {
  const a = tag?.attributes.find((x) => x.name === name);
  return a ? text.slice(a.valueStart, a.valueEnd) : undefined;
}

/**
 * Applies `edits` (by joint name) to the URDF `text` and returns the new text.
 * @throws UrdfError when a joint to edit is not in the document.
 */
export function editJoints(text: string, edits: ReadonlyMap<string, JointTextEdit>): string {
  const joints = findJoints(text);
  const splices: Splice[] = [];
  for (const [name, edit] of edits) {
    const tags = joints.get(name);
    if (!tags) {
      const message = `joint "${name}" is not a <joint> of the document's <robot>`;
      throw new UrdfError('URDF_INVALID_ELEMENT', message, [{ path: `/robot/joint[@name=${JSON.stringify(name)}]`, message }]);
    }
    if (edit.xyz || edit.rpy) {
      if (tags.origin) {
        if (edit.xyz) setAttribute(tags.origin, 'xyz', edit.xyz.map(numberText).join(' '), splices);
        if (edit.rpy) setAttribute(tags.origin, 'rpy', edit.rpy.map(numberText).join(' '), splices);
      } else {
        // a joint without <origin> sits at the identity: add one right after the start tag
        const parts = [edit.xyz ? ` xyz="${edit.xyz.map(numberText).join(' ')}"` : '', edit.rpy ? ` rpy="${edit.rpy.map(numberText).join(' ')}"` : ''];
        if (tags.joint.selfClosing) throw new UrdfError('URDF_INVALID_ELEMENT', `joint "${name}" has no content to add an origin to`, []);
        splices.push({ at: tags.joint.end, remove: 0, insert: `<origin${parts.join('')}/>` });
      }
    }
    if (edit.limitShift !== undefined && edit.limitShift !== 0 && tags.limit) {
      for (const bound of ['lower', 'upper'] as const) {
        const old = Number(attributeValue(text, tags.limit, bound) ?? '0');
        setAttribute(tags.limit, bound, numberText(old - edit.limitShift), splices);
      }
    }
  }
  splices.sort((a, b) => b.at - a.at);
  let out = text;
  for (const s of splices) out = out.slice(0, s.at) + s.insert + out.slice(s.at + s.remove);
  return out;
}

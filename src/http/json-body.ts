/**
 * The JSON body parser: secure-json-parse, which refuses `__proto__` and `constructor.prototype`
 * keys instead of letting them reach the handlers, with messages that say what is wrong.
 */
import type { FastifyInstance } from 'fastify';
import secureJson from 'secure-json-parse';
import { HttpProblem } from './problem.js';

/** Deepest nesting of arrays and objects accepted; the contract's bodies need 5 or fewer. */
export const MAX_JSON_DEPTH = 32;
/** Bodies shorter than this cannot be nested deep enough to cost anything and are not scanned. */
const DEPTH_SCAN_FROM = 4096;

/** The characters that matter to nesting: brackets, braces and the quotes of strings. */
const STRUCTURE = /[[\]{}"]/g;
const OPEN_BRACKET = 0x5b, OPEN_BRACE = 0x7b, QUOTE = 0x22, BACKSLASH = 0x5c;

/**
 * Whether arrays and objects in `text` nest deeper than `limit` (brackets in strings do not
 * count). The regular expression jumps over numbers and whitespace, which make up most of a batch
 * body: about twice as fast as a loop over every character, a quarter of JSON.parse's time.
 */
function nestedDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  STRUCTURE.lastIndex = 0;
  for (let match = STRUCTURE.exec(text); match !== null; match = STRUCTURE.exec(text)) {
    const c = text.charCodeAt(match.index);
    if (c === QUOTE) {
      const end = closingQuote(text, match.index);
      if (end < 0) return false; // unterminated: JSON.parse will say so
      STRUCTURE.lastIndex = end + 1;
    } else if (c === OPEN_BRACKET || c === OPEN_BRACE) {
      if (++depth > limit) return true;
    } else {
      depth--;
    }
  }
  return false;
}

/** The index of the quote that closes the string opened at `open` (not escaped), or -1. */
function closingQuote(text: string, open: number): number {
  for (let end = text.indexOf('"', open + 1); end >= 0; end = text.indexOf('"', end + 1)) {
    let backslashes = 0;
    while (text.charCodeAt(end - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return end;
  }
  return -1;
}

/** The charset parameter of a content type, lower case, or undefined. */
function charsetOf(contentType: string | undefined): string | undefined {
  const match = contentType === undefined ? null : /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType);
  return match ? match[1]!.toLowerCase() : undefined;
}

/** A parsed JSON text, or why it was refused: `syntax` when the text is not JSON at all. */
export type ParsedJson = { value: unknown; problem?: undefined } | { problem: HttpProblem; syntax: boolean };

/**
 * Parses JSON text as the API reads it: `__proto__` and `constructor.prototype` keys refused,
 * nesting deeper than MAX_JSON_DEPTH refused (for texts long enough to reach it). Used for
 * request bodies and for the frames of a control stream.
 */
export function parseJsonText(text: string): ParsedJson {
  if (text.length >= DEPTH_SCAN_FROM && nestedDeeperThan(text, MAX_JSON_DEPTH)) {
    return { problem: new HttpProblem(400, 'malformed-json', 'JSON nested too deep',
      `the body nests arrays and objects more than ${MAX_JSON_DEPTH} deep; no request of this API needs more than 5`), syntax: false };
  }
  try {
    // without these substrings no forbidden key can be present, escaped or not, and the
    // scanning that secure-json-parse does (two regular expressions over the whole text) is moot
    const suspect = text.includes('proto') || text.includes('constructor') || text.includes('\\u');
    return { value: suspect ? secureJson.parse(text, null, { protoAction: 'error', constructorAction: 'error' }) : JSON.parse(text) };
  } catch (error) {
    const message = (error as Error).message;
    const syntax = !(/prototype|constructor/i.test(message) && !(error instanceof SyntaxError && /JSON/.test(message)));
    const detail = syntax ? `the body is not valid JSON: ${message}`
      : 'the body contains a "__proto__" or "constructor.prototype" key, which is not accepted; remove it';
    return { problem: new HttpProblem(400, 'malformed-json', 'Malformed JSON', detail), syntax };
  }
}

export function useSafeJsonParser(app: FastifyInstance): void {
  // text/plain is not a media type of this API: answer 415 rather than pass a string on
  app.removeContentTypeParser('text/plain');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const charset = charsetOf(request.headers['content-type']);
    if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
      done(new HttpProblem(415, 'unsupported-charset', 'Unsupported charset',
        `the body is declared as charset=${charset}; send JSON in UTF-8 (application/json or application/json; charset=utf-8)`), undefined);
      return;
    }
    const text = body as string;
    // a DELETE takes no body: an empty one with a JSON content type is no error
    if (text.trim() === '' && request.method === 'DELETE') {
      done(null, undefined);
      return;
    }
    if (text.trim() === '') {
      done(new HttpProblem(400, 'malformed-json', 'Malformed JSON', 'the request body is empty; send a JSON object'), undefined);
      return;
    }
    const parsed = parseJsonText(text);
    if (parsed.problem) done(parsed.problem, undefined);
    else done(null, parsed.value);
  });
}

/**
 * The JSON body parser: secure-json-parse, which refuses `__proto__` and `constructor.prototype`
 * keys instead of letting them reach the handlers, with messages that say what is wrong.
 */
import type { FastifyInstance } from 'fastify';
import secureJson from 'secure-json-parse';
import { HttpProblem } from './problem.js';

export function useSafeJsonParser(app: FastifyInstance): void {
  // text/plain is not a media type of this API: answer 415 rather than pass a string on
  app.removeContentTypeParser('text/plain');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
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
    try {
      // without these substrings no forbidden key can be present, escaped or not, and the
      // scanning that secure-json-parse does (two regular expressions over the whole text) is moot
      const suspect = text.includes('proto') || text.includes('constructor') || text.includes('\\u');
      done(null, suspect ? secureJson.parse(text, null, { protoAction: 'error', constructorAction: 'error' }) : JSON.parse(text));
    } catch (error) {
      const message = (error as Error).message;
      const detail = /prototype|constructor/i.test(message) && !(error instanceof SyntaxError && /JSON/.test(message))
        ? 'the body contains a "__proto__" or "constructor.prototype" key, which is not accepted; remove it'
        : `the body is not valid JSON: ${message}`;
      done(new HttpProblem(400, 'malformed-json', 'Malformed JSON', detail), undefined);
    }
  });
}

/**
 * The baseline of `npm run bench:http`: a bare Fastify route with no schemas, logging or hooks
 * that does the same HTTP work as the service's POST /robots/franka_panda/jacobian minus the
 * kinematics: it parses the same small request body ({ q, tip }) and answers the same response
 * object, serialised for each request (every number formatted each time, as the service does).
 * The response object is read from the file named by the first argument (the service's own
 * answer). Prints its URL on stdout once listening.
 */
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';

const answer = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as unknown;
const app = Fastify({ logger: false, bodyLimit: 16 * 1024 * 1024 });
app.post('/jacobian', async (request) => {
  const { q, tip } = request.body as { q?: unknown; tip?: unknown };
  if (!Array.isArray(q) || typeof tip !== 'string') throw new Error('expected { q, tip }');
  return answer;
});
const address = await app.listen({ port: 0, host: '127.0.0.1' });
console.log(address);
process.on('SIGTERM', () => { void app.close().then(() => process.exit(0)); });

/**
 * The baseline of `npm run bench:http`: a bare Fastify route that echoes its JSON body, with no
 * schemas, logging or hooks. Prints its URL on stdout once listening.
 */
import Fastify from 'fastify';

const app = Fastify({ logger: false, bodyLimit: 16 * 1024 * 1024 });
app.post('/echo', async (request) => request.body);
const address = await app.listen({ port: 0, host: '127.0.0.1' });
console.log(address);
process.on('SIGTERM', () => { void app.close().then(() => process.exit(0)); });

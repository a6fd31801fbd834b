/** The baseline server: a bare Fastify JSON route with the webhook's path, nothing behind it. Prints its URL. */
import Fastify from 'fastify';

const server = Fastify({ logger: false });
server.post('/webhooks/telegram', async () => ({ ok: true }));
const url = await server.listen({ port: 0, host: '127.0.0.1' });
console.log(JSON.stringify({ msg: 'is listening', url }));
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));

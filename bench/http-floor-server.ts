/**
 * The API benchmark's HTTP floor: the least a Node.js service can do for a GET by id and a search by
 * document, with the same MongoDB driver as the service and nothing else (no framework, validation,
 * decryption, audit or log line). Its CPU per request, measured like the service's, shows what Node.js
 * and the driver cost at the pace the database allows on this machine.
 *
 * Started by bench/api.bench.ts with MONGO_URI, MONGO_NAME and PORT; answers
 *   GET /<collection>/<id>                          findOne by _id
 *   GET /<collection>?organization=&document_token= find by document token, 10 at most, in _id order
 * and prints "ready" once listening. It ends on SIGTERM or when its standard input closes.
 */
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import mongoose from 'mongoose';

async function main(): Promise<void> {
  const { MONGO_URI, MONGO_NAME, PORT } = process.env;
  if (!MONGO_URI || !MONGO_NAME || !PORT) throw new Error('MONGO_URI, MONGO_NAME and PORT are required');
  const client = await new mongoose.mongo.MongoClient(MONGO_URI).connect();
  const db = client.db(MONGO_NAME);

  const answer = async (request: IncomingMessage): Promise<unknown> => {
    const url = new URL(request.url ?? '/', 'http://floor');
    const [collectionName, id] = url.pathname.split('/').filter(Boolean);
    const collection = db.collection(collectionName);
    if (id) return collection.findOne({ _id: id as never });
    const items = await collection
      .find({
        organizationId: url.searchParams.get('organization'),
        'search.document': url.searchParams.get('document_token'),
        deletedAt: null,
      })
      .sort({ _id: 1 })
      .limit(10)
      .toArray();
    return { items };
  };

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    answer(request).then(
      (body) => {
        response.writeHead(body ? 200 : 404, { 'content-type': 'application/json' });
        response.end(JSON.stringify(body));
      },
      (error: Error) => {
        response.writeHead(500, { 'content-type': 'text/plain' });
        response.end(error.message);
      },
    );
  });
  server.listen(Number(PORT), '127.0.0.1', () => process.stdout.write('ready\n'));
  // Started by the bench with a pipe as standard input: it closes when the bench ends, whatever ends it.
  process.stdin.on('close', () => process.exit(0)).resume();
  process.once('SIGTERM', () => process.exit(0));
}

main().catch((error: Error) => {
  process.stderr.write(`http floor: ${error.stack ?? error.message}\n`);
  process.exit(1);
});

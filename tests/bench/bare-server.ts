// The floor for the list scenarios of bench:api: a bare Node HTTP server that runs the engine's statement with the
// same bound values through pg (16 connections, the engine's type parsers) and answers its rows as JSON. No framework,
// no auth, no metadata: what any Node service pays to put the same query behind HTTP on this machine. Started by api.bench.ts.
import { createServer } from 'node:http';
import pg from 'pg';
import { installTypeParsers } from '../../engine/src/db/pg-types.js';

installTypeParsers();
const sql = process.env.BARE_SQL as string;
const values = JSON.parse(process.env.BARE_VALUES ?? '[]') as unknown[];
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 16, options: '-c TimeZone=UTC' });
const query = { name: 'bare', text: sql, values };
const server = createServer((req, res) => {
  pool.query(query).then(
    (r) => {
      const body = JSON.stringify({ data: r.rows });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    },
    (err: Error) => {
      res.writeHead(500);
      res.end(err.message);
    },
  );
});
server.listen(Number(process.env.PORT), '127.0.0.1', () => process.stdout.write('ready\n'));

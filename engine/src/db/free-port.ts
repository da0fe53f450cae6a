// A loopback port nobody listens on right now (the OS picks it); the caller binds it soon after and retries if
// another process took it first. Used by the embedded cluster and by the benchmarks that start servers.
import { createServer } from 'node:net';

export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

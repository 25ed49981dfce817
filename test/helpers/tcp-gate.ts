/**
 * A TCP gate on loopback in front of a server: `down()` closes it (new connections are refused,
 * open ones are reset), `up()` listens again on the same port. Simulates a platform that goes
 * away and comes back (connection refused, as QA's `gate.js` did).
 */
import net from 'node:net';

export class TcpGate {
  private server: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();
  private port = 0;
  constructor(private readonly targetPort: number) {}

  /** Listens (port 0 the first time, then the same port); resolves the port. */
  async up(): Promise<number> {
    if (this.server) return this.port;
    const server = net.createServer((client) => {
      const upstream = net.connect(this.targetPort, '127.0.0.1');
      this.sockets.add(client);
      this.sockets.add(upstream);
      const drop = () => {
        client.destroy();
        upstream.destroy();
        this.sockets.delete(client);
        this.sockets.delete(upstream);
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as net.AddressInfo).port;
    return this.port;
  }

  /** Stops accepting (connection refused) and resets the open connections. */
  async down(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The gate's base URL with `target`'s path (e.g. the fake Slack API's `/api/`). */
  urlFor(target: string): string {
    const u = new URL(target);
    u.port = String(this.port);
    return u.toString();
  }
}

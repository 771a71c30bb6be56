/**
 * A TCP proxy on 127.0.0.1 in front of a real server (PostgreSQL), which a test can cut and
 * restore to act out a database restart without touching the server other tests share:
 * - `reset`: every connection is torn down with a TCP RST and new ones are refused (ECONNREFUSED),
 *   what clients see when the database process goes away;
 * - `close`: the same with an orderly close (FIN), what a server shutting down sends;
 * - `blackhole`: nothing answers: bytes either way are dropped and new connections are accepted but
 *   never reach the server (a vanished host or a network partition: no RST, no FIN).
 * `restore()` accepts connections again. Connections black-holed meanwhile are closed then: the
 * bytes they sent were lost, so their sessions cannot resume (as if the server behind restarted).
 */
import net from 'node:net';

export type CutMode = 'reset' | 'close' | 'blackhole';

interface Pair {
  readonly client: net.Socket;
  readonly upstream: net.Socket | null;
  dropping: boolean;
  /** The marker went by: the server's next answer is withheld and everything is cut. */
  tripped: boolean;
  tail: Buffer;
}

export class TcpProxy {
  private readonly server = net.createServer((socket) => this.accept(socket));
  private readonly pairs = new Set<Pair>();
  private state: 'open' | 'refusing' | 'blackhole' = 'open';
  private trip: { marker: Buffer; mode: CutMode; done: () => void } | undefined;
  private listenPort = 0;

  private constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  /** Starts a proxy to `host:port` on a free loopback port. */
  static async start(host: string, port: number): Promise<TcpProxy> {
    const proxy = new TcpProxy(host, port);
    await proxy.listen();
    return proxy;
  }

  get port(): number {
    return this.listenPort;
  }

  /** Connections currently open through the proxy (black-holed ones included). */
  get connections(): number {
    return this.pairs.size;
  }

  /** `url` (a postgres:// URL) with its host and port replaced by the proxy's. */
  rewrite(url: string): string {
    const u = new URL(url);
    u.hostname = '127.0.0.1';
    u.port = String(this.listenPort);
    return u.toString();
  }

  /** Cuts every connection now and refuses (or black-holes) new ones until `restore()`. */
  async cut(mode: CutMode): Promise<void> {
    this.trip = undefined;
    if (mode === 'blackhole') {
      this.state = 'blackhole';
      for (const pair of this.pairs) pair.dropping = true;
      return;
    }
    this.state = 'refusing';
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const pair of [...this.pairs]) this.drop(pair, mode);
    await closed;
  }

  /**
   * Arms a cut in the middle of a conversation: when `marker` passes from a client to the server,
   * it is forwarded, the server's answer to it is withheld, and then everything is cut with `mode`.
   * The returned promise settles once the cut has happened.
   */
  cutAfter(marker: string, mode: 'reset' | 'close' = 'reset'): Promise<void> {
    return new Promise((resolve) => {
      this.trip = { marker: Buffer.from(marker), mode, done: resolve };
    });
  }

  /** Accepts and forwards connections again. */
  async restore(): Promise<void> {
    for (const pair of [...this.pairs]) if (pair.dropping) this.drop(pair, 'close');
    if (this.state === 'refusing') await this.listen(this.listenPort);
    this.state = 'open';
  }

  /** Closes the proxy and every connection through it. */
  async close(): Promise<void> {
    for (const pair of [...this.pairs]) this.drop(pair, 'close');
    if (this.server.listening) await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private listen(port = 0): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        this.server.off('error', reject);
        this.listenPort = (this.server.address() as net.AddressInfo).port;
        resolve();
      });
    });
  }

  private accept(client: net.Socket): void {
    client.on('error', () => undefined);
    if (this.state === 'refusing') {
      client.resetAndDestroy();
      return;
    }
    const blackholed = this.state === 'blackhole';
    const upstream = blackholed ? null : net.connect(this.targetPort, this.targetHost);
    const pair: Pair = { client, upstream, dropping: blackholed, tripped: false, tail: Buffer.alloc(0) };
    this.pairs.add(pair);
    client.on('close', () => this.drop(pair, 'close'));
    client.on('data', (chunk: Buffer) => {
      if (pair.dropping || !upstream) return;
      if (this.trip && !pair.tripped) {
        const seen = Buffer.concat([pair.tail, chunk]);
        if (seen.includes(this.trip.marker)) pair.tripped = true;
        else pair.tail = seen.subarray(Math.max(0, seen.length - this.trip.marker.length));
      }
      upstream.write(chunk);
    });
    if (!upstream) return;
    upstream.on('error', () => undefined);
    upstream.on('close', () => this.drop(pair, 'close'));
    upstream.on('data', (chunk: Buffer) => {
      if (pair.dropping) return;
      if (pair.tripped && this.trip) {
        // The server has answered the marked statement: withhold the answer and cut.
        const { mode, done } = this.trip;
        void this.cut(mode).then(done);
        return;
      }
      client.write(chunk);
    });
  }

  private drop(pair: Pair, mode: 'reset' | 'close'): void {
    if (!this.pairs.delete(pair)) return;
    if (mode === 'reset' && !pair.client.destroyed) pair.client.resetAndDestroy();
    else pair.client.destroy();
    pair.upstream?.destroy();
  }
}

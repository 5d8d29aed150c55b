import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { releaseAtExit, stopAtExit } from './exit-cleanup';

/**
 * A private CA and a server certificate it signed for `localhost` and `127.0.0.1`, made with openssl
 * in a temporary folder; and a second, unrelated CA with a server certificate of its own, which a
 * client trusting the first CA must refuse.
 */
export class TlsCertificates {
  private constructor(
    readonly dir: string,
    private readonly ca = 'ca',
    private readonly server = 'server',
  ) {}

  static create(): TlsCertificates {
    const certificates = new TlsCertificates(mkdtempSync(join(tmpdir(), 'tls-')));
    stopAtExit(certificates, () => rmSync(certificates.dir, { recursive: true, force: true }));
    writeFileSync(
      join(certificates.dir, 'server.ext'),
      'subjectAltName=DNS:localhost,IP:127.0.0.1\n',
    );
    for (const name of ['ca', 'other-ca']) certificates.makeCa(name);
    certificates.makeServer('server', 'ca');
    certificates.makeServer('untrusted-server', 'other-ca');
    return certificates;
  }

  /** The PEM file of the CA that signed the server certificate: what `REDIS_TLS_CA_FILE` names. */
  get caFile(): string {
    return join(this.dir, `${this.ca}.crt`);
  }

  /** The other CA and the server certificate it signed: not trusted by clients of {@link caFile}. */
  get untrusted(): TlsCertificates {
    return new TlsCertificates(this.dir, 'other-ca', 'untrusted-server');
  }

  /** `redis-server` arguments to serve TLS only on `port`, with the server certificate. */
  redisArgs(port: number): string[] {
    return ['--port', '0', ...this.tlsPortArgs(port)];
  }

  /** `redis-server` arguments to serve TLS on `port` too, with the server certificate. */
  tlsPortArgs(port: number): string[] {
    const server = this.server;
    return [
      '--tls-port',
      String(port),
      '--tls-cert-file',
      join(this.dir, `${server}.crt`),
      '--tls-key-file',
      join(this.dir, `${server}.key`),
      '--tls-ca-cert-file',
      this.caFile,
      '--tls-auth-clients',
      'no',
    ];
  }

  /** `redis-cli` arguments that speak TLS to the servers of `server`'s CA. */
  get cliArgs(): string[] {
    return ['--tls', '--cacert', this.caFile];
  }

  destroy(): void {
    rmSync(this.dir, { recursive: true, force: true });
    releaseAtExit(this);
  }

  private makeCa(name: string): void {
    this.openssl([
      'req',
      '-x509',
      ...this.newKey(name),
      '-out',
      this.path(`${name}.crt`),
      '-days',
      '2',
      '-subj',
      `/CN=${name}`,
    ]);
  }

  private makeServer(name: string, ca: string): void {
    this.openssl([
      'req',
      ...this.newKey(name),
      '-out',
      this.path(`${name}.csr`),
      '-subj',
      '/CN=localhost',
    ]);
    this.openssl([
      'x509',
      '-req',
      '-in',
      this.path(`${name}.csr`),
      '-CA',
      this.path(`${ca}.crt`),
      '-CAkey',
      this.path(`${ca}.key`),
      '-CAcreateserial',
      '-out',
      this.path(`${name}.crt`),
      '-days',
      '2',
      '-extfile',
      this.path('server.ext'),
    ]);
  }

  private newKey(name: string): string[] {
    return [
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      this.path(`${name}.key`),
    ];
  }

  private path(file: string): string {
    return join(this.dir, file);
  }

  private openssl(args: string[]): void {
    execFileSync('openssl', args, { stdio: 'pipe' });
  }
}

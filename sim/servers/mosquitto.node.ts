import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { pbkdf2Sync, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort } from './ports.node';

/**
 * A real mosquitto broker on 127.0.0.1 for tests and the simulator: its own configuration in a
 * temporary directory (persistence off), optional users, ACL and a TLS listener whose certificate
 * chain is generated at run time with the `openssl` CLI.
 */
export interface MosquittoOptions {
  /** User name → password (made with `mosquitto_passwd -b`); with users, anonymous clients are refused. */
  readonly users?: Readonly<Record<string, string>>;
  /**
   * Keep sessions, subscriptions and queued QoS 1 messages across `restart()` (mosquitto writes
   * its database when stopped with SIGTERM and reads it back at start). Default off.
   */
  readonly persistent?: boolean;
  /** A second listener with TLS: a test CA and a server certificate for localhost and 127.0.0.1. */
  readonly tls?: boolean;
  /**
   * ACL file contents (mosquitto.conf(5) `acl_file` syntax: `user <name>`, `topic [read|write|readwrite|deny] <topic>`).
   * mosquitto 2.0's own `acl_file` never refuses a SUBSCRIBE (it only filters what it delivers), so
   * the rules and the users are handed to its dynamic-security plugin instead, which answers a
   * subscription outside them with SUBACK 0x80.
   */
  readonly acl?: string;
}

export interface MosquittoBroker {
  readonly host: '127.0.0.1';
  readonly port: number;
  readonly tlsPort?: number;
  /** The test CA's certificate (PEM) that signed the TLS listener's certificate. */
  readonly caPem?: string;
  /** Kills the broker and removes its directory. */
  stop(): Promise<void>;
  /** Stops the broker and starts it again on the same ports (state survives only when `persistent`). */
  restart(): Promise<void>;
  /** What the broker logged so far. */
  log(): string;
}

const HOST = '127.0.0.1';
const READY_TIMEOUT_MS = 10_000;
const POLL_MS = 25;
const STOP_GRACE_MS = 3000;
/** `log()` keeps the newest this many characters (a simulator run logs every packet). */
const LOG_LIMIT = 1 << 20;
const CERT_DAYS = '2';
const SEARCH_DIRS = ['/usr/sbin', '/usr/local/sbin', '/usr/bin', '/usr/local/bin'];
const DYNSEC_PLUGIN = 'mosquitto_dynamic_security.so';
/** How the dynamic-security plugin stores a password: PBKDF2-HMAC-SHA512 over a 12-byte salt. */
const DYNSEC_SALT_BYTES = 12;
const DYNSEC_ITERATIONS = 101;
const DYNSEC_HASH_BYTES = 64;
const MULTIARCH: Readonly<Record<string, string>> = { x64: 'x86_64-linux-gnu', arm64: 'aarch64-linux-gnu', arm: 'arm-linux-gnueabihf' };

/** The path of `name` on PATH or in the usual system directories, or undefined. */
function findExecutable(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter).filter((d) => d !== ''), ...SEARCH_DIRS];
  for (const dir of dirs) {
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

function requireExecutable(name: string): string {
  const found = findExecutable(name);
  if (found === undefined) throw new Error(`mosquitto is not installed: apt-get install mosquitto (${name} not found)`);
  return found;
}

function findPlugin(): string {
  const dirs = [`/usr/lib/${MULTIARCH[process.arch] ?? ''}`, '/usr/lib', '/usr/lib/mosquitto', '/usr/local/lib'];
  const found = dirs.map((d) => path.join(d, DYNSEC_PLUGIN)).find((f) => fs.existsSync(f));
  if (found === undefined) throw new Error(`mosquitto is not installed: apt-get install mosquitto (${DYNSEC_PLUGIN} not found)`);
  return found;
}

type Access = 'read' | 'write' | 'readwrite' | 'deny';

interface DynsecAcl {
  readonly acltype: string;
  readonly topic: string;
  readonly priority: number;
  readonly allow: boolean;
}

/** One ACL-file rule as plugin ACLs: read = receive and (un)subscribe, write = send; deny wins over both. */
function dynsecAcls(access: Access, topic: string): DynsecAcl[] {
  const allow = access !== 'deny';
  const priority = allow ? 0 : 1;
  const read = access === 'read' || access === 'readwrite' || !allow;
  const write = access === 'write' || access === 'readwrite' || !allow;
  const types = [...(read ? ['publishClientReceive', 'subscribePattern', 'unsubscribePattern'] : []), ...(write ? ['publishClientSend'] : [])];
  return types.map((acltype) => ({ acltype, topic, priority, allow }));
}

/** The dynamic-security plugin's configuration for `users` under the rules of an ACL file. */
function dynsecConfig(acl: string, users: readonly (readonly [string, string])[]): unknown {
  const everyone: DynsecAcl[] = [];
  const perUser = new Map<string, DynsecAcl[]>();
  let current = everyone;
  for (const raw of acl.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const [keyword, ...rest] = line.split(/\s+/);
    if (keyword === 'user' && rest.length === 1) {
      current = perUser.get(rest[0]) ?? [];
      perUser.set(rest[0], current);
    } else if (keyword === 'topic' && (rest.length === 1 || rest.length === 2)) {
      const access = (rest.length === 2 ? rest[0] : 'readwrite') as Access;
      if (!['read', 'write', 'readwrite', 'deny'].includes(access)) throw new Error(`acl: unknown access '${access}' in '${line}'`);
      current.push(...dynsecAcls(access, rest[rest.length - 1]));
    } else {
      throw new Error(`acl: unsupported line '${line}' (only user and topic are implemented)`);
    }
  }
  const roles = [{ rolename: 'everyone', acls: everyone }, ...[...perUser].map(([user, acls]) => ({ rolename: `user-${user}`, acls }))];
  const clients = users.map(([username, password]) => {
    const salt = randomBytes(DYNSEC_SALT_BYTES);
    const hash = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, DYNSEC_ITERATIONS, DYNSEC_HASH_BYTES, 'sha512');
    const own = perUser.has(username) ? [{ rolename: `user-${username}` }] : [];
    return { username, password: hash.toString('base64'), salt: salt.toString('base64'), iterations: DYNSEC_ITERATIONS, roles: [{ rolename: 'everyone' }, ...own] };
  });
  return {
    clients,
    groups: [{ groupname: 'anonymous', roles: [{ rolename: 'everyone' }] }],
    anonymousGroup: 'anonymous',
    roles,
    // As with an acl_file: what no rule grants is refused.
    defaultACLAccess: { publishClientSend: false, publishClientReceive: false, subscribe: false, unsubscribe: true },
  };
}

function run(command: string, args: readonly string[], cwd: string): void {
  execFileSync(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** A test CA and a server certificate for CN localhost, SAN DNS:localhost and IP:127.0.0.1 (EC P-256). */
function makeCertificates(dir: string): { ca: string; cert: string; key: string } {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  run('openssl', ['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', CERT_DAYS, '-subj', '/CN=wmbus test CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
  run('openssl', ['req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost'], dir);
  fs.writeFileSync(path.join(dir, 'server.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n');
  run('openssl', ['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', CERT_DAYS, '-extfile', 'server.ext'], dir);
  return { ca: path.join(dir, 'ca.pem'), cert: path.join(dir, 'server.pem'), key: path.join(dir, 'server.key') };
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: HOST, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

export async function startMosquitto(options: MosquittoOptions = {}): Promise<MosquittoBroker> {
  const mosquitto = requireExecutable('mosquitto');
  const users = Object.entries(options.users ?? {});
  const passwd = users.length > 0 && options.acl === undefined ? requireExecutable('mosquitto_passwd') : undefined;
  const plugin = options.acl !== undefined ? findPlugin() : undefined;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mosquitto-'));
  try {
    const port = await freePort();
    const tlsPort = options.tls ? await freePort() : undefined;
    const persistence = options.persistent === true ? ['persistence true', `persistence_location ${dir}/`] : ['persistence false'];
    const lines = ['per_listener_settings false', ...persistence, 'set_tcp_nodelay true', 'log_dest stderr', 'log_type all', 'connection_messages true'];
    // Run as root, mosquitto drops to the `mosquitto` user, which could not read the 0600 files here.
    lines.push(`user ${os.userInfo().username}`);
    lines.push(`allow_anonymous ${users.length === 0 ? 'true' : 'false'}`);
    if (passwd !== undefined) {
      const file = path.join(dir, 'passwd');
      users.forEach(([user, password], i) => run(passwd, [...(i === 0 ? ['-c'] : []), '-b', file, user, password], dir));
      fs.chmodSync(file, 0o600);
      lines.push(`password_file ${file}`);
    }
    if (plugin !== undefined && options.acl !== undefined) {
      const file = path.join(dir, 'dynamic-security.json');
      fs.writeFileSync(file, JSON.stringify(dynsecConfig(options.acl, users), null, 1), { mode: 0o600 });
      lines.push(`plugin ${plugin}`, `plugin_opt_config_file ${file}`);
    }
    lines.push(`listener ${port} ${HOST}`);
    let caPem: string | undefined;
    if (tlsPort !== undefined) {
      const files = makeCertificates(dir);
      caPem = fs.readFileSync(files.ca, 'utf8');
      lines.push(`listener ${tlsPort} ${HOST}`, `cafile ${files.ca}`, `certfile ${files.cert}`, `keyfile ${files.key}`);
    }
    const config = path.join(dir, 'mosquitto.conf');
    fs.writeFileSync(config, lines.join('\n') + '\n');

    let output = '';
    const append = (text: string): void => {
      output += text;
      if (output.length > LOG_LIMIT) output = output.slice(-LOG_LIMIT);
    };
    let child: ChildProcess | undefined;
    let exited: Promise<void> = Promise.resolve();

    const launch = async (): Promise<void> => {
      const proc = spawn(mosquitto, ['-c', config], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
      child = proc;
      let gone = false;
      exited = new Promise<void>((resolve) => {
        proc.once('exit', (code, signal) => {
          gone = true;
          append(`[mosquitto exited: ${signal ?? code}]\n`);
          resolve();
        });
        proc.once('error', (e) => {
          gone = true;
          append(`[mosquitto failed: ${e.message}]\n`);
          resolve();
        });
      });
      proc.stdout?.on('data', (b: Buffer) => append(b.toString('utf8')));
      proc.stderr?.on('data', (b: Buffer) => append(b.toString('utf8')));
      const until = Date.now() + READY_TIMEOUT_MS;
      for (const p of tlsPort !== undefined ? [port, tlsPort] : [port]) {
        while (!(await canConnect(p))) {
          if (gone) throw new Error(`mosquitto did not start:\n${output}`);
          if (Date.now() > until) throw new Error(`mosquitto did not listen on ${HOST}:${p} within ${READY_TIMEOUT_MS} ms:\n${output}`);
          await new Promise((r) => setTimeout(r, POLL_MS));
        }
      }
    };

    const kill = async (): Promise<void> => {
      const proc = child;
      child = undefined;
      if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    };

    try {
      await launch();
    } catch (e) {
      await kill();
      throw e;
    }
    return {
      host: HOST,
      port,
      ...(tlsPort !== undefined ? { tlsPort } : {}),
      ...(caPem !== undefined ? { caPem } : {}),
      stop: async () => {
        await kill();
        fs.rmSync(dir, { recursive: true, force: true });
      },
      restart: async () => {
        await kill();
        await launch();
      },
      log: () => output,
    };
  } catch (e) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

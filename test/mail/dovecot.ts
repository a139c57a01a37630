import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';
import { FIXTURES } from './mail-support.js';
import { freePort } from './process-support.js';

export interface Dovecot {
  host: string;
  /** Plain IMAP (no TLS). */
  port: number;
  /** IMAPS with the self-signed test certificate (CN localhost, IP 127.0.0.1). */
  tlsPort: number;
  /** Puts a message into a user's folder by IMAP APPEND, as a mail server would deliver it. */
  append(user: string, raw: string | Buffer, folder?: string): Promise<void>;
  /** How many messages a user's folder holds now. */
  count(user: string, folder?: string): Promise<number>;
  log(): string;
  stop(): Promise<void>;
}

export const hasDovecot = (): boolean => {
  try {
    execFileSync('dovecot', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

async function waitForPort(port: number, proc: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`dovecot exited with ${proc.exitCode}:\n${log()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1', () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`dovecot did not listen on ${port}:\n${log()}`);
}

/**
 * A real Dovecot on loopback, run without systemd from its own temp directory: a passwd-file
 * of test users (PLAIN passwords), a static userdb mapping everyone to the dovecot system user,
 * maildirs in the temp directory, plain IMAP and IMAPS on random ports.
 */
export async function startDovecot(users: Record<string, string>): Promise<Dovecot> {
  const dir = mkdtempSync('/tmp/tessera-dovecot-');
  chmodSync(dir, 0o755);
  const [port, tlsPort] = [await freePort(), await freePort()];
  const uid = Number(execFileSync('id', ['-u', 'dovecot']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'dovecot']).toString().trim());
  mkdirSync(join(dir, 'mail'));
  chownSync(join(dir, 'mail'), uid, gid);
  copyFileSync(join(FIXTURES, 'tls/test-cert.pem'), join(dir, 'cert.pem'));
  copyFileSync(join(FIXTURES, 'tls/test-key.pem'), join(dir, 'key.pem'));
  writeFileSync(join(dir, 'passwd'), Object.entries(users).map(([u, p]) => `${u}:{PLAIN}${p}::::::\n`).join(''), { mode: 0o644 });
  const conf = `
base_dir = ${dir}/run
state_dir = ${dir}/state
instance_name = tessera-test-${port}
protocols = imap
listen = 127.0.0.1
ssl = yes
ssl_cert = <${dir}/cert.pem
ssl_key = <${dir}/key.pem
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
first_valid_uid = 100
log_path = ${dir}/dovecot.log
mail_location = maildir:${dir}/mail/%u
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/passwd
}
userdb {
  driver = static
  args = uid=dovecot gid=dovecot home=${dir}/mail/%u
}
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = ${tlsPort}
    ssl = yes
  }
}
# No growing delay after failed logins from 127.0.0.1 (the auth-failure test would slow the rest).
service anvil {
  chroot =
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
`;
  writeFileSync(join(dir, 'dovecot.conf'), conf);
  const log = () => {
    try {
      return readFileSync(join(dir, 'dovecot.log'), 'utf8');
    } catch {
      return '';
    }
  };
  const proc = spawn('dovecot', ['-F', '-c', join(dir, 'dovecot.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  proc.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  await waitForPort(port, proc, () => output + log());

  const session = async <T>(user: string, work: (c: ImapFlow) => Promise<T>): Promise<T> => {
    const c = new ImapFlow({ host: '127.0.0.1', port, secure: false, doSTARTTLS: false, auth: { user, pass: users[user]! }, logger: false });
    await c.connect();
    try {
      return await work(c);
    } finally {
      await c.logout().catch(() => undefined);
      c.close();
    }
  };
  return {
    host: '127.0.0.1',
    port,
    tlsPort,
    append: (user, raw, folder = 'INBOX') =>
      session(user, async (c) => {
        await c.append(folder, Buffer.isBuffer(raw) ? raw : Buffer.from(raw));
      }),
    count: (user, folder = 'INBOX') =>
      session(user, async (c) => {
        const status = await c.status(folder, { messages: true });
        return status ? (status.messages ?? 0) : 0;
      }),
    log,
    async stop() {
      if (proc.exitCode === null) {
        await new Promise<void>((resolve) => {
          proc.once('exit', () => resolve());
          proc.kill('SIGTERM');
        });
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * SMTP alerts on the wire (reference B18): a real smtp-server on 127.0.0.1 receives what
 * SmtpAlerter sends through nodemailer — keepalived's envelope, headers, body and HELO name
 * (core/smtp.c), one mail per state change (vrrp_notify.c vrrp_smtp_notifier()) — and an
 * unreachable or silent server never blocks the caller and is logged once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';
import { SmtpAlerter } from '../../src/io/smtp-alert';
import type { GlobalDefs } from '../../src/config/model';
import { checkText } from '../support/config-harness';
import { recordingLog } from '../support/recording-log';

interface Received {
  readonly opening: string;
  readonly helo: string;
  readonly mailFrom: string;
  readonly rcptTo: readonly string[];
  readonly data: string;
}

async function startServer(port = 0): Promise<{ server: SMTPServer; port: number; mails: Received[]; close: () => Promise<void> }> {
  const mails: Received[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session: SMTPServerSession, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const env = session.envelope;
        mails.push({
          opening: session.openingCommand,
          helo: session.hostNameAppearsAs,
          mailFrom: env.mailFrom === false ? '' : env.mailFrom.address,
          rcptTo: env.rcptTo.map((r) => r.address),
          data: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const addr = server.server.address() as net.AddressInfo;
  return { server, port: addr.port, mails, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** A port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

function globals(port: number, extra = ''): GlobalDefs {
  const r = checkText(
    `global_defs {
 router_id lb1
 notification_email {
  ops@example.org
  "Second Desk <desk@example.org>"
 }
 notification_email_from "Keepalived LB1 <ka@example.org>"
 smtp_server 127.0.0.1 ${port}
 smtp_helo_name helo.example.org
 smtp_alert
${extra}
}
vrrp_instance VI_1 {
 interface eth0
 virtual_router_id 1
 priority 100
 virtual_ipaddress {
  10.0.0.1
 }
}
`,
  );
  assert.ok(r.config, JSON.stringify(r.diagnostics));
  return r.config.global;
}

/** How long the caller was blocked, and how many 5 ms interval ticks happened while waiting. */
async function measure(start: () => void, wait: () => Promise<void>): Promise<{ syncMs: number; ticks: number }> {
  let ticks = 0;
  const iv = setInterval(() => ticks++, 5);
  try {
    const t0 = process.hrtime.bigint();
    start();
    const syncMs = Number(process.hrtime.bigint() - t0) / 1e6;
    await wait();
    return { syncMs, ticks };
  } finally {
    clearInterval(iv);
  }
}

test('keepalived smtp.c: envelope, headers, body and HELO name on a real SMTP server', async (t) => {
  const srv = await startServer();
  t.after(srv.close);
  const log = recordingLog();
  const alerter = new SmtpAlerter(globals(srv.port), log, { now: () => new Date(2026, 10, 1, 9, 5, 7) });
  t.after(() => alerter.close());

  alerter.alert('instance', 'VI_1', 'MASTER', null);
  await alerter.settled();

  assert.equal(srv.mails.length, 1, JSON.stringify(log.lines));
  const m = srv.mails[0];
  assert.ok(m);
  assert.equal(m.helo, 'helo.example.org');
  assert.equal(m.opening, 'EHLO', 'nodemailer greets with EHLO (keepalived: HELO); the name is the same');
  assert.equal(m.mailFrom, 'ka@example.org');
  assert.deepEqual(m.rcptTo, ['ops@example.org', 'desk@example.org']);
  const [head, ...rest] = m.data.split('\r\n\r\n');
  const headers = (head ?? '').split(/\r\n(?![ \t])/);
  assert.match(headers[0] ?? '', /^Date: Sun, 01 Nov 2026 09:05:07 [+-]\d{4}$/);
  assert.deepEqual(headers.slice(1), [
    'From: Keepalived LB1 <ka@example.org>',
    'Subject: [lb1] VRRP Instance VI_1 - Entering MASTER state',
    'X-Mailer: Keepalived',
    'To: ops@example.org,\r\n Second Desk <desk@example.org>',
  ]);
  assert.equal(rest.join('\r\n\r\n'), '=> VRRP Instance is now owning VRRP VIPs <=\r\n\r\n', 'the body line and keepalived\'s trailing empty line');
  assert.equal(log.lines.filter((l) => l.level !== 'debug').length, 0, JSON.stringify(log.lines));
});

test('keepalived vrrp_smtp_notifier: same state twice is one mail; groups mail their own text', async (t) => {
  const srv = await startServer();
  t.after(srv.close);
  const alerter = new SmtpAlerter(globals(srv.port), recordingLog());
  t.after(() => alerter.close());

  alerter.alert('instance', 'VI_1', 'BACKUP', null);
  alerter.alert('instance', 'VI_1', 'BACKUP', null);
  await alerter.settled();
  alerter.alert('instance', 'VI_1', 'BACKUP', null);
  alerter.alert('group', 'G1', 'MASTER', null);
  alerter.alert('instance', 'VI_2', 'STOP', false); // its own smtp_alert off
  await alerter.settled();

  const subjects = srv.mails.map((m) => /^Subject: (.*)$/m.exec(m.data)?.[1]).sort();
  assert.deepEqual(subjects, ['[lb1] VRRP Group G1 - Entering MASTER state', '[lb1] VRRP Instance VI_1 - Entering BACKUP state']);
  const group = srv.mails.find((m) => m.data.includes('VRRP Group'));
  assert.match(group?.data ?? '', /\r\n\r\n=> All VRRP group instances are now in MASTER state <=\r\n/);
});

test('no_email_faults: FAULT is not mailed, the next state is', async (t) => {
  const srv = await startServer();
  t.after(srv.close);
  const alerter = new SmtpAlerter(globals(srv.port, 'no_email_faults'), recordingLog());
  t.after(() => alerter.close());
  alerter.alert('instance', 'VI_1', 'FAULT', null);
  alerter.alert('instance', 'VI_1', 'BACKUP', null);
  await alerter.settled();
  assert.deepEqual(srv.mails.map((m) => /^Subject: (.*)$/m.exec(m.data)?.[1]), ['[lb1] VRRP Instance VI_1 - Entering BACKUP state']);
});

test('closed smtp_server port: alert() returns at once, two failures make one log line, recovery is logged', async (t) => {
  const port = await closedPort();
  const log = recordingLog();
  const alerter = new SmtpAlerter(globals(port, 'smtp_connect_timeout 1'), log);
  t.after(() => alerter.close());

  const r = await measure(
    () => {
      alerter.alert('instance', 'VI_1', 'MASTER', null);
      alerter.alert('instance', 'VI_1', 'BACKUP', null);
    },
    () => alerter.settled(),
  );
  assert.ok(r.syncMs < 50, `alert() took ${r.syncMs} ms`);
  const failures = log.lines.filter((l) => l.level !== 'debug');
  assert.equal(failures.length, 1, JSON.stringify(log.lines));
  assert.equal(failures[0]?.level, 'warn');
  assert.match(failures[0]?.message ?? '', new RegExp(`SMTP alert to \\[127\\.0\\.0\\.1\\]:${port} failed: .*ECONNREFUSED`));

  // A server appears on that port: the next alert goes through and the recovery is logged.
  const srv = await startServer(port);
  t.after(srv.close);
  alerter.alert('instance', 'VI_1', 'MASTER', null);
  await alerter.settled();
  assert.equal(srv.mails.length, 1);
  const after = log.lines.filter((l) => l.level !== 'debug').slice(1);
  assert.equal(after.length, 1, JSON.stringify(log.lines));
  assert.match(after[0]?.message ?? '', /sent again after 2 failed alert\(s\)/);
});

test('smtp_connect_timeout: a server that never greets times out without blocking the event loop', async (t) => {
  const sockets = new Set<net.Socket>();
  const silent = net.createServer((s) => void sockets.add(s));
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
  t.after(() => {
    for (const s of sockets) s.destroy();
    silent.close();
  });
  const log = recordingLog();
  const alerter = new SmtpAlerter(globals((silent.address() as net.AddressInfo).port, 'smtp_connect_timeout 1'), log);
  t.after(() => alerter.close());

  const t0 = Date.now();
  const r = await measure(
    () => alerter.alert('instance', 'VI_1', 'MASTER', null),
    () => alerter.settled(),
  );
  const waitedMs = Date.now() - t0;
  assert.ok(r.syncMs < 50, `alert() took ${r.syncMs} ms`);
  assert.ok(waitedMs >= 900 && waitedMs < 5000, `gave up after ${waitedMs} ms`);
  assert.ok(r.ticks >= 100, `the event loop kept running (${r.ticks} ticks of 5 ms)`);
  const failures = log.lines.filter((l) => l.level !== 'debug');
  assert.equal(failures.length, 1, JSON.stringify(log.lines));
  assert.match(failures[0]?.message ?? '', /failed: .*(timeout|Greeting never received)/i);
});

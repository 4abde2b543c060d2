/**
 * SMTP alerts on state changes (reference B18) through nodemailer: plain SMTP to
 * smtp_server (no TLS, no AUTH, as keepalived), the message built by smtp-messages.ts. Owns
 * the per-name "last mailed state", the sending and its failure logging. It must never block
 * or throw at the caller: alert() returns at once, the mail goes out in the background, a
 * failure is logged once (then silence until a mail goes through, which is logged as a
 * recovery), and no promise is left unhandled.
 *
 * keepalived: core/smtp.c smtp_alert() and its state machine (HELO name, connect/read
 * timeout smtp_connect_timeout), core/global_data.c init_global_data() (defaults: HELO name
 * and From from the local host name), vrrp_notify.c vrrp_smtp_notifier().
 *
 * Differences from keepalived, on purpose: nodemailer greets with EHLO and falls back to
 * HELO only if EHLO is refused; the local name is os.hostname(), not the canonical name from
 * getaddrinfo(AI_CANONNAME) (the same name config/build.ts uses for router_id).
 */
import * as os from 'node:os';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import type { GlobalDefs } from '../config/model';
import type { Logger } from './logger';
import { alertMessage, envelopeAddress, mailConfigured, mailDue, rawMessage, resolveSmtpAlert, type AlertScope, type AlertState } from '../runtime/smtp-messages';

export type { AlertScope, AlertState } from '../runtime/smtp-messages';

export interface SmtpAlerterOptions {
  /** The local host name (HELO and From defaults); default os.hostname(). */
  readonly hostname?: string;
  /** The user name in the default From; default the process user. */
  readonly userName?: string;
  /** The Date header's clock; default the wall clock. */
  readonly now?: () => Date;
}

/** keepalived set_default_email_from(): `<user of our uid>@<local name>`. */
function defaultUserName(): string {
  try {
    return os.userInfo().username;
  } catch {
    // No passwd entry for our uid: keepalived then has no From at all; the man page's
    // documented default user is used instead.
    return 'keepalived';
  }
}

interface Sendable {
  sendMail(data: { envelope: { from: string; to: string[] }; raw: string }): Promise<unknown>;
  close(): void;
}

/**
 * A transport that loads nodemailer on its first mail: most daemons never send one, and the
 * module costs ~12 MiB of RSS and ~45 ms of start-up.
 */
function lazyTransport(options: SMTPTransport.Options): Sendable {
  let transport: Sendable | null = null;
  const get = (): Sendable => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    transport ??= (require('nodemailer') as typeof import('nodemailer')).createTransport(options);
    return transport;
  };
  return {
    sendMail: (mail) => get().sendMail(mail),
    close: () => transport?.close(),
  };
}

export class SmtpAlerter {
  private readonly lastMailed = new Map<string, AlertState>();
  private readonly pending = new Set<Promise<void>>();
  private readonly transport: Sendable | null;
  private readonly from: string;
  private readonly server: string;
  private readonly now: () => Date;
  /** Mails that failed since the last one that went through; > 0 means it was logged. */
  private failures = 0;
  private closed = false;

  constructor(
    private readonly global: GlobalDefs,
    private readonly log: Logger,
    options: SmtpAlerterOptions = {},
  ) {
    const localName = options.hostname ?? os.hostname();
    this.from = global.notificationEmailFrom ?? `${options.userName ?? defaultUserName()}@${localName}`;
    this.now = options.now ?? (() => new Date());
    const s = global.smtpServer;
    this.server = s === null ? '(none)' : `[${s.host}]:${s.port}`;
    if (s === null || !mailConfigured(global)) {
      this.transport = null;
      return;
    }
    const timeoutMs = global.smtpConnectTimeoutSec * 1000;
    this.transport = lazyTransport({
      host: s.host,
      port: s.port,
      secure: false,
      ignoreTLS: true,
      // keepalived helo_cmd(): smtp_helo_name, defaulting to the local name, else "localhost".
      name: global.smtpHeloName ?? (localName.length > 0 ? localName : 'localhost'),
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: timeoutMs,
      dnsTimeout: timeoutMs,
      logger: false,
      debug: false,
      disableFileAccess: true,
      disableUrlAccess: true,
    });
  }

  /** Whether mail can go out at all: recipients and smtp_server configured. */
  get configured(): boolean {
    return this.transport !== null;
  }

  /** The envelope sender (notification_email_from or its keepalived default). */
  get sender(): string {
    return this.from;
  }

  /**
   * keepalived vrrp_smtp_notifier(): would entering `state` mail for this instance/group?
   * `smtpAlert` is its own smtp_alert (null = the global default).
   */
  wanted(scope: AlertScope, name: string, state: AlertState, smtpAlert: boolean | null): boolean {
    return mailDue({
      scope,
      state,
      smtpAlert: resolveSmtpAlert(smtpAlert, this.global),
      noEmailFaults: this.global.noEmailFaults,
      lastMailed: this.lastMailed.get(key(scope, name)) ?? null,
    });
  }

  /** A state change: mails in the background if one is due; returns at once, never throws. */
  alert(scope: AlertScope, name: string, state: AlertState, smtpAlert: boolean | null): void {
    if (this.closed || !this.wanted(scope, name, state, smtpAlert)) return;
    this.lastMailed.set(key(scope, name), state);
    const text = alertMessage(this.global.routerId, scope, name, state);
    if (this.transport === null || text === null) return;
    const raw = rawMessage({ date: this.now(), from: this.from, to: this.global.notificationEmail, subject: text.subject, body: text.body });
    const envelope = { from: envelopeAddress(this.from), to: this.global.notificationEmail.map(envelopeAddress) };
    let sending: Promise<unknown>;
    try {
      sending = this.transport.sendMail({ envelope, raw });
    } catch (e: unknown) {
      sending = Promise.reject(e);
    }
    const p: Promise<void> = sending
      .then(
        () => this.sent(text.subject),
        (e: unknown) => this.failed(e),
      )
      .catch(() => undefined) // a throwing logger must not leave a rejection behind
      .finally(() => this.pending.delete(p));
    this.pending.add(p);
  }

  /** Forget the last mailed state of a removed instance/group (a new one starts from none). */
  forget(scope: AlertScope, name: string): void {
    this.lastMailed.delete(key(scope, name));
  }

  /** Resolves when every mail started so far has been sent or has failed; never rejects. */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  /** No further alerts; mails already started finish (or time out) on their own. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.transport?.close();
  }

  private sent(subject: string): void {
    if (this.failures > 0) {
      this.log.info(`SMTP alert to ${this.server} sent again after ${this.failures} failed alert(s)`);
      this.failures = 0;
    }
    // keepalived body_code(): "SMTP alert successfully sent." at log detail.
    this.log.debug(`SMTP alert successfully sent: ${subject}`);
  }

  private failed(e: unknown): void {
    if (this.failures === 0) {
      this.log.warn(`SMTP alert to ${this.server} failed: ${reason(e)} - further failures are not logged until an alert gets through`);
    }
    this.failures++;
  }
}

function key(scope: AlertScope, name: string): string {
  return `${scope}:${name}`;
}

function reason(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' && !e.message.includes(code) ? `${code}: ${e.message}` : e.message;
}

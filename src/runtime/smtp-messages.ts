/**
 * What an SMTP alert says and whether one is due (reference B18), as pure functions: the
 * subject and one-line body keepalived 2.2.7 writes, the raw message with its headers, the
 * envelope addresses, and the send rules (smtp_alert resolution, no_email_faults, one mail
 * per state change). It never touches a socket or the clock: smtp-alert.ts does the sending
 * and passes the time in.
 *
 * keepalived: vrrp_notify.c vrrp_smtp_notifier()/vrrp_sync_smtp_notifier() (texts and
 * rules), core/smtp.c smtp_alert() (subject), mail_cmd()/rcpt_cmd() (envelope), body_cmd()
 * (headers), vrrp.c vrrp_complete_instance() and the sync-group completion (smtp_alert
 * default).
 */
import type { GlobalDefs } from '../config/model';

export type AlertState = 'MASTER' | 'BACKUP' | 'FAULT' | 'STOP' | 'DELETED';

export type AlertScope = 'instance' | 'group';

export interface AlertText {
  readonly subject: string;
  readonly body: string;
}

/** keepalived vrrp_smtp_notifier(): the words after `[router_id] VRRP Instance NAME - `. */
const INSTANCE_TEXT: Readonly<Record<AlertState, readonly [string, string]>> = {
  MASTER: ['Entering MASTER state', '=> VRRP Instance is now owning VRRP VIPs <='],
  BACKUP: ['Entering BACKUP state', '=> VRRP Instance is no longer owning VRRP VIPs <='],
  FAULT: ['Entering FAULT state', '=> VRRP Instance is no longer owning VRRP VIPs <='],
  STOP: ['Stopping', '=> VRRP Instance stopping <='],
  DELETED: ['Deleted', '=> VRRP Deleted at reload <='],
};

/** keepalived vrrp_sync_smtp_notifier(): groups have no DELETED mail. */
const GROUP_TEXT: Readonly<Partial<Record<AlertState, readonly [string, string]>>> = {
  MASTER: ['Entering MASTER state', '=> All VRRP group instances are now in MASTER state <='],
  BACKUP: ['Entering BACKUP state', '=> All VRRP group instances are now in BACKUP state <='],
  FAULT: ['Entering FAULT state', '=> All VRRP group instances are now in FAULT state <='],
  STOP: ['Stopping', '=> All VRRP group instances are now stopping <='],
};

/**
 * keepalived smtp_alert(): `[router_id] VRRP Instance NAME - ...` / `[router_id] VRRP Group
 * NAME - ...`; null for a state keepalived sends no mail for (a group's DELETED).
 */
export function alertMessage(routerId: string, scope: AlertScope, name: string, state: AlertState): AlertText | null {
  const text = scope === 'instance' ? INSTANCE_TEXT[state] : GROUP_TEXT[state];
  if (text === undefined) return null;
  const what = scope === 'instance' ? 'Instance' : 'Group';
  return { subject: `[${routerId}] VRRP ${what} ${name} - ${text[0]}`, body: text[1] };
}

/**
 * keepalived vrrp_complete_instance() (and the same for sync groups): an unset `smtp_alert`
 * takes the global `smtp_alert_vrrp`, else the global `smtp_alert`, else off.
 */
export function resolveSmtpAlert(own: boolean | null, global: Pick<GlobalDefs, 'smtpAlert' | 'smtpAlertVrrp'>): boolean {
  return own ?? global.smtpAlertVrrp ?? global.smtpAlert ?? false;
}

/** keepalived smtp_alert(): nothing is sent without recipients and an smtp_server. */
export function mailConfigured(global: Pick<GlobalDefs, 'notificationEmail' | 'smtpServer'>): boolean {
  return global.notificationEmail.length > 0 && global.smtpServer !== null;
}

export interface MailRuleInput {
  readonly scope: AlertScope;
  readonly state: AlertState;
  /** The resolved smtp_alert (resolveSmtpAlert). */
  readonly smtpAlert: boolean;
  readonly noEmailFaults: boolean;
  /** The state last mailed for this instance/group; null = none yet (keepalived INIT). */
  readonly lastMailed: AlertState | null;
}

/**
 * keepalived vrrp_smtp_notifier()/vrrp_sync_smtp_notifier(): a mail is due when smtp_alert is
 * on, the state is not FAULT under no_email_faults, it differs from the last mailed state,
 * and there is a text for it. When due, the caller records `state` as the last mailed one
 * (keepalived does so even when smtp_alert() then finds no server or recipients).
 */
export function mailDue(r: MailRuleInput): boolean {
  if (!r.smtpAlert) return false;
  if (r.noEmailFaults && r.state === 'FAULT') return false;
  if (r.lastMailed === r.state) return false;
  return r.scope === 'instance' ? INSTANCE_TEXT[r.state] !== undefined : GROUP_TEXT[r.state] !== undefined;
}

/**
 * keepalived mail_cmd()/rcpt_cmd(): a configured `Name <addr>` goes on the envelope as the
 * part from the last '<' (brackets stripped here, nodemailer adds them); anything else as is.
 */
export function envelopeAddress(configured: string): string {
  const lt = configured.lastIndexOf('<');
  if (configured.endsWith('>') && lt !== -1) return configured.slice(lt + 1, -1);
  return configured;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

const two = (n: number): string => String(n).padStart(2, '0');

/** keepalived body_cmd(): strftime "%a, %d %b %Y %H:%M:%S %z" in local time (C locale). */
export function rfc822Date(d: Date): string {
  const off = -d.getTimezoneOffset();
  const sign = off < 0 ? '-' : '+';
  const abs = Math.abs(off);
  const zone = `${sign}${two(Math.floor(abs / 60))}${two(abs % 60)}`;
  const time = `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
  return `${DAYS[d.getDay()] ?? ''}, ${two(d.getDate())} ${MONTHS[d.getMonth()] ?? ''} ${d.getFullYear()} ${time} ${zone}`;
}

export interface RawMessageInput {
  readonly date: Date;
  /** notification_email_from as configured (may be `Name <addr>`). */
  readonly from: string;
  /** notification_email as configured. */
  readonly to: readonly string[];
  readonly subject: string;
  readonly body: string;
}

/**
 * keepalived body_cmd(): Date, From, Subject, `X-Mailer: Keepalived`, then To with the
 * recipients folded one per line (`To: a,\r\n b`), a blank line, the body line and one more
 * empty line. The SMTP layer adds the terminating `.` (and dot-stuffing).
 */
export function rawMessage(m: RawMessageInput): string {
  const to = m.to.map((a, i) => (i === 0 ? ` ${a}` : `,\r\n ${a}`)).join('');
  return `Date: ${rfc822Date(m.date)}\r\nFrom: ${m.from}\r\nSubject: ${m.subject}\r\nX-Mailer: Keepalived\r\nTo:${to}\r\n\r\n${m.body}\r\n\r\n`;
}

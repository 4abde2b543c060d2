/**
 * The host facts keepalived's data dump shows beside the instances (runtime/status.ts
 * StatusSnapshot): the interfaces as the kernel lists them (sysfs, /proc/net/if_inet6 and the
 * address manager), how each configured command is run (resolved path, uid:gid, keepalived's
 * "insecure" verdict), the notify FIFOs' owners, the default script user, the local host name
 * and the time zone offset. Read on demand, when a dump is asked for; never on a hot path.
 * Anything that cannot be read is left out or shown as keepalived shows an unknown, never thrown.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Config, NotifyFifo, ScriptCommand } from '../config/model';
import type { InterfaceStatus, ScriptExec, StatusSnapshot, UidGid } from '../runtime/status';
import { systemAccounts } from './accounts';
import { resolveScriptIdentity, planScriptExec } from './script-exec';
import { fifoOwner } from './notify-fifo';
import type { AddressManager } from './ports';

/** The snapshot's host facts (runtime/status.ts), and where each track_file resolves. */
export type HostStatus = Pick<StatusSnapshot, 'interfaces' | 'scriptExec' | 'fifoOwners' | 'defaultScriptIds' | 'localName' | 'utcOffsetSec'> & {
  /** Each track_file's realpath(), or null when it does not resolve. */
  readonly trackFilePaths: ReadonlyMap<string, string | null>;
};

/** linux/if.h */
const IFF = { UP: 0x1, BROADCAST: 0x2, LOOPBACK: 0x8, POINTOPOINT: 0x10, NOARP: 0x80, MULTICAST: 0x1000 } as const;

function sysfs(ifname: string, attr: string): string | null {
  try {
    return fs.readFileSync(path.join('/sys/class/net', ifname, attr), 'utf8').trim();
  } catch {
    return null;
  }
}

/** ifname -> IPv6 addresses (link-local first), from /proc/net/if_inet6. */
function ipv6ByInterface(): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let text = '';
  try {
    text = fs.readFileSync('/proc/net/if_inet6', 'utf8');
  } catch {
    return out;
  }
  for (const line of text.split('\n')) {
    const [hex, , , scope, , name] = line.trim().split(/\s+/);
    if (hex === undefined || name === undefined || hex.length !== 32) continue;
    const groups = hex.match(/.{4}/g) ?? [];
    const addr = groups.map((g) => g.replace(/^0+(?=.)/, '')).join(':').replace(/(^|:)0(:0)+(:|$)/, '::').replace(/:{3,}/, '::');
    const list = out.get(name) ?? [];
    if (scope === '20') list.unshift(addr);
    else list.push(addr);
    out.set(name, list);
  }
  return out;
}

async function interfaces(addresses: AddressManager, exclude: ReadonlySet<string>): Promise<InterfaceStatus[]> {
  let names: string[] = [];
  try {
    names = fs.readdirSync('/sys/class/net');
  } catch {
    return [];
  }
  const v6 = ipv6ByInterface();
  const out: InterfaceStatus[] = [];
  for (const name of names) {
    const index = Number(sysfs(name, 'ifindex') ?? 0);
    const flags = parseInt(sysfs(name, 'flags') ?? '0', 16) || 0;
    const v4 = (await addresses.list(name).catch(() => [])).map((a) => a.address).filter((a) => !exclude.has(a));
    const six = (v6.get(name) ?? []).filter((a) => !exclude.has(a));
    const hwType = Number(sysfs(name, 'type') ?? 0);
    const mac = sysfs(name, 'address');
    out.push({
      name,
      index,
      ipv4: v4[0] ?? null,
      extraIpv4: v4.slice(1),
      ipv6: six[0] ?? null,
      extraIpv6: six.slice(1),
      mac: mac !== null && mac !== '' && hwType !== 772 ? mac : null,
      macBroadcast: hwType !== 772 ? sysfs(name, 'broadcast') : null,
      flags: {
        up: (flags & IFF.UP) !== 0,
        running: sysfs(name, 'operstate') === 'up' || (hwType === 772 && (flags & IFF.UP) !== 0),
        broadcast: (flags & IFF.BROADCAST) !== 0,
        loopback: (flags & IFF.LOOPBACK) !== 0,
        pointToPoint: (flags & IFF.POINTOPOINT) !== 0,
        noArp: (flags & IFF.NOARP) !== 0,
        multicast: (flags & IFF.MULTICAST) !== 0,
      },
      mtu: Number(sysfs(name, 'mtu') ?? 0),
      hwType,
    });
  }
  return out.sort((a, b) => a.index - b.index);
}

/** keepalived check_script_secure(): run as root, and the file or a directory above it is writable by someone else. */
function insecure(file: string, uid: number): boolean {
  if (uid !== 0) return false;
  for (let p = file; ; p = path.dirname(p)) {
    try {
      const st = fs.statSync(p);
      if (st.uid !== 0 || (st.mode & 0o002) !== 0 || ((st.mode & 0o020) !== 0 && st.gid !== 0)) return true;
    } catch {
      return false;
    }
    if (p === path.dirname(p)) return false;
  }
}

function commandsOf(config: Config): ScriptCommand[] {
  const out: ScriptCommand[] = [];
  const add = (c: ScriptCommand | null | undefined): void => void (c ? out.push(c) : undefined);
  for (const s of config.scripts) add(s.script);
  for (const i of config.instances) for (const c of Object.values(i.notify)) if (c !== null && typeof c === 'object') add(c as ScriptCommand);
  for (const g of config.syncGroups) for (const c of Object.values(g.notify)) if (c !== null && typeof c === 'object') add(c as ScriptCommand);
  return out;
}

function scriptExec(config: Config): Map<ScriptCommand, ScriptExec> {
  const out = new Map<ScriptCommand, ScriptExec>();
  for (const cmd of commandsOf(config)) {
    try {
      const who = resolveScriptIdentity(cmd, config.global.scriptUser);
      const plan = planScriptExec(cmd, who);
      const file = plan.viaShell ? plan.file : fs.realpathSync(plan.file);
      out.set(cmd, { path: file, uid: who.uid, gid: who.gid, insecure: insecure(file, who.uid) });
    } catch {
      // Shown as configured, 0:0 (status.ts), as keepalived shows a script it cannot resolve.
    }
  }
  return out;
}

function realpathOrNull(file: string): string | null {
  try {
    return fs.realpathSync(file);
  } catch {
    return null;
  }
}

export async function readHostStatus(config: Config, addresses: AddressManager): Promise<HostStatus> {
  const vips = new Set<string>();
  for (const i of config.instances) for (const v of [...i.virtualIpaddress, ...i.virtualIpaddressExcluded]) vips.add(v.address);
  for (const v of config.staticAddresses) vips.add(v.address);
  const fifoOwners = new Map<NotifyFifo, UidGid>();
  for (const f of [config.global.notifyFifo, config.global.vrrpNotifyFifo]) {
    if (f === null) continue;
    const o = fifoOwner(f, config.global, systemAccounts);
    if (o !== null) fifoOwners.set(f, o);
  }
  let defaultScriptIds: UidGid | null = null;
  try {
    const who = resolveScriptIdentity({ args: ['/bin/true'], text: '/bin/true', user: null, group: null, at: { file: '', line: 0, col: 0 } }, config.global.scriptUser);
    defaultScriptIds = { uid: who.uid, gid: who.gid };
  } catch {
    defaultScriptIds = null;
  }
  return {
    interfaces: await interfaces(addresses, vips),
    scriptExec: scriptExec(config),
    fifoOwners,
    defaultScriptIds,
    localName: os.hostname() || null,
    utcOffsetSec: -new Date().getTimezoneOffset() * 60,
    trackFilePaths: new Map(config.trackFiles.map((f) => [f.name, realpathOrNull(f.file)])),
  };
}

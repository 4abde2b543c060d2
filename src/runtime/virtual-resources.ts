/**
 * One instance's host resources while it is MASTER: its VIPs and excluded VIPs (routes and
 * rules join them here). Owns what it installed, so a reload applies a difference (added
 * addresses added, removed ones removed, unchanged ones untouched), and the window in which a
 * kernel RTM_DELADDR is the echo of its own removal rather than someone else's.
 *
 * Every call is idempotent (the AddressManager treats present-on-add and gone-on-remove as
 * done); one address failing is logged and never stops the others.
 */
import type { AddressManager, AddressSpec, Clock } from '../io/ports';
import { errorMessage } from '../io/errors';
import type { Logger } from '../io/logger';
import { addressId } from './reload-plan';

/** How long the kernel's echo of our own VIP removal may take to arrive. */
export const OWN_REMOVAL_ECHO_US = 1_000_000;

function keysOf(addresses: readonly AddressSpec[]): Set<string> {
  return new Set(addresses.map((a) => `${a.address} ${a.ifname}`));
}

export class VirtualResources {
  private desired: readonly AddressSpec[];
  /** `address ifname` of each desired address: a link event is checked in O(1). */
  private desiredKeys: ReadonlySet<string>;
  private readonly installed = new Map<string, AddressSpec>();
  private removedAtUs = -Infinity;

  constructor(
    private name: string,
    addresses: readonly AddressSpec[],
    private readonly manager: AddressManager,
    private readonly log: Logger,
    private readonly clock: Clock,
  ) {
    this.desired = addresses;
    this.desiredKeys = keysOf(addresses);
  }

  /** A reload: the addresses it should hold from now on (applied by sync()). */
  configure(name: string, addresses: readonly AddressSpec[]): void {
    this.name = name;
    this.desired = addresses;
    this.desiredKeys = keysOf(addresses);
  }

  /** Entering MASTER: add every configured address. */
  async install(): Promise<void> {
    for (const spec of this.desired) if (await this.apply('add', spec)) this.installed.set(addressId(spec), spec);
  }

  /** Leaving MASTER, or start-up clean-up: remove what is configured and what it still holds. */
  async remove(): Promise<void> {
    this.removedAtUs = this.clock.nowUs();
    const all = new Map(this.desired.map((s) => [addressId(s), s]));
    for (const [id, spec] of this.installed) all.set(id, spec);
    this.installed.clear();
    for (const spec of all.values()) await this.apply('remove', spec);
  }

  /** A MASTER after a reload: the difference only. Returns the addresses it added. */
  async sync(): Promise<AddressSpec[]> {
    const want = new Map(this.desired.map((s) => [addressId(s), s]));
    for (const [id, spec] of this.installed) {
      if (want.has(id)) continue;
      this.removedAtUs = this.clock.nowUs();
      this.installed.delete(id);
      await this.apply('remove', spec);
    }
    const added: AddressSpec[] = [];
    for (const [id, spec] of want) {
      if (this.installed.has(id)) continue;
      if (await this.apply('add', spec)) {
        this.installed.set(id, spec);
        added.push(spec);
      }
    }
    return added;
  }

  /**
   * keepalived netlink RTM_DELADDR: is `address` on `ifname` one of ours, removed by someone
   * else (not the echo of our own removal)?
   */
  lostToOthers(address: string, ifname: string): boolean {
    if (!this.desiredKeys.has(`${address} ${ifname}`)) return false;
    return this.clock.nowUs() - this.removedAtUs >= OWN_REMOVAL_ECHO_US;
  }

  private async apply(op: 'add' | 'remove', spec: AddressSpec): Promise<boolean> {
    try {
      await (op === 'add' ? this.manager.add(spec) : this.manager.remove(spec));
      return true;
    } catch (e) {
      this.log.error(`(${this.name}) ${spec.address}/${spec.prefixLength} on ${spec.ifname}: ${errorMessage(e)}`);
      return false;
    }
  }
}

/**
 * systemd readiness notification (sd_notify(3)) through the native addon, for Type=notify
 * units: READY=1 once the instances run, STOPPING=1 at shutdown, STATUS=<text> for
 * `systemctl status`. Outside systemd ($NOTIFY_SOCKET unset) every call is a cheap `false`
 * and the addon is not even loaded. It decides nothing about when to notify; failures are TsvrrpdIoError, which the
 * caller should log and not treat as fatal.
 */
import { TsvrrpdIoError, ioCode } from './errors';
import { NativeAddonError, isNativeSystemError, loadNative, type NativeAddon } from './native';

/** The addon by default; tests may pass a fake. */
export type SdNotifyAddon = () => Pick<NativeAddon, 'sdNotify'>;

/** Send one raw sd_notify state ("READY=1", "STATUS=...", ...). True when sent, false outside systemd. */
export function sdNotify(state: string, addon: SdNotifyAddon = loadNative): boolean {
  if (process.env['NOTIFY_SOCKET'] === undefined || process.env['NOTIFY_SOCKET'] === '') return false;
  const operation = `sd_notify ${JSON.stringify(state)}`;
  let native: Pick<NativeAddon, 'sdNotify'>;
  try {
    native = addon();
  } catch (e: unknown) {
    if (!(e instanceof NativeAddonError)) throw e;
    throw new TsvrrpdIoError(e.code === 'NATIVE_NOT_BUILT' ? 'ENOENT' : 'EIO', e.message, { cause: e });
  }
  try {
    return native.sdNotify(state);
  } catch (e: unknown) {
    throw new TsvrrpdIoError(ioCode(isNativeSystemError(e) ? e.code : undefined), operation, { cause: e });
  }
}

/** READY=1: startup finished (instances created, sockets open). */
export function notifyReady(addon?: SdNotifyAddon): boolean {
  return sdNotify('READY=1', addon);
}

/** STOPPING=1: shutdown has begun (before the priority-0 adverts and VIP removal). */
export function notifyStopping(addon?: SdNotifyAddon): boolean {
  return sdNotify('STOPPING=1', addon);
}

/** STATUS=<text>: one line for `systemctl status`; newlines become spaces. */
export function notifyStatus(text: string, addon?: SdNotifyAddon): boolean {
  return sdNotify(`STATUS=${text.replace(/[\r\n]+/g, ' ')}`, addon);
}

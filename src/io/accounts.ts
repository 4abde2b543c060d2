/**
 * User and group names looked up in /etc/passwd and /etc/group (Node has no getpwnam(3);
 * NSS sources such as LDAP are not consulted). Used for the script user (script-exec.ts) and
 * the notify FIFO's owner (notify-fifo.ts).
 */
import * as fs from 'node:fs';

/** The user and group databases; null when a name is unknown. */
export interface AccountDb {
  user(name: string): { readonly uid: number; readonly gid: number } | null;
  group(name: string): number | null;
}

/** The fields of the `name:...` line of a passwd/group style file; null if absent or unreadable. */
function findEntry(file: string, name: string): string[] | null {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  for (const line of text.split('\n')) {
    const fields = line.split(':');
    if (fields[0] === name && fields.length >= 4) return fields;
  }
  return null;
}

function idField(v: string | undefined): number | null {
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : null;
}

export const systemAccounts: AccountDb = {
  user(name) {
    const f = findEntry('/etc/passwd', name);
    const uid = idField(f?.[2]);
    const gid = idField(f?.[3]);
    return uid === null || gid === null ? null : { uid, gid };
  },
  group(name) {
    return idField(findEntry('/etc/group', name)?.[2]);
  },
};

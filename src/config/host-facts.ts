/**
 * The port through which validation asks about the host, as keepalived -t does: which
 * interfaces exist, the hostname (router_id default), users and groups (script_user), and the
 * security of script files (enable_script_security). Injected so validation stays pure.
 */

export interface InterfaceFacts {
  readonly name: string;
  readonly loopback: boolean;
}

export interface ScriptFileFacts {
  /** The resolved path, or null when the file is not found (on PATH for bare names). */
  readonly path: string | null;
  readonly executable: boolean;
  /** A non-root user can write the file or a directory on its path (keepalived: unsafe). */
  readonly writableByNonRoot: boolean;
}

export interface HostFacts {
  readonly hostname: string;
  interface(name: string): InterfaceFacts | null;
  userExists(name: string): boolean;
  groupExists(name: string): boolean;
  scriptFile(program: string): ScriptFileFacts;
  /** Whether this process runs as root (keepalived only enforces script security as root). */
  readonly runningAsRoot: boolean;
}

/**
 * keepalived's script security rules, checked over every configured script: scripts that
 * cannot be found are disabled, scripts a non-root user could modify are refused when run as
 * root with `enable_script_security`, and running any script without
 * `enable_script_security` is keepalived's "SECURITY VIOLATION" (exit 6 from -t).
 * keepalived: vrrp.c check_vrrp_script_security(), check_track_script_secure();
 * notify.c check_script_secure().
 */
import type { DiagnosticSink } from './diagnostics';
import type { ConfigDraft } from './draft';
import type { HostFacts } from './host-facts';
import type { ScriptCommand } from './model';

interface Verdict {
  readonly isScript: boolean;
  readonly usable: boolean;
  readonly insecure: boolean;
}

/** Does `cmd` run as root? The default user is keepalived_script when it exists, else root. */
function runsAsRoot(cmd: ScriptCommand, draft: ConfigDraft, host: HostFacts): boolean {
  const user = cmd.user ?? draft.global.scriptUser?.user ?? (host.userExists('keepalived_script') ? 'keepalived_script' : null);
  return user === null ? host.runningAsRoot : user === 'root';
}

function checkOne(cmd: ScriptCommand, draft: ConfigDraft, host: HostFacts, sink: DiagnosticSink): Verdict {
  const program = cmd.args[0] ?? '';
  // `</path` only tests that a file can be opened; nothing is executed.
  if (/^<[ \t]*\//.test(program)) return { isScript: false, usable: true, insecure: false };
  const facts = host.scriptFile(program);
  if (facts.path === null) {
    const msg = program.includes('/')
      ? `Script ${program} cannot be accessed - No such file or directory`
      : `Cannot find script ${program} in path - disabling`;
    sink.report('NOTICE', 'CFG_SCRIPT_NOT_FOUND', msg, cmd.at);
    return { isScript: false, usable: false, insecure: false };
  }
  if (!facts.executable) {
    sink.report('NOTICE', 'CFG_SCRIPT_NOT_EXECUTABLE', `WARNING - script '${program}' is not executable - disabling.`, cmd.at);
    return { isScript: true, usable: false, insecure: false };
  }
  const insecure = runsAsRoot(cmd, draft, host) && facts.writableByNonRoot;
  if (insecure && draft.global.enableScriptSecurity) {
    sink.report('NOTICE', 'CFG_SCRIPT_UNSAFE', `Unsafe permissions found for script '${program}' - disabling.`, cmd.at);
    return { isScript: true, usable: false, insecure: true };
  }
  return { isScript: true, usable: true, insecure };
}

/** keepalived main.c: start-up and shutdown scripts are checked even without instances. */
export function checkStartStopScriptSecurity(draft: ConfigDraft, host: HostFacts, sink: DiagnosticSink): void {
  const scripts = [draft.global.startupScript, draft.global.shutdownScript].filter((s): s is ScriptCommand => s !== null);
  let anyScript = false;
  let anyInsecure = false;
  for (const cmd of scripts) {
    const v = checkOne(cmd, draft, host, sink);
    anyScript ||= v.isScript;
    anyInsecure ||= v.insecure;
  }
  if (anyScript && !draft.global.enableScriptSecurity) {
    sink.report(
      'SECURITY_ERROR',
      'CFG_SCRIPT_SECURITY',
      `SECURITY VIOLATION - start/shutdown scripts are being executed but script_security not enabled.${anyInsecure ? ' There are insecure scripts.' : ''}`,
      scripts[0]?.at ?? null,
    );
  }
}

export function checkScriptSecurity(draft: ConfigDraft, host: HostFacts, sink: DiagnosticSink): void {
  let anyScript = false;
  let anyInsecure = false;
  const trackScripts = new Set(draft.scripts.map((s) => s.script));
  for (const cmd of draft.scriptCommands) {
    const v = checkOne(cmd, draft, host, sink);
    anyScript ||= v.isScript;
    anyInsecure ||= v.insecure;
    if (!v.usable && trackScripts.has(cmd)) {
      const s = draft.scripts.find((x) => x.script === cmd);
      if (!s) continue;
      const why = v.insecure ? 'due to insecure' : 'since not found/accessible';
      if (v.insecure || !v.isScript) sink.report('GENERAL_ERROR', 'CFG_TRACK_SCRIPT_DISABLED', `Disabling track script ${s.name} ${why}`, s.at);
      s.remove = true;
    }
  }
  if (anyScript && !draft.global.enableScriptSecurity) {
    const first = draft.scriptCommands[0];
    sink.report(
      'SECURITY_ERROR',
      'CFG_SCRIPT_SECURITY',
      `SECURITY VIOLATION - scripts are being executed but script_security not enabled.${anyInsecure ? ' There are insecure scripts.' : ''}`,
      first?.at ?? null,
    );
  }
}

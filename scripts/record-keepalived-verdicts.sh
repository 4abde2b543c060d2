#!/usr/bin/env bash
# record-keepalived-verdicts.sh - record keepalived's `-t` (config test) verdict for every case
# of the tsvrrpd --check-config differential corpus.
#
# Usage (as root):  scripts/record-keepalived-verdicts.sh
#
# What it does
#   * creates a throw-away network namespace tsv-rec-<pid> holding the interfaces the corpus
#     uses (lo, eth0..eth3 as two veth pairs, all up; eth0 10.0.0.1/24, eth1 10.0.1.1/24) and
#     writes that list to test/config-corpus/host.json;
#   * runs, inside it, `keepalived -t -f <abs path of case conf> -i <config-id>` for every case
#     under test/config-corpus/cases/ (a file NNN-name.conf, or a directory NNN-name/ holding
#     keepalived.conf), with cwd = the directory of the main conf, a fixed PATH, an empty
#     environment otherwise and `ulimit -n 1024` (the include-cycle case depends on it);
#   * writes test/config-corpus/expected.json (schema in test/config-corpus/README.md).
#
# Per-case directives, read from the leading comment lines of the main conf:
#   # config-id: ID            run with -i ID instead of the default (lb1)
#   # world-writable: RELPATH  chmod o+w RELPATH (relative to the case directory) while the
#                              case runs, then restore the mode (script-security cases)
#
# keepalived -t implies -n (no fork), no syslog, and prints its diagnostics on stderr only
# (log_message() is muted in config-test mode), so no -l/-D/-n flags are needed and nothing
# outside the namespace is touched (no pid files, no syslog).
#
# Idempotent: rerunning rewrites host.json and expected.json; nothing is installed.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
CORPUS="$ROOT/test/config-corpus"
CASES="$CORPUS/cases"
DEFAULT_ID=lb1
TIME_LIMIT=10
NS="tsv-rec-$$"

if ! command -v keepalived >/dev/null 2>&1; then
	echo "keepalived not found. Install it first, e.g.: apt-get install keepalived (Debian 12 ships 2.2.7)" >&2
	exit 1
fi
if ! command -v node >/dev/null 2>&1; then
	echo "node not found (needed to write expected.json)" >&2
	exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "must run as root (creates a network namespace)" >&2
	exit 1
fi
[ -d "$CASES" ] || { echo "no corpus at $CASES" >&2; exit 1; }

KA_VERSION=$(keepalived -v 2>&1 | sed -n 's/^Keepalived v\([0-9.]*\).*/\1/p' | head -n1)
[ "$KA_VERSION" = "2.2.7" ] || echo "warning: keepalived $KA_VERSION, the corpus was recorded with 2.2.7" >&2

WORK=$(mktemp -d /tmp/tsv-rec.XXXXXX)
declare -a RESTORE_MODES=()

restore_modes() {
	local entry
	for entry in "${RESTORE_MODES[@]+"${RESTORE_MODES[@]}"}"; do
		chmod "${entry%% *}" "${entry#* }" 2>/dev/null || true
	done
	RESTORE_MODES=()
}

cleanup() {
	restore_modes
	ip netns del "$NS" 2>/dev/null || true
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# ---- namespace -------------------------------------------------------------------------
ip netns add "$NS"
ip -n "$NS" link add eth0 type veth peer name eth1
ip -n "$NS" link add eth2 type veth peer name eth3
for ifc in lo eth0 eth1 eth2 eth3; do
	ip -n "$NS" link set "$ifc" up
done
ip -n "$NS" addr add 10.0.0.1/24 dev eth0
ip -n "$NS" addr add 10.0.1.1/24 dev eth1

printf '{"interfaces":["lo","eth0","eth1","eth2","eth3"],"configId":"%s"}\n' "$DEFAULT_ID" > "$CORPUS/host.json"

# ---- run every case --------------------------------------------------------------------
directive() { # directive NAME FILE -> values of "# NAME: value" in the leading comment block
	awk -v name="$1" '
		/^[ \t]*[#!]/ {
			line = $0
			sub(/^[ \t]*[#!][ \t]*/, "", line)
			if (index(line, name ":") == 1) {
				v = substr(line, length(name) + 2)
				gsub(/^[ \t]+|[ \t]+$/, "", v)
				print v
			}
			next
		}
		/^[ \t]*$/ { next }
		{ exit }
	' "$2" 2>/dev/null || true
}

: > "$WORK/index.tsv"
n=0
for entry in "$CASES"/*; do
	name=$(basename "$entry")
	if [ -d "$entry" ]; then
		id_case="$name"
		conf_rel="$name/keepalived.conf"
	elif [[ "$name" == *.conf ]]; then
		id_case="${name%.conf}"
		conf_rel="$name"
	else
		continue
	fi
	conf_abs="$CASES/$conf_rel"
	run_dir=$(dirname "$conf_abs")

	config_id=$(directive config-id "$conf_abs" | head -n1)
	[ -n "$config_id" ] || config_id="$DEFAULT_ID"

	ww_list=""
	while IFS= read -r rel; do
		[ -n "$rel" ] || continue
		target="$run_dir/$rel"
		[ -e "$target" ] || { echo "$id_case: world-writable target $rel missing" >&2; exit 1; }
		RESTORE_MODES+=("$(stat -c '%a' "$target") $target")
		chmod o+w "$target"
		if [ -d "$entry" ]; then rel_from_cases="$name/$rel"; else rel_from_cases="$rel"; fi
		ww_list+="${ww_list:+,}$rel_from_cases"
	done < <(directive world-writable "$conf_abs")

	set +e
	(
		cd "$run_dir"
		ulimit -n 1024
		exec env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C \
			timeout "$TIME_LIMIT" ip netns exec "$NS" \
			keepalived -t -f "$conf_abs" -i "$config_id"
	) > "$WORK/$id_case.out" 2> "$WORK/$id_case.err" < /dev/null
	rc=$?
	set -e
	restore_modes
	[ "$rc" -eq 124 ] && rc=-1   # timed out

	printf '%s\t%s\t%s\t%s\t%s\n' "$id_case" "$conf_rel" "$config_id" "$rc" "$ww_list" >> "$WORK/index.tsv"
	n=$((n + 1))
done

# ---- assemble expected.json ------------------------------------------------------------
CASES="$CASES" WORK="$WORK" KA_VERSION="$KA_VERSION" OUT="$CORPUS/expected.json" node - <<'EOF'
const fs = require('fs');
const path = require('path');
const { CASES, WORK, KA_VERSION, OUT } = process.env;

// Lines that are not configuration diagnostics. keepalived -t mutes log_message(), so in
// practice none of these appear; the filter stays in case a build logs to the console.
const NOISE = [
  /^Starting Keepalived/, /^Running on /, /^Command line:/, /^Configuration file /,
  /^Opening file /, /^Script user /, /^Stopped Keepalived/, /^Stopping/,
  /^\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}: /, // console timestamped log lines
];

function listFiles(dir, base = '') {
  let out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const rel = base ? `${base}/${e.name}` : e.name;
    if (e.isDirectory()) out = out.concat(listFiles(path.join(dir, e.name), rel));
    else out.push(rel);
  }
  return out;
}

const warnings = [];
// keepalived prints a file either as given on the command line (absolute here), relative to
// the main conf's directory (passes that read the config copy), or as written in the include
// statement, i.e. relative to the including file (first pass). Map all to cases/-relative.
function normFile(f, c) {
  const caseDirAbs = path.join(CASES, c.id);
  const runDir = path.dirname(path.join(CASES, c.conf));
  if (path.isAbsolute(f)) {
    const p = path.normalize(f);
    return p.startsWith(CASES + '/') ? p.slice(CASES.length + 1) : p;
  }
  const direct = path.resolve(runDir, f);
  if (fs.existsSync(direct) && direct.startsWith(CASES + '/')) return direct.slice(CASES.length + 1);
  if (c.isDir) {
    const want = path.normalize(f).replace(/^(\.\.\/)+/, '');
    const hits = listFiles(caseDirAbs).filter((r) => r === want || r.endsWith('/' + want));
    if (hits.length === 1) return `${c.id}/${hits[0]}`;
    if (hits.length > 1) warnings.push(`${c.id}: ambiguous file name ${f} (${hits.join(', ')})`);
  }
  if (!fs.existsSync(direct)) warnings.push(`${c.id}: cannot map file name ${f}`);
  return f;
}

function normText(t) {
  return t.split(CASES + '/').join('');
}

const cases = {};
const index = fs.readFileSync(path.join(WORK, 'index.tsv'), 'utf8').split('\n').filter(Boolean);
for (const row of index) {
  const [id, conf, configId, rc, ww] = row.split('\t');
  const c = { id, conf, isDir: conf.includes('/') };
  const err = fs.readFileSync(path.join(WORK, `${id}.err`), 'utf8');
  const out = fs.readFileSync(path.join(WORK, `${id}.out`), 'utf8');
  if (out.trim()) warnings.push(`${id}: unexpected stdout: ${out.trim().slice(0, 200)}`);
  const messages = [];
  for (const raw of err.split('\n')) {
    if (raw === '' || NOISE.some((re) => re.test(raw))) continue;
    let m;
    if ((m = /^\((.+?): Line (\d+)\) (.*)$/s.exec(raw))) {
      messages.push({ file: normFile(m[1], c), line: Number(m[2]), text: normText(m[3]) });
    } else if ((m = /^\(Line (\d+)\) (.*)$/s.exec(raw))) {
      messages.push({ file: null, line: Number(m[1]), text: normText(m[2]) });
    } else {
      messages.push({ file: null, line: null, text: normText(raw) });
    }
  }
  const rec = { conf, configId, exit: Number(rc), messages };
  if (ww) rec.worldWritable = ww.split(',');
  if (rec.exit === -1) rec.timedOut = true;          // killed after the time limit
  if (rec.exit > 128) rec.signal = rec.exit - 128;   // keepalived crashed (e.g. 11 = SIGSEGV)
  cases[id] = rec;
}
const sorted = {};
for (const k of Object.keys(cases).sort()) sorted[k] = cases[k];
fs.writeFileSync(OUT, JSON.stringify({ keepalived: KA_VERSION, cases: sorted }, null, 2) + '\n');

const dist = {};
for (const c of Object.values(sorted)) dist[c.exit] = (dist[c.exit] || 0) + 1;
console.error(`recorded ${Object.keys(sorted).length} cases -> ${OUT}`);
console.error('exit codes: ' + Object.entries(dist).map(([k, v]) => `${k}:${v}`).join(' '));
for (const w of warnings) console.error('warning: ' + w);
EOF

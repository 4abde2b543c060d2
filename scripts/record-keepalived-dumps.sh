#!/usr/bin/env bash
# record-keepalived-dumps.sh - record keepalived 2.2.7's SIGUSR1 / SIGUSR2 / JSON dump files
# (keepalived.data, keepalived.stats, keepalived.json) for a few small configs, as the golden
# files test/unit/runtime/status.test.ts compares src/runtime/status.ts's renderers with.
#
# Usage (as root):  scripts/record-keepalived-dumps.sh [CASE...]
#
# What it does, for every case (all of them when no CASE is named):
#   * writes the case's keepalived.conf to test/fixtures/keepalived-dumps/<case>/;
#   * creates two throw-away network namespaces tsv-dmp-<pid>-a and -b joined by two veth
#     pairs (a: eth0 10.77.0.1/24, eth1 10.77.1.1/24; b: eth0 10.77.0.2/24, eth1). Nothing is
#     sent outside them. Both are deleted by an EXIT trap, on failure and Ctrl-C too;
#   * runs, in a, `keepalived -P -n -l -G -f CONF -p PID -r VRRP_PID` with TMPDIR set to a
#     private absolute directory (keepalived 2.2.7 writes its dump files to $TMPDIR when it is
#     absolute, else to /tmp: lib/utils.c set_tmp_dir()), so the host's /tmp/keepalived.* are
#     never touched; -G keeps it off the host's syslog. It runs in its own UTS namespace with
#     the host name localhost (resolvable everywhere: keepalived defaults smtp_helo_name to its
#     canonical name), with TZ=UTC, and the veths have fixed MACs, so nothing in the
#     files depends on the recording host. Cases that want a peer run a second keepalived in b
#     the same way;
#   * waits for the instance(s) to reach the expected state (console log) and settle, sends
#     DATA (SIGUSR1), then STATS (SIGUSR2) and JSON (keepalived --signum=JSON) back to back,
#     waits for each file to appear and stop growing, and retries the pair until the counters
#     of .stats and .json agree (an advert can land between the two signals);
#   * copies the files next to the conf and notes their mode/owner (stat) in
#     test/fixtures/keepalived-dumps/RECORDING.txt (rewritten only when every case runs).
# After the cases it checks two rules on the real binary, writing the outcome to RECORDING.txt:
#   * STATS_CLEAR (signal 63) writes the stats file with the counters as they were, then
#     clears them (the next SIGUSR2 shows them back at zero);
#   * a relative TMPDIR falls back to /tmp, and `data_use_instance` with `instance NAME` names
#     the data file keepalived.NAME.data while .stats and .json keep their names. This run is
#     inside a private mount namespace whose /tmp and /run are fresh tmpfs mounts (keepalived
#     creates /run/keepalived/NAME for `instance`), read through /proc/PID/root, so the host's
#     /tmp and /run stay untouched.
#
# Idempotent: rerunning rewrites the fixtures; nothing is installed.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
OUT="$ROOT/test/fixtures/keepalived-dumps"
# A fixed private directory, so the paths inside the recorded configs (track_file) are stable.
WORK=/run/tsvrrpd-dump-record
NS_A="tsv-dmp-$$-a"
NS_B="tsv-dmp-$$-b"
SETTLE_SEC=4
REC_HOSTNAME=localhost
STATE_TIMEOUT_SEC=20

if ! command -v keepalived >/dev/null 2>&1; then
	echo "keepalived not found. Install it first, e.g.: apt-get install keepalived (Debian 12 ships 2.2.7)" >&2
	exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "must run as root (creates network namespaces)" >&2
	exit 1
fi
command -v node >/dev/null 2>&1 || { echo "node not found (compares .stats with .json)" >&2; exit 1; }
KA_VERSION=$(keepalived -v 2>&1 | sed -n 's/^Keepalived v\([0-9.]*\).*/\1/p' | head -n1)
[ "$KA_VERSION" = "2.2.7" ] || echo "warning: keepalived $KA_VERSION, the fixtures describe 2.2.7" >&2
SIG_DATA=$(keepalived --signum=DATA)
SIG_STATS=$(keepalived --signum=STATS)
SIG_STATS_CLEAR=$(keepalived --signum=STATS_CLEAR)
SIG_JSON=$(keepalived --signum=JSON)

if [ -e "$WORK" ]; then
	echo "$WORK exists: another recording is running, or a killed one left it (remove it)" >&2
	exit 1
fi

declare -a STARTED_PIDS=()

stop_keepalived() { # stop_keepalived PIDFILE: SIGTERM the parent named in PIDFILE, wait for it
	local pid
	pid=$(cat "$1" 2>/dev/null || true)
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null || return 0
	for _ in $(seq 1 100); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
}

cleanup() {
	local p alive
	for p in "${STARTED_PIDS[@]+"${STARTED_PIDS[@]}"}"; do
		kill -TERM "$p" 2>/dev/null || true
	done
	for _ in $(seq 1 50); do # keepalived's parent waits for its VRRP child: up to 5 s
		alive=0
		for p in "${STARTED_PIDS[@]+"${STARTED_PIDS[@]}"}"; do
			kill -0 "$p" 2>/dev/null && alive=1
		done
		[ "$alive" -eq 1 ] || break
		sleep 0.1
	done
	for p in "${STARTED_PIDS[@]+"${STARTED_PIDS[@]}"}"; do
		kill -KILL "$p" 2>/dev/null || true
	done
	ip netns del "$NS_A" 2>/dev/null || true
	ip netns del "$NS_B" 2>/dev/null || true
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

mkdir -m 0700 "$WORK"

# ---- the cases -------------------------------------------------------------------------------
# case_conf NAME: the config keepalived runs in namespace a. case_peer NAME: the peer's config in
# namespace b, or nothing. case_states NAME: "INSTANCE STATE" lines to wait for.
CASES=(master-unicast backup-tracking sync-group nopreempt-excluded)

case_conf() {
	case "$1" in
	master-unicast) cat <<'EOF'
! A lone MASTER: two VIPs, simple password, unicast to a silent peer.
global_defs {
    router_id tsv-rec-a
}

vrrp_instance VI_1 {
    state MASTER
    interface eth0
    virtual_router_id 51
    priority 150
    advert_int 1
    authentication {
        auth_type PASS
        auth_pass s3cret
    }
    unicast_src_ip 10.77.0.1
    unicast_peer {
        10.77.0.2
    }
    virtual_ipaddress {
        10.77.0.100/24
        10.77.0.101/24 dev eth0 label eth0:1
    }
}
EOF
	;;
	backup-tracking) cat <<'EOF'
! A BACKUP under a higher priority master, with a weighted vrrp_script and a track_interface.
global_defs {
    router_id tsv-rec-b
    enable_script_security
    script_user root
}

vrrp_script chk_ok {
    script "/bin/true"
    interval 1
    weight 10
    rise 2
    fall 2
}

vrrp_instance VI_2 {
    state BACKUP
    interface eth0
    virtual_router_id 52
    priority 100
    advert_int 1
    track_interface {
        eth1 weight -20
    }
    track_script {
        chk_ok
    }
    virtual_ipaddress {
        10.77.0.102/24
    }
}
EOF
	;;
	sync-group) cat <<'EOF'
! Two instances on two interfaces in one sync group; mail settings, a notify FIFO, group notify
! scripts, a static address, dont_track_primary, preempt_delay.
global_defs {
    router_id tsv-rec-c
    notification_email {
        ops@example.com
        noc@example.com
    }
    notification_email_from keepalived@example.com
    smtp_server 127.0.0.1 2525
    smtp_connect_timeout 5
    enable_script_security
    script_user root
    vrrp_garp_master_refresh 60
    vrrp_garp_master_repeat 3
    vrrp_notify_fifo /run/tsvrrpd-dump-record/notify.fifo
}

static_ipaddress {
    10.77.1.50/24 dev eth1
}

vrrp_sync_group G1 {
    group {
        VI_A
        VI_B
    }
    notify_master "/bin/true master"
    notify_backup "/bin/true backup"
}

vrrp_instance VI_A {
    state MASTER
    interface eth0
    virtual_router_id 61
    priority 120
    advert_int 1
    dont_track_primary
    virtual_ipaddress {
        10.77.0.110/24
    }
}

vrrp_instance VI_B {
    state BACKUP
    interface eth1
    virtual_router_id 62
    priority 120
    advert_int 1
    preempt_delay 5
    virtual_ipaddress {
        10.77.1.110/24
    }
}
EOF
	;;
	nopreempt-excluded) cat <<'EOF'
! nopreempt: stays BACKUP under a lower priority master; garp_master_delay, excluded VIPs,
! a track_file, notify scripts, a virtual route and rule.
global_defs {
    router_id tsv-rec-d
    enable_script_security
    script_user root
}

vrrp_track_file tf_weight {
    file /run/tsvrrpd-dump-record/track-weight
    weight 5
    init_file 0 overwrite
}

vrrp_instance VI_4 {
    state BACKUP
    nopreempt
    interface eth0
    virtual_router_id 54
    priority 110
    advert_int 2
    garp_master_delay 3
    garp_master_repeat 2
    track_file {
        tf_weight
    }
    notify_master "/bin/true to-master"
    notify "/bin/true"
    virtual_ipaddress {
        10.77.0.120/24
    }
    virtual_ipaddress_excluded {
        10.77.5.1/24
        10.77.5.2/24 dev eth1
    }
    virtual_routes {
        10.77.9.0/24 via 10.77.0.254 dev eth0
    }
    virtual_rules {
        from 10.77.0.120 table 100 preference 100
    }
}
EOF
	;;
	esac
}

case_peer() {
	case "$1" in
	backup-tracking) cat <<'EOF'
vrrp_instance PEER {
    state MASTER
    interface eth0
    virtual_router_id 52
    priority 200
    advert_int 1
    virtual_ipaddress {
        10.77.0.102/24
    }
}
EOF
	;;
	nopreempt-excluded) cat <<'EOF'
vrrp_instance PEER {
    state MASTER
    interface eth0
    virtual_router_id 54
    priority 100
    advert_int 2
    virtual_ipaddress {
        10.77.0.120/24
    }
}
EOF
	;;
	esac
}

case_states() {
	case "$1" in
	master-unicast) echo "VI_1 MASTER" ;;
	backup-tracking) echo "VI_2 BACKUP" ;;
	sync-group) printf '%s\n' "VI_A MASTER" "VI_B MASTER" ;;
	nopreempt-excluded) echo "VI_4 BACKUP" ;;
	esac
}

# ---- helpers -----------------------------------------------------------------------------------
make_namespaces() {
	ip netns add "$NS_A"
	ip netns add "$NS_B"
	# Fixed MACs, so the interfaces' MAC and IPv6 link-local lines are the same on every run.
	ip -n "$NS_A" link add eth0 address 02:77:00:00:00:01 type veth peer name eth0 address 02:77:00:00:00:02 netns "$NS_B"
	ip -n "$NS_A" link add eth1 address 02:77:00:00:01:01 type veth peer name eth1 address 02:77:00:00:01:02 netns "$NS_B"
	ip -n "$NS_A" addr add 10.77.0.1/24 dev eth0
	ip -n "$NS_A" addr add 10.77.1.1/24 dev eth1
	ip -n "$NS_B" addr add 10.77.0.2/24 dev eth0
	for ifc in lo eth0 eth1; do ip -n "$NS_A" link set "$ifc" up; done
	for ifc in lo eth0 eth1; do ip -n "$NS_B" link set "$ifc" up; done
}

delete_namespaces() {
	ip netns del "$NS_A" 2>/dev/null || true
	ip netns del "$NS_B" 2>/dev/null || true
}

# start_keepalived NS DIR: run keepalived on DIR/keepalived.conf in NS, TMPDIR=DIR/tmp.
start_keepalived() {
	local ns=$1 dir=$2
	mkdir -p "$dir/tmp"
	# Own UTS namespace with a fixed host name (keepalived's default smtp_helo_name) and TZ=UTC
	# (the ctime strings), so the files do not depend on the recording host.
	env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C TZ=UTC TMPDIR="$dir/tmp" \
		ip netns exec "$ns" unshare --uts sh -c 'hostname "$0" && exec keepalived "$@"' "$REC_HOSTNAME" \
		-P -n -l -G -f "$dir/keepalived.conf" -p "$dir/keepalived.pid" -r "$dir/vrrp.pid" \
		> "$dir/console.log" 2>&1 < /dev/null &
	STARTED_PIDS+=("$!")
	for _ in $(seq 1 50); do
		[ -s "$dir/keepalived.pid" ] && return 0
		sleep 0.1
	done
	echo "keepalived did not write $dir/keepalived.pid; its log:" >&2
	cat "$dir/console.log" >&2
	return 1
}

wait_state() { # wait_state LOG INSTANCE STATE
	local i
	for i in $(seq 1 $((STATE_TIMEOUT_SEC * 10))); do
		grep -q "($2) Entering $3 STATE" "$1" && return 0
		sleep 0.1
	done
	echo "($2) never reached $3; log:" >&2
	cat "$1" >&2
	return 1
}

wait_file() { # wait_file PATH: exists and its size is the same twice 100 ms apart
	local prev=-1 cur
	for _ in $(seq 1 100); do
		if [ -e "$1" ]; then
			cur=$(stat -c %s "$1")
			[ "$cur" = "$prev" ] && [ "$cur" -gt 0 ] && return 0
			prev=$cur
		fi
		sleep 0.1
	done
	echo "$1 did not appear" >&2
	return 1
}

stats_agree() { # stats_agree STATS JSON: the counters the two files share are equal
	node - "$1" "$2" <<'EOF'
const fs = require('fs');
const [stats, json] = process.argv.slice(2);
const byName = {};
let cur = null;
let section = '';
for (const line of fs.readFileSync(stats, 'utf8').split('\n')) {
  let m;
  if ((m = /^VRRP Instance: (.*)$/.exec(line))) { cur = byName[m[1]] = {}; continue; }
  if ((m = /^  (\S.*):$/.exec(line))) { section = m[1]; continue; }
  if ((m = /^ +(\S.*): (\d+)$/.exec(line)) && cur) cur[(line.startsWith('    ') ? section + '/' : '') + m[1]] = Number(m[2]);
}
const pairs = [['Advertisements/Received', 'advert_rcvd'], ['Advertisements/Sent', 'advert_sent'],
  ['Became master', 'become_master'], ['Released master', 'release_master'],
  ['Priority Zero/Received', 'pri_zero_rcvd'], ['Priority Zero/Sent', 'pri_zero_sent']];
for (const v of JSON.parse(fs.readFileSync(json, 'utf8'))) {
  const s = byName[v.data.iname];
  if (!s) process.exit(1);
  for (const [a, b] of pairs) if (s[a] !== v.stats[b]) process.exit(1);
}
EOF
}

modes() { # modes DIR FILE...: "name mode owner:group" lines
	local d=$1 f
	shift
	for f in "$@"; do
		printf '  %-24s %s\n' "$f" "$(stat -c '%A (%a) %U:%G' "$d/$f")"
	done
}

# ---- record ----------------------------------------------------------------------------------
record_case() {
	local name=$1 dir="$WORK/$1" peer="$WORK/$1-peer" dest="$OUT/$1" ka_pid line tries
	echo "== $name"
	mkdir -p "$dir" "$dest"
	case_conf "$name" > "$dir/keepalived.conf"
	cp "$dir/keepalived.conf" "$dest/keepalived.conf"
	make_namespaces
	if [ -n "$(case_peer "$name")" ]; then
		mkdir -p "$peer"
		case_peer "$name" > "$peer/keepalived.conf"
		start_keepalived "$NS_B" "$peer"
		wait_state "$peer/console.log" PEER MASTER
	fi
	start_keepalived "$NS_A" "$dir"
	ka_pid=$(cat "$dir/keepalived.pid")
	while read -r line; do
		# shellcheck disable=SC2086 # "INSTANCE STATE": two words on purpose
		wait_state "$dir/console.log" ${line}
	done < <(case_states "$name")
	sleep "$SETTLE_SEC"

	kill -"$SIG_DATA" "$ka_pid"
	wait_file "$dir/tmp/keepalived.data"
	for tries in 1 2 3 4 5; do
		rm -f "$dir/tmp/keepalived.stats" "$dir/tmp/keepalived.json"
		kill -"$SIG_STATS" "$ka_pid"
		kill -"$SIG_JSON" "$ka_pid"
		wait_file "$dir/tmp/keepalived.stats"
		wait_file "$dir/tmp/keepalived.json"
		stats_agree "$dir/tmp/keepalived.stats" "$dir/tmp/keepalived.json" && break
		[ "$tries" -lt 5 ] || { echo "$name: .stats and .json never agreed" >&2; return 1; }
		sleep 0.3
	done
	for f in keepalived.data keepalived.stats keepalived.json; do
		install -m 0644 "$dir/tmp/$f" "$dest/$f" # keepalived's 0600 is recorded in RECORDING.txt
	done
	{
		echo "$name: files in \$TMPDIR after DATA, STATS, JSON (umask default 0177):"
		(cd "$dir/tmp" && ls -1) | sed 's/^/  ls: /'
		modes "$dir/tmp" keepalived.data keepalived.stats keepalived.json
	} >> "$WORK/recording.txt"

	if [ "$name" = master-unicast ]; then
		check_stats_clear "$dir" "$ka_pid"
	fi
	stop_keepalived "$dir/keepalived.pid"
	[ -d "$peer" ] && stop_keepalived "$peer/keepalived.pid"
	delete_namespaces
}

advert_sent() { sed -n '/Advertisements:/,/Became/{s/^    Sent: //p}' "$1"; }

check_stats_clear() { # check_stats_clear DIR PID
	local dir=$1 pid=$2 before after
	rm -f "$dir/tmp/keepalived.stats"
	kill -"$SIG_STATS_CLEAR" "$pid"
	wait_file "$dir/tmp/keepalived.stats"
	before=$(advert_sent "$dir/tmp/keepalived.stats")
	rm -f "$dir/tmp/keepalived.stats"
	kill -"$SIG_STATS" "$pid"
	wait_file "$dir/tmp/keepalived.stats"
	after=$(advert_sent "$dir/tmp/keepalived.stats")
	{
		echo "STATS_CLEAR (signal $SIG_STATS_CLEAR): the file it wrote had Advertisements Sent: $before;"
		echo "  a SIGUSR2 right after showed Sent: $after (written first, cleared after)"
	} >> "$WORK/recording.txt"
	[ "$before" -gt 0 ] && [ "$after" -lt "$before" ] || { echo "STATS_CLEAR did not behave as expected" >&2; return 1; }
}

# The relative-TMPDIR and data_use_instance rules, in a private mount namespace.
check_naming() {
	local dir="$WORK/naming" pid root i
	echo "== naming rules"
	mkdir -p "$dir"
	cat > "$dir/keepalived.conf" <<'EOF'
instance inst1
global_defs {
    data_use_instance
}
vrrp_instance VI_N {
    state MASTER
    interface eth0
    virtual_router_id 70
    priority 255
    advert_int 1
    virtual_ipaddress {
        10.77.0.170/24
    }
}
EOF
	make_namespaces
	env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C TMPDIR=relative/tmp \
		ip netns exec "$NS_A" unshare --mount --propagation private sh -c '
			mount -t tmpfs tsvrrpd-tmp /tmp && cp "$1/keepalived.conf" /tmp/ka.conf &&
			mount -t tmpfs tsvrrpd-run /run && cd /tmp &&
			exec keepalived -P -n -l -G -f /tmp/ka.conf -p /tmp/ka.pid -r /tmp/vrrp.pid' \
		sh "$dir" > "$dir/console.log" 2>&1 < /dev/null &
	pid=$!
	STARTED_PIDS+=("$pid")
	wait_state "$dir/console.log" VI_N MASTER
	root="/proc/$pid/root"
	kill -"$SIG_DATA" "$pid"
	kill -"$SIG_STATS" "$pid"
	kill -"$SIG_JSON" "$pid"
	for i in keepalived.inst1.data keepalived.stats keepalived.json; do wait_file "$root/tmp/$i"; done
	{
		echo "naming: TMPDIR=relative/tmp, instance inst1, data_use_instance -> files in the private /tmp:"
		(cd "$root/tmp" && ls -1 | grep -v '^ka\.\|^vrrp\.pid$') | sed 's/^/  ls: /'
		[ -e "$root/tmp/relative" ] && echo "  (relative/tmp was created!)" || echo "  nothing under \$TMPDIR relative/tmp"
	} >> "$WORK/recording.txt"
	kill -TERM "$pid"
	for i in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	delete_namespaces
}

# ---- main ------------------------------------------------------------------------------------
selected=("$@")
[ ${#selected[@]} -gt 0 ] || selected=("${CASES[@]}")
: > "$WORK/recording.txt"
for c in "${selected[@]}"; do
	[ -n "$(case_conf "$c")" ] || { echo "unknown case $c (known: ${CASES[*]})" >&2; exit 1; }
	record_case "$c"
done
check_naming

if [ ${#selected[@]} -eq ${#CASES[@]} ]; then
	{
		echo "Recorded by scripts/record-keepalived-dumps.sh with keepalived $KA_VERSION;"
		echo "signals: DATA=$SIG_DATA STATS=$SIG_STATS STATS_CLEAR=$SIG_STATS_CLEAR JSON=$SIG_JSON."
		echo
		cat "$WORK/recording.txt"
	} > "$OUT/RECORDING.txt"
else
	echo "(RECORDING.txt is only rewritten when every case is recorded; this run saw:)"
	cat "$WORK/recording.txt"
fi
echo "fixtures written to $OUT"

/**
 * The LVS, checker and BFD sections, track_file, and the VRRP root sections tsvrrpd only
 * checks (vrrp_track_process, garp_group, linkbeat_interfaces, interface_up_down_delays,
 * track_group), driven through the real parser (checkConfig on an in-memory file system and a
 * fake host). Each test is named after the keepalived 2.2.7 function it mirrors; every expected
 * message and line was checked against `keepalived -t` 2.2.7 in a network namespace.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkText, type FakeHostOptions } from '../../support/config-harness';
import type { CheckResult } from '../../../src/config/check';

/** A valid VRRP instance, so that the LVS parts are the only thing under test. */
const INSTANCE = `vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 51
    virtual_ipaddress {
        10.0.0.100
    }
}
`;

/** `text` (line 1 on) followed by a valid instance. */
function run(text: string, host: FakeHostOptions = {}): CheckResult {
  return checkText(`${text}\n${INSTANCE}`, host);
}

/** Verdict-affecting diagnostics as `line: message` (line 0 when there is none). */
function lines(r: CheckResult): string[] {
  return r.diagnostics.filter((d) => d.cls !== 'NOTICE').map((d) => `${d.at?.line ?? 0}: ${d.message}`);
}

function codes(r: CheckResult): string[] {
  return r.diagnostics.map((d) => d.code);
}

/** A complete, clean virtual server whose real server holds `checker` (indented lines). */
function vs(checker: string, extra = ''): string {
  return `virtual_server 10.0.0.100 80 {
    delay_loop 6
    lb_algo rr
    lb_kind DR
    protocol TCP
${extra}    real_server 10.0.0.11 80 {
        weight 1
${checker}    }
}`;
}

/** Whether buildConfig runs keepalived's post-parse checker validation (validateCheckConfig). */
const VALIDATION_WIRED = lines(run('virtual_server 10.0.0.1 80 {\n}')).some((l) => l.includes('has no real servers'));
const needsValidation = VALIDATION_WIRED ? {} : { todo: 'buildConfig does not call validateCheckConfig() yet' };

/* ---- sections reported as not run --------------------------------------------------------- */

const S2 = `virtual_server 192.168.4.100 80 {
    delay_loop 6
    lb_algo rr
    lb_kind DR
    persistence_timeout 50
    protocol TCP

    real_server 192.168.4.11 80 {
        weight 1
        TCP_CHECK {
            connect_timeout 3
            retry 3
            delay_before_retry 3
        }
    }
    real_server 192.168.4.12 80 {
        weight 1
        TCP_CHECK {
            connect_timeout 3
        }
    }
}
virtual_server 192.168.4.100 443 {
    lb_algo rr
    lb_kind DR
    protocol TCP
    real_server 192.168.4.11 443 {
        weight 1
        TCP_CHECK {
            connect_timeout 3
        }
    }
}`;

test('keepalived vs_handler() (S2 LVS-DR director): parses clean and each section keyword is reported once as not run', () => {
  const r = run(S2);
  assert.deepEqual(lines(r), []);
  assert.equal(r.exitCode, 0);
  assert.equal(codes(r).filter((c) => c === 'CFG_NOT_RUN').length, 1);
  assert.deepEqual(
    r.config?.notRun.map((n) => `${n.keyword}@${n.at.line}`),
    ['virtual_server@1', 'virtual_server@23'],
  );
});

test('keepalived init_check_keywords(): every keyword 2.2.7 knows in virtual_server, real_server and the checkers is accepted', () => {
  const r = run(`SSL {
    password p
    ca /c
    certificate /c
    key /k
}
virtual_server_group G1 {
    10.0.0.1 80
    fwmark 7 inet
}
virtual_server 10.0.0.100 80 {
    ip_family inet
    retry 2
    delay_before_retry 1
    warmup 1
    connect_timeout 3
    delay_loop 6
    inhibit_on_failure
    lb_algo sh
    lvs_sched sh
    hashed
    ops
    flag-1
    flag-2
    flag-3
    sh-port
    sh-fallback
    mh-port
    mh-fallback
    lb_kind NAT
    lvs_method NAT
    persistence_engine sip
    persistence_timeout 50
    persistence_granularity 255.255.255.0
    protocol UDP
    ha_suspend
    smtp_alert
    virtualhost www
    snmp_name vs1
    alpha
    omega
    quorum 1
    hysteresis 0
    weight 1
    sorry_server 10.0.0.50 80
    sorry_server_inhibit
    sorry_server_lvs_method NAT
    real_server 10.0.0.11 80 {
        weight 1
        lvs_method NAT
        uthreshold 10
        lthreshold 1
        inhibit_on_failure
        alpha
        retry 1
        delay_before_retry 1
        warmup 1
        connect_timeout 1
        delay_loop 1
        smtp_alert no
        virtualhost www
        snmp_name rs1
        TCP_CHECK {
            connect_ip 10.0.0.11
            connect_port 80
            bindto 10.0.0.1
            bind_port 1234
            bind_if eth0
            connect_timeout 3
            fwmark 5
            retry 1
            delay_before_retry 1
            warmup 1
            delay_loop 1
            alpha
            log_all_failures
        }
        PING_CHECK {
        }
        UDP_CHECK {
            payload 0a0b
            require_reply 0x0b
            min_reply_length 1
            max_reply_length 10
        }
        DNS_CHECK {
            type AAAA
            name example.org
        }
        HTTP_GET {
            nb_get_retry 1
            virtualhost www
            http_protocol 1.1
            enable_sni
            fast_recovery
            url {
                path /
                digest 0123456789abcdef0123456789abcdef
                status_code 200-299 301
                virtualhost www
                regex "ok"
                regex_no_match
                regex_options caseless
                regex_min_offset 1
                regex_max_offset 100
                regex_stack 1 2
            }
        }
        SSL_GET {
            url {
                path /
            }
        }
        SMTP_CHECK {
            helo_name x
            host {
                connect_ip 10.0.0.12
            }
        }
        MISC_CHECK {
            misc_path "/bin/true x"
            misc_timeout 5
            misc_dynamic
            user root
        }
    }
}`);
  assert.deepEqual(
    lines(r).filter((l) => l.includes('Unknown keyword')),
    [],
  );
  // nb_get_retry is deprecated with an error in keepalived 2.2.7, the rest is clean.
  assert.deepEqual(lines(r), ["91: nb_get_retry is deprecated - please use 'retry'"]);
});

test('keepalived process_stream(): an unknown keyword at any LVS level is "Unknown keyword" on its line', () => {
  const r = run(vs('        TCP_CHECK {\n            bogus_check 1\n        }\n        bogus_rs\n', '    bogus_vs\n'));
  assert.deepEqual(lines(r), ["6: Unknown keyword 'bogus_vs'", "10: Unknown keyword 'bogus_check'", "12: Unknown keyword 'bogus_rs'"]);
  assert.equal(r.exitCode, 5);
});

test('keepalived null_strvec(): a virtual server keyword without its value stops keepalived (exit 2)', () => {
  const r = run('virtual_server 10.0.0.1 80 {\n    lb_algo\n}');
  // keepalived stops right there; tsvrrpd goes on (later checks may add lines), exit 2 anyway.
  assert.deepEqual(lines(r).slice(0, 1), ['2: *** Configuration line starting `lb_algo` is missing a parameter after keyword `lb_algo` at word position 2']);
  assert.equal(r.exitCode, 2);
});

/* ---- virtual_server and real_server keywords ---------------------------------------------- */

test('keepalived lbalgo_handler(), proto_handler(), vs_weight_handler(): bad values are reported with keepalived\'s wording', () => {
  const r = run(vs('', '    lb_algo bogus\n    protocol tcpx\n    weight 0\n    quorum 0\n    hysteresis -3\n'));
  assert.deepEqual(lines(r), [
    "6: Invalid lvs_scheduler 'bogus' - ignoring",
    '7: Unknown protocol tcpx - ignoring',
    "8: number '0' outside range [1, 2147483647]",
    '8: Virtual server weight 0 is outside range 1-2147483647',
    "9: number '0' outside range [1, 4294967295]",
    '9: Quorum 0 must be in [1, 4294967295]. Setting to 1.',
    "10: negative number '-3'",
    '10: Hysteresis -3 must be in [0, 4294967295] - ignoring',
  ]);
});

test('keepalived lbflags_handler(): sh-/mh- flags and hashed need the sh or mh scheduler', () => {
  const r = run(vs('', '    hashed\n    mh-port\n    flag-1\n    lb_algo sh\n    sh-port\n'));
  assert.deepEqual(lines(r), ['6: hashed only applies to sh scheduler - ignoring', '7: mh-port only applies to sh scheduler - ignoring']);
});

test('keepalived svr_forwarding_handler(): unknown methods and inconsistent tunnel options', () => {
  const r = run(vs('', '    lb_kind FOO\n    lvs_method TUN type gue\n    lvs_method TUN type ipip csum\n    lvs_method DR extra\n'));
  assert.deepEqual(lines(r), [
    '6: PARSER : unknown [FOO] routing method for virtual server.',
    '7: gue tunnels require port, otherwise cannot have port.',
    '8: ipip tunnels do not support checksum option.',
    '9: Invalid tunnel option extra for virtual server.',
  ]);
});

test('keepalived alloc_vs(): a bad address or port skips the whole block', () => {
  const r = run('virtual_server 10.0.0.999 80 {\n    lb_algo bogus\n}\nvirtual_server 10.0.0.1 abc {\n}');
  assert.deepEqual(lines(r), [
    '1: Invalid virtual server IP address/port 10.0.0.999/80 - skipping',
    "4: invalid number 'abc'",
    '4: Invalid virtual server IP address/port 10.0.0.1/abc - skipping',
  ]);
});

test('keepalived alloc_rs(): a bad real server is skipped and printed with keepalived\'s (null) port', () => {
  const r = run(vs('', '    real_server 10.0.0.999 {\n        bogus\n    }\n'));
  assert.deepEqual(lines(r), ['6: Invalid real server ip address/port 10.0.0.999/(null) - skipping']);
});

test('keepalived rs_end_handler(), vs_end_handler(): a real or sorry server of another family is dropped at its block end', () => {
  const r = run(vs('', '    sorry_server fe80::1 80\n    real_server fe80::5 81 {\n    }\n'));
  assert.deepEqual(lines(r), [
    "8: Address family of virtual server and real server fe80::5 don't match - skipping real server.",
    "12: Address family of virtual server and sorry server fe80::1 don't match - skipping sorry server.",
  ]);
});

test('keepalived read_timer(): an invalid timer that still reads in range is accepted, as keepalived does even with -t', () => {
  const r = run(vs('', '    delay_before_retry x\n    delay_loop x\n    delay_loop 0\n'));
  assert.deepEqual(lines(r), [
    "6: invalid number 'x'",
    "7: invalid number 'x'",
    "7: virtual server delay loop 'x' invalid - ignoring",
    "8: number '0' outside range [0.000001, 18446744073709.551614]",
    "8: virtual server delay loop '0' invalid - ignoring",
  ]);
});

test('keepalived notify_up_handler(), quorum_up_handler(): a second script is refused, naming the (null) group', () => {
  const r = run(vs('        notify_up /bin/true\n        notify_up /bin/false\n', '    quorum_up /bin/true\n    quorum_up /bin/false\n'));
  assert.deepEqual(lines(r), [
    '7: ((null)) quorum_up script already specified - ignoring /bin/false',
    '11: ((null)) notify_up script already specified - ignoring /bin/false',
  ]);
});

/* ---- checkers ----------------------------------------------------------------------------- */

test('keepalived install_checker_common_keywords(): connection options with keepalived\'s messages', () => {
  const r = run(
    vs(`        TCP_CHECK {
            connect_ip 10.0.0.999
            connect_port 70000
            bind_if abcdefghijklmnopq
            connect_timeout 0
            retry x
            alpha foo
        }
`),
  );
  assert.deepEqual(lines(r), [
    '9: Invalid connect_ip address 10.0.0.999 - ignoring',
    "10: number '70000' outside range [1, 65535]",
    "10: Invalid checker connect_port '70000'",
    '11: Interface name abcdefghijklmnopq is too long - ignoring',
    "12: number '0' outside range [0.000001, 4294.967295]",
    '12: connect_timeout 0 invalid - ignoring',
    "13: invalid number 'x'",
    "13: Invalid retry connection value 'x'",
    '14: Invalid alpha parameter foo',
  ]);
});

test('keepalived check_conn_opts(): a link-local destination needs bind_if (reported at the checker\'s end)', () => {
  const r = run(vs('        TCP_CHECK {\n            connect_ip fe80::1\n        }\n        PING_CHECK {\n            connect_ip fe80::2\n            bind_if eth0\n        }\n'));
  assert.deepEqual(lines(r), ['10: Checker link local address fe80::1 requires a bind_if']);
});

test('keepalived install_misc_check_keyword(): MISC_CHECK has no connection keywords and needs a path', () => {
  const r = run(vs('        MISC_CHECK {\n            connect_ip 10.0.0.1\n        }\n'));
  assert.deepEqual(lines(r), ["9: Unknown keyword 'connect_ip'", '10: No script path has been specified for MISC_CHECKER - skipping']);
});

test('keepalived misc_user_handler(): an unknown user removes the checker, and its later keywords are ignored', () => {
  const r = run(vs('        MISC_CHECK {\n            misc_path "/bin/true arg"\n            user nosuchuser\n            misc_timeout 5000\n        }\n'));
  assert.deepEqual(lines(r), ["10: Failed to set uid/gid for misc checker script '/bin/true' 'arg' - removing"]);
});

test('keepalived digest_handler(), status_code_handler(), url_check(): HTTP_GET url checks and quirks', () => {
  const r = run(
    vs(`        HTTP_GET {
            url {
                digest 0123456789zzcdef0123456789abcdef
                status_code 200-299 99 300-250 +200 -1
            }
            url {
                path /
            }
        }
        SSL_GET {
        }
`),
  );
  assert.deepEqual(lines(r), [
    "10: Unable to interpret hex digit in '0123456789zz' at offset 10/11",
    "11: Invalid HTTP_GET status code '99'",
    "11: Invalid HTTP_GET status code '300-250'",
    "11: Invalid HTTP_GET status code '-1'",
    '12: HTTP/SSL_GET checker url has no path - ignoring',
    '18: HTTP/SSL_GET checker has no urls specified - ignoring',
  ]);
});

test('keepalived read_hex_str(): UDP_CHECK payloads, including keepalived refusing one that ends in 0xff', () => {
  const r = run(vs('        UDP_CHECK {\n            payload 00 11 2\n            payload 0011ff\n            require_reply 00xx11\n            min_reply_length 300\n        }\n'));
  assert.deepEqual(lines(r), ['10: Invalid hex string for UDP_CHECK payload', '13: UDP_CHECK min_reply length 300 > max_reply_length 255 - will always fail']);
});

test('keepalived dns_name_handler(): its empty-label test also refuses a one-character first label', () => {
  const r = run(vs('        DNS_CHECK {\n            type bogus\n            name a.b\n            name ab.cd\n            name x.y\n        }\n'));
  assert.deepEqual(lines(r), [
    '9: Unknown DNS check type bogus - ignoring',
    "10: DNS_CHECK name 'a.b' has empty label - ignoring",
    '12: DNS_CHECK name already specified - ignoring',
  ]);
});

test('keepalived smtp_check_end_handler(): deprecated host blocks carry their own connection checks', () => {
  const r = run(vs('        SMTP_CHECK {\n            helo_name\n            host {\n                connect_ip fe80::3\n            }\n        }\n'));
  assert.deepEqual(lines(r), ['9: SMTP_CHECK helo name missing', '12: Checker link local address fe80::3 requires a bind_if']);
});

test('keepalived install_file_check_keyword(): FILE_CHECK finds only track files defined before it', () => {
  const r = run(`${vs('        FILE_CHECK {\n            track_file tf1\n            weight 5 sideways\n        }\n')}
track_file tf1 {
    file /run/tf1
}`);
  assert.deepEqual(lines(r), ['9: track_file tf1 not found', '10: unknown track file weight option sideways - ignoring', '11: FILE_CHECK has no track_file specified - ignoring']);
});

test('keepalived bfd_name_handler(): BFD_CHECK needs a bfd_instance the checker process keeps', () => {
  const r = run(`bfd_instance b1 {
    neighbor_ip 10.0.0.2
}
bfd_instance bv {
    neighbor_ip 10.0.0.3
    vrrp
}
${vs('        BFD_CHECK {\n            name b1\n            name b1\n        }\n        BFD_CHECK {\n            name bv\n        }\n        BFD_CHECK {\n        }\n')}`);
  assert.deepEqual(lines(r), [
    '17: ([10.0.0.11]:tcp:80) BFD_CHECK - BFD b1 already specified as b1',
    '20: ([10.0.0.11]:tcp:80) BFD_CHECK - BFD bv not configured',
    '23: ([10.0.0.11]:tcp:80) No name has been specified for BFD_CHECKER - skipping',
  ]);
});

/* ---- virtual_server_group, SSL -------------------------------------------------------------- */

test('keepalived alloc_vsg_entry(), inet_stor(): ranges, masks and fwmarks with keepalived\'s messages', () => {
  const r = run(`virtual_server_group G3 {
  10.0.0.1-10.0.0.0 80
  10.0.0.4/30 80
  10.0.0.1/24 80
  10.0.0.5-3 80
  10.0.0.5-3x 80
  10.0.0.5-300 80
  fwmark 5 inet7
  10.0.0.999 80
}`);
  assert.deepEqual(lines(r), [
    '2: Address range end is less than address range start - 10.0.0.1-10.0.0.0 - skipping',
    '4: Address mask bits not empty - 10.0.0.1/24 - skipping',
    '5: Address range end is not greater than address range start - 10.0.0.5-3 - skipping',
    "6: Virtual server group range '10.0.0.5-3x' has extra characters at end 'x'",
    "7: Virtual server group range '10.0.0.5-300' end '300' too large",
    "8: (G3): fwmark '5' family inet7 unknown - ignoring",
    '9: Invalid virtual server group IP address 10.0.0.999 /port/80 - skipping',
  ]);
});

test('keepalived vsg_handler(): an empty group is removed (keepalived names its closing line; tsvrrpd its keyword line)', () => {
  const r = run('virtual_server_group G1 {\n}');
  assert.deepEqual(lines(r), ['1: virtual server group G1 has no entries - removing']);
});

test('keepalived ssl_handler(), handle_ssl_file(): missing and repeated SSL settings', () => {
  const r = run('SSL {\n    password\n    ca a\n    ca b\n}\nSSL {\n}');
  assert.deepEqual(lines(r), ['2: SSL password missing', '4: SSL cafile already specified - replacing', '6: SSL context already specified - replacing']);
  assert.equal(codes(r).filter((c) => c === 'CFG_NOT_RUN').length, 1);
});

/* ---- bfd_instance ------------------------------------------------------------------------- */

test('keepalived bfd_handler(), bfd_end_handler(): the three processes\' checks, each message once', () => {
  const r = run(`bfd_instance b1 {
    neighbor_ip 10.0.0.2
    min_rx 0
    weight 300
}
bfd_instance b2 {
    neighbor_ip 10.0.0.2
}
bfd_instance b1 {
    neighbor_ip 10.0.0.5
}
bfd_instance b4 {
    source_ip fe80::1
    neighbor_ip 10.0.0.4
}
bfd_instance bn {
}`);
  assert.deepEqual(lines(r), [
    "3: number '0' outside range [1.000, 4294967.000]",
    '3: Configuration error: BFD instance b1 min_rx value 0 is not valid (must be in range [1-4294967]), ignoring',
    "4: number '300' outside range [-253, 253]",
    '4: Configuration error: BFD instance b1 weight value 300 not valid (must be in range [-253-253]), ignoring',
    '8: Configuration error: BFD instance b2 has duplicate neighbor address 10.0.0.2, ignoring instance',
    '9: BFD b1 already specified',
    '9: Configuration error: BFD instance b1 already configured - ignoring',
    // keepalived prints the source address twice (one static buffer for both).
    '15: Configuration error: BFD instance b4 source address fe80::1 and neighbor address fe80::1 are not of the same family, disabling instance',
    '17: Configuration error: BFD instance bn has no neighbor address set, disabling instance',
  ]);
});

/* ---- track_file --------------------------------------------------------------------------- */

test('keepalived track_file_*_handler(): a good track file reaches the config with its weight and init_file', () => {
  const r = run('track_file tf1 {\n    file /run/tf1\n    weight -5 reverse\n    init_file 7 overwrite\n}\nvrrp_track_file tf2 {\n    file /run/tf2\n}');
  assert.deepEqual(lines(r), []);
  assert.deepEqual(
    r.config?.trackFiles.map((t) => ({ name: t.name, file: t.file, weight: t.weight, reverse: t.weightReverse, init: t.initFile, line: t.at.line })),
    [
      { name: 'tf1', file: '/run/tf1', weight: -5, reverse: true, init: { value: 7, overwrite: true }, line: 1 },
      { name: 'tf2', file: '/run/tf2', weight: 1, reverse: false, init: null, line: 6 },
    ],
  );
  assert.ok(codes(r).includes('CFG_DEPRECATED_KEYWORD'));
});

test('keepalived track_file_end_handler(), track_file_weight_handler(): no file drops it, a bad weight falls back to 1', () => {
  const r = run('track_file tf1 {\n    weight 2\n}\ntrack_file tf2 {\n    file /run/tf2\n    weight 300\n    init_file 300 x\n}');
  assert.deepEqual(lines(r), [
    '3: No file set for track_file tf1 - ignoring',
    "6: number '300' outside range [-254, 254]",
    '6: Weight (300) for track_file tf2 must be between [-254..254] inclusive. Ignoring...',
    '7: Track file tf2 init value 300 is outside sensible range [-254, 254]',
    '7: Unknown track file init option x',
  ]);
  assert.deepEqual(
    r.config?.trackFiles.map((t) => [t.name, t.weight, t.initFile]),
    [['tf2', 1, { value: 300, overwrite: false }]],
  );
});

/* ---- VRRP roots tsvrrpd only checks --------------------------------------------------------- */

test('keepalived alloc_linkbeat_interface(), alloc_if_up_down_delay(): an unknown interface is fatal (exit 4)', () => {
  const r = run('linkbeat_interfaces {\n    eth9\n    eth0 FOO\n}\ninterface_up_down_delays {\n    eth8 1\n    eth0 300\n}');
  assert.deepEqual(lines(r), [
    '2: unknown interface eth9 specified for linkbeat interface',
    '3: extra characters FOO in linkbeat interface',
    '6: unknown interface eth8 specified for up/down delay',
    "7: number '300' outside range [0.000000, 255.000000]",
  ]);
  // keepalived keeps the highest class: the general errors outrank FATAL here.
  assert.equal(r.exitCode, 5);
  assert.equal(codes(r).filter((c) => c === 'CFG_NOT_IMPLEMENTED').length, 2);
  assert.equal(run('linkbeat_interfaces {\n    eth9\n}').exitCode, 4);
});

test('keepalived garp_group_*_handler(): unknown and repeated interfaces, and a group without delays', () => {
  const r = run('garp_group {\n    garp_interval 0.002\n    interface eth9\n    interface eth0\n    interface eth0\n}\ngarp_group {\n    interface eth1\n}', {
    interfaces: ['eth0', 'eth1'],
  });
  assert.deepEqual(lines(r), [
    "3: WARNING - interface eth9 specified for garp_group doesn't exist",
    '5: garp_group already specified for eth0 - ignoring',
    '9: garp group 0 does not have any delay set - removing',
    // keepalived's VRRP start-up then stops on the missing interface (it prints no line).
    '3: Non-existent interface specified in configuration',
  ]);
  assert.equal(r.exitCode, 5);
});

test('keepalived vrrp_tprocess_*_handler(): vrrp_track_process is checked like keepalived', () => {
  const r = run('vrrp_track_process p1 {\n    weight 300\n    quorum 5\n    quorum_max 3\n    delay 0\n}');
  assert.deepEqual(lines(r), [
    "2: number '300' outside range [-254, 254]",
    '2: Weight (300) for vrrp_track_process p1 must be between [-254..254] inclusive. Ignoring...',
    '4: quorum_max is less than quorum - ignoring',
    "5: number '0' outside range [0.000001, 3600.000000]",
    '5: delay (0) for vrrp_track_process p1 must be between [0.000001..3600] inclusive. Ignoring...',
    "6: track process 'p1' process name not specified",
  ]);
});

test('keepalived static_track_group_handler(): track_group needs one name, once', () => {
  const r = run('track_group {\n}\ntrack_group T1 {\n    group { VI_1 }\n}\ntrack_group T1 {\n}');
  assert.deepEqual(lines(r), ['1: track_group must have a name - skipping', '6: track_group T1 already defined']);
});

/* ---- validate_check_config() ---------------------------------------------------------------- */

test('keepalived validate_check_config(): a fwmark service ignores its protocol (exit 5)', needsValidation, () => {
  const r = run('virtual_server fwmark 1 {\n    lb_algo rr\n    lb_kind NAT\n    protocol TCP\n    real_server 10.0.0.11 {\n    }\n}');
  assert.deepEqual(lines(r), ['1: Warning: Virtual server FWM 1: protocol specified for fwmark - protocol will be ignored']);
  assert.equal(r.exitCode, 5);
});

test('keepalived validate_check_config(): defaults, duplicates, quorum and ports, in keepalived\'s order', needsValidation, () => {
  const r = run(`virtual_server 10.0.0.40 0 {
    ops
    quorum 10
    real_server 10.0.0.41 81 {
    }
    real_server 10.0.0.41 81 {
    }
}
virtual_server 10.0.0.50 80 {
}`);
  assert.deepEqual(lines(r), [
    '1: Virtual server [10.0.0.40]:none:0: no protocol set - defaulting to UDP',
    '1: Virtual server [10.0.0.40]:udp:0: zero port only valid for persistent services - setting',
    '1: Virtual server [10.0.0.40]:udp:0: no scheduler set, setting default \'wlc\'',
    '1: Virtual server [10.0.0.40]:udp:0: no forwarding method set, setting default NAT',
    '1: VS [10.0.0.40]:udp:0: real server [10.0.0.41]:udp:81 is duplicated - removing second rs',
    '1: Warning - quorum 10 for [10.0.0.40]:udp:0 exceeds total weight of real servers 1, reducing quorum to 1',
    '9: Virtual server [10.0.0.50]:none:80 has no real servers - ignoring',
  ]);
});

test('keepalived check_check_script_security(): an existing check script without script security is exit 6', needsValidation, () => {
  const r = run(vs('        MISC_CHECK {\n            misc_path /usr/bin/true\n        }\n'), { scripts: { '/usr/bin/true': {} } });
  assert.deepEqual(lines(r), ['9: SECURITY VIOLATION - check scripts are being executed but script_security not enabled.']);
  assert.equal(r.exitCode, 6);
});

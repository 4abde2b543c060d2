/**
 * More of keepalived's tracking, end to end on the real kernel (network namespaces, a bridge
 * LAN, the daemon's CLI as a black box), runnable against tsvrrpd (default) or keepalived
 * 2.2.7 (`TSV_E2E_IMPL=keepalived`), which validated every expectation here:
 *  1. track_file with weight -10: the file's value × weight is added to the priority (0 →
 *     150, 7 → 80 on the wire, B preempts at Master_Down; 0 → 150 again, A takes back);
 *  2. track_file with weight 0: a non-zero value → FAULT at once (inotify), VIP removed,
 *     a priority-0 advert, B takes over in Skew_Time; another non-zero value changes nothing;
 *     0 → BACKUP, A preempts at Master_Down; keepalived's -D lines "(VI_1): tracked file tf
 *     now FAULT state" / "... leaving FAULT state";
 *  3. init_file: `init_file 5 overwrite` writes "5\n" over the file at start-up (weight 1 →
 *     priority 155), `init_file V` alone leaves an existing file alone and creates a missing
 *     one; the files are still watched afterwards;
 *  4. a VIP deleted by someone else (keepalived netlink RTM_DELADDR → set_vrrp_backup()): A
 *     sends one priority-0 advert, enters BACKUP (dropping its other VIPs too) and, its down
 *     timer set to Skew_Time, becomes master again ~Skew_Time later and re-adds every VIP;
 *     the backup never takes over;
 *  5. vrrp_script `init_fail` with `rise 2`, weight 0, named in an instance's track_script:
 *     keepalived 2.2.7 ignores init_fail there (alloc_track_script() resets the script's init
 *     state), so the instance does not start in FAULT: it enters BACKUP at the first success,
 *     exactly like a twin instance without init_fail, then MASTER at Master_Down.
 * Track files live in the lab's root-owned 0755 temp dir. Every scenario builds its own lab
 * (namespaces tsv-tm-<n>-*-<pid>), always removed.
 */
import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EPS, SCRIPT_SECURITY, SLACK, ScenarioLabs, e2eImpl, e2eSkipReason, masterDownMs, note, skewMs, startPair, trackFile, vrrpInstance, vrrpScript } from '../support/e2e-lab';
import type { E2eDaemon, E2eLab, InstanceSpec } from '../support/e2e-lab';

const IMPL = e2eImpl();
const skip = e2eSkipReason(IMPL);
/** How soon a change to a track file must take effect (keepalived watches with inotify). */
const INOTIFY_MS = 500;
const IPS = { a: '10.79.0.1', b: '10.79.0.2', c: '10.79.0.50' };
const VIP = '10.79.0.100';
const VIP2 = '10.79.0.102';

const labs = new ScenarioLabs('tsv-tm', IMPL);
const newLab = (t: TestContext, n: number): Promise<E2eLab> => labs.create(t, n, IPS);

interface Inst extends Omit<InstanceSpec, 'vips'> {
  /** Default [VIP]. */
  vips?: readonly string[];
}
const instance = (i: Inst): string => vrrpInstance({ ...i, vips: i.vips ?? [VIP] });
/** How often an instance entered a state ("(VI_1) Entering FAULT STATE" only, not keepalived's "(VI_1): entering FAULT state (…)"). */
const entered = (d: E2eDaemon, state: string, inst = 'VI_1'): number => d.lines(new RegExp(`\\(${inst}\\) Entering ${state} STATE`)).length;
/** What `echo V > file` does: open with O_TRUNC, write "V\n", close (inotify IN_CLOSE_WRITE). */
const writeValue = (file: string, v: number): void => fs.writeFileSync(file, `${v}\n`);

describe(`more tracking end to end (${IMPL})`, { concurrency: 2 }, () => {
  it('1. track_file weight -10: 7 → A advertises 80, B preempts at Master_Down; 0 → A advertises 150 and takes back', { skip, timeout: 60_000 }, async (t) => {
    const lab = await newLab(t, 1);
    const file = lab.writeFile('prio', '0\n');
    const cap = await lab.capture();
    const { a, b } = await startPair(
      lab,
      's1',
      trackFile('tf', file, 'weight -10') + instance({ vrid: 81, prio: 150, extra: ' track_file {\n  tf\n }\n' }),
      instance({ vrid: 81, prio: 100 }),
      VIP,
    );
    await lab.waitAdvert(cap, 'A advertising 150 (file 0)', { src: IPS.a, vrid: 81, prio: 150 }, 0, SLACK);
    assert.deepEqual([...new Set(cap.find({ src: IPS.a, vrid: 81 }).map((x) => x.prio))], [150], 'A advertised 150 only while the file held 0');

    const sevenAt = Date.now();
    writeValue(file, 7);
    await a.waitLog(/\(VI_1\) Changing effective priority from 150 to 80/, INOTIFY_MS);
    note(`track_file 7: A logged the change to 80 ${Date.now() - sevenAt} ms after the write`);
    // The master advertises the new priority at its next Adver_Timer.
    const low = await lab.waitAdvert(cap, 'A advertising 150 + 7 × (-10) = 80', { src: IPS.a, vrid: 81, prio: 80 }, sevenAt, 1_000 + SLACK);
    const lowAfter = low.time * 1000 - sevenAt;
    note(`track_file 7: A advertised 80 ${Math.round(lowAfter)} ms after the write`);
    assert.ok(lowAfter <= 1_000 + INOTIFY_MS, `A advertised 80 at its next advert (${Math.round(lowAfter)} ms after the write)`);
    // B (100, preempt) ignores the lower-priority adverts and takes over at Master_Down_Interval
    // after A's last priority-150 advert; A (80) yields to B's advert.
    await lab.waitFor('B to preempt A (priority 80)', () => lab.hasVip('b', VIP) && !lab.hasVip('a', VIP), masterDownMs(100) + SLACK);
    const firstB = await lab.waitAdvert(cap, 'B advertising 100', { src: IPS.b, vrid: 81, prio: 100 }, sevenAt, SLACK);
    const last150 = cap.find({ src: IPS.a, vrid: 81, prio: 150 }).filter((x) => x.time < firstB.time).pop();
    assert.ok(last150, 'A advertised 150 before B took over');
    const gap = (firstB.time - last150.time) * 1000;
    note(`track_file 7: B's first advert ${gap.toFixed(1)} ms after A's last priority-150 advert (MDI(100) ${masterDownMs(100)} ms)`);
    assert.ok(gap >= masterDownMs(100) - EPS && gap <= masterDownMs(100) + 300, `B preempted at Master_Down_Interval(100) after A's last 150 advert (${gap.toFixed(1)} ms)`);
    const during = cap.find({ src: IPS.a, vrid: 81 }, sevenAt).filter((x) => x.time <= firstB.time);
    assert.ok(
      during.every((x) => x.prio === 150 || x.prio === 80) && during.filter((x) => x.prio === 80).every((x) => x.time >= low.time),
      `A advertised 150 then 80 only (saw ${during.map((x) => x.prio).join(', ')})`,
    );
    await lab.waitFor('A to log BACKUP', () => entered(a, 'BACKUP') >= 2, SLACK);
    assert.equal(entered(a, 'FAULT'), 0, 'a weighted track_file never puts A in FAULT');

    const lastBbefore = (): number => (cap.find({ src: IPS.b, vrid: 81 }).pop()?.time ?? 0) * 1000;
    const bBefore = lastBbefore();
    const zeroAt = Date.now();
    writeValue(file, 0);
    await a.waitLog(/\(VI_1\) Changing effective priority from 80 to 150/, INOTIFY_MS);
    // A (150) ignores B's lower-priority adverts: its down timer, last restarted by B's
    // advert while A was at 80, now expires Master_Down_Interval(150) after that advert.
    await lab.waitFor('A to preempt B again', () => lab.hasVip('a', VIP) && !lab.hasVip('b', VIP), masterDownMs(150) + SLACK);
    const back = await lab.waitAdvert(cap, 'A advertising 150 again', { src: IPS.a, vrid: 81, prio: 150 }, zeroAt, SLACK);
    const took = back.time * 1000 - zeroAt;
    const sinceB = back.time * 1000 - bBefore;
    note(`track_file 0: A advertised 150 ${Math.round(took)} ms after the write, ${Math.round(sinceB)} ms after B's last advert before it (MDI(150) ${masterDownMs(150)} ms)`);
    assert.ok(took <= masterDownMs(150) + INOTIFY_MS, `A preempted within Master_Down_Interval(150) of the write (${Math.round(took)} ms)`);
    assert.ok(sinceB >= masterDownMs(150) - EPS && sinceB <= masterDownMs(150) + 1_000 + INOTIFY_MS, `A preempted Master_Down_Interval(150) after B's last advert before the write (${Math.round(sinceB)} ms)`);
    assert.deepEqual(
      cap.find({ src: IPS.a, vrid: 81 }, zeroAt).filter((x) => x.prio !== 150),
      [],
      'A advertises 150 only once the file holds 0 again',
    );
    assert.equal(entered(b, 'MASTER'), 1, 'B was master once');
    await lab.stopAll([b, a]);
  });

  it('2. track_file weight 0: non-zero → FAULT, priority-0 advert, B takes over in Skew_Time; 0 → BACKUP, preempts at Master_Down', { skip, timeout: 60_000 }, async (t) => {
    const lab = await newLab(t, 2);
    const file = lab.writeFile('state', '0\n');
    const cap = await lab.capture();
    const { a, b } = await startPair(
      lab,
      's2',
      trackFile('tf', file, 'weight 0') + instance({ vrid: 82, prio: 150, extra: ' track_file {\n  tf\n }\n' }),
      instance({ vrid: 82, prio: 100 }),
      VIP,
    );
    await lab.waitAdvert(cap, 'A advertising 150', { src: IPS.a, vrid: 82, prio: 150 }, 0, SLACK);

    const failAt = Date.now();
    writeValue(file, 1);
    const faultMs = await a.waitLog(/\(VI_1\) Entering FAULT STATE/, INOTIFY_MS);
    note(`track_file weight 0: A entered FAULT ${faultMs} ms after writing 1`);
    await lab.waitFor('A to drop the VIP', () => !lab.hasVip('a', VIP), 500);
    await lab.waitFor('B to take over', () => lab.hasVip('b', VIP), skewMs(100) + SLACK);
    const zero = await lab.waitAdvert(cap, "A's priority-0 advert", { src: IPS.a, vrid: 82, prio: 0 }, failAt, SLACK);
    const firstB = await lab.waitAdvert(cap, "B's first advert", { src: IPS.b, vrid: 82 }, failAt, SLACK);
    const zeros = cap.find({ src: IPS.a, vrid: 82, prio: 0 }, failAt);
    const gap = (firstB.time - zero.time) * 1000;
    note(`track_file weight 0: ${zeros.length} priority-0 advert(s) from A; B's first advert ${gap.toFixed(1)} ms after the first (Skew_Time(100) ${skewMs(100)} ms)`);
    assert.ok(zeros.length >= 1 && zeros.length <= 2, `one or two priority-0 adverts on entering FAULT (saw ${zeros.length})`);
    assert.ok(gap >= skewMs(100) - EPS && gap < 1_000, `B took over ${gap.toFixed(1)} ms after the priority-0 advert: Skew_Time, under 1 s`);

    // Another non-zero value is still a fault: nothing changes.
    writeValue(file, 3);
    await lab.holdsFor('A stays in FAULT without the VIP while the file is non-zero', () => !lab.hasVip('a', VIP) && lab.hasVip('b', VIP), 1_500);
    assert.deepEqual(cap.find({ src: IPS.a, vrid: 82 }, failAt).filter((x) => x.prio !== 0), [], 'no adverts from A in FAULT');
    assert.equal(entered(a, 'FAULT'), 1, 'A entered FAULT once');
    assert.equal(entered(a, 'BACKUP'), 1, 'A did not leave FAULT while the file was non-zero');

    const okAt = Date.now();
    writeValue(file, 0);
    const backupMs = await a.waitLog(/\(VI_1\) Entering BACKUP STATE/, INOTIFY_MS, 2);
    note(`track_file weight 0: A entered BACKUP ${backupMs} ms after writing 0`);
    await lab.waitFor('A to preempt B again', () => lab.hasVip('a', VIP) && !lab.hasVip('b', VIP), masterDownMs(150) + SLACK);
    const back = await lab.waitAdvert(cap, 'A advertising 150 again', { src: IPS.a, vrid: 82, prio: 150 }, okAt, SLACK);
    const took = back.time * 1000 - okAt;
    note(`track_file weight 0: A master again ${Math.round(took)} ms after writing 0 (MDI(150) ${masterDownMs(150)} ms)`);
    assert.ok(took >= masterDownMs(150) - EPS && took <= masterDownMs(150) + INOTIFY_MS, `A preempted Master_Down_Interval(150) after leaving FAULT (${Math.round(took)} ms)`);
    assert.equal(entered(b, 'MASTER'), 1, 'B was master once');
    // keepalived's detail lines (-D) for the tracked file (track_file.c process_update_vrrp_track_file_status()).
    note(`track_file weight 0: A's log ${JSON.stringify(a.lines(/VI_1|tracked file/).filter((l) => !/gratuitous|lower priority/.test(l)).map((l) => l.replace(/^.*?(\d{4}|Z [^:]+): /, '')))}`);
    assert.equal(a.lines(/\(VI_1\): tracked file tf now FAULT state/).length, 1, 'A logs "(VI_1): tracked file tf now FAULT state" once (writing 3 over 1 is no new fault)');
    assert.equal(a.lines(/\(VI_1\): tracked file tf leaving FAULT state/).length, 1, 'A logs "(VI_1): tracked file tf leaving FAULT state"');
    await lab.stopAll([b, a]);
  });

  it('3. init_file: "5 overwrite" rewrites the file at start-up (weight 1 → 155); without overwrite only a missing file is created', { skip, timeout: 60_000 }, async (t) => {
    const lab = await newLab(t, 3);
    const f1 = lab.writeFile('tf1', '9\n');
    const f2 = lab.writeFile('tf2', '2\n');
    const f3 = path.join(lab.dir, 'tf3');
    const cap = await lab.capture();
    // VI_1: 150 + 5 × 1 = 155. VI_2: 100 + 2 × 10 (tf2 kept) + 4 × (-1) (tf3 created) = 116.
    const conf =
      trackFile('tf1', f1, 'weight 1; init_file 5 overwrite') +
      trackFile('tf2', f2, 'weight 10; init_file 7') +
      trackFile('tf3', f3, 'weight -1; init_file 4') +
      instance({ vrid: 83, prio: 150, extra: ' track_file {\n  tf1\n }\n' }) +
      instance({ name: 'VI_2', vrid: 84, prio: 100, vips: [VIP2], extra: ' track_file {\n  tf2\n  tf3\n }\n' });
    const startAt = Date.now();
    const a = lab.start('a', 's3-a', conf);
    await a.waitStarted();
    const read = (f: string): string => (fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : '<missing>');
    await lab.waitFor('tf1 overwritten with its init value', () => read(f1) === '5\n', SLACK);
    assert.equal(read(f2), '2\n', 'init_file without overwrite leaves an existing file alone');
    await lab.waitFor('tf3 created with its init value', () => read(f3) === '4\n', SLACK);
    note(`init_file: after start-up tf1 ${JSON.stringify(read(f1))}, tf2 ${JSON.stringify(read(f2))}, tf3 ${JSON.stringify(read(f3))}`);

    const first1 = await lab.waitAdvert(cap, 'A advertising VI_1 at 150 + 5 = 155', { src: IPS.a, vrid: 83 }, 0, masterDownMs(155) + SLACK);
    const first2 = await lab.waitAdvert(cap, 'A advertising VI_2 at 100 + 20 - 4 = 116', { src: IPS.a, vrid: 84 }, 0, masterDownMs(116) + SLACK);
    assert.equal(first1.prio, 155, 'VI_1 advertises 150 + 5 × 1 from its first advert');
    assert.equal(first2.prio, 116, 'VI_2 advertises 100 + 2 × 10 + 4 × (-1) from its first advert');
    const m1 = first1.time * 1000 - startAt;
    const m2 = first2.time * 1000 - startAt;
    note(`init_file: first adverts ${Math.round(m1)} ms (VI_1) and ${Math.round(m2)} ms (VI_2) after the start (MDI(155) ${masterDownMs(155)}, MDI(116) ${masterDownMs(116)})`);
    // Master_Down_Interval is computed from the effective priority.
    assert.ok(m1 >= masterDownMs(155) - EPS && m2 >= masterDownMs(116) - EPS, 'each instance became master after its Master_Down_Interval');
    assert.ok(lab.hasVip('a', VIP) && lab.hasVip('a', VIP2), 'A holds both VIPs');
    assert.deepEqual(a.lines(/entering FAULT state/i), [], 'no FAULT');
    assert.equal(a.lines(/\(VI_1\) Changing effective priority from 150 to 155/).length, 1, 'A logs VI_1 starting at 155');
    assert.equal(a.lines(/\(VI_2\) Changing effective priority from 100 to 116/).length, 1, 'A logs VI_2 starting at 116');

    // The files are still watched after their initialisation.
    const changeAt = Date.now();
    writeValue(f1, 9);
    writeValue(f3, 30);
    await lab.waitAdvert(cap, 'A advertising VI_1 at 150 + 9 = 159', { src: IPS.a, vrid: 83, prio: 159 }, changeAt, 1_000 + SLACK);
    await lab.waitAdvert(cap, 'A advertising VI_2 at 100 + 20 - 30 = 90', { src: IPS.a, vrid: 84, prio: 90 }, changeAt, 1_000 + SLACK);
    assert.equal(a.lines(/\(VI_1\) Changing effective priority from 155 to 159/).length, 1, 'A logs the VI_1 priority change');
    assert.equal(a.lines(/\(VI_2\) Changing effective priority from 116 to 90/).length, 1, 'A logs the VI_2 priority change');
    await lab.stopAll([a]);
    assert.equal(read(f1), '9\n', 'the daemon leaves the file alone when it stops');
  });

  it('4. VIP deleted by someone else: A sends a priority-0 advert, enters BACKUP, becomes master again after Skew_Time and re-adds its VIPs', { skip, timeout: 60_000 }, async (t) => {
    const lab = await newLab(t, 4);
    const cap = await lab.capture();
    const { a, b } = await startPair(lab, 's4', instance({ vrid: 85, prio: 150, vips: [VIP, VIP2] }), instance({ vrid: 85, prio: 100, vips: [VIP, VIP2] }), VIP);
    await lab.waitFor('A to hold both VIPs', () => lab.hasVip('a', VIP) && lab.hasVip('a', VIP2), SLACK);
    await lab.waitAdvert(cap, 'A advertising 150', { src: IPS.a, vrid: 85, prio: 150 }, 0, SLACK);
    // Watch A's addresses from here on: the deletion, A dropping VIP2, A re-adding both.
    const monLog = path.join(lab.dir, 's4-addr-monitor.log');
    lab.spawnIn('a', 's4-addr-monitor', ['ip', '-o', '-4', 'monitor', 'address']);
    await new Promise((r) => setTimeout(r, 300));
    const mon = (): string[] => (fs.existsSync(monLog) ? fs.readFileSync(monLog, 'utf8') : '').split('\n').filter((l) => l.includes('10.79.0.10'));

    const backupsBefore = entered(a, 'BACKUP');
    const delAt = Date.now();
    lab.exec('a', ['ip', 'addr', 'del', `${VIP}/24`, 'dev', 'eth0']);
    const zero = await lab.waitAdvert(cap, "A's priority-0 advert", { src: IPS.a, vrid: 85, prio: 0 }, delAt, SLACK);
    note(`VIP deleted: A's priority-0 advert ${Math.round(zero.time * 1000 - delAt)} ms after the deletion`);
    await a.waitLog(/\(VI_1\) Entering BACKUP STATE/, SLACK, backupsBefore + 1);
    await lab.waitFor('A to become master again with both VIPs', () => entered(a, 'MASTER') >= 2 && lab.hasVip('a', VIP) && lab.hasVip('a', VIP2), skewMs(150) + SLACK);
    const back = await lab.waitAdvert(cap, 'A advertising 150 again', { src: IPS.a, vrid: 85, prio: 150 }, zero.time * 1000, SLACK);
    const gap = (back.time - zero.time) * 1000;
    note(`VIP deleted: A's next 150 advert ${gap.toFixed(1)} ms after its priority-0 advert (Skew_Time(150) ${skewMs(150)} ms, Skew_Time(100) ${skewMs(100)} ms)`);
    assert.ok(gap >= skewMs(150) - EPS && gap < skewMs(100), `A re-took the VRID Skew_Time(150) after its priority-0 advert, before B's Skew_Time(100) (${gap.toFixed(1)} ms)`);
    const zeros = cap.find({ src: IPS.a, vrid: 85, prio: 0 }, delAt);
    assert.equal(zeros.length, 1, `one priority-0 advert (saw ${zeros.length})`);
    await lab.holdsFor('A keeps both VIPs, B none', () => lab.hasVip('a', VIP) && lab.hasVip('a', VIP2) && !lab.hasVip('b', VIP) && !lab.hasVip('b', VIP2), 1_500);
    assert.equal(entered(b, 'MASTER'), 0, 'B never became master');
    assert.deepEqual(cap.find({ src: IPS.b, vrid: 85 }), [], 'B never advertised');
    assert.equal(entered(a, 'BACKUP'), backupsBefore + 1, 'A entered BACKUP once for the deletion');
    assert.equal(entered(a, 'FAULT'), 0, 'no FAULT');

    // A's address events: the outside deletion of VIP, A's own removal of VIP2, then both re-added.
    const events = mon();
    note(`VIP deleted: A's address events ${JSON.stringify(events.map((l) => l.replace(/\s+/g, ' ').trim()))}`);
    note(`VIP deleted: A's log after the deletion ${JSON.stringify(a.lines(/VI_1|Netlink|10\.79\.0\.100 /).filter((l) => !/gratuitous/.test(l)).map((l) => l.replace(/^.*?(\d{4}|Z [^:]+): /, '')).slice(-8))}`);
    const idx = (re: RegExp): number => events.findIndex((l) => re.test(l));
    const delVip = idx(new RegExp(`^Deleted .* ${VIP.replace(/\./g, '\\.')}/24`));
    const delVip2 = idx(new RegExp(`^Deleted .* ${VIP2.replace(/\./g, '\\.')}/24`));
    const addVip = idx(new RegExp(`^(?!Deleted).* ${VIP.replace(/\./g, '\\.')}/24`));
    const addVip2 = idx(new RegExp(`^(?!Deleted).* ${VIP2.replace(/\./g, '\\.')}/24`));
    assert.ok(delVip === 0, 'the first event is the outside deletion of VIP');
    assert.ok(delVip2 > delVip, 'leaving MASTER, A removed its other VIP too');
    assert.ok(addVip > delVip2 && addVip2 > delVip2, 'A re-added both VIPs on becoming master again');
    await lab.stopAll([b, a]);
  });

  it('5. vrrp_script init_fail, rise 2, weight 0, tracked by an instance: no effect (keepalived 2.2.7) — BACKUP at the first success, like its twin without init_fail', { skip, timeout: 60_000 }, async (t) => {
    // keepalived 2.2.7 (and HEAD) alloc_track_script() sets the script's init_state back to
    // SCRIPT_INIT_STATE_INIT when an instance's track_script names it, overwriting the
    // SCRIPT_INIT_STATE_FAILED set by `init_fail`: vrrp_init_script() then starts it at
    // result = rise - 1 ("one success is enough"), and initialise_track_script_state() counts
    // it as in init instead of failed. So the instance does not start in FAULT: it waits in
    // INIT for the first result, and the first success brings it to BACKUP.
    const lab = await newLab(t, 5);
    const chk = lab.checkScript('chk');
    const chk2 = lab.checkScript('chk2');
    const cap = await lab.capture();
    // VI_1 tracks chk (init_fail); VI_2 tracks chk2, the same but for init_fail.
    const conf =
      SCRIPT_SECURITY +
      vrrpScript('chk', chk.path, 'interval 1; weight 0; init_fail; rise 2') +
      vrrpScript('chk2', chk2.path, 'interval 1; weight 0; rise 2') +
      instance({ vrid: 86, prio: 150, extra: ' track_script {\n  chk\n }\n' }) +
      instance({ name: 'VI_2', vrid: 87, prio: 150, vips: [VIP2], extra: ' track_script {\n  chk2\n }\n' });
    const startAt = Date.now();
    const a = lab.start('a', 's5-a', conf);
    await a.waitStarted();
    let runsAtBackup = -1;
    const [vi1Up, vi2Up] = await Promise.all([
      a.waitLog(/\(VI_1\) Entering BACKUP STATE/, SLACK).then(() => {
        runsAtBackup = chk.runs();
        return Date.now();
      }),
      a.waitLog(/\(VI_2\) Entering BACKUP STATE/, SLACK).then(() => Date.now()),
    ]);
    note(`init_fail: VI_1 (init_fail) BACKUP ${vi1Up - startAt} ms after the start, after ${runsAtBackup} run(s) of chk; VI_2 (no init_fail) BACKUP ${vi2Up - startAt} ms`);
    note(`init_fail: A's log ${JSON.stringify(a.lines(/VI_\d|VRRP_Script|Script/).map((l) => l.replace(/^.*?(\d{4}|Z [^:]+): /, '')))}`);
    assert.equal(runsAtBackup, 1, `VI_1 entered BACKUP at the first success of chk, as if without init_fail (chk ran ${runsAtBackup} times)`);
    assert.ok(Math.abs(vi1Up - vi2Up) < 500, `VI_1 and VI_2 left their initial state together (${vi1Up - startAt} and ${vi2Up - startAt} ms after the start)`);
    assert.deepEqual(a.lines(/entering FAULT/i), [], 'neither instance was ever in FAULT');
    assert.equal(a.lines(/VRRP_Script\(chk\) succeeded/).length, 1, 'A logs chk succeeding once (at its first run)');
    assert.equal(a.lines(/VRRP_Script\(chk2\) succeeded/).length, 1, 'A logs chk2 succeeding once (at its first run)');
    const log = a.log();
    assert.ok(log.indexOf('VRRP_Script(chk) succeeded') < log.search(/\(VI_1\) Entering BACKUP STATE/), 'VI_1 entered BACKUP on the success');
    assert.deepEqual(cap.find({ src: IPS.a, vrid: 86 }), [], 'VI_1 sent nothing before BACKUP');

    // From BACKUP, both become master at their Master_Down_Interval.
    const m1 = await lab.waitAdvert(cap, 'VI_1 advertising 150', { src: IPS.a, vrid: 86, prio: 150 }, 0, masterDownMs(150) + SLACK);
    const m2 = await lab.waitAdvert(cap, 'VI_2 advertising 150', { src: IPS.a, vrid: 87, prio: 150 }, 0, SLACK);
    const d1 = m1.time * 1000 - vi1Up;
    const d2 = m2.time * 1000 - vi2Up;
    note(`init_fail: VI_1 master ${Math.round(d1)} ms after its BACKUP line, VI_2 ${Math.round(d2)} ms after its (MDI(150) ${masterDownMs(150)} ms)`);
    assert.ok(d1 >= masterDownMs(150) - 200 && d1 <= masterDownMs(150) + 500, `VI_1 became master Master_Down_Interval after BACKUP (${Math.round(d1)} ms)`);
    assert.ok(d2 >= masterDownMs(150) - 200 && d2 <= masterDownMs(150) + 500, `VI_2 became master Master_Down_Interval after BACKUP (${Math.round(d2)} ms)`);
    await lab.waitFor('A to hold both VIPs', () => lab.hasVip('a', VIP) && lab.hasVip('a', VIP2), SLACK);
    assert.ok(chk.runs() >= 3, `chk kept running (${chk.runs()} runs)`);
    assert.equal(a.lines(/VRRP_Script\(chk\)/).length, 1, 'later successes log nothing more');
    await lab.stopAll([a]);
  });
});

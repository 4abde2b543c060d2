/**
 * What the fault tests and benchmarks read about a process from /proc: its CPU time over all
 * threads and the memory fields of its status file. Each returns NaN for a process that is gone.
 */
import * as fs from 'node:fs';

/** CPU time of every thread of a process so far (/proc/PID/task/<tid>/schedstat, ns), in ms. */
export function threadsCpuMs(pid: number | null): number {
  if (pid === null) return NaN;
  let tasks: string[];
  try {
    tasks = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return NaN;
  }
  let ns = 0;
  for (const task of tasks) {
    try {
      ns += Number(fs.readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // the thread ended meanwhile
    }
  }
  return ns / 1e6;
}

/** A `Field:  N kB` line of /proc/PID/status (VmRSS, VmHWM, RssAnon…), KiB. */
export function statusKiB(pid: number | null, field: string): number {
  if (pid === null) return NaN;
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : NaN;
  } catch {
    return NaN;
  }
}

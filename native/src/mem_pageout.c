/*
 * pageOutFileMappings(): madvise(MADV_PAGEOUT) over every private, read-only mapping of a
 * regular file in this process (/proc/self/maps): the text and read-only data of the node
 * binary and its libraries. Those pages are clean copies of the file, so the kernel can
 * reclaim them at once: they leave this process's resident set and, when no other process
 * maps them, the page cache; a page needed again is read back from the file (a fault, major
 * if the page cache no longer has it). Reading the configuration and compiling every module
 * touch ~30 MB of node's binary that a running daemon never runs again; this gives them back
 * now instead of when the host runs short of memory. The daemon calls it once, before its
 * instances start (main.ts), so what they run is faulted back in during start-up and stays.
 *
 * Writable mappings (.data, anonymous copies), shared mappings, devices, memfds and deleted
 * files are never touched: their pages are not clean copies of a file, and paging them out
 * would mean swap. A page mapped by another process too is left alone by the kernel.
 *
 * Runs on libuv's thread pool and returns a promise of the bytes advised. It rejects with an
 * errno Error (syscall "open" or "madvise") when /proc/self/maps cannot be read or the kernel
 * has no MADV_PAGEOUT (before 5.4: EINVAL); a mapping that went away between the read and the
 * call is skipped.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "napi_util.h"
#include "mem_pageout.h"

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21 /* linux/mman.h since 5.4 */
#endif

/* Is this /proc/self/maps line a private read-only mapping of a regular file? */
static int clean_file_mapping(const char *perms, unsigned long inode, const char *path) {
  size_t n = strlen(path);
  if (perms[0] != 'r' || perms[1] != '-' || perms[3] != 'p') return 0;
  if (inode == 0 || path[0] != '/') return 0;
  if (strncmp(path, "/dev/", 5) == 0 || strncmp(path, "/memfd:", 7) == 0) return 0;
  if (n >= 10 && strcmp(path + n - 10, " (deleted)") == 0) return 0;
  return 1;
}

typedef struct {
  napi_async_work work;
  napi_deferred deferred;
  double advised; /* bytes */
  int err;        /* errno of a failure, 0 if none */
  const char *syscall;
} pageout_job;

/* On a libuv pool thread: ~50 ms for node's ~90 MB of mappings, not spent on the event loop. */
static void pageout_execute(napi_env env, void *data) {
  pageout_job *job = data;
  FILE *maps = fopen("/proc/self/maps", "re");
  char *line = NULL;
  size_t cap = 0;

  if (maps == NULL) {
    job->err = errno;
    job->syscall = "open";
    return;
  }
  while (getline(&line, &cap, maps) > 0) {
    unsigned long start, end, offset, inode;
    char perms[5], dev[16];
    int path_at = 0;
    if (sscanf(line, "%lx-%lx %4s %lx %15s %lu %n", &start, &end, perms, &offset, dev, &inode, &path_at) < 6 || path_at == 0) continue;
    char *path = line + path_at;
    path[strcspn(path, "\n")] = '\0';
    if (!clean_file_mapping(perms, inode, path) || end <= start) continue;
    if (madvise((void *)start, end - start, MADV_PAGEOUT) == 0) {
      job->advised += (double)(end - start);
    } else if (errno == EINVAL && job->advised == 0) {
      job->err = EINVAL; /* no MADV_PAGEOUT in this kernel */
      job->syscall = "madvise";
      break;
    } /* else ENOMEM: unmapped since the read; skip it */
  }
  free(line);
  fclose(maps);
}

static void pageout_complete(napi_env env, napi_status status, void *data) {
  pageout_job *job = data;
  napi_value value = NULL;
  if (status != napi_ok) {
    job->err = ECANCELED;
    job->syscall = "madvise";
  }
  if (job->err == 0 && napi_create_double(env, job->advised, &value) == napi_ok) {
    napi_resolve_deferred(env, job->deferred, value);
  } else {
    value = errno_error(env, job->err != 0 ? job->err : ENOMEM, job->syscall != NULL ? job->syscall : "madvise", "MADV_PAGEOUT of /proc/self/maps");
    if (value == NULL) napi_get_undefined(env, &value);
    napi_reject_deferred(env, job->deferred, value);
  }
  napi_delete_async_work(env, job->work);
  free(job);
}

napi_value page_out_file_mappings(napi_env env, napi_callback_info info) {
  napi_value promise, name;
  pageout_job *job = calloc(1, sizeof *job);
  if (job == NULL) {
    throw_errno(env, ENOMEM, "calloc", "pageOutFileMappings");
    return NULL;
  }
  if (napi_create_promise(env, &job->deferred, &promise) != napi_ok ||
      napi_create_string_utf8(env, "tsvrrpd:pageOutFileMappings", NAPI_AUTO_LENGTH, &name) != napi_ok ||
      napi_create_async_work(env, NULL, name, pageout_execute, pageout_complete, job, &job->work) != napi_ok) {
    free(job); /* a created deferred that is never settled is collected with its promise */
    return NULL;
  }
  if (napi_queue_async_work(env, job->work) != napi_ok) {
    napi_delete_async_work(env, job->work);
    free(job);
    return NULL;
  }
  return promise;
}

/*
 * tsvrrpd_native: the few things Node cannot do on its own (shared/design/ARCHITECTURE.md §2).
 *
 *   sendFrame(ifindex, frame)  one complete Ethernet frame out of an interface through an
 *                              AF_PACKET/SOCK_RAW socket (the gratuitous ARPs of reference B12);
 *   sdNotify(state)            one sd_notify(3) datagram to $NOTIFY_SOCKET.
 *   sendDatagram(sock, msg)    one datagram to a unix socket (syslog's /dev/log).
 *   mkfifo(path, mode)         create a named pipe (the notify FIFOs of reference B17).
 *   findRawSocket(proto, ifname)  the fd of raw-socket's VRRP socket on an interface, with
 *                              kernel receive timestamps turned on;
 *   rxAgeNs(fd)                how long ago the kernel received the datagram last read from
 *                              that socket (SIOCGSTAMPNS), to anchor Master_Down_Timer on it.
 *   watchSignals(nums, cb)     call cb(signum) on the event loop for signals Node cannot name
 *                              (keepalived's real-time JSON and STATS_CLEAR signals);
 *   ignoreSignals(nums)        SIG_IGN for signals whose default action would end the process.
 *   rxWatch(fd, …) / rxUnwatch read a raw socket's datagrams in batches (rx_batch.c).
 *   rawSendTo(fd, packet, dst) one sendto(2) on a raw socket, -errno on failure (tx_raw.c).
 *   pageOutFileMappings()      drop the clean pages of mapped files (node's code) from the
 *                              resident set, after start-up (mem_pageout.c).
 *
 * It must never hold protocol logic, build frames, or decide anything: the frame comes fully
 * built from src/protocol/garp.ts and policy lives in the src/io adapters. A system failure
 * throws an Error whose `code` is the errno name ('EPERM', 'ENXIO', ...), `errno` the positive
 * errno number and `syscall` the failing call; the TypeScript adapters turn it into
 * TsvrrpdIoError.
 * Plain C against Node's node_api.h (N-API 8), so the binary survives Node upgrades.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* strerrorname_np */
#endif
#include <node_api.h>
#include <uv.h>

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <dirent.h>
#include <time.h>
#include <signal.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/sockios.h>
#include <net/if.h>

#include "napi_util.h"
#include "rx_batch.h"
#include "tx_raw.h"
#include "mem_pageout.h"

/* Per-environment state (main thread and each worker get their own). */
typedef struct {
  int packet_fd; /* cached AF_PACKET socket, -1 until the first sendFrame() */
} addon_state;

const char *errno_name(int err) {
  switch (err) {
    case EPERM: return "EPERM";
    case ENOENT: return "ENOENT";
    case EINTR: return "EINTR";
    case EIO: return "EIO";
    case ENXIO: return "ENXIO";
    case EBADF: return "EBADF";
    case EAGAIN: return "EAGAIN";
    case ENOMEM: return "ENOMEM";
    case EACCES: return "EACCES";
    case EBUSY: return "EBUSY";
    case EEXIST: return "EEXIST";
    case ENODEV: return "ENODEV";
    case ENOTDIR: return "ENOTDIR";
    case EINVAL: return "EINVAL";
    case ENFILE: return "ENFILE";
    case EMFILE: return "EMFILE";
    case ENAMETOOLONG: return "ENAMETOOLONG";
    case ENOTSOCK: return "ENOTSOCK";
    case EMSGSIZE: return "EMSGSIZE";
    case EPROTOTYPE: return "EPROTOTYPE";
    case EAFNOSUPPORT: return "EAFNOSUPPORT";
    case EADDRNOTAVAIL: return "EADDRNOTAVAIL";
    case ENETDOWN: return "ENETDOWN";
    case ENETUNREACH: return "ENETUNREACH";
    case ENOBUFS: return "ENOBUFS";
    case ENOTCONN: return "ENOTCONN";
    case ECONNREFUSED: return "ECONNREFUSED";
    case EHOSTUNREACH: return "EHOSTUNREACH";
    default: break;
  }
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 32))
  {
    const char *name = strerrorname_np(err);
    if (name != NULL) return name;
  }
#endif
  return "UNKNOWN";
}

/* Error{code: errno name, errno, syscall}; message like Node's: "sendto ENXIO: ... (detail)". NULL if it cannot be built. */
napi_value errno_error(napi_env env, int err, const char *syscall, const char *detail) {
  char text[320];
  napi_value code, message, error, errno_value, syscall_value;
  const char *name = errno_name(err);
  snprintf(text, sizeof text, "%s %s: %s (%s)", syscall, name, strerror(err), detail);
  if (napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &code) != napi_ok ||
      napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &message) != napi_ok ||
      napi_create_error(env, code, message, &error) != napi_ok) {
    return NULL;
  }
  if (napi_create_int32(env, err, &errno_value) == napi_ok) {
    napi_set_named_property(env, error, "errno", errno_value);
  }
  if (napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &syscall_value) == napi_ok) {
    napi_set_named_property(env, error, "syscall", syscall_value);
  }
  return error;
}

/* Throw errno_error(). */
void throw_errno(napi_env env, int err, const char *syscall, const char *detail) {
  napi_value error = errno_error(env, err, syscall, detail);
  if (error == NULL) {
    napi_throw_error(env, errno_name(err), strerror(err));
    return;
  }
  napi_throw(env, error);
}

napi_value undefined_value(napi_env env) {
  napi_value v;
  napi_get_undefined(env, &v);
  return v;
}

/* The data pointer and length of a typed array of `want` type, or -1 after throwing. */
int typed_array_arg(napi_env env, napi_value v, napi_typedarray_type want, const char *msg, void **data, size_t *length) {
  bool is_typed;
  napi_typedarray_type type;
  napi_value ab;
  size_t offset;
  if (napi_is_typedarray(env, v, &is_typed) != napi_ok || !is_typed || napi_get_typedarray_info(env, v, &type, length, data, &ab, &offset) != napi_ok || type != want) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", msg);
    return -1;
  }
  return 0;
}

/* An integer argument in [lo, hi] into *out: 0, or -1 after throwing a TypeError (`type_msg`:
 * not a number) or a RangeError (`range_msg`: not an integer in range). */
int int_arg(napi_env env, napi_value v, double lo, double hi, const char *type_msg, const char *range_msg, int *out) {
  napi_valuetype type;
  double d;
  if (napi_typeof(env, v, &type) != napi_ok || type != napi_number || napi_get_value_double(env, v, &d) != napi_ok) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", type_msg);
    return -1;
  }
  if (!(d >= lo && d <= hi) || d != (double)(int)d) {
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", range_msg);
    return -1;
  }
  *out = (int)d;
  return 0;
}

/* sendFrame(ifindex: number, frame: Uint8Array): void */
static napi_value send_frame(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  int ifindex;
  size_t length = 0;
  void *data = NULL;
  addon_state *st = NULL;
  struct sockaddr_ll sll;
  char detail[64];
  ssize_t sent;

  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  if (argc < 2) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "sendFrame(ifindex, frame) takes 2 arguments");
    return NULL;
  }
  if (int_arg(env, argv[0], 1, 2147483647.0, "sendFrame: ifindex must be a number", "sendFrame: ifindex must be an integer in 1..2147483647", &ifindex) != 0) return NULL;
  if (typed_array_arg(env, argv[1], napi_uint8_array, "sendFrame: frame must be a Uint8Array", &data, &length) != 0) return NULL;
  if (length < ETH_HLEN) {
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "sendFrame: frame is shorter than an Ethernet header");
    return NULL;
  }
  if (napi_get_instance_data(env, (void **)&st) != napi_ok || st == NULL) {
    napi_throw_error(env, "EINVAL", "sendFrame: addon state missing");
    return NULL;
  }

  snprintf(detail, sizeof detail, "ifindex %d", ifindex);
  if (st->packet_fd < 0) {
    /* Protocol 0: the socket receives nothing, it only sends. */
    int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      throw_errno(env, errno, "socket", "AF_PACKET, SOCK_RAW");
      return NULL;
    }
    st->packet_fd = fd;
  }

  memset(&sll, 0, sizeof sll);
  sll.sll_family = AF_PACKET;
  sll.sll_ifindex = ifindex;
  memcpy(&sll.sll_protocol, (const unsigned char *)data + 12, 2); /* the frame's EtherType, already big-endian */
  sll.sll_halen = ETH_ALEN;
  memset(sll.sll_addr, 0xff, ETH_ALEN); /* broadcast; SOCK_RAW takes the real one from the frame */

  do {
    sent = sendto(st->packet_fd, data, length, MSG_DONTWAIT | MSG_NOSIGNAL, (const struct sockaddr *)&sll, sizeof sll);
  } while (sent < 0 && errno == EINTR);
  if (sent < 0) {
    int err = errno;
    if (err == EBADF || err == ENOTSOCK) { /* the cached fd went bad: reopen next time */
      close(st->packet_fd);
      st->packet_fd = -1;
    }
    throw_errno(env, err, "sendto", detail);
    return NULL;
  }
  if ((size_t)sent != length) {
    throw_errno(env, EMSGSIZE, "sendto", detail);
    return NULL;
  }
  return undefined_value(env);
}

/*
 * One datagram to a unix socket: `target` is an absolute path or an @abstract name. Used by
 * sd_notify(3) ($NOTIFY_SOCKET) and syslog(3)'s transport (/dev/log). Returns 0 or throws.
 */
static int send_unix_datagram(napi_env env, const char *target, const char *data, size_t len, const char *what) {
  size_t target_len = strlen(target);
  struct sockaddr_un sa;
  socklen_t salen;
  int fd, err = 0;
  ssize_t sent;

  if ((target[0] != '/' && target[0] != '@') || target_len < 2) {
    throw_errno(env, EINVAL, what, "the socket must be an absolute path or an @abstract name");
    return -1;
  }
  memset(&sa, 0, sizeof sa);
  sa.sun_family = AF_UNIX;
  if (target[0] == '/') {
    if (target_len >= sizeof sa.sun_path) {
      throw_errno(env, ENAMETOOLONG, what, target);
      return -1;
    }
    memcpy(sa.sun_path, target, target_len + 1);
    salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + target_len + 1);
  } else {
    /* Abstract namespace: '@' becomes the leading NUL, and the length is exact (no trailing NUL). */
    if (target_len > sizeof sa.sun_path) {
      throw_errno(env, ENAMETOOLONG, what, target);
      return -1;
    }
    memcpy(sa.sun_path, target, target_len);
    sa.sun_path[0] = '\0';
    salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + target_len);
  }
  fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    throw_errno(env, errno, "socket", "AF_UNIX, SOCK_DGRAM");
    return -1;
  }
  do {
    sent = sendto(fd, data, len, MSG_DONTWAIT | MSG_NOSIGNAL, (const struct sockaddr *)&sa, salen);
  } while (sent < 0 && errno == EINTR);
  if (sent < 0) err = errno;
  close(fd);
  if (sent < 0) {
    throw_errno(env, err, "sendto", target);
    return -1;
  }
  return 0;
}

/* A JS string argument as a malloc'd UTF-8 buffer (caller frees), or NULL after throwing. */
static char *string_arg(napi_env env, napi_value v, size_t *len, const char *what) {
  napi_valuetype type;
  char *buf;
  if (napi_typeof(env, v, &type) != napi_ok || type != napi_string) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", what);
    return NULL;
  }
  if (napi_get_value_string_utf8(env, v, NULL, 0, len) != napi_ok) return NULL;
  buf = malloc(*len + 1);
  if (buf == NULL) {
    throw_errno(env, ENOMEM, "malloc", what);
    return NULL;
  }
  if (napi_get_value_string_utf8(env, v, buf, *len + 1, len) != napi_ok) {
    free(buf);
    return NULL;
  }
  return buf;
}

/* sdNotify(state: string): boolean — sd_notify(3): false when $NOTIFY_SOCKET is unset. */
static napi_value sd_notify(napi_env env, napi_callback_info info) {
  size_t argc = 1, len = 0;
  napi_value argv[1], result;
  const char *target;
  char *state;
  int rc;

  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  if (argc < 1) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "sdNotify: state must be a string");
    return NULL;
  }
  target = getenv("NOTIFY_SOCKET");
  if (target == NULL || target[0] == '\0') {
    napi_get_boolean(env, false, &result);
    return result;
  }
  state = string_arg(env, argv[0], &len, "sdNotify: state must be a string");
  if (state == NULL) return NULL;
  rc = send_unix_datagram(env, target, state, len, "sd_notify");
  free(state);
  if (rc != 0) return NULL;
  napi_get_boolean(env, true, &result);
  return result;
}

/* sendDatagram(socket: string, message: string): void — e.g. a syslog line to /dev/log. */
static napi_value send_datagram(napi_env env, napi_callback_info info) {
  size_t argc = 2, tlen = 0, mlen = 0;
  napi_value argv[2];
  char *target, *message;
  int rc;

  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  if (argc < 2) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "sendDatagram: (socket, message) strings");
    return NULL;
  }
  target = string_arg(env, argv[0], &tlen, "sendDatagram: socket must be a string");
  if (target == NULL) return NULL;
  message = string_arg(env, argv[1], &mlen, "sendDatagram: message must be a string");
  if (message == NULL) {
    free(target);
    return NULL;
  }
  rc = send_unix_datagram(env, target, message, mlen, "sendDatagram");
  free(target);
  free(message);
  return rc == 0 ? undefined_value(env) : NULL;
}

/* mkfifo(path: string, mode: number): void — mkfifo(3); the process umask applies. */
static napi_value make_fifo(napi_env env, napi_callback_info info) {
  size_t argc = 2, len = 0;
  napi_value argv[2];
  int mode;
  char *path;
  int rc, err;

  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  if (argc < 2) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "mkfifo(path, mode) takes 2 arguments");
    return NULL;
  }
  if (int_arg(env, argv[1], 0, 07777, "mkfifo: mode must be a number", "mkfifo: mode must be an integer in 0..0o7777", &mode) != 0) return NULL;
  path = string_arg(env, argv[0], &len, "mkfifo: path must be a string");
  if (path == NULL) return NULL;
  if (len == 0 || strlen(path) != len) { /* empty, or an embedded NUL would silently cut the path */
    free(path);
    napi_throw_type_error(env, "ERR_INVALID_ARG_VALUE", "mkfifo: path must be a non-empty string without NUL bytes");
    return NULL;
  }
  rc = mkfifo(path, (mode_t)mode);
  err = errno;
  if (rc != 0) throw_errno(env, err, "mkfifo", path);
  free(path);
  return rc == 0 ? undefined_value(env) : NULL;
}

/* Is fd a raw AF_INET socket of IP protocol `proto` bound to interface `ifname`? */
static int is_bound_raw_socket(int fd, int proto, const char *ifname) {
  int v;
  socklen_t len;
  char bound[IF_NAMESIZE + 1];
  /* Not a socket: ENOTSOCK (no fstat, which could block on a file of a FUSE mount). */
  len = sizeof v;
  if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &v, &len) != 0 || v != AF_INET) return 0;
  len = sizeof v;
  if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &v, &len) != 0 || v != SOCK_RAW) return 0;
  len = sizeof v;
  if (getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &v, &len) != 0 || v != proto) return 0;
  memset(bound, 0, sizeof bound);
  len = IF_NAMESIZE;
  if (getsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, bound, &len) != 0) return 0;
  return strcmp(bound, ifname) == 0;
}

/*
 * findRawSocket(protocol: number, ifname: string): number — raw-socket does not expose its
 * descriptor, so look for it in /proc/self/fd: the one raw AF_INET socket of `protocol` bound to
 * `ifname`. -1 when there is none or more than one. On the one found, a first SIOCGSTAMPNS turns
 * the kernel's receive timestamps on (SOCK_TIMESTAMP; the kernel enables stamping shortly after,
 * and a datagram that arrived unstamped reads as received now, age 0).
 */
static napi_value find_raw_socket(napi_env env, napi_callback_info info) {
  size_t argc = 2, len = 0;
  napi_value argv[2], result;
  int proto, found = -1, matches = 0;
  char *ifname;
  DIR *dir;
  struct dirent *de;
  struct timespec ts;

  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  if (argc < 2) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "findRawSocket(protocol, ifname) takes 2 arguments");
    return NULL;
  }
  if (int_arg(env, argv[0], 0, 255, "findRawSocket: protocol must be a number", "findRawSocket: protocol must be an integer in 0..255", &proto) != 0) return NULL;
  ifname = string_arg(env, argv[1], &len, "findRawSocket: ifname must be a string");
  if (ifname == NULL) return NULL;
  dir = opendir("/proc/self/fd");
  if (dir == NULL) {
    int err = errno;
    free(ifname);
    throw_errno(env, err, "opendir", "/proc/self/fd");
    return NULL;
  }
  while ((de = readdir(dir)) != NULL) {
    char *end;
    long fd = strtol(de->d_name, &end, 10);
    if (de->d_name[0] == '.' || *end != '\0' || fd == dirfd(dir)) continue;
    if (is_bound_raw_socket((int)fd, proto, ifname)) {
      found = (int)fd;
      matches++;
    }
  }
  closedir(dir);
  free(ifname);
  if (matches != 1) found = -1;
  if (found >= 0) (void)ioctl(found, SIOCGSTAMPNS, &ts); /* ENOENT: nothing received yet */
  if (napi_create_int32(env, found, &result) != napi_ok) return NULL;
  return result;
}

/*
 * rxAgeNs(fd: number): number — now (CLOCK_REALTIME) minus the kernel's receive timestamp of
 * the datagram last read from `fd` (SIOCGSTAMPNS), in ns; -1 when there is none (nothing
 * read yet, timestamps not on, or the ioctl fails). Both clocks are read here, back to back, so
 * the caller can subtract the age from its own monotonic clock.
 */
static napi_value rx_age_ns(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], result;
  int fd;
  struct timespec stamp, now;
  double age = -1;

  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  if (argc < 1) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "rxAgeNs(fd) takes 1 argument");
    return NULL;
  }
  if (int_arg(env, argv[0], 0, 2147483647.0, "rxAgeNs: fd must be a number", "rxAgeNs: fd must be an integer in 0..2147483647", &fd) != 0) return NULL;
  if (ioctl(fd, SIOCGSTAMPNS, &stamp) == 0 && clock_gettime(CLOCK_REALTIME, &now) == 0) {
    age = (double)(now.tv_sec - stamp.tv_sec) * 1e9 + (double)(now.tv_nsec - stamp.tv_nsec);
  }
  if (napi_create_double(env, age, &result) != napi_ok) return NULL;
  return result;
}

/* One watched signal: a libuv signal handle on Node's loop, calling JS through a threadsafe
 * function (so the call happens in a proper JS scope). Both are unref'd: they never keep the
 * process alive, and they live as long as the process. */
typedef struct {
  uv_signal_t handle;
  napi_threadsafe_function tsfn;
} signal_watch;

static void on_uv_signal(uv_signal_t *handle, int signum) {
  signal_watch *w = handle->data;
  napi_call_threadsafe_function(w->tsfn, (void *)(intptr_t)signum, napi_tsfn_nonblocking);
}

static void call_signal_callback(napi_env env, napi_value cb, void *context, void *data) {
  napi_value arg, undef;
  if (env == NULL || cb == NULL) return;
  if (napi_create_int32(env, (int32_t)(intptr_t)data, &arg) != napi_ok) return;
  if (napi_get_undefined(env, &undef) != napi_ok) return;
  napi_call_function(env, undef, cb, 1, &arg, NULL);
}

/* The signal numbers in array `v` into out[0..*n): 0, or -1 after throwing. Never SIGKILL or
 * SIGSTOP (they cannot be caught) and only 1..SIGRTMAX. */
static int signal_list(napi_env env, napi_value v, const char *what, int *out, uint32_t *n) {
  bool is_array;
  uint32_t len, i;
  char msg[96];
  if (napi_is_array(env, v, &is_array) != napi_ok || !is_array || napi_get_array_length(env, v, &len) != napi_ok || len > 64) {
    snprintf(msg, sizeof msg, "%s: signals must be an array of at most 64 numbers", what);
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", msg);
    return -1;
  }
  for (i = 0; i < len; i++) {
    napi_value e;
    if (napi_get_element(env, v, i, &e) != napi_ok) return -1;
    snprintf(msg, sizeof msg, "%s: a signal must be an integer in 1..%d, not KILL or STOP", what, SIGRTMAX);
    if (int_arg(env, e, 1, SIGRTMAX, msg, msg, &out[i]) != 0) return -1;
    if (out[i] == SIGKILL || out[i] == SIGSTOP) {
      napi_throw_range_error(env, "ERR_OUT_OF_RANGE", msg);
      return -1;
    }
  }
  *n = len;
  return 0;
}

/* watchSignals(signums: number[], cb: (signum: number) => void): void */
static napi_value watch_signals(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], name;
  napi_valuetype type;
  int nums[64];
  uint32_t n, i;
  uv_loop_t *loop;
  napi_threadsafe_function tsfn;

  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  if (argc < 2 || napi_typeof(env, argv[1], &type) != napi_ok || type != napi_function) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "watchSignals(signums, callback) takes an array and a function");
    return NULL;
  }
  if (signal_list(env, argv[0], "watchSignals", nums, &n) != 0) return NULL;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok) {
    napi_throw_error(env, "EINVAL", "watchSignals: no event loop");
    return NULL;
  }
  if (napi_create_string_utf8(env, "tsvrrpd signal", NAPI_AUTO_LENGTH, &name) != napi_ok) return NULL;
  if (napi_create_threadsafe_function(env, argv[1], NULL, name, 0, 1, NULL, NULL, NULL, call_signal_callback, &tsfn) != napi_ok) return NULL;
  napi_unref_threadsafe_function(env, tsfn);
  for (i = 0; i < n; i++) {
    int rc;
    signal_watch *w = calloc(1, sizeof *w);
    if (w == NULL) {
      napi_throw_error(env, "ENOMEM", "watchSignals: out of memory");
      return NULL;
    }
    w->tsfn = tsfn;
    w->handle.data = w;
    rc = uv_signal_init(loop, &w->handle);
    if (rc == 0) rc = uv_signal_start(&w->handle, on_uv_signal, nums[i]);
    if (rc != 0) {
      throw_errno(env, -rc, "uv_signal_start", "watchSignals");
      return NULL;
    }
    uv_unref((uv_handle_t *)&w->handle);
  }
  return undefined_value(env);
}

/* ignoreSignals(signums: number[]): void */
static napi_value ignore_signals(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int nums[64];
  uint32_t n, i;
  struct sigaction sa;

  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  if (argc < 1) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "ignoreSignals(signums) takes 1 argument");
    return NULL;
  }
  if (signal_list(env, argv[0], "ignoreSignals", nums, &n) != 0) return NULL;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = SIG_IGN;
  sigemptyset(&sa.sa_mask);
  for (i = 0; i < n; i++) {
    if (sigaction(nums[i], &sa, NULL) != 0) {
      throw_errno(env, errno, "sigaction", "ignoreSignals");
      return NULL;
    }
  }
  return undefined_value(env);
}

static void finalize_state(napi_env env, void *data, void *hint) {
  addon_state *st = data;
  if (st == NULL) return;
  if (st->packet_fd >= 0) close(st->packet_fd);
  free(st);
}

NAPI_MODULE_INIT() {
  addon_state *st = calloc(1, sizeof *st);
  napi_property_descriptor props[] = {
    {"sendFrame", NULL, send_frame, NULL, NULL, NULL, napi_enumerable, NULL},
    {"sdNotify", NULL, sd_notify, NULL, NULL, NULL, napi_enumerable, NULL},
    {"sendDatagram", NULL, send_datagram, NULL, NULL, NULL, napi_enumerable, NULL},
    {"mkfifo", NULL, make_fifo, NULL, NULL, NULL, napi_enumerable, NULL},
    {"findRawSocket", NULL, find_raw_socket, NULL, NULL, NULL, napi_enumerable, NULL},
    {"rxAgeNs", NULL, rx_age_ns, NULL, NULL, NULL, napi_enumerable, NULL},
    {"watchSignals", NULL, watch_signals, NULL, NULL, NULL, napi_enumerable, NULL},
    {"ignoreSignals", NULL, ignore_signals, NULL, NULL, NULL, napi_enumerable, NULL},
    {"rxWatch", NULL, rx_watch, NULL, NULL, NULL, napi_enumerable, NULL},
    {"rxUnwatch", NULL, rx_unwatch, NULL, NULL, NULL, napi_enumerable, NULL},
    {"rxHold", NULL, rx_hold, NULL, NULL, NULL, napi_enumerable, NULL},
    {"rxFlush", NULL, rx_flush, NULL, NULL, NULL, napi_enumerable, NULL},
    {"rawSendTo", NULL, raw_send_to, NULL, NULL, NULL, napi_enumerable, NULL},
    {"pageOutFileMappings", NULL, page_out_file_mappings, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  if (st == NULL) {
    napi_throw_error(env, "ENOMEM", "tsvrrpd_native: out of memory");
    return NULL;
  }
  st->packet_fd = -1;
  if (napi_set_instance_data(env, st, finalize_state, NULL) != napi_ok) {
    free(st);
    return NULL;
  }
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return NULL;
  return exports;
}

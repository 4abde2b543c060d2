/*
 * Batched receive from a raw socket: the datagrams that are waiting are read with one
 * recvmmsg(2) and handed to JavaScript in one call, each with its kernel receive time.
 *
 * Why: raw-socket reads one datagram per JS round trip (its poll callback calls into JS, which
 * calls back into C for recvfrom(2), which calls JS again with the datagram): ~25 µs of CPU per
 * datagram measured here, more than the rest of an advert's handling. A director with 1 000
 * instances hears 1 000 adverts a second, and a flood brings more.
 *
 *   rxWatch(fd, buffer, slotBytes, lengths, agesNs, onBatch): handle
 *     Read socket `fd` (raw-socket's: findRawSocket()) from now on. Its own reader must be
 *     paused by the caller (raw-socket pauseRecv()). A dup(2) of the descriptor is polled on
 *     Node's loop, so raw-socket's poll of the original is untouched and it keeps sending.
 *     Datagram i of a batch is copied into buffer[i*slotBytes ..], its length in lengths[i]
 *     (-1: longer than a slot, not delivered), its age in agesNs[i] (now minus its
 *     SO_TIMESTAMPNS stamp, CLOCK_REALTIME, -1 when it has none). Then onBatch(count, "") runs,
 *     once per recvmmsg(2) that returned datagrams (at most 4 per wake-up, so one socket
 *     cannot starve the loop; the poll is level-triggered and comes back for the rest). The
 *     slots are reused: onBatch copies what it keeps. A receive error other than EAGAIN/EINTR
 *     stops the watch and calls onBatch(-1, "ENETDOWN"...).
 *   rxUnwatch(handle): stop, close the dup; safe to call twice and from inside onBatch. The
 *     memory is freed once the poll is closed and the handle collected, whichever is last.
 *   rxHold(holdMs): the receive hold, for every watch on this thread's loop (0, the default:
 *     off). Once reads come less than holdMs apart (on any watched socket), a socket that has
 *     just been read is not polled again until one shared timer, holdMs later: then every
 *     socket held meanwhile is read in that one wake-up. A director with 1 000 instances wakes
 *     about 1000 / holdMs times a second instead of once per advert heard; one with a few
 *     instances never holds. Datagrams keep their kernel stamps, so a late read changes no timing.
 *   rxFlush(): read every held socket now, each batch delivered to its onBatch before this
 *     returns (a takeover deadline is about to fire: first, what has arrived). Returns the
 *     number of datagrams delivered.
 *
 * onBatch runs through napi_make_callback, so promises it settles run their reactions after it,
 * as for any I/O callback. An exception it throws is cleared here: JavaScript guards its own
 * callback (src/io/vrrp-socket.ts); nothing from here may end the process.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* recvmmsg */
#endif
#include <node_api.h>
#include <uv.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>

#include "napi_util.h"
#include "rx_batch.h"

#define RX_ROUNDS_PER_WAKE 4
#define RX_MAX_SLOTS 256

typedef struct rx_watch rx_watch_t;

struct rx_watch {
  uv_poll_t poll;
  napi_env env;
  napi_ref on_batch;
  napi_ref buffer_ref, lengths_ref, ages_ref;
  napi_async_context async;
  int fd; /* our dup */
  unsigned slots;
  size_t slot_bytes;
  char *base;
  int32_t *lengths;
  double *ages;
  struct mmsghdr *msgs;
  struct iovec *iov;
  char *control; /* slots × CONTROL_BYTES */
  int stopped;  /* uv_close() called */
  int closed;   /* its close callback ran: fd closed, references dropped */
  int orphaned; /* the External handed to JS was collected (or never made) */
  uv_loop_t *loop;
  int held;          /* not polled until the hold timer (or rxFlush) */
  rx_watch_t *next_held;
};

/* The receive hold of the loop rxHold() was called on (the main thread's: one per process). */
static struct {
  uv_loop_t *loop;
  uv_timer_t timer;
  int timer_ready;
  uint64_t hold_ms;
  uint64_t last_read_ms; /* loop time of the last read that delivered datagrams; 0: none */
  rx_watch_t *held;      /* the held watches, a singly linked list */
} hold;

#define CONTROL_BYTES CMSG_SPACE(sizeof(struct timespec))

static void free_watch(rx_watch_t *w) {
  free(w->msgs);
  free(w->iov);
  free(w->control);
  free(w);
}

static void on_closed(uv_handle_t *handle) {
  rx_watch_t *w = handle->data;
  napi_env env = w->env;
  if (w->fd >= 0) close(w->fd);
  napi_delete_reference(env, w->on_batch);
  napi_delete_reference(env, w->buffer_ref);
  napi_delete_reference(env, w->lengths_ref);
  napi_delete_reference(env, w->ages_ref);
  napi_async_destroy(env, w->async);
  w->fd = -1;
  w->closed = 1;
  if (w->orphaned) free_watch(w);
}

static void unhold(rx_watch_t *w) {
  rx_watch_t **p;
  if (!w->held) return;
  for (p = &hold.held; *p != NULL; p = &(*p)->next_held) {
    if (*p == w) {
      *p = w->next_held;
      break;
    }
  }
  w->held = 0;
  w->next_held = NULL;
}

static void stop_watch(rx_watch_t *w) {
  if (w->stopped) return;
  w->stopped = 1;
  unhold(w);
  uv_poll_stop(&w->poll);
  uv_close((uv_handle_t *)&w->poll, on_closed);
}

/* Call onBatch(count, code) in a callback scope; an exception it throws is dropped. */
static void deliver(rx_watch_t *w, int count, const char *code) {
  napi_env env = w->env;
  napi_handle_scope scope;
  napi_value cb, recv, argv[2], ignored;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  if (napi_get_reference_value(env, w->on_batch, &cb) == napi_ok && cb != NULL && napi_get_global(env, &recv) == napi_ok &&
      napi_create_int32(env, count, &argv[0]) == napi_ok && napi_create_string_utf8(env, code, NAPI_AUTO_LENGTH, &argv[1]) == napi_ok) {
    if (napi_make_callback(env, w->async, recv, cb, 2, argv, &ignored) != napi_ok) {
      bool pending = false;
      napi_value exc;
      if (napi_is_exception_pending(env, &pending) == napi_ok && pending) napi_get_and_clear_last_exception(env, &exc);
    }
  }
  napi_close_handle_scope(env, scope);
}

static double age_of(struct msghdr *mh, const struct timespec *now) {
  struct cmsghdr *c;
  for (c = CMSG_FIRSTHDR(mh); c != NULL; c = CMSG_NXTHDR(mh, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS && c->cmsg_len >= CMSG_LEN(sizeof(struct timespec))) {
      struct timespec ts;
      memcpy(&ts, CMSG_DATA(c), sizeof ts);
      if (ts.tv_sec == 0 && ts.tv_nsec == 0) return -1;
      return (double)(now->tv_sec - ts.tv_sec) * 1e9 + (double)(now->tv_nsec - ts.tv_nsec);
    }
  }
  return -1;
}

/* Read what is waiting: up to RX_ROUNDS_PER_WAKE recvmmsg(2) rounds, each batch delivered. */
static int read_rounds(rx_watch_t *w) {
  int round, total = 0;
  for (round = 0; round < RX_ROUNDS_PER_WAKE && !w->stopped; round++) {
    unsigned i;
    int n;
    struct timespec now;
    for (i = 0; i < w->slots; i++) {
      w->iov[i].iov_base = w->base + (size_t)i * w->slot_bytes;
      w->iov[i].iov_len = w->slot_bytes;
      memset(&w->msgs[i].msg_hdr, 0, sizeof w->msgs[i].msg_hdr);
      w->msgs[i].msg_hdr.msg_iov = &w->iov[i];
      w->msgs[i].msg_hdr.msg_iovlen = 1;
      w->msgs[i].msg_hdr.msg_control = w->control + (size_t)i * CONTROL_BYTES;
      w->msgs[i].msg_hdr.msg_controllen = CONTROL_BYTES;
      w->msgs[i].msg_len = 0;
    }
    do {
      n = recvmmsg(w->fd, w->msgs, w->slots, MSG_DONTWAIT, NULL);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
      int err = errno;
      if (err == EAGAIN || err == EWOULDBLOCK) return total;
      stop_watch(w);
      deliver(w, -1, errno_name(err));
      return total;
    }
    if (n == 0) return total;
    clock_gettime(CLOCK_REALTIME, &now);
    for (i = 0; i < (unsigned)n; i++) {
      struct msghdr *mh = &w->msgs[i].msg_hdr;
      w->lengths[i] = (mh->msg_flags & MSG_TRUNC) ? -1 : (int32_t)w->msgs[i].msg_len;
      w->ages[i] = age_of(mh, &now);
    }
    total += n;
    deliver(w, n, "");
    if ((unsigned)n < w->slots) return total; /* drained */
  }
  return total;
}

static void on_readable(uv_poll_t *handle, int status, int events);

/* Take the first held watch off the list (one at a time: a callback may unwatch another). */
static rx_watch_t *pop_held(void) {
  rx_watch_t *w = hold.held;
  if (w == NULL) return NULL;
  hold.held = w->next_held;
  w->held = 0;
  w->next_held = NULL;
  return w;
}

/* Poll `w` again; a failure stops it like a receive error. */
static void resume(rx_watch_t *w) {
  if (w->stopped || uv_poll_start(&w->poll, UV_READABLE, on_readable) == 0) return;
  stop_watch(w);
  deliver(w, -1, "EIO");
}

static void on_hold_timer(uv_timer_t *timer) {
  rx_watch_t *w;
  (void)timer;
  /* Polled again: this loop iteration's poll phase reads what arrived meanwhile. */
  while ((w = pop_held()) != NULL) resume(w);
}

/* After a read: hold the socket when reads are coming less than hold_ms apart. */
static void maybe_hold(rx_watch_t *w) {
  uint64_t now;
  int frequent;
  if (hold.hold_ms == 0 || w->loop != hold.loop || w->stopped || w->held) return;
  now = uv_now(w->loop);
  frequent = hold.last_read_ms != 0 && now - hold.last_read_ms < hold.hold_ms;
  hold.last_read_ms = now == 0 ? 1 : now;
  if (!frequent) return;
  if (uv_poll_stop(&w->poll) != 0) return;
  w->held = 1;
  w->next_held = hold.held;
  hold.held = w;
  if (!uv_is_active((uv_handle_t *)&hold.timer)) uv_timer_start(&hold.timer, on_hold_timer, hold.hold_ms, 0);
}

static void on_readable(uv_poll_t *handle, int status, int events) {
  rx_watch_t *w = handle->data;
  (void)events;
  if (w->stopped) return;
  if (status < 0) {
    stop_watch(w);
    deliver(w, -1, errno_name(-status));
    return;
  }
  if (read_rounds(w) > 0) maybe_hold(w);
}

/* The External was collected: free now if closed, else stop (and free once closed). */
static void finalize_handle(napi_env env, void *data, void *hint) {
  rx_watch_t *w = data;
  w->orphaned = 1;
  if (w->closed) free_watch(w);
  else stop_watch(w);
}

/* rxWatch(fd, buffer: Uint8Array, slotBytes, lengths: Int32Array, agesNs: Float64Array, onBatch): External */
napi_value rx_watch(napi_env env, napi_callback_info info) {
  size_t argc = 6, buf_len, lengths_len, ages_len;
  napi_value argv[6], handle, name;
  napi_valuetype type;
  int fd, slot_bytes, on = 1, rc;
  void *buf, *lengths, *ages;
  uv_loop_t *loop;
  rx_watch_t *w;

  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  if (argc < 6 || napi_typeof(env, argv[5], &type) != napi_ok || type != napi_function) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "rxWatch(fd, buffer, slotBytes, lengths, agesNs, onBatch) takes 6 arguments, the last a function");
    return NULL;
  }
  if (int_arg(env, argv[0], 0, 2147483647.0, "rxWatch: fd must be a number", "rxWatch: fd must be an integer in 0..2147483647", &fd) != 0) return NULL;
  if (int_arg(env, argv[2], 64, 65536, "rxWatch: slotBytes must be a number", "rxWatch: slotBytes must be an integer in 64..65536", &slot_bytes) != 0) return NULL;
  if (typed_array_arg(env, argv[1], napi_uint8_array, "rxWatch: buffer must be a Uint8Array", &buf, &buf_len) != 0) return NULL;
  if (typed_array_arg(env, argv[3], napi_int32_array, "rxWatch: lengths must be an Int32Array", &lengths, &lengths_len) != 0) return NULL;
  if (typed_array_arg(env, argv[4], napi_float64_array, "rxWatch: agesNs must be a Float64Array", &ages, &ages_len) != 0) return NULL;
  if (lengths_len == 0 || lengths_len > RX_MAX_SLOTS || ages_len != lengths_len || buf_len < lengths_len * (size_t)slot_bytes) {
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "rxWatch: 1..256 slots, as many lengths as ages, and a buffer of slots × slotBytes");
    return NULL;
  }
  if (napi_get_uv_event_loop(env, &loop) != napi_ok) {
    napi_throw_error(env, "EINVAL", "rxWatch: no event loop");
    return NULL;
  }
  w = calloc(1, sizeof *w);
  if (w != NULL) {
    w->msgs = calloc(lengths_len, sizeof *w->msgs);
    w->iov = calloc(lengths_len, sizeof *w->iov);
    w->control = calloc(lengths_len, CONTROL_BYTES);
  }
  if (w == NULL || w->msgs == NULL || w->iov == NULL || w->control == NULL) {
    if (w != NULL) free_watch(w);
    napi_throw_error(env, "ENOMEM", "rxWatch: out of memory");
    return NULL;
  }
  w->env = env;
  w->slots = (unsigned)lengths_len;
  w->slot_bytes = (size_t)slot_bytes;
  w->base = buf;
  w->lengths = lengths;
  w->ages = ages;
  w->loop = loop;
  w->fd = dup(fd);
  if (w->fd < 0) {
    int err = errno;
    free_watch(w);
    throw_errno(env, err, "dup", "rxWatch");
    return NULL;
  }
  /* Every datagram carries its stamp (SCM_TIMESTAMPNS), so no ioctl per datagram. */
  if (setsockopt(w->fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on) != 0) {
    int err = errno;
    close(w->fd);
    free_watch(w);
    throw_errno(env, err, "setsockopt", "rxWatch SO_TIMESTAMPNS");
    return NULL;
  }
  if (napi_create_string_utf8(env, "tsvrrpd rx", NAPI_AUTO_LENGTH, &name) != napi_ok || napi_async_init(env, NULL, name, &w->async) != napi_ok ||
      napi_create_reference(env, argv[5], 1, &w->on_batch) != napi_ok || napi_create_reference(env, argv[1], 1, &w->buffer_ref) != napi_ok ||
      napi_create_reference(env, argv[3], 1, &w->lengths_ref) != napi_ok || napi_create_reference(env, argv[4], 1, &w->ages_ref) != napi_ok) {
    close(w->fd);
    free_watch(w); /* the references that were made leak: a failing napi is beyond repair */
    napi_throw_error(env, "ENOMEM", "rxWatch: cannot hold its arguments");
    return NULL;
  }
  w->poll.data = w;
  rc = uv_poll_init(loop, &w->poll, w->fd);
  if (rc != 0) {
    close(w->fd);
    napi_delete_reference(env, w->on_batch);
    napi_delete_reference(env, w->buffer_ref);
    napi_delete_reference(env, w->lengths_ref);
    napi_delete_reference(env, w->ages_ref);
    napi_async_destroy(env, w->async);
    free_watch(w);
    throw_errno(env, -rc, "uv_poll_init", "rxWatch");
    return NULL;
  }
  rc = uv_poll_start(&w->poll, UV_READABLE, on_readable);
  if (rc != 0 || napi_create_external(env, w, finalize_handle, NULL, &handle) != napi_ok) {
    w->orphaned = 1;
    stop_watch(w);
    if (rc != 0) throw_errno(env, -rc, "uv_poll_start", "rxWatch");
    else napi_throw_error(env, "ENOMEM", "rxWatch: cannot make its handle");
    return NULL;
  }
  return handle;
}

/* rxUnwatch(handle): void */
napi_value rx_unwatch(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_valuetype type;
  void *data = NULL;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  if (argc < 1 || napi_typeof(env, argv[0], &type) != napi_ok || type != napi_external || napi_get_value_external(env, argv[0], &data) != napi_ok || data == NULL) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "rxUnwatch(handle) takes what rxWatch returned");
    return NULL;
  }
  stop_watch(data);
  return undefined_value(env);
}

/* rxHold(holdMs): void */
napi_value rx_hold(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int hold_ms;
  uv_loop_t *loop;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  if (argc < 1) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "rxHold(holdMs) takes 1 argument");
    return NULL;
  }
  if (int_arg(env, argv[0], 0, 1000, "rxHold: holdMs must be a number", "rxHold: holdMs must be an integer in 0..1000", &hold_ms) != 0) return NULL;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok) {
    napi_throw_error(env, "EINVAL", "rxHold: no event loop");
    return NULL;
  }
  if (hold.loop != NULL && hold.loop != loop) {
    napi_throw_error(env, "EINVAL", "rxHold: the hold belongs to another thread's loop");
    return NULL;
  }
  if (!hold.timer_ready) {
    int rc = uv_timer_init(loop, &hold.timer);
    if (rc != 0) {
      throw_errno(env, -rc, "uv_timer_init", "rxHold");
      return NULL;
    }
    hold.loop = loop;
    hold.timer_ready = 1;
  }
  hold.hold_ms = (uint64_t)hold_ms;
  if (hold_ms == 0) {
    uv_timer_stop(&hold.timer);
    on_hold_timer(&hold.timer); /* nothing stays held with the hold off */
  }
  return undefined_value(env);
}

/* rxFlush(): number of datagrams delivered */
napi_value rx_flush(napi_env env, napi_callback_info info) {
  napi_value result;
  int total = 0;
  rx_watch_t *w;
  (void)info;
  while ((w = pop_held()) != NULL) {
    if (w->stopped) continue;
    total += read_rounds(w);
    resume(w);
  }
  if (hold.timer_ready) uv_timer_stop(&hold.timer);
  if (napi_create_int32(env, total, &result) != napi_ok) return NULL;
  return result;
}

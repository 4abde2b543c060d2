/*
 * rawSendTo(fd, packet, dstIpv4): one sendto(2) of `packet` (a complete IPv4 packet: the raw
 * socket has IP_HDRINCL) to `dstIpv4` (the address as an unsigned 32-bit number, host order),
 * with MSG_DONTWAIT. Returns the bytes sent, or -errno: the caller decides what a failure
 * means (EAGAIN: queue it; anything else: report it), so the hot path of a MASTER's advert
 * neither throws nor calls back into JS. Bad arguments throw TypeError/RangeError.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "napi_util.h"
#include "tx_raw.h"

napi_value raw_send_to(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3], result;
  int fd;
  size_t length = 0;
  void *data = NULL;
  double dst;
  struct sockaddr_in to;
  ssize_t sent;

  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  if (argc < 3) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "rawSendTo(fd, packet, dstIpv4) takes 3 arguments");
    return NULL;
  }
  if (int_arg(env, argv[0], 0, 2147483647.0, "rawSendTo: fd must be a number", "rawSendTo: fd must be an integer in 0..2147483647", &fd) != 0) return NULL;
  if (typed_array_arg(env, argv[1], napi_uint8_array, "rawSendTo: packet must be a Uint8Array", &data, &length) != 0) return NULL;
  if (napi_get_value_double(env, argv[2], &dst) != napi_ok) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "rawSendTo: dstIpv4 must be a number");
    return NULL;
  }
  if (!(dst >= 0 && dst <= 4294967295.0) || dst != (double)(uint32_t)dst) {
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "rawSendTo: dstIpv4 must be an integer in 0..4294967295");
    return NULL;
  }
  memset(&to, 0, sizeof to);
  to.sin_family = AF_INET;
  to.sin_addr.s_addr = htonl((uint32_t)dst);
  do {
    sent = sendto(fd, data, length, MSG_DONTWAIT, (const struct sockaddr *)&to, sizeof to);
  } while (sent < 0 && errno == EINTR);
  if (napi_create_int32(env, sent < 0 ? -errno : (int32_t)sent, &result) != napi_ok) return NULL;
  return result;
}

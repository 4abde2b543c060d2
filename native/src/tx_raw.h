/* One datagram out of a raw socket, without a callback (tx_raw.c). */
#ifndef TSVRRPD_TX_RAW_H
#define TSVRRPD_TX_RAW_H
#include <node_api.h>

napi_value raw_send_to(napi_env env, napi_callback_info info);

#endif

/* Batched receive from a raw socket (rx_batch.c). */
#ifndef TSVRRPD_RX_BATCH_H
#define TSVRRPD_RX_BATCH_H
#include <node_api.h>

napi_value rx_watch(napi_env env, napi_callback_info info);
napi_value rx_unwatch(napi_env env, napi_callback_info info);
napi_value rx_hold(napi_env env, napi_callback_info info);
napi_value rx_flush(napi_env env, napi_callback_info info);

#endif

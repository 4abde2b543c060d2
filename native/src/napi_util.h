/* The argument and error helpers every part of the addon shares (tsvrrpd_native.c). */
#ifndef TSVRRPD_NAPI_UTIL_H
#define TSVRRPD_NAPI_UTIL_H
#include <node_api.h>

/* "EPERM", "ENXIO", ...; "UNKNOWN" when glibc cannot name it either. */
const char *errno_name(int err);
/* Error{code: errno name, errno, syscall}, message like Node's; NULL if it cannot be built. */
napi_value errno_error(napi_env env, int err, const char *syscall, const char *detail);
/* Throw errno_error(). */
void throw_errno(napi_env env, int err, const char *syscall, const char *detail);
napi_value undefined_value(napi_env env);
/* An integer argument in [lo, hi] into *out: 0, or -1 after throwing. */
int int_arg(napi_env env, napi_value v, double lo, double hi, const char *type_msg, const char *range_msg, int *out);

/* The data pointer and length of a typed array of `want` type: 0, or -1 after throwing a TypeError (`msg`). */
int typed_array_arg(napi_env env, napi_value v, napi_typedarray_type want, const char *msg, void **data, size_t *length);

#endif

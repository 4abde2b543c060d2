/* Dropping this process's clean file-backed pages from its resident set (mem_pageout.c). */
#ifndef TSVRRPD_MEM_PAGEOUT_H
#define TSVRRPD_MEM_PAGEOUT_H
#include <node_api.h>

napi_value page_out_file_mappings(napi_env env, napi_callback_info info);

#endif

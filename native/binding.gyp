# The tsvrrpd native addon (see README.md): plain C against Node's own node_api.h,
# no node-addon-api. Built by `npm install` / `npm ci` (the root package's install script)
# or `npm run build:native`, into native/build/Release/tsvrrpd_native.node.
{
  "targets": [
    {
      "target_name": "tsvrrpd_native",
      "sources": ["src/tsvrrpd_native.c", "src/rx_batch.c", "src/tx_raw.c", "src/mem_pageout.c"],
      "defines": ["NAPI_VERSION=8"],
      "cflags_c": ["-std=gnu11", "-Wall", "-Wextra", "-Wno-unused-parameter"]
    }
  ]
}

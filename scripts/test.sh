#!/usr/bin/env bash
# `npm test`: set up, build from clean, lint, and run every suite (unit, differential,
# integration). Integration suites need root for network namespaces.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
rm -rf dist
npx tsc -p tsconfig.json
npx eslint --config scripts/eslint.config.mjs src test
mapfile -t files < <(find dist/test -name '*.test.js' | sort)
node --test "${files[@]}"

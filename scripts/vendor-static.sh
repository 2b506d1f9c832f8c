#!/usr/bin/env bash
# Copy the front-end libraries installed by npm (package.json, package-lock.json) into static/vendor/, which is not
# committed and is served like every other static file: nothing is loaded from the internet at run time.
# Run by scripts/bootstrap.sh after `npm ci`, and by the Dockerfile's assets stage. Fails loudly when a file is missing.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

copy() {
    local from=$1 to_dir=$2
    if [ ! -f "$from" ]; then
        echo "vendor-static: ERROR: $from is missing; run 'npm ci' (scripts/bootstrap.sh does it)" >&2
        exit 1
    fi
    mkdir -p "$to_dir"
    if ! cmp -s "$from" "$to_dir/$(basename "$from")"; then
        cp "$from" "$to_dir/"
    fi
}

copy node_modules/echarts/dist/echarts.min.js static/vendor/echarts
copy node_modules/echarts/LICENSE static/vendor/echarts

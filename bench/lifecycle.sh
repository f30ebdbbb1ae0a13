#!/bin/sh
# bench/lifecycle.sh RUNTIME STATE BUNDLE ID: one container through the
# engines' sequence (create, start, delete --force), as podman and
# containerd's shim drive a runtime. Each row of make bench pays this same
# shell; the ratios compare the runtimes.
set -e
"$1" --root "$2" create --bundle "$3" "$4" </dev/null >/dev/null
"$1" --root "$2" start "$4"
"$1" --root "$2" delete --force "$4"

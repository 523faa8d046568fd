#!/usr/bin/env bash
# Runs a command with no network but loopback: in a new network namespace where only `lo`
# is up, so nothing the command starts (the app, PostgreSQL, Chromium) can reach beyond
# 127.0.0.1. Needs root (as `make test` runs on CI); elsewhere the command runs as it is,
# held only by pytest-socket's guard inside the test process. With CI=true the namespace
# is required: CI must prove the suite needs no network.
set -euo pipefail
if [ "$(id -u)" = 0 ] && unshare --net true 2>/dev/null; then
	exec unshare --net -- bash -c 'ip link set lo up && exec "$@"' loopback-only "$@"
fi
if [ "${CI:-}" = true ]; then
	echo "loopback-only.sh: cannot make a network namespace (needs root and unshare)" >&2
	exit 1
fi
echo "==> (no network namespace here: only the test process is kept to loopback)" >&2
exec "$@"

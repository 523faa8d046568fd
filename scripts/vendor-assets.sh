#!/usr/bin/env bash
# Refreshes the third-party files served or used from this repository, pinned by version,
# from the npm registry (no CDN at run time). Run through `make vendor`.
set -euo pipefail
cd "$(dirname "$0")/.."

HTMX_VERSION=2.0.4
AXE_VERSION=4.10.2

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fetch() { # fetch <package> <version>: unpacks the npm tarball into $work/<package>
	(cd "$work" && npm pack --silent "$1@$2" >/dev/null)
	mkdir -p "$work/$1"
	tar -xzf "$work/$1-$2.tgz" -C "$work/$1" --strip-components=1
}

fetch htmx.org "$HTMX_VERSION"
install -D -m 644 "$work/htmx.org/dist/htmx.min.js" static/js/htmx.min.js
install -D -m 644 "$work/htmx.org/LICENSE" static/js/htmx.LICENSE.txt

fetch axe-core "$AXE_VERSION"
install -D -m 644 "$work/axe-core/axe.min.js" tests/browser/vendor/axe.min.js
install -D -m 644 "$work/axe-core/LICENSE" tests/browser/vendor/axe.LICENSE.txt

echo "htmx $HTMX_VERSION and axe-core $AXE_VERSION vendored"

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
	local tarball # npm names a scoped package's tarball without "@" and with "-" for "/"
	tarball="$(echo "${1#@}" | tr / -)-$2.tgz"
	(cd "$work" && npm pack --silent "$1@$2" >/dev/null)
	mkdir -p "$work/$1"
	tar -xzf "$work/$tarball" -C "$work/$1" --strip-components=1
}

fetch htmx.org "$HTMX_VERSION"
install -D -m 644 "$work/htmx.org/dist/htmx.min.js" static/js/htmx.min.js
install -D -m 644 "$work/htmx.org/LICENSE" static/js/htmx.LICENSE.txt

fetch axe-core "$AXE_VERSION"
install -D -m 644 "$work/axe-core/axe.min.js" tests/browser/vendor/axe.min.js
install -D -m 644 "$work/axe-core/LICENSE" tests/browser/vendor/axe.LICENSE.txt

# Fonts for Urdu and Nepali (pages and PDFs): each script's own subset, regular and bold.
FONTSOURCE_VERSION=5.3.0
fetch @fontsource/noto-nastaliq-urdu "$FONTSOURCE_VERSION"
fetch @fontsource/noto-sans-devanagari "$FONTSOURCE_VERSION"
nastaliq="$work/@fontsource/noto-nastaliq-urdu/files/noto-nastaliq-urdu-arabic"
devanagari="$work/@fontsource/noto-sans-devanagari/files/noto-sans-devanagari-devanagari"
install -D -m 644 "$nastaliq-400-normal.woff2" static/fonts/NotoNastaliqUrdu-Regular.woff2
install -D -m 644 "$nastaliq-700-normal.woff2" static/fonts/NotoNastaliqUrdu-Bold.woff2
install -D -m 644 "$devanagari-400-normal.woff2" static/fonts/NotoSansDevanagari-Regular.woff2
install -D -m 644 "$devanagari-700-normal.woff2" static/fonts/NotoSansDevanagari-Bold.woff2
install -D -m 644 "$work/@fontsource/noto-nastaliq-urdu/LICENSE" static/fonts/OFL.txt

echo "htmx $HTMX_VERSION, axe-core $AXE_VERSION and Noto fonts (Fontsource $FONTSOURCE_VERSION) vendored"

#!/usr/bin/env bash
# Extracts every translatable string into src/iil_lms/locale/messages.pot, merges it into
# the Urdu and Nepali catalogs (creating them when missing) and compiles them to .mo.
# Output is deterministic: messages sorted by msgid, locations by file only (no line
# numbers), no creation dates, so a run over unchanged sources changes no file.
# Run through `make i18n`; translate what is new, then run it again to compile.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${BIN:-.venv/bin}
LOCALE_DIR=src/iil_lms/locale
POT="$LOCALE_DIR/messages.pot"
LANGUAGES=(ur ne)

strip_dates() { # catalogs keep no timestamps: they would change on every run
	sed -i -e '/^"POT-Creation-Date: /d' -e '/^"PO-Revision-Date: /d' "$@"
}

"$BIN/pybabel" -q extract -F babel.cfg -o "$POT" -k N_ \
	--sort-output --add-location=file --width=100 \
	--project=iil-lms --version=1 --copyright-holder="Integrity Innovation Lab" \
	--msgid-bugs-address="https://github.com/integrity-innovation-lab/iil-lms/issues" \
	.
strip_dates "$POT"

for lang in "${LANGUAGES[@]}"; do
	po="$LOCALE_DIR/$lang/LC_MESSAGES/messages.po"
	if [ -f "$po" ]; then
		"$BIN/pybabel" -q update -D messages -i "$POT" -d "$LOCALE_DIR" -l "$lang" \
			--ignore-obsolete --no-fuzzy-matching --width=100 --ignore-pot-creation-date
	else
		"$BIN/pybabel" -q init -D messages -i "$POT" -d "$LOCALE_DIR" -l "$lang" --width=100
	fi
	strip_dates "$po"
done

"$BIN/pybabel" compile -D messages -d "$LOCALE_DIR" --statistics

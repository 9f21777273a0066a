#!/bin/sh
# Recompiles the committed .mo fixtures from their .po sources and makes the
# big-endian copy. Needs GNU gettext's msgfmt (Debian: apt-get install gettext).
#   cd crates/locale/tests/data && sh regen.sh
set -eu
cd "$(dirname "$0")"
for po in $(find gettext_translations gettext_dates gettext_fallback -name '*.po' | sort); do
    msgfmt -o "${po%.po}.mo" "$po"
done
python3 mo_to_be.py gettext_translations/fr_FR/LC_MESSAGES/tornado_test.mo \
    gettext_translations/fr_FR/LC_MESSAGES/tornado_test_be.mo

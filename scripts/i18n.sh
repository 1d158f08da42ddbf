#!/usr/bin/env bash
# The web app's message catalogues (docs/web-app.md, "Languages of the web app"):
#   scripts/i18n.sh            re-extract service/web/locale/messages.pot from the templates and the
#                              Python code, then update every language's messages.po from it
#   scripts/i18n.sh init xx_YY start a new language's messages.po from the .pot
# Then translate the new or fuzzy entries in the .po and run tests/service/test_i18n_catalog.py.
# The keywords: _ / gettext / ngettext / pgettext / N_ (defaults), tr(request|locale, msg),
# ntr(request|locale, one, many, n), NC_(context, msg), NN_(one, many, n) (a count marked only).
set -euo pipefail
cd "$(dirname "$0")/.."
PYBABEL="${PYBABEL:-.venv/bin/pybabel}"
LOCALE_DIR=service/web/locale
POT="$LOCALE_DIR/messages.pot"

if [[ "${1:-}" == "init" ]]; then
  "$PYBABEL" init -i "$POT" -d "$LOCALE_DIR" -D messages -l "${2:?which locale, e.g. zh_CN}"
  exit 0
fi

"$PYBABEL" extract -F "$LOCALE_DIR/babel.cfg" -k tr:2 -k ntr:2,3 -k NC_:1c,2 -k NN_:1,2 \
  --project=Talktrack --copyright-holder="Talktrack contributors" --add-location=file --sort-output \
  --no-wrap -o "$POT" .
"$PYBABEL" update -i "$POT" -d "$LOCALE_DIR" -D messages --ignore-obsolete --no-wrap

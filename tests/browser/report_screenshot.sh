#!/usr/bin/env bash
# Renders a real report.html in headless Chromium and checks the charts are there: the browser's
# DOM holds the <svg> of every expected chart, and the screenshot is not blank (it has ink, many
# colours, and the Okabe-Ito line colours of the legend).
#
#   bash tests/browser/report_screenshot.sh
#
# Installs Debian's chromium when /usr/bin/chromium is missing (needs root and apt). Runs
# `cartshift run scenarios/kroger_alibaba_alliance.toml --report` with the scenario's own
# settings unless CARTSHIFT_REPORT_ARGS says otherwise, e.g. "--households 2000 --replications 4".
# CARTSHIFT_BIN picks the binary (default: a release build). The screenshot is kept in
# target/browser/report.png (or CARTSHIFT_SCREENSHOT) for a person to look at.
set -euo pipefail
cd "$(dirname "$0")/../.."

if [ ! -x /usr/bin/chromium ]; then
    echo "== installing chromium (Debian package)"
    if [ "$(id -u)" != 0 ]; then echo "chromium is missing and this user cannot apt-get install it" >&2; exit 1; fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

bin="${CARTSHIFT_BIN:-}"
if [ -z "$bin" ]; then
    cargo build --release --locked --quiet
    bin=target/release/cartshift
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
shot="${CARTSHIFT_SCREENSHOT:-target/browser/report.png}"
mkdir -p "$(dirname "$shot")"

echo "== cartshift run scenarios/kroger_alibaba_alliance.toml --report ${CARTSHIFT_REPORT_ARGS:-}"
# shellcheck disable=SC2086  # the extra arguments are meant to split
"$bin" run scenarios/kroger_alibaba_alliance.toml --report --quiet -o "$work/out" ${CARTSHIFT_REPORT_ARGS:-}
report="$work/out/report.html"

chromium_flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
    --disable-background-networking --disable-component-update --disable-sync)
echo "== headless chromium: DOM and screenshot"
chromium "${chromium_flags[@]}" --user-data-dir="$(mktemp -d -p "$work")" --dump-dom "file://$report" \
    > "$work/dom.html" 2> "$work/chromium-dom.log"
chromium "${chromium_flags[@]}" --user-data-dir="$(mktemp -d -p "$work")" --window-size=1280,4000 \
    --screenshot="$shot" "file://$report" > "$work/chromium-shot.log" 2>&1

python3 tests/browser/check_report.py "$work/dom.html" "$shot" \
    chart-share chart-online chart-shifts table-horizon table-switching manifest

#!/usr/bin/env bash
# Window smoke test: start the real GLFW app on a private Xvfb, with a throw-away HOME and, where
# possible, with every system font hidden (so Chinese must come from the font bundled in the theme);
# screenshot its window, check the picture is not blank, start it a second time (that start must hand
# over to the running window and exit 0), and check the app quits by itself with 0.
#
#   scripts/smoke.sh ./icpfiling
#
# Env: SMOKE_SECONDS (default 10) how long the app runs (--quit-after);
#      SMOKE_SHOT (default $PWD/smoke-screenshot.png) where the screenshot goes.
# Needs: Xvfb, xdotool, xdpyinfo (x11-utils), ImageMagick (import, identify).
set -euo pipefail

die() { echo "smoke: FAIL: $*" >&2; exit 1; }

[ $# -eq 1 ] || die "usage: $0 PATH/TO/icpfiling"
[ -x "$1" ] || die "not an executable: $1"
BIN="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
SECS="${SMOKE_SECONDS:-10}"
[[ "$SECS" =~ ^[0-9]+$ ]] || die "SMOKE_SECONDS must be a whole number of seconds, got '$SECS'"
SHOT="${SMOKE_SHOT:-$PWD/smoke-screenshot.png}"
case "$SHOT" in /*) ;; *) SHOT="$PWD/$SHOT" ;; esac

for t in Xvfb xdotool; do
  command -v "$t" >/dev/null || die "'$t' not found (make deps-test installs it)"
done

# ImageMagick tool by name; plain names may be shadowed by a non-ImageMagick wrapper.
im() {
  local c
  for c in "$1" "$1-im6.q16" "$1-im7.q16"; do
    if command -v "$c" >/dev/null && "$c" -version 2>/dev/null | grep -q ImageMagick; then
      echo "$c"; return 0
    fi
  done
  die "ImageMagick '$1' not found (make deps-test installs imagemagick)"
}
IMPORT="$(im import)"
IDENTIFY="$(im identify)"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/icpfiling-smoke.XXXXXX")"
LOG="$WORK/app.log"
XVFB_PID=
APP_PID=
cleanup() {
  if [ -n "$APP_PID" ] && kill -0 "$APP_PID" 2>/dev/null; then kill "$APP_PID" 2>/dev/null || true; fi
  if [ -n "$XVFB_PID" ] && kill -0 "$XVFB_PID" 2>/dev/null; then kill "$XVFB_PID" 2>/dev/null || true; fi
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail_with_log() {
  echo "---- app log ----" >&2
  cat "$LOG" >&2 || true
  echo "-----------------" >&2
  die "$*"
}

display_up() {
  if command -v xdpyinfo >/dev/null; then
    xdpyinfo -display ":$1" >/dev/null 2>&1
  else
    DISPLAY=":$1" xdotool getdisplaygeometry >/dev/null 2>&1
  fi
}

# --- a private X server on the first free display in :97..:120 ---
DISP=
for n in $(seq 97 120); do
  [ -e "/tmp/.X11-unix/X$n" ] || [ -e "/tmp/.X$n-lock" ] && continue
  Xvfb ":$n" -screen 0 1024x768x24 -nolisten tcp >"$WORK/xvfb-$n.log" 2>&1 &
  XVFB_PID=$!
  for _ in $(seq 1 50); do
    kill -0 "$XVFB_PID" 2>/dev/null || break
    if display_up "$n"; then DISP="$n"; break; fi
    sleep 0.1
  done
  [ -n "$DISP" ] && break
  kill "$XVFB_PID" 2>/dev/null || true
  wait "$XVFB_PID" 2>/dev/null || true
  XVFB_PID=
done
if [ -z "$DISP" ]; then
  cat "$WORK"/xvfb-*.log >&2 2>/dev/null || true
  die "could not start Xvfb on any display :97..:120"
fi
echo "smoke: Xvfb on :$DISP (pid $XVFB_PID)"
export DISPLAY=":$DISP"

# --- an isolated environment ---
mkdir -p "$WORK/home" "$WORK/config" "$WORK/cache" "$WORK/data" "$WORK/tmp" "$WORK/nofonts"
RUN_ENV=(env -u LC_ALL -u LANGUAGE -u LC_MESSAGES -u FYNE_FONT
  HOME="$WORK/home" XDG_CONFIG_HOME="$WORK/config" XDG_CACHE_HOME="$WORK/cache"
  XDG_DATA_HOME="$WORK/data" TMPDIR="$WORK/tmp" LANG=zh_CN.UTF-8 DISPLAY="$DISPLAY")

# --- hide system fonts in a private mount namespace when we can ---
FONT_DIRS=(/usr/share/fonts)
[ -d /usr/local/share/fonts ] && FONT_DIRS+=(/usr/local/share/fonts)
MOUNTS=""
for d in "${FONT_DIRS[@]}"; do MOUNTS+="mount --bind \"\$0\" '$d' && "; done
HIDE=()
if [ "$(id -u)" -eq 0 ] && command -v unshare >/dev/null &&
   unshare --mount --propagation private -- sh -c "${MOUNTS}true" "$WORK/nofonts" 2>/dev/null; then
  HIDE=(unshare --mount --propagation private -- sh -c "${MOUNTS}exec \"\$@\"" "$WORK/nofonts")
  echo "smoke: fonts: system fonts HIDDEN (private mount namespace over ${FONT_DIRS[*]}); CJK glyphs can only come from the bundled font"
else
  echo "smoke: WARNING: system fonts are VISIBLE (needs root and a working 'unshare --mount');" \
       "Chinese may render from a system font and hide a missing bundled font" >&2
fi

# --- start the app; it quits itself after $SECS s ---
echo "smoke: starting $BIN --quit-after ${SECS}s"
START=$SECONDS
"${HIDE[@]}" "${RUN_ENV[@]}" "$BIN" --quit-after "${SECS}s" >"$LOG" 2>&1 &
APP_PID=$!

WID=
while [ $((SECONDS - START)) -lt 30 ]; do
  if ! kill -0 "$APP_PID" 2>/dev/null; then
    RC=0; wait "$APP_PID" || RC=$?; APP_PID=
    fail_with_log "app exited (code $RC) after $((SECONDS - START)) s, before a window named 'icpfiling' appeared"
  fi
  WID="$(xdotool search --onlyvisible --name icpfiling 2>/dev/null | head -n 1 || true)"
  [ -n "$WID" ] && break
  sleep 0.25
done
[ -n "$WID" ] || fail_with_log "no window named 'icpfiling' within 30 s"
echo "smoke: window $WID after $((SECONDS - START)) s: $(xdotool getwindowname "$WID" 2>/dev/null || true)"

sleep 2 # first frame
kill -0 "$APP_PID" 2>/dev/null || fail_with_log "app exited before the screenshot (SMOKE_SECONDS=$SECS too short?)"
mkdir -p "$(dirname "$SHOT")"
timeout 30 "$IMPORT" -window "$WID" "png:$SHOT" || fail_with_log "screenshot of window $WID failed"
echo "screenshot: $SHOT"
SD="$("$IDENTIFY" -format '%[fx:standard_deviation]' "$SHOT")"
awk -v sd="$SD" 'BEGIN { exit !(sd > 0.0001) }' ||
  fail_with_log "screenshot is one flat colour (standard deviation $SD): nothing was drawn"
echo "smoke: screenshot $("$IDENTIFY" -format '%wx%h' "$SHOT"), standard deviation $SD"

# --- a second start on the same data brings this window forward and exits 0 at once ---
SECOND="$WORK/second.log"
RC=0
timeout 20 "${RUN_ENV[@]}" "$BIN" >"$SECOND" 2>&1 || RC=$?
if [ "$RC" -ne 0 ] || ! grep -q 'already running' "$SECOND"; then
  echo "---- second start ----" >&2; cat "$SECOND" >&2
  fail_with_log "a second start did not hand over to the running window (exit $RC)"
fi
kill -0 "$APP_PID" 2>/dev/null || fail_with_log "the first window went away after a second start"
grep -q 'bringing the window forward' "$LOG" || fail_with_log "the running app did not log the second start's request"
echo "smoke: a second start handed over to the running window and exited 0"

# --- it must quit by itself, cleanly ---
LIMIT=$((SECS + 20))
while kill -0 "$APP_PID" 2>/dev/null; do
  [ $((SECONDS - START)) -lt "$LIMIT" ] || fail_with_log "app did not quit within ${LIMIT} s (--quit-after ${SECS}s)"
  sleep 0.25
done
RC=0
wait "$APP_PID" || RC=$?
APP_PID=
[ "$RC" -eq 0 ] || fail_with_log "app exited with code $RC"
echo "smoke: app quit by itself with 0 after $((SECONDS - START)) s"

if grep -qF -e '*** Error in Fyne call thread' -e 'panic:' "$LOG"; then
  fail_with_log "app log shows a Fyne thread error or a panic"
fi
if [ -s "$LOG" ]; then
  echo "---- app log ----"; cat "$LOG"; echo "-----------------"
fi
echo "smoke: ok"

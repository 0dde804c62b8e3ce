#!/usr/bin/env bash
# The Windows .exe run under Wine on a private Xvfb (issue 17), called by `make release-check`:
#
#   scripts/wine-check.sh dist/icpfiling-VERSION-windows-amd64.exe
#
# Every step prints PASS or FAIL with what it saw; the script goes on after a FAIL (so one run
# shows every problem) and exits 1 if any step failed. The Windows user is "张 三" (Chinese and a
# space in %LOCALAPPDATA%), inputs sit in "C:\检查 check\", one data directory is "中文 数据" and
# another is deeper than MAX_PATH (260). Steps: --version; validate of the example filing;
# check-image of a passing and a failing photo; drafts import (a bundle made by
# scripts/examplebundle.go) and list; the window under Xvfb with a screenshot, a second start
# handing over to it, delete-all refused while it runs, and it quitting by itself with 0; drafts
# export and import into the other data directories; the reference backend started from the .exe
# and the draft submitted to it; drafts delete --all-data --yes leaving nothing under
# %LOCALAPPDATA%\icpfiling; and the Windows-only Go tests (test .exe files of instance,
# filing/store, applog) run under Wine too.
#
# Go 1.24+ takes its random numbers from ProcessPrng (bcryptprimitives.dll), which Wine 8 lacks:
# scripts/prng-shim.c is built into the throw-away prefix's system32 first (test-only, never shipped).
#
# Env: WINE_EXPECT_VERSION (what --version must print after "icpfiling "; any when unset),
#      WINE_DISPLAY (default 91; the next free of 91..96 is used), WINE_SHOT (default
#      dist/release-wine.png), WINE_STEP_TIMEOUT (default 120 s: every wine call is bounded),
#      GO (for the test .exe files and the bundle).
# Needs: wine (wine64), x86_64-w64-mingw32-gcc, Xvfb, xdotool, ImageMagick (make deps-release,
#        make release-check install them).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$PWD"

die() { echo "wine-check: FAIL: $*" >&2; exit 1; }

[ $# -eq 1 ] || die "usage: $0 PATH/TO/icpfiling.exe"
[ -f "$1" ] || die "no such file: $1"
EXE="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
GO="${GO:-go}"
T="${WINE_STEP_TIMEOUT:-120}"
SHOT="${WINE_SHOT:-$ROOT/dist/release-wine.png}"
case "$SHOT" in /*) ;; *) SHOT="$ROOT/$SHOT" ;; esac
for t in wine x86_64-w64-mingw32-gcc Xvfb xdotool timeout; do
  command -v "$t" >/dev/null || die "'$t' not found (make release-check installs it)"
done
im() { # ImageMagick tool by name (plain names may be another program)
  local c
  for c in "$1" "$1-im6.q16" "$1-im7.q16"; do
    if command -v "$c" >/dev/null && "$c" -version 2>/dev/null | grep -q ImageMagick; then echo "$c"; return 0; fi
  done
  die "ImageMagick '$1' not found"
}
IMPORT="$(im import)"
IDENTIFY="$(im identify)"

START_ALL=$SECONDS
WORK="$(mktemp -d "${TMPDIR:-/tmp}/icpfiling-wine.XXXXXX")"
XVFB_PID=
BG_PIDS=()
export WINEPREFIX="$WORK/prefix" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml=" USER="张 三"
# Wine turns the command line into UTF-16 with the Unix locale's charset: a locale that is not
# installed (zh_CN.UTF-8 on a bare Debian) or not UTF-8 garbles the Chinese paths. C.UTF-8 is
# always there; the window is put in Chinese with --lang.
export LANG=C.UTF-8
unset LC_ALL LC_CTYPE LANGUAGE WINEARCH
cleanup() {
  local p
  for p in "${BG_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  # This prefix's wineserver only (WINEPREFIX is ours), and the processes it runs.
  timeout 20 wineserver -k >/dev/null 2>&1 || true
  [ -n "$XVFB_PID" ] && kill "$XVFB_PID" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PASSED=0
FAILED=0
pass() { PASSED=$((PASSED + 1)); echo "PASS  $STEP: $*"; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL  $STEP: $*"; if [ -n "${OUT:-}" ] && [ -s "$OUT" ]; then sed 's/^/      | /' "$OUT" | tail -n 25; fi; }
step() { STEP="$1"; OUT="$WORK/out-$(echo "$1" | tr -c 'a-zA-Z0-9' _).txt"; }

# w ARGS…: the .exe with ARGS, bounded by $T s; stdout and stderr to $OUT, exit code in RC.
w() {
  RC=0
  timeout -k 10 "$T" wine "$EXE" "$@" >"$OUT" 2>&1 || RC=$?
  [ "$RC" -ne 124 ] && [ "$RC" -ne 137 ] || echo "(timed out after $T s)" >>"$OUT"
}

# ---------------------------------------------------------------- prefix, shim, X server
echo "wine-check: $(wine --version 2>/dev/null), prefix $WINEPREFIX, Windows user '$USER'"
step "prefix"
OUT="$WORK/wineboot.txt"
T0=$SECONDS
timeout -k 10 300 wine wineboot --init >"$OUT" 2>&1
timeout 60 wineserver -w >/dev/null 2>&1 || true
SYS32="$WINEPREFIX/drive_c/windows/system32"
LOCAL="$WINEPREFIX/drive_c/users/$USER/AppData/Local"
[ -d "$SYS32" ] && [ -d "$LOCAL" ] || die "wineboot made no prefix with $LOCAL ($(cat "$OUT"))"
x86_64-w64-mingw32-gcc -shared -O2 -s -o "$SYS32/bcryptprimitives.dll" scripts/prng-shim.c -ladvapi32 >"$OUT" 2>&1 ||
  die "could not build scripts/prng-shim.c: $(cat "$OUT")"
echo "wine-check: prefix ready in $((SECONDS - T0)) s; ProcessPrng shim in C:\\windows\\system32\\bcryptprimitives.dll"

DISP=
for n in $(seq "${WINE_DISPLAY:-91}" 96); do
  [ -e "/tmp/.X11-unix/X$n" ] || [ -e "/tmp/.X$n-lock" ] && continue
  Xvfb ":$n" -screen 0 1280x900x24 -nolisten tcp >"$WORK/xvfb.log" 2>&1 &
  XVFB_PID=$!
  for _ in $(seq 1 50); do
    kill -0 "$XVFB_PID" 2>/dev/null || break
    if DISPLAY=":$n" xdotool getdisplaygeometry >/dev/null 2>&1; then DISP="$n"; break; fi
    sleep 0.1
  done
  [ -n "$DISP" ] && break
  kill "$XVFB_PID" 2>/dev/null || true; wait "$XVFB_PID" 2>/dev/null || true; XVFB_PID=
done
[ -n "$DISP" ] || die "could not start Xvfb on any display :${WINE_DISPLAY:-91}..:96"
export DISPLAY=":$DISP"
echo "wine-check: Xvfb on :$DISP"

# Inputs where a Windows user keeps them: Chinese and a space in the path.
CHK="$WINEPREFIX/drive_c/检查 check"
C='C:\检查 check'
mkdir -p "$CHK"
(cd "$ROOT" && "$GO" run scripts/examplebundle.go "$CHK") >"$WORK/bundle.txt" 2>&1 || die "scripts/examplebundle.go: $(cat "$WORK/bundle.txt")"
cp testdata/example-application.json "$CHK/example-application.json"
printf 'wine-check store passphrase\n' >"$CHK/store-passphrase"
printf 'wine-check-token\n' >"$CHK/token"
PASSF=(--passphrase-file "$C\\store-passphrase")
BPASSF=(--bundle-passphrase-file "$C\\bundle-passphrase")
DATA="$LOCAL/icpfiling" # %LOCALAPPDATA%\icpfiling, the default data directory
ID=example-zhejiang-enterprise

# ---------------------------------------------------------------- commands
step "version"
w --version
if [ "$RC" -eq 0 ] && grep -qx "icpfiling ${WINE_EXPECT_VERSION:-.*}" "$OUT"; then pass "$(head -n 1 "$OUT")"
else fail "exit $RC, want 'icpfiling ${WINE_EXPECT_VERSION:-…}'"; fi

step "validate"
w validate "$C\\example-application.json"
if [ "$RC" -eq 0 ] && grep -q '阻断 0' "$OUT"; then pass "$(tail -n 1 "$OUT")"; else fail "exit $RC, want 0 and no blocking finding"; fi

step "check-image"
w check-image --kind photo "$C\\photo-ok.jpg" "$C\\photo-red.jpg"
if [ "$RC" -eq 1 ] && grep -q '通过 1，.*不通过 1' "$OUT"; then
  pass "the good photo passes, the red top fails (exit 1): $(tail -n 1 "$OUT")"
else fail "exit $RC, want 1 with one photo passing and one failing"; fi

step "drafts import"
w drafts import "$C\\example.icpf" "${PASSF[@]}" "${BPASSF[@]}"
if [ "$RC" -eq 0 ] && grep -q '已导入 1 份申请' "$OUT" && [ -d "$DATA/store" ]; then
  pass "into %LOCALAPPDATA%\\icpfiling ($DATA)"
else fail "exit $RC, or no store in $DATA"; fi

step "drafts list"
w drafts list "${PASSF[@]}"
if [ "$RC" -eq 0 ] && grep -q "^$ID .*杭州示例科技有限公司" "$OUT" && grep -q '共 1 份草稿' "$OUT"; then
  pass "$(grep "^$ID" "$OUT" | tr -s ' ')"
else fail "exit $RC, want the imported draft listed"; fi

# ---------------------------------------------------------------- the window
# On its own data directory without a store passphrase (the one above has one: the window would
# show its unlock window, not the drafts list), with Chinese and a space in its path.
WIN_DATA="$C\\窗口 window"
step "drafts import (the window's data)"
w drafts import "$C\\example.icpf" --data-dir "$WIN_DATA"
if [ "$RC" -eq 0 ] && grep -q '已导入 1 份申请' "$OUT"; then pass "into $WIN_DATA"; else fail "exit $RC"; fi

step "window"
GUI_OUT="$WORK/gui.txt"
T0=$SECONDS
timeout -k 10 $((T + 60)) wine "$EXE" --lang zh --data-dir "$WIN_DATA" --quit-after 40s >"$GUI_OUT" 2>&1 &
GUI_PID=$!
BG_PIDS+=("$GUI_PID")
WID=
while [ $((SECONDS - T0)) -lt 60 ] && kill -0 "$GUI_PID" 2>/dev/null; do
  WID="$(xdotool search --onlyvisible --name icpfiling 2>/dev/null | head -n 1 || true)"
  [ -n "$WID" ] && break
  sleep 0.5
done
if [ -z "$WID" ]; then
  OUT="$GUI_OUT"; fail "no window named icpfiling within 60 s"
else
  sleep 4 # first frames
  mkdir -p "$(dirname "$SHOT")"
  if timeout 30 "$IMPORT" -window "$WID" "png:$SHOT" 2>"$WORK/import.txt"; then
    SD="$("$IDENTIFY" -format '%[fx:standard_deviation]' "$SHOT")"
    if awk -v sd="$SD" 'BEGIN { exit !(sd > 0.0001) }'; then
      pass "window '$(xdotool getwindowname "$WID")' after $((SECONDS - T0)) s; screenshot $("$IDENTIFY" -format '%wx%h' "$SHOT"), standard deviation $SD"
      echo "screenshot: $SHOT"
    else OUT="$GUI_OUT"; fail "the screenshot is one flat colour: nothing drawn"; fi
  else OUT="$WORK/import.txt"; fail "screenshot of window $WID failed"; fi
fi

step "single instance"
T_SAVED=$T T=30
w --data-dir "$WIN_DATA"
T=$T_SAVED
if [ "$RC" -eq 0 ] && grep -q 'already running' "$OUT" && kill -0 "$GUI_PID" 2>/dev/null &&
   grep -q 'bringing the window forward' "$GUI_OUT"; then
  pass "a second start handed over to the running window and exited 0"
else fail "exit $RC; the running window logged: $(grep -c 'bringing the window forward' "$GUI_OUT") request(s)"; fi

step "delete-all refused while open"
w drafts delete --all-data --yes --data-dir "$WIN_DATA"
if [ "$RC" -eq 4 ] && [ -d "$CHK/窗口 window/store" ]; then pass "exit 4, the data is untouched: $(head -n 1 "$OUT")"
else fail "exit $RC, want 4 (the data directory is open in the window)"; fi

step "window quits"
RC=0
wait "$GUI_PID" || RC=$?
if [ "$RC" -eq 0 ] && ! grep -qF -e 'panic:' -e '*** Error in Fyne call thread' "$GUI_OUT"; then
  pass "the window quit by itself with 0 after $((SECONDS - T0)) s"
else OUT="$GUI_OUT"; fail "exit $RC, or a panic in its output"; fi

# ---------------------------------------------------------------- bundles and paths
step "drafts export"
w drafts export --out "$C\\导出 bundle.icpf" --with-secrets "${PASSF[@]}" "${BPASSF[@]}"
if [ "$RC" -eq 0 ] && grep -q '已导出 1 份申请、3 个扫描件、2 个密码' "$OUT" && [ -s "$CHK/导出 bundle.icpf" ]; then
  pass "$(head -n 1 "$OUT")"
else fail "exit $RC"; fi

# A data directory with Chinese and a space, and one deeper than MAX_PATH (260 characters).
LONG='C:\长路径 long'
while [ ${#LONG} -lt 270 ]; do LONG="$LONG\\很长的 目录 long directory name"; done
LONG="$LONG\\icpfiling"
for target in "$C\\中文 数据" "$LONG"; do
  step "bundle import into $(if [ "$target" = "$LONG" ]; then echo "a ${#LONG}-character path"; else echo "$target"; fi)"
  w drafts import "$C\\导出 bundle.icpf" --data-dir "$target" "${PASSF[@]}" "${BPASSF[@]}"
  if [ "$RC" -ne 0 ] || ! grep -q '已导入 1 份申请、3 个扫描件' "$OUT"; then fail "import: exit $RC"; continue; fi
  w drafts show "$ID" --data-dir "$target" "${PASSF[@]}" --json
  if [ "$RC" -eq 0 ] && grep -q '杭州示例科技有限公司' "$OUT"; then pass "imported and shown back"
  else fail "show after import: exit $RC"; fi
done

# ---------------------------------------------------------------- backend and submission
step "backend"
BACK_OUT="$WORK/backend.txt"
timeout -k 10 $((T * 2)) wine "$EXE" backend --data-dir "$C\\后台 backend" --addr 127.0.0.1:0 --token-file "$C\\token" \
  >"$BACK_OUT" 2>&1 &
BACK_PID=$!
BG_PIDS+=("$BACK_PID")
URL=
for _ in $(seq 1 120); do
  URL="$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$BACK_OUT" 2>/dev/null | head -n 1 || true)"
  [ -n "$URL" ] && break
  kill -0 "$BACK_PID" 2>/dev/null || break
  sleep 0.25
done
if [ -n "$URL" ]; then pass "the .exe's reference backend listens at $URL"; else OUT="$BACK_OUT"; fail "no address within 30 s"; fi

step "submit"
w submit --draft "$ID" --backend "$URL" --token-file "$C\\token" "${PASSF[@]}"
FILINGS="$(find "$CHK/后台 backend/filings" -mindepth 1 -maxdepth 1 -type d 2>/dev/null | wc -l)"
if [ "$RC" -eq 0 ] && grep -q '审核中' "$OUT" && [ "$FILINGS" -eq 1 ]; then
  pass "$(grep '审核中' "$OUT" | head -n 1); the backend stored $FILINGS filing"
else fail "exit $RC; the backend stored $FILINGS filing(s)"; fi
kill "$BACK_PID" 2>/dev/null || true
wait "$BACK_PID" 2>/dev/null || true

# ---------------------------------------------------------------- delete all data
step "delete-all"
w drafts delete --all-data --yes
LEFT="$( [ -e "$DATA" ] && find "$DATA" | sed "s|^$LOCAL/||" | head -n 20 )"
if [ "$RC" -eq 0 ] && [ ! -e "$DATA" ]; then pass "nothing left under %LOCALAPPDATA%\\icpfiling: $(head -n 1 "$OUT")"
else fail "exit $RC; left under %LOCALAPPDATA%: ${LEFT:-nothing}"; fi
for target in "$WIN_DATA" "$C\\中文 数据" "$LONG"; do
  step "delete-all of $(if [ "$target" = "$LONG" ]; then echo "the long path"; else echo "$target"; fi)"
  w drafts delete --all-data --yes --data-dir "$target"
  unix="$WINEPREFIX/drive_c/$(printf '%s' "${target#C:\\}" | tr '\\' /)"
  if [ "$RC" -eq 0 ] && [ ! -e "$unix" ]; then pass "the directory is gone"; else fail "exit $RC, $(find "$unix" 2>/dev/null | wc -l) entries left"; fi
done

# ---------------------------------------------------------------- the Windows-only Go tests
# Each package's test .exe (cross-built without cgo): all of instance; in filing/store the tests
# of the OS (TestOS…: data directory, lock, delete-all with a held file, Chinese, spaces and long
# paths, the Credential Manager); in applog the release of the log's files. The other tests
# use t.TempDir, whose cleanup (os.RemoveAll) Wine 8 cannot do (see filing/store removeTree).
for spec in "instance|." "filing/store|^TestOS" "applog|^TestRelease"; do
  pkg="${spec%%|*}" run="${spec#*|}"
  step "go test $pkg under Wine"
  OUT="$WORK/test-$(echo "$pkg" | tr / _).txt"
  bin="$WORK/$(echo "$pkg" | tr / _).test.exe"
  if ! GOOS=windows GOARCH=amd64 CGO_ENABLED=0 "$GO" test -c -o "$bin" "./$pkg" >"$OUT" 2>&1; then
    fail "could not build the test .exe"; continue
  fi
  RC=0
  (cd "$WORK" && timeout -k 10 $((T * 3)) wine "$bin" -test.v -test.count=1 -test.run "$run") >"$OUT" 2>&1 || RC=$?
  n="$(grep -c -- '^--- PASS' "$OUT")"
  if [ "$RC" -eq 0 ] && grep -q '^PASS$' "$OUT" && [ "$n" -gt 0 ]; then
    pass "$n tests: $(grep -- '^--- PASS' "$OUT" | awk '{print $3}' | tr '\n' ' ')"
  else fail "exit $RC"; fi
done

echo "wine-check: $PASSED passed, $FAILED failed, in $((SECONDS - START_ALL)) s"
[ "$FAILED" -eq 0 ] || exit 1
echo "wine-check: ok"

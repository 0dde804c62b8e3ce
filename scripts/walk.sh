#!/usr/bin/env bash
# The applicant's walk: the real window under a private Xvfb, driven by xdotool as a person would,
# files a personal 天津 application from a new draft to an accepted submission against the
# reference backend. The backdrop photo is first one in a red top: the readiness gate must refuse
# it (the backend receives nothing); it is then replaced by a good one and the filing is accepted.
# A screenshot of every step goes to a folder, printed at the start and at the end.
#
#   scripts/walk.sh ./icpfiling
#
# Env: WALK_SHOTS  folder for the screenshots (default: a new /tmp/icpfiling-walk-shots.XXXXXX)
#      WALK_DOCS   when set (e.g. docs/screenshots), refresh the pictures there from a passing walk
#      WALK_IMAGES folder holding the pictures to upload (default: made by scripts/walkimages.go)
#      GO          the go command, to make those pictures (default: go)
# Needs: Xvfb, xdotool, xclip, ImageMagick (import, convert, compare).
#
# Layout: the window is 1100×760 at 0,0 (gui/ui.go). Every coordinate and keystroke of a step sits
# in that step's function (step*), so a change in the window means changing one function. Fields are
# filled by keyboard from the first field of a step (Tab, Right on a list, space on a tick), since
# a form that scrolls or rebuilds moves its fields; coordinates are used only near the top.
# Progress is asserted from the step footer's colour (footer_state), the reference backend's data
# directory (nothing before the photo is replaced, exactly one filing after) and, once the app is
# gone, the stored application (every typed value arrived whole), `icpfiling status` and the drafts.
set -euo pipefail
export LC_ALL=C.UTF-8 # characters, not bytes, in ${s:i:1} and printf "'c" (the app gets its own locale)

die() { echo "walk: FAIL: $*" >&2; exit 1; }

[ $# -eq 1 ] || die "usage: $0 PATH/TO/icpfiling"
[ -x "$1" ] || die "not an executable: $1"
BIN="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
GO="${GO:-go}"

for t in Xvfb xdotool xclip; do
  command -v "$t" >/dev/null || die "'$t' not found (make deps-test installs it)"
done
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
CONVERT="$(im convert)"
COMPARE="$(im compare)"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/icpfiling-walk.XXXXXX")"
SHOTS="${WALK_SHOTS:-$(mktemp -d "${TMPDIR:-/tmp}/icpfiling-walk-shots.XXXXXX")}"
case "$SHOTS" in /*) ;; *) SHOTS="$PWD/$SHOTS" ;; esac
mkdir -p "$SHOTS"
rm -f "$SHOTS"/*.png
echo "walk: screenshots: $SHOTS"

LOG="$WORK/app.log"
BLOG="$WORK/backend.log"
XVFB_PID= APP_PID= BACKEND_PID=
cleanup() {
  local p
  for p in "$APP_PID" "$BACKEND_PID" "$XVFB_PID"; do
    if [ -n "$p" ] && kill -0 "$p" 2>/dev/null; then kill "$p" 2>/dev/null || true; fi
  done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- screenshots and failure
N=0
LAST=
shot() { # shot NAME: the window into $SHOTS/NN-NAME.png
  N=$((N + 1))
  LAST="$SHOTS/$(printf '%02d' "$N")-$1.png"
  timeout 20 "$IMPORT" -window "$WID" "png:$LAST" 2>/dev/null || fail "screenshot $LAST failed"
  echo "walk: [$N] $1"
}
fail() {
  trap - ERR
  if [ -n "${WID:-}" ]; then
    local f="$SHOTS/$(printf '%02d' $((N + 1)))-FAILED.png"
    timeout 20 "$IMPORT" -window "$WID" "png:$f" 2>/dev/null && echo "walk: the window when it failed: $f" >&2
  fi
  echo "---- app log (tail) ----" >&2; tail -n 40 "$LOG" >&2 2>/dev/null || true
  echo "---- backend log (tail) ----" >&2; tail -n 20 "$BLOG" >&2 2>/dev/null || true
  echo "walk: screenshots so far: $SHOTS" >&2
  die "$*"
}

# ---------------------------------------------------------------- input
click() { # click X Y (window coordinates)
  xdotool mousemove --window "$WID" "$1" "$2" click 1
  sleep "${3:-0.4}"
}
key() { xdotool key --delay 60 "$@"; sleep 0.25; }
tab() { key Tab; }
# Chinese goes in by the clipboard (xclip, then Ctrl+V), as a person pastes it: xdotool can only type a
# character outside the keymap by binding it to a spare key for the keystroke, and on a loaded machine
# GLFW sometimes looks the key up after it was unbound (a lost character).
# typ TEXT: ASCII with xdotool type; text with any other character pasted whole.
typ() {
  local s="$1"
  if [[ "$s" == *[![:ascii:]]* ]]; then
    printf '%s' "$s" | xclip -selection clipboard -display "$DISPLAY" || fail "typ: xclip could not set the clipboard"
    sleep 0.2
    xdotool key --delay 60 ctrl+v
  else
    xdotool type --delay 40 -- "$s"
  fi
  sleep 0.3
}

# ---------------------------------------------------------------- what the window shows
# The step footer: under the last full-width black separator above the navigation buttons, its first
# line says where the step stands, by colour: green "done", white "done, with notes to read",
# orange "still to do", red "must be fixed". footer_state prints done|notes|pending|blocked|unknown.
footer_state() {
  local f="$WORK/now.png"
  timeout 20 "$IMPORT" -window "$WID" "png:$f" 2>/dev/null || { echo unknown; return; }
  "$CONVERT" "$f" -crop 820x720+276+0 +repage -depth 8 txt:- | awk -F'[(),:]' '
    NR > 1 { y = $2 + 0; r = $4 + 0; g = $5 + 0; b = $6 + 0
      if (r == 0 && g == 0 && b == 0) black[y]++
      if (r > 150 && r > g + 40 && g > b + 20 && g > 90) n[y, "o"]++
      else if (r > 150 && g < 100 && b < 100) n[y, "r"]++
      else if (g > 150 && g > r + 40 && g > b + 40) n[y, "g"]++
      else if (r > 200 && g > 200 && b > 200) n[y, "w"]++ }
    END { sep = -1
      for (y = 0; y < 715; y++) if (black[y] >= 700) sep = y
      if (sep < 0) { print "unknown"; exit }
      o = r = g = w = 0
      for (y = sep + 1; y < sep + 40 && y < 715; y++) { o += n[y, "o"]; r += n[y, "r"]; g += n[y, "g"]; w += n[y, "w"] }
      if (r >= 20) print "blocked"; else if (o >= 20) print "pending"
      else if (g >= 20) print "done"; else if (w >= 20) print "notes"; else print "unknown" }'
}
# wait_footer STATES SECONDS: until the footer is in one of STATES ("done notes"); prints the last state.
wait_footer() {
  local end=$((SECONDS + $2)) st
  while :; do
    st="$(footer_state)"
    case " $1 " in *" $st "*) echo "$st"; return 0 ;; esac
    [ "$SECONDS" -lt "$end" ] || { echo "$st"; return 1; }
    sleep 0.5
  done
}
step_done() { # step_done N [SECONDS]: on step N, whose footer says it is done (with or without notes)
  local st
  assert_step "$1" "step $1"
  st="$(wait_footer "done notes" "${2:-10}")" || fail "step $1: the step footer says '$st', not done"
}

# The backend's stored filings (a filing is a directory, written whole or not at all).
filings() {
  local n=0 d
  for d in "$BDATA"/filings/*/; do [ -d "$d" ] && n=$((n + 1)); done
  echo "$n"
}

# The primary (blue) button in a region (default: the step's content above the navigation row): its
# centre as "X Y", or nothing. A button is rows with a solid run of its blue at least 40 px long;
# link text of the same blue has no such runs, a disabled button is grey, a dimmed one too dark.
find_primary_button() {
  local f="$WORK/btn.png" x0="${1:-272}" y0="${2:-0}" w="${3:-824}" h="${4:-700}"
  timeout 20 "$IMPORT" -window "$WID" "png:$f" 2>/dev/null || return 0
  "$CONVERT" "$f" -crop "${w}x${h}+${x0}+${y0}" +repage -depth 8 txt:- | awk -F'[(),:]' -v X0="$x0" -v Y0="$y0" '
    NR > 1 { x = $1 + 0; y = $2 + 0; r = $4 + 0; g = $5 + 0; b = $6 + 0
      if (b > 200 && r < 110 && g > 90 && g < 170 && b - r > 120) {
        if (y == ly && x == lx + 1) run++; else { run = 1; rs = x }
        if (run > best[y]) { best[y] = run; bx[y] = rs + run / 2 }
        lx = x; ly = y } }
    END { for (y in best) if (best[y] >= 40) { ys += y; xs += bx[y]; k++ }
          if (k >= 8) printf "%d %d\n", xs / k + X0, ys / k + Y0 }'
}

# on_step N: the sidebar highlights step N (its row has the selection colour; a dialog over the
# window dims it). assert_step N WHAT waits a little for it.
on_step() {
  local f="$WORK/side.png" y=$((23 + ($1 * 161) / 4 + 6))
  timeout 20 "$IMPORT" -window "$WID" "png:$f" 2>/dev/null || return 1
  "$CONVERT" "$f" -crop "1x1+240+$y" -depth 8 txt:- | awk -F'[(),:]' 'NR > 1 {
    r = $4 + 0; g = $5 + 0; b = $6 + 0
    exit !(r >= 7 && r <= 27 && g >= 34 && g <= 54 && b >= 72 && b <= 92) }'
}
assert_step() {
  local end=$((SECONDS + 5))
  until on_step "$1"; do
    [ "$SECONDS" -lt "$end" ] || fail "$2: the window is not on step $1 (sidebar), or a dialog covers it"
    sleep 0.5
  done
}

# ---------------------------------------------------------------- files
# The pictures to upload, typed as paths into the upload slot's path entry (the file dialog is
# Fyne's own and changes more often than the slot does).
IMAGES="${WALK_IMAGES:-$WORK/images}"
if [ -z "${WALK_IMAGES:-}" ]; then
  (cd "$ROOT" && "$GO" run ./scripts/walkimages.go "$IMAGES") || die "could not make the pictures (scripts/walkimages.go)"
fi
case "$IMAGES" in /*) ;; *) IMAGES="$PWD/$IMAGES" ;; esac
for f in id-front.jpg form.jpg photo-red.jpg photo-ok.jpg; do
  [ -s "$IMAGES/$f" ] || die "missing picture $IMAGES/$f"
done
# give_file X Y NAME: type NAME's path into the slot's path entry at X,Y and confirm with Return.
give_file() {
  click "$1" "$2" 0.3
  xdotool type --delay 20 -- "$IMAGES/$3"
  key Return
  sleep 1
}
scroll_to_end() { # the step's content, to its end (wheel over the content)
  xdotool mousemove --window "$WID" 700 400
  xdotool click --repeat 300 --delay 5 5
  sleep 0.8
}

# ---------------------------------------------------------------- X server, backend, app
display_up() { xdpyinfo -display ":$1" >/dev/null 2>&1 || DISPLAY=":$1" xdotool getdisplaygeometry >/dev/null 2>&1; }
DISP=
for n in $(seq 121 160); do
  [ -e "/tmp/.X11-unix/X$n" ] || [ -e "/tmp/.X$n-lock" ] && continue
  Xvfb ":$n" -screen 0 1280x1024x24 -nolisten tcp >"$WORK/xvfb.log" 2>&1 &
  XVFB_PID=$!
  for _ in $(seq 1 50); do
    kill -0 "$XVFB_PID" 2>/dev/null || break
    if display_up "$n"; then DISP="$n"; break; fi
    sleep 0.1
  done
  [ -n "$DISP" ] && break
  kill "$XVFB_PID" 2>/dev/null || true; wait "$XVFB_PID" 2>/dev/null || true; XVFB_PID=
done
[ -n "$DISP" ] || die "could not start Xvfb on any display :121..:160"
export DISPLAY=":$DISP"
echo "walk: Xvfb on :$DISP"

BDATA="$WORK/backend"
"$BIN" backend --data-dir "$BDATA" --addr 127.0.0.1:0 >"$BLOG" 2>&1 &
BACKEND_PID=$!
URL=
for _ in $(seq 1 100); do
  URL="$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$BLOG" 2>/dev/null | head -n 1 || true)"
  [ -n "$URL" ] && break
  kill -0 "$BACKEND_PID" 2>/dev/null || { cat "$BLOG" >&2; die "the reference backend did not start"; }
  sleep 0.1
done
[ -n "$URL" ] || { cat "$BLOG" >&2; die "the reference backend printed no address within 10 s"; }
echo "walk: reference backend at $URL"

mkdir -p "$WORK/home" "$WORK/config" "$WORK/cache" "$WORK/xdgdata" "$WORK/tmp" "$WORK/nofonts" "$WORK/data"
RUN_ENV=(env -u LC_ALL -u LANGUAGE -u LC_MESSAGES -u FYNE_FONT
  HOME="$WORK/home" XDG_CONFIG_HOME="$WORK/config" XDG_CACHE_HOME="$WORK/cache"
  XDG_DATA_HOME="$WORK/xdgdata" TMPDIR="$WORK/tmp" LANG=zh_CN.UTF-8 DISPLAY="$DISPLAY")
# As scripts/smoke.sh: hide the system fonts where we can, so the screenshots show the bundled font.
FONT_DIRS=(/usr/share/fonts)
[ -d /usr/local/share/fonts ] && FONT_DIRS+=(/usr/local/share/fonts)
MOUNTS=""
for d in "${FONT_DIRS[@]}"; do MOUNTS+="mount --bind \"\$0\" '$d' && "; done
HIDE=()
if [ "$(id -u)" -eq 0 ] && command -v unshare >/dev/null &&
   unshare --mount --propagation private -- sh -c "${MOUNTS}true" "$WORK/nofonts" 2>/dev/null; then
  HIDE=(unshare --mount --propagation private -- sh -c "${MOUNTS}exec \"\$@\"" "$WORK/nofonts")
fi

# The walk's values (typed below); their Chinese characters get keys before the app starts.
APPLICANT=张三
ID_NUMBER=120101199001011239 # 天津市和平区, valid check digit
DOMAIN=zhangsan-notes.cn
SITE_NAME=张三的读书笔记
CITY=天津市
DISTRICT=和平区
STREET=南京路100号
ICP_NUMBER=津ICP备2021003158号-1
MOBILE=13820010001
EMERGENCY=13920020002
PASSWORD=Walk-pass-2026

# --quit-after is only a safety net; the walk ends the app itself.
"${HIDE[@]}" "${RUN_ENV[@]}" "$BIN" --data-dir "$WORK/data" --quit-after 900s >"$LOG" 2>&1 &
APP_PID=$!
WID=
START=$SECONDS
while [ $((SECONDS - START)) -lt 30 ]; do
  kill -0 "$APP_PID" 2>/dev/null || { APP_PID=; fail "the app exited before its window appeared"; }
  WID="$(xdotool search --onlyvisible --name icpfiling 2>/dev/null | head -n 1 || true)"
  [ -n "$WID" ] && break
  sleep 0.25
done
[ -n "$WID" ] || fail "no window named 'icpfiling' within 30 s"
sleep 2 # first frame
set -E
trap 'fail "a command failed at line $LINENO"' ERR

# ---------------------------------------------------------------- the walk, one function per step
NEXT="815 739"   # 下一步
# pick X Y N: a list (fyne Select) at X,Y set to its N-th option by keyboard: the click opens the
# list and focuses it, Escape closes the list, each Right moves one option on from none.
pick() {
  click "$1" "$2" 0.6
  key Escape
  local k
  for ((k = 0; k < $3; k++)); do key Right; done
  # A choice may rebuild the form: focus the list as it is now, so that Tab goes on from it.
  sleep 0.8
  click "$1" "$2" 0.6
  key Escape
}

step_settings() { # drafts list → 设置: the backend address
  click 692 77 1      # 设置
  tab; tab            # 界面语言, 后端地址
  typ "$URL"
  shot settings
  local b
  b="$(find_primary_button 0 0 1100 720)"
  [ -n "$b" ] || fail "Settings: no 保存 button (a blue button) found"
  click $b 1          # 保存
}

step_new() {
  shot drafts
  click 60 77 1.2     # 新建接入备案
  assert_step 0 "a new draft"
}

step0() { # 接入须知与准备: 天津, new access (the default), notes read
  pick 700 130 2      # 备案省份 → 北京, 天津
  click 363 282       # 我已阅读以上须知
  step_done 0
  shot step0
}

step1() { # 验证备案类型: a person with a resident ID
  click $NEXT 1
  pick 700 109 2      # 主办单位性质 → 企业, 个人 (the form is rebuilt for a person)
  pick 700 186 1      # 证件类型 → 居民身份证
  tab; typ "$ID_NUMBER"       # 证件号码
  tab; typ "$APPLICANT"       # 姓名
  tab; typ "$DOMAIN"; tab     # 网站 1 的域名
  step_done 1
  shot step1
}

step2() { # 产品验证: ECS, 12 months, mainland, public bandwidth, service number
  click $NEXT 1
  pick 760 69 1       # 产品类型 → 阿里云
  pick 760 145 1      # 产品 → 云服务器 ECS
  tab; typ 12         # 购买时长
  tab; key space      # 服务器位于中国大陆地域
  tab; key space      # 已购买公网带宽
  tab; typ 32a43232-a888-88e8-b9ec-00888be8a1b2; tab   # 备案服务号
  step_done 2
  shot step2
}

step3() { # 工信部备案密码; leaving it, the app says once that the password lasts for this run only
  click $NEXT 1
  click 700 109 0.3
  typ "$PASSWORD"; tab
  step_done 3
  shot step3
  click $NEXT 1.2
  shot step3-password-note
  click 550 439 0.8   # 确定
  assert_step 4 "after the password note"
}

step4() { # 填写接入信息 (the form scrolls: by keyboard from its first field)
  pick 770 126 2      # 证件住所 · 省份 → 天津
  tab; key Right      # 市 → 天津市
  tab; key Right      # 区县 → 和平区
  tab; typ "$STREET"  # 街道和门牌号
  tab                 # 没有门牌号 (left unticked)
  tab; key space      # 通讯地址同证件住所: the form is rebuilt, back at its top
  sleep 0.8
  shot step4-address
  click 770 354 0.3   # 街道和门牌号, again
  tab; tab; tab       # 没有门牌号, 通讯地址同证件住所, 居住证
  tab; tab; tab       # 主体负责人: 姓名, 证件类型, 证件号码 (filled in from step 1)
  tab; typ 2036-05-01 # 证件有效期至
  tab; typ "$MOBILE"  # 手机号码
  tab                 # 联系方式2 (none)
  tab; typ zhangsan@example.com
  tab; typ 2028-06-30 # 网站 1: 域名到期日
  tab; typ "$SITE_NAME"
  tab; typ "$ICP_NUMBER"
  tab; key Right      # 服务内容 → the first
  tab; tab; tab; tab; tab; tab   # 网站语言 ×6 (中文简体 is ticked)
  tab                 # 备注
  tab                 # 与主体负责人为同一人 (not pressed: it rebuilds the form; typed instead)
  tab; typ "$APPLICANT"          # 网站负责人 · 姓名
  tab; key Right                 # 证件类型 → 居民身份证
  tab; typ "$ID_NUMBER"
  tab; typ 2036-05-01
  tab; typ "$MOBILE"
  tab                            # 联系方式2 (none)
  tab; typ "$EMERGENCY"          # 应急联系电话
  tab; typ zhangsan@example.com
  tab
  step_done 4 15
  shot step4
}

step5() { # 上传资料: the ID at the top, then the verification form, the step's last slot
  click $NEXT 1
  give_file 737 212 id-front.jpg # 主体负责人证件 · 或输入文件路径
  scroll_to_end                  # past the domain list card
  give_file 737 442 form.jpg     # 核验单 · 或输入文件路径
  step_done 5 30
  shot step5
}

step6_red() { # 网站负责人拍照核验: a red top; the step must say it must be fixed
  click $NEXT 1
  assert_step 6 "step 6"
  give_file 737 252 photo-red.jpg
  local st
  st="$(wait_footer "blocked" 30)" ||
    fail "step 6: the red-top photo is not shown as blocking (the step footer says '$st')"
  shot step6-red-top-refused
  click $NEXT 1       # 下一步 is refused while the step is blocked
  shot step6-next-refused
  assert_step 6 "下一步 on a blocked step"
  [ "$(footer_state)" = blocked ] || fail "step 6: the footer no longer says the step is blocked"
}

step8_refused() { # 提交与进度 (from the sidebar): with the red-top photo, nothing may reach the backend
  click 100 345 1.5   # sidebar: 8 提交与进度
  assert_step 8 "the review page"
  shot step8-review
  scroll_to_end
  shot step8-gate
  local b
  b="$(find_primary_button)"
  if [ -n "$b" ]; then
    echo "walk: step 8 offers 提交 with the red-top photo; pressing it"
    click $b 1
    sleep 4
    shot step8-refused
  fi
  [ "$(filings)" -eq 0 ] || fail "the backend received a filing whose photo fails its check"
  echo "walk: the gate held: 提交 is not offered and the backend holds no filing"
}

step6_replace() { # back to step 6: the photo replaced by a good one
  click 100 265 1     # sidebar: 6 网站负责人拍照核验
  assert_step 6 "back to the photo"
  give_file 737 252 photo-ok.jpg
  step_done 6 30
  shot step6-replaced
}

step7() { # 短信核验: nothing to do for this filing
  click $NEXT 1
  step_done 7
  shot step7
}

step8_submit() {
  click $NEXT 1.5
  assert_step 8 "the review page"
  shot step8-review-ready
  scroll_to_end
  shot step8-ready
  local b end
  b="$(find_primary_button)"
  [ -n "$b" ] || fail "step 8: no 提交 button (a blue button in the step) to press"
  click $b 1
  end=$((SECONDS + 40))
  until [ "$(filings)" -ge 1 ]; do
    [ "$SECONDS" -lt "$end" ] || fail "the backend received nothing within 40 s of pressing 提交"
    sleep 0.5
  done
  sleep 3 # the answer reaches the window
  scroll_to_end
  shot step8-accepted
}

step_settings
step_new
step0
step1
step2
step3
step4
step5
step6_red
step8_refused
step6_replace
step7
step8_submit
trap - ERR
set +E

# ---------------------------------------------------------------- after the window
kill "$APP_PID" 2>/dev/null || true
wait "$APP_PID" 2>/dev/null || true
APP_PID=
if grep -qF -e '*** Error in Fyne call thread' -e 'panic:' "$LOG"; then
  tail -n 40 "$LOG" >&2; die "the app log shows a Fyne thread error or a panic"
fi

[ "$(filings)" -eq 1 ] || die "the backend holds $(filings) filings, want exactly 1"
FDIR="$(find "$BDATA/filings" -mindepth 1 -maxdepth 1 -type d | head -n 1)"
FID="$(basename "$FDIR")"
APPJSON="$FDIR/application.json"
for want in "\"province\": *\"12\"" "\"type\": *\"personal\"" "\"name\": *\"$APPLICANT\"" "\"name\": *\"$SITE_NAME\"" \
            "\"domain\": *\"$DOMAIN\"" "\"district\": *\"$DISTRICT\"" "\"detail\": *\"$STREET\"" "\"id_number\": *\"$ID_NUMBER\""; do
  grep -Eq "$want" "$APPJSON" || { cat "$APPJSON" >&2; die "the stored application lacks $want (typing lost a character?)"; }
done
PHOTO_SHA="$(sha256sum "$IMAGES/photo-ok.jpg" | cut -d' ' -f1)"
RED_SHA="$(sha256sum "$IMAGES/photo-red.jpg" | cut -d' ' -f1)"
[ -e "$FDIR/files/$PHOTO_SHA" ] || die "the backend did not receive the good photo"
[ ! -e "$FDIR/files/$RED_SHA" ] || die "the backend received the red-top photo"
echo "walk: the backend holds exactly one filing ($FID) with the good photo"

ST=0
timeout 60 "${RUN_ENV[@]}" "$BIN" status "$FID" --data-dir "$WORK/data" --backend "$URL" >"$WORK/status.txt" 2>&1 || ST=$?
cat "$WORK/status.txt"
[ "$ST" -eq 0 ] || die "icpfiling status $FID exited $ST"
timeout 60 "${RUN_ENV[@]}" "$BIN" drafts list --data-dir "$WORK/data" >"$WORK/drafts.txt" 2>&1 || die "drafts list failed: $(cat "$WORK/drafts.txt")"
grep -q "$DOMAIN" "$WORK/drafts.txt" || { cat "$WORK/drafts.txt" >&2; die "the draft is not in the drafts list"; }

# ---------------------------------------------------------------- docs/screenshots
if [ -n "${WALK_DOCS:-}" ]; then
  mkdir -p "$WALK_DOCS/walk"
  refresh() { # refresh SHOT DEST: copy unless the pictures are the same pixel for pixel
    local diff
    diff="$("$COMPARE" -metric AE "$1" "$2" null: 2>&1 || true)"
    if [ ! -e "$2" ] || [ "$diff" != 0 ]; then cp "$1" "$2"; fi
  }
  for f in "$SHOTS"/*.png; do
    b="$(basename "$f")"
    refresh "$f" "$WALK_DOCS/walk/${b#[0-9][0-9]-}"
  done
  refresh "$SHOTS"/*-step0.png "$WALK_DOCS/wizard-zh.png"
  refresh "$SHOTS"/*-settings.png "$WALK_DOCS/settings-zh.png"
  echo "walk: refreshed $WALK_DOCS from the walk"
fi
echo "walk: screenshots: $SHOTS"
echo "walk: ok"

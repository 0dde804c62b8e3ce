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
# Needs: Xvfb, xdotool, ImageMagick (import, convert, compare).
#
# Layout: the window is 1100×760 at 0,0 (gui/ui.go). Every coordinate and keystroke of a step sits
# in that step's function below (step_*), so a change in the window means changing one function.
# Typing: Chinese goes through xdotool's keysym remapping, one character at a time with a pause long
# enough that GLFW reads the character before xdotool restores the keymap; what was typed is checked
# at the end against the application the backend stored.
set -euo pipefail
export LC_ALL=C.UTF-8 # characters, not bytes, in ${s:i:1} and printf "'c" (the app gets its own locale)

die() { echo "walk: FAIL: $*" >&2; exit 1; }

[ $# -eq 1 ] || die "usage: $0 PATH/TO/icpfiling"
[ -x "$1" ] || die "not an executable: $1"
BIN="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
GO="${GO:-go}"

for t in Xvfb xdotool; do
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
# Chinese: xdotool would bind each character to a spare key just for the keystroke, and GLFW
# sometimes looks the key up after xdotool has unbound it (a lost character). So every character the
# walk types gets a key of its own in the X keymap before the app starts (map_chars, with xkbcomp:
# the multimedia keys <I2xx>), and is then pressed by its keysym.
KEYED=
map_chars() { # map_chars TEXT...
  local all="$*" i c syms=
  for ((i = 0; i < ${#all}; i++)); do
    c="${all:i:1}"
    [[ "$c" == [[:ascii:]] ]] && continue
    case "$KEYED" in *"$c"*) continue ;; esac
    KEYED+="$c"
    syms+=" $(printf 'U%04X' "'$c")"
  done
  xkbcomp -w 0 "$DISPLAY" "$WORK/keymap.xkb" 2>/dev/null || die "xkbcomp could not read the keymap"
  awk -v syms="$syms" '
    BEGIN { n = split(syms, s, " "); i = 0 }
    i < n && /^[ \t]*key <I2[0-9][0-9]>[ \t]*\{.*\};[ \t]*$/ {
      match($0, /<I2[0-9][0-9]>/); print "    key " substr($0, RSTART, RLENGTH) " { [ " s[++i] " ] };"; next }
    { print }
    END { if (i < n) { print "walk: only " i " spare keys for " n " characters" > "/dev/stderr"; exit 1 } }
  ' "$WORK/keymap.xkb" >"$WORK/keymap-walk.xkb" || die "not enough spare keys in the keymap"
  xkbcomp -w 0 "$WORK/keymap-walk.xkb" "$DISPLAY" 2>/dev/null || die "xkbcomp could not load the walk's keymap"
}
# typ TEXT: ASCII with xdotool type; every other character by its own key (map_chars).
typ() {
  local s="$1" i c ascii=
  for ((i = 0; i < ${#s}; i++)); do
    c="${s:i:1}"
    if [[ "$c" == [[:ascii:]] ]]; then ascii+="$c"; continue; fi
    [ -n "$ascii" ] && xdotool type --delay 40 -- "$ascii"
    ascii=
    case "$KEYED" in *"$c"*) ;; *) fail "typ: '$c' has no key (add the text to map_chars)" ;; esac
    xdotool key --delay 40 "$(printf 'U%04X' "'$c")"
  done
  [ -n "$ascii" ] && xdotool type --delay 40 -- "$ascii"
  sleep 0.2
}

# ---------------------------------------------------------------- what the window shows
# The step footer sits above the navigation buttons; pending items are orange (warning colour),
# blockers red, "done" green. footer_counts prints "orange red green" pixel counts of its lowest
# lines (where the last pending item or the verdict is).
FOOTER_GEOM=820x44+276+668
footer_counts() {
  local f="$WORK/now.png"
  timeout 20 "$IMPORT" -window "$WID" "png:$f" 2>/dev/null || { echo "0 0 0"; return; }
  "$CONVERT" "$f" -crop "$FOOTER_GEOM" +repage -depth 8 txt:- | awk -F'[(),]' '
    NR > 1 { r = $3 + 0; g = $4 + 0; b = $5 + 0
      if (r > 150 && r > g + 40 && g > b + 20 && g > 90) o++
      else if (r > 150 && g < 100 && b < 100) red++
      else if (g > 150 && g > r + 40 && g > b + 40) gr++ }
    END { print o + 0, red + 0, gr + 0 }'
}
# wait_footer clear|blocked SECONDS: until nothing is pending (no orange, no red) or something is.
wait_footer() {
  local want="$1" end=$((SECONDS + $2)) o r g
  while :; do
    read -r o r g < <(footer_counts)
    case "$want" in
      clear) [ "$o" -lt 20 ] && [ "$r" -lt 20 ] && return 0 ;;
      blocked) [ "$o" -ge 20 ] || [ "$r" -ge 20 ] && return 0 ;;
    esac
    [ "$SECONDS" -lt "$end" ] || return 1
    sleep 0.5
  done
}
step_done() { # step_done WHAT: the footer must show nothing left to do on this step
  wait_footer clear "${2:-10}" || fail "$1: the step footer still lists something to do (orange/red)"
}

# The backend's stored filings.
filings() { find "$BDATA/filings" -mindepth 1 -maxdepth 1 -type d 2>/dev/null | wc -l; }

# The primary (blue) button in the step's content, above the navigation row: its centre as "X Y",
# or nothing. The blue of HighImportance buttons; rows with a wide run of it are a button, not a tick.
find_primary_button() {
  local f="$WORK/btn.png"
  timeout 20 "$IMPORT" -window "$WID" "png:$f" 2>/dev/null || return 0
  "$CONVERT" "$f" -crop 824x700+272+0 +repage -depth 8 txt:- | awk -F'[(),:]' '
    NR > 1 { split($1, xy, ","); x = $1 + 0; y = $2 + 0; r = $4 + 0; g = $5 + 0; b = $6 + 0
      if (b > 200 && r < 90 && g > 90 && g < 160) { n[y]++; sx[y] += x } }
    END { for (y = 0; y < 700; y++) if (n[y] >= 60) { ys += y; xs += sx[y] / n[y]; k++ }
          if (k >= 8) printf "%d %d\n", xs / k + 272, ys / k }'
}

# ---------------------------------------------------------------- files
# The pictures to upload; the file dialog opens in $HOME, where exactly one picture is put before
# each choice, so it is always the first entry after the parent folder.
IMAGES="${WALK_IMAGES:-$WORK/images}"
if [ -z "${WALK_IMAGES:-}" ]; then
  (cd "$ROOT" && "$GO" run ./scripts/walkimages.go "$IMAGES") || die "could not make the pictures (scripts/walkimages.go)"
fi
for f in id-front.jpg form.jpg photo-red.jpg photo-ok.jpg; do
  [ -s "$IMAGES/$f" ] || die "missing picture $IMAGES/$f"
done
stage_file() { # stage_file NAME: $HOME holds only this picture
  rm -f "$WORK/home"/*.jpg
  cp "$IMAGES/$1" "$WORK/home/$1"
}
# choose_file X Y NAME: press "Choose a file…" at X,Y and pick NAME in the file dialog.
choose_file() {
  stage_file "$3"
  click "$1" "$2" 1.2
  click 590 320 0.4 # the first file, after (父目录)
  click 779 550 0.8 # 选择
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
"$BIN" backend --data "$BDATA" --addr 127.0.0.1:0 >"$BLOG" 2>&1 &
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
map_chars "$APPLICANT" "$SITE_NAME" "$CITY" "$DISTRICT" "$STREET" "$ICP_NUMBER"

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
trap 'fail "a command failed at line $LINENO"' ERR

# ---------------------------------------------------------------- the walk, one function per step
step_settings() { # drafts list → 设置: the backend address
  click 692 77 1      # 设置
  click 650 298       # 后端地址
  typ "$URL"
  shot settings
  click 586 539 1     # 保存
}

step_new() {
  shot drafts
  click 60 77 1.2     # 新建接入备案
}

step0() { # 接入须知与准备: 天津, new access, notes read
  click 700 130 0.8   # 备案省份 → the list opens over the window
  click 390 60 0.6    # 天津（津）
  click 363 210       # 我已阅读以上须知
  step_done "step 0"
  shot step0
}

step1() { # 验证备案类型: a person with a resident ID
  click 780 739 1     # 下一步
  click 700 109 0.6; click 400 186 0.6   # 主办单位性质 → 个人
  click 700 150 0.6; click 420 186 0.6   # 证件类型 → 居民身份证
  click 700 190 0.3   # 证件号码
  typ "$ID_NUMBER"; tab
  typ "$APPLICANT"; tab          # 主办单位名称
  typ "$DOMAIN"; tab             # 网站 1 的域名
  step_done "step 1"
  shot step1
}

step2() { # 产品验证: ECS, 12 months, mainland, public bandwidth, service number
  click 780 739 1
  click 760 69 0.6; click 540 104 0.6    # 产品类型 → 阿里云
  click 760 109 0.6; click 500 145 0.6   # 产品 → 云服务器 ECS
  click 760 150 0.3   # 购买时长
  typ 12; tab
  key space; tab      # 服务器位于中国大陆地域
  key space; tab      # 已购买公网带宽
  typ 32a43232-a888-88e8-b9ec-00888be8a1b2; tab   # 备案服务号
  step_done "step 2"
  shot step2
}

step3() { # 工信部备案密码
  click 780 739 1
  click 700 109 0.3
  typ "$PASSWORD"; tab
  step_done "step 3"
  shot step3
}

step4() { # 填写接入信息: from the first city field on, by keyboard only (the form scrolls)
  click 780 739 1
  click 770 126 0.8; click 500 60 0.6    # 证件住所 · 省份 → 天津
  click 770 166 0.3                      # 证件住所 · 市
  typ "$CITY"; tab; typ "$DISTRICT"; tab; typ "$STREET"; tab
  tab                                    # 没有门牌号 (left unticked)
  key Right Right; tab                   # 通讯地址 · 省份: 北京 → 天津
  typ "$CITY"; tab; typ "$DISTRICT"; tab; typ "$STREET"; tab
  tab; tab                               # 没有门牌号, 居住证 (left unticked)
  shot step4-subject
  typ "$APPLICANT"; tab                  # 主体负责人 · 姓名
  key Right; tab                         # 证件类型 → 居民身份证
  typ "$ID_NUMBER"; tab
  typ 2036-05-01; tab                    # 证件有效期至
  typ "$MOBILE"; tab; tab                # 手机号码, 联系方式2 (empty)
  typ zhangsan@example.com; tab          # 电子邮箱
  typ 2028-06-30; tab                    # 域名到期日
  typ "$SITE_NAME"; tab                  # 网站名称
  typ "$ICP_NUMBER"; tab                # 已有的网站备案号
  key Right; tab                         # 服务内容 → the first
  tab; tab; tab; tab; tab; tab; tab      # 网站语言 ×6 (中文简体 is ticked), 备注, the button
  key space                              # 与主体负责人为同一人
  tab; tab; tab; tab; tab; tab; tab      # 姓名 … 联系方式2
  typ "$EMERGENCY"; tab                  # 应急联系电话
  step_done "step 4" 15
  shot step4
}

step5() { # 上传资料: the ID card and the verification form
  click 780 739 1
  choose_file 332 171 id-front.jpg       # 主体负责人证件 · 选择文件…
  choose_file 332 448 form.jpg           # 核验单 · 选择文件… (below the first slot's preview)
  step_done "step 5 (uploads checked)" 30
  shot step5
}

step6_red() { # 网站负责人拍照核验: a red top; the step must say it is blocked
  click 780 739 1
  choose_file 332 211 photo-red.jpg      # 选择文件…
  sleep 2
  wait_footer blocked 30 ||
    fail "step 6: the red-top photo is not shown as blocking (the step footer says nothing is left to do)"
  shot step6-red-top-refused
}

step7() { # 短信核验: nothing to do in 天津 for this filing
  click 780 739 1
  shot step7
}

step8_refused() { # 提交与进度: with the red-top photo, nothing may reach the backend
  click 780 739 1.5
  shot step8-gate
  local b
  b="$(find_primary_button)"
  if [ -n "$b" ]; then
    click ${b} 1
    sleep 4
  fi
  shot step8-refused
  [ "$(filings)" -eq 0 ] || fail "the backend received a filing whose photo fails its check"
  echo "walk: the gate held: the backend holds no filing"
}

step6_replace() { # back to step 6: the photo replaced by a good one
  click 100 265 1     # sidebar: 6 网站负责人拍照核验
  choose_file 332 211 photo-ok.jpg
  step_done "step 6 (good photo)" 30
  shot step6-replaced
}

step8_submit() {
  click 100 345 1.5   # sidebar: 8 提交与进度
  shot step8-ready
  local b end
  b="$(find_primary_button)"
  [ -n "$b" ] || fail "step 8: no submit button (a blue button in the step) to press"
  click ${b} 1
  end=$((SECONDS + 40))
  until [ "$(filings)" -ge 1 ]; do
    [ "$SECONDS" -lt "$end" ] || fail "the backend received nothing within 40 s of pressing submit"
    sleep 0.5
  done
  sleep 3 # the answer reaches the window
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
step7
step8_refused
step6_replace
step8_submit
trap - ERR

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
timeout 60 "${RUN_ENV[@]}" "$BIN" status "$FID" --data "$WORK/data" --backend "$URL" >"$WORK/status.txt" 2>&1 || ST=$?
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

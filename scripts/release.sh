#!/usr/bin/env bash
# Release packaging, called by `make release` and `make release-check`.
#
#   scripts/release.sh linux     dist/icpfiling-VERSION-linux-amd64.tar.xz (fyne package)
#   scripts/release.sh windows   dist/icpfiling-VERSION-windows-amd64.exe  (mingw-w64 cross build,
#                                GUI subsystem, icon and version resources from fyne package)
#   scripts/release.sh check     unpack the Linux archive and run its binary through
#                                scripts/smoke.sh; inspect the Windows .exe's headers
#
# Env: VERSION (default: FyneApp.toml's), APP_BUILD (default: the commit count), GO, FYNE, DIST.
#
# fyne package bumps Build in FyneApp.toml and drops fyne.syso / fyne_metadata_init.go into the
# source directory while it builds. It therefore always runs on a copy in a temporary directory:
# the working tree is never written to, and other builds running in it at the same time never
# see those files.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$PWD"

die() { echo "release: FAIL: $*" >&2; exit 1; }

GO="${GO:-go}"
DIST="${DIST:-dist}"
case "$DIST" in /*) ;; *) DIST="$ROOT/$DIST" ;; esac
VERSION="${VERSION:-$(sed -n 's/^[[:space:]]*Version[[:space:]]*=[[:space:]]*"\(.*\)"/\1/p' FyneApp.toml | head -n 1)}"
[ -n "$VERSION" ] || die "no Version in FyneApp.toml"
APP_BUILD="${APP_BUILD:-$(git rev-list --count HEAD 2>/dev/null || echo 1)}"
[[ "$APP_BUILD" =~ ^[1-9][0-9]*$ ]] || die "APP_BUILD must be a positive whole number, got '$APP_BUILD'"
FYNE="${FYNE:-$(command -v fyne || echo "$($GO env GOPATH)/bin/fyne")}"
[ -x "$FYNE" ] || die "the fyne command is missing (make deps-release installs it)"
LINUX_TXZ="$DIST/icpfiling-$VERSION-linux-amd64.tar.xz"
WIN_EXE="$DIST/icpfiling-$VERSION-windows-amd64.exe"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/icpfiling-release.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$DIST"

linux() {
  # The binary is built exactly like `make build` (same tags, same cgo flags, so the cache of the
  # GLFW/go-gl build is reused); only link flags differ. fyne package then wraps it.
  echo "release: building the Linux binary $VERSION (build $APP_BUILD)"
  "$GO" build -ldflags "-s -w -X main.version=$VERSION" -o "$WORK/icpfiling" .
  mkdir -p "$WORK/meta/assets"
  cp FyneApp.toml "$WORK/meta/"
  cp assets/icon.png "$WORK/meta/assets/"
  # fyne package insists on a Go package in its source dir even with --executable; it builds
  # nothing when the executable exists.
  printf 'package main\n\nfunc main() {}\n' >"$WORK/meta/main.go"
  (cd "$WORK/meta" && "$FYNE" package --target linux --executable "$WORK/icpfiling" --name icpfiling \
     --app-version "$VERSION" --app-build "$APP_BUILD")
  [ -f "$WORK/meta/icpfiling.tar.xz" ] || die "fyne package made no icpfiling.tar.xz"
  mv "$WORK/meta/icpfiling.tar.xz" "$LINUX_TXZ"
  echo "release: $LINUX_TXZ ($(du -h "$LINUX_TXZ" | cut -f1))"
}

windows() {
  local cc=x86_64-w64-mingw32-gcc
  command -v "$cc" >/dev/null || die "$cc not found (make deps-release installs gcc-mingw-w64-x86-64-win32)"
  echo "release: cross-building the Windows .exe $VERSION (build $APP_BUILD) with $cc"
  # The working tree as `make test` sees it (tracked and new files, not ignored ones).
  mkdir -p "$WORK/src"
  git ls-files -z --cached --others --exclude-standard |
    while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
    tar --null -T - -cf - | tar -xf - -C "$WORK/src"
  # --release: stripped, -trimpath (no build paths in the .exe); fyne adds -H=windowsgui and
  # writes the icon, manifest and version resources into fyne.syso before building.
  (cd "$WORK/src" && CC="$cc" GOOS=windows GOARCH=amd64 \
     GOFLAGS="${GOFLAGS:+$GOFLAGS }-ldflags=-X=main.version=$VERSION" \
     "$FYNE" package --target windows --release --name icpfiling.exe \
       --app-version "$VERSION" --app-build "$APP_BUILD")
  [ -f "$WORK/src/icpfiling.exe" ] || die "fyne package made no icpfiling.exe"
  mv "$WORK/src/icpfiling.exe" "$WIN_EXE"
  echo "release: $WIN_EXE ($(du -h "$WIN_EXE" | cut -f1))"
}

check() {
  [ -f "$LINUX_TXZ" ] || die "$LINUX_TXZ is missing (run: make release)"
  [ -f "$WIN_EXE" ] || die "$WIN_EXE is missing (run: make release)"

  echo "release-check: unpacking $LINUX_TXZ"
  mkdir -p "$WORK/unpacked"
  tar -xJf "$LINUX_TXZ" -C "$WORK/unpacked"
  local bin
  bin="$(find "$WORK/unpacked" -type f -name icpfiling -perm -u+x | head -n 1)"
  [ -n "$bin" ] || die "no executable icpfiling in the archive: $(tar -tJf "$LINUX_TXZ" | tr '\n' ' ')"
  find "$WORK/unpacked" -name '*.desktop' | grep -q . || die "no .desktop file in the archive"
  find "$WORK/unpacked" -name '*.png' | grep -q . || die "no icon in the archive"
  local v
  v="$("$bin" --version)"
  [ "$v" = "icpfiling $VERSION" ] || die "packaged binary says '$v', want 'icpfiling $VERSION'"
  echo "release-check: $v; window smoke test of the packaged binary"
  SMOKE_SHOT="${SMOKE_SHOT:-$ROOT/$(basename "$DIST")/release-smoke.png}" bash scripts/smoke.sh "$bin"

  echo "release-check: inspecting $WIN_EXE"
  local objdump=x86_64-w64-mingw32-objdump
  command -v "$objdump" >/dev/null || die "$objdump not found (binutils-mingw-w64-x86-64)"
  local head
  head="$("$objdump" -p "$WIN_EXE")"
  grep -q 'file format pei-x86-64' <<<"$head" || die "not a 64-bit Windows executable"
  grep -Eq 'Subsystem[[:space:]]+0+2[[:space:]]+\(Windows GUI\)' <<<"$head" ||
    die "not built for the GUI subsystem (a console window would open): $(grep Subsystem <<<"$head")"
  "$objdump" -h "$WIN_EXE" | grep -q '\.rsrc' || die "no resource section (icon, version info)"
  # Version info strings are UTF-16LE in the resource section.
  LC_ALL=C grep -aqP 'P\x00r\x00o\x00d\x00u\x00c\x00t\x00V\x00e\x00r\x00s\x00i\x00o\x00n\x00' "$WIN_EXE" ||
    die "no ProductVersion in the version resource"
  echo "release-check: $WIN_EXE is a Windows GUI executable with icon and version resources"
  echo "release-check: ok"
}

case "${1:-}" in
  linux) linux ;;
  windows) windows ;;
  check) check ;;
  *) die "usage: $0 linux|windows|check" ;;
esac

# icpfiling — build, run and test.  GNU make; recipes are POSIX sh.
#   make run [ARGS='validate app.json']   install what is missing, build, start
#   make test                             the whole gate (what .ci/run calls)
#   make release                          dist/: Linux .tar.xz (fyne package) and Windows .exe (mingw-w64)
#   make release-check                    make release, then run the packaged Linux binary under Xvfb
#                                         and the Windows .exe under Wine (scripts/wine-check.sh)

BIN      := icpfiling
ARGS     ?=
FUZZTIME ?= 3s
GO       ?= go

# Go's usual install places, for shells (CI, sudo) whose PATH lacks them.
export PATH := $(PATH):/usr/local/go/bin:$(HOME)/go/bin

# apt packages: to compile (cgo, GLFW, go-gl) and, on top, to run the window smoke test.
APT_BUILD := gcc libc6-dev pkg-config libgl1-mesa-dev libxcursor-dev libxrandr-dev \
             libxinerama-dev libxi-dev libxxf86vm-dev
APT_TEST  := xvfb xdotool xclip imagemagick libgl1-mesa-dri x11-utils
# and, for `make release`: the Windows cross compiler (binutils come with it) and xz for the archive.
APT_RELEASE := gcc-mingw-w64-x86-64-win32 xz-utils
FYNE_TOOLS  := fyne.io/tools/cmd/fyne@v1.7.4
# and, for `make release-check`: Wine to run the .exe (Debian 12: wine 8.0; wine64 is the 64-bit
# loader, enough for a 64-bit .exe without i386 multiarch).
APT_WINE := wine wine64

.NOTPARALLEL:
.PHONY: deps-build deps-test go-check build run test fmt-check vet vet-cross unit faults fuzz smoke walk bench clean \
        deps-release deps-wine release release-linux release-windows release-check

banner = printf '\n==== %s ====\n' '$(1)'

# $(call apt_ensure,PACKAGES): apt-get install only the missing ones (apt-get update only then).
define apt_ensure
	@set -e; \
	if ! command -v dpkg-query >/dev/null 2>&1; then \
	  echo "deps: no dpkg here (not Debian/Ubuntu); install your system's equivalents of: $(strip $(1))"; \
	  exit 0; \
	fi; \
	missing=; \
	for p in $(1); do \
	  case "$$(dpkg-query -W -f='$${Status}' $$p 2>/dev/null)" in \
	    *" installed") ;; \
	    *) missing="$$missing $$p" ;; \
	  esac; \
	done; \
	if [ -z "$$missing" ]; then echo "deps: apt packages already installed: $(strip $(1))"; exit 0; fi; \
	sudo=; \
	if [ "$$(id -u)" -ne 0 ]; then \
	  command -v sudo >/dev/null 2>&1 || { echo "deps: need root or sudo to install:$$missing" >&2; exit 1; }; \
	  sudo=sudo; \
	fi; \
	echo "deps: installing:$$missing"; \
	$$sudo apt-get update; \
	$$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $$missing
endef

go-check:
	@command -v $(GO) >/dev/null 2>&1 || { \
	  echo "error: 'go' is not on PATH. Install Go >= 1.26 from https://go.dev/dl/ and add its bin directory to PATH." >&2; \
	  exit 1; }
	@$(GO) version

deps-build: go-check
	@$(call banner,deps-build)
	$(call apt_ensure,$(APT_BUILD))
	$(GO) mod download

deps-test: deps-build
	@$(call banner,deps-test)
	$(call apt_ensure,$(APT_TEST))

build:
	@$(call banner,build)
	$(GO) build -o $(BIN) .

run: deps-build build
	./$(BIN) $(ARGS)

test: deps-test fmt-check vet vet-cross unit faults fuzz build smoke walk
	@$(call banner,test: all stages passed)

fmt-check:
	@$(call banner,gofmt)
	@files=$$(git ls-files --cached --others --exclude-standard '*.go' 2>/dev/null || find . -name '*.go' -not -path './.git/*'); \
	[ -z "$$files" ] && exit 0; \
	bad=$$(gofmt -l $$files); \
	if [ -n "$$bad" ]; then echo "gofmt: these files need 'gofmt -w':"; echo "$$bad"; exit 1; fi; \
	echo "gofmt: ok"

vet:
	@$(call banner,go vet)
	$(GO) vet ./...

# The packages without cgo, type-checked for the other desktop OSes (issue 17): their OS-specific
# files (*_windows.go, *_darwin.go and their tests) must compile where they are for. Their
# Windows tests run under Wine in `make release-check`; the macOS ones on a Mac (README).
CROSS_PKGS := ./filing/... ./imaging/... ./applog ./instance ./internal/...
vet-cross:
	@$(call banner,go vet for darwin and windows (packages without cgo))
	GOOS=darwin GOARCH=arm64 CGO_ENABLED=0 $(GO) vet $(CROSS_PKGS)
	GOOS=windows GOARCH=amd64 CGO_ENABLED=0 $(GO) vet $(CROSS_PKGS)

unit:
	@$(call banner,go test)
	$(GO) test -count=1 -skip '$(FAULT_TESTS)' ./...

# The fault suite (issue 15 point 8): the tests that assert the figures of the reliability audit,
# run verbosely so that the CI log shows each figure (t.Logf): the faults between client and
# backend (503s, a connection dropped after the backend stored, a backend down then up, a wrong
# token, 200 parallel posts under one key: one stored filing each), one filing per draft however
# it is re-run, the backend failing closed, SIGKILL loops on the store (200 kills, no acknowledged
# save lost, no false "damaged"), hostile spreadsheets and images (bytes allocated while refusing),
# and the peak RSS of batch import/check/report at 10,000 and 20,000 rows (at most 300 MB).
# `unit` skips exactly these (same pattern), so none runs twice. 37 s to 1m26s on 2 shared cores;
# FAULTS_TIMEOUT bounds it. More kills: make faults STORE_KILLS=2000 FAULTS_TIMEOUT=30m.
FAULT_TESTS := ^(TestFault.*|TestSubmitOncePerFiling|TestRerunAfterInterruptionReusesTheKey|TestHangingFilingDoesNotHoldOthers|TestConcurrentSameKeyStoresOnce|TestNewRefusesNoTokenUnlessMeant|TestAuthSchemeIsCaseInsensitive|TestSecretsInTheApplicationPartKeptOnlyAsHMAC|TestBackendFailsClosed|TestKillLoopNeverCriesWolf|TestKilledWriterLosesNoAcknowledgedSave|TestKilledMigrationLeavesTheStoreUsable|TestHostileSheetsRefused|TestRowCapBoundary|TestReportLinear|TestSharedCertificateMessages|TestDecodeBudgetInBytes|TestOpenRefusesBombsBeforeAllocating|TestOpenRefusesScanBombs|TestBatchPeakRSS)$$
FAULT_PKGS    := . ./filing/submit ./filing/backend ./filing/store ./filing/batch ./imaging
FAULTS_TIMEOUT ?= 8m
faults:
	@$(call banner,faults (fault suite; figures in the log))
	$(GO) test -count=1 -v -timeout $(FAULTS_TIMEOUT) -run '$(FAULT_TESTS)' $(FAULT_PKGS)

# Every FuzzXxx of every package that has tests, each for $(FUZZTIME).
fuzz:
	@$(call banner,fuzz ($(FUZZTIME) each))
	GO='$(GO)' FUZZTIME='$(FUZZTIME)' bash scripts/fuzz.sh

smoke: build
	@$(call banner,smoke (window under Xvfb))
	bash scripts/smoke.sh ./$(BIN)

# The applicant's walk (scripts/walk.sh): a personal 天津 filing typed into the real window under
# Xvfb, from a new draft to an accepted submission against the reference backend; the red-top photo
# must be refused first. A screenshot of every step goes to WALK_SHOTS; docs/screenshots is
# refreshed from a passing walk (pictures that did not change are left alone).
WALK_SHOTS ?= $(or $(TMPDIR),/tmp)/icpfiling-walk-screenshots
walk: build
	@$(call banner,walk (a filing through the window under Xvfb))
	@echo "walk: the screenshots go to $(WALK_SHOTS)"
	GO='$(GO)' WALK_SHOTS='$(WALK_SHOTS)' WALK_DOCS=docs/screenshots bash scripts/walk.sh ./$(BIN) || \
	  { echo "walk: FAILED; the screenshots are in $(WALK_SHOTS)" >&2; exit 1; }
	@echo "walk: screenshots of every step: $(WALK_SHOTS)"

deps-release: deps-test
	@$(call banner,deps-release)
	$(call apt_ensure,$(APT_RELEASE))
	@if command -v fyne >/dev/null 2>&1; then echo "deps: fyne already installed: $$(command -v fyne)"; \
	else echo "deps: installing $(FYNE_TOOLS)"; $(GO) install $(FYNE_TOOLS); fi

# Packages go to dist/. The tree is not written to: scripts/release.sh runs fyne package on a copy
# (it would bump Build in FyneApp.toml). VERSION=… and APP_BUILD=… override FyneApp.toml's version
# and the commit count.
release: deps-release release-linux release-windows
	@$(call banner,release: done)
	@ls -l dist

release-linux:
	@$(call banner,release: Linux package)
	GO=$(GO) bash scripts/release.sh linux

release-windows:
	@$(call banner,release: Windows .exe (cross-built))
	GO=$(GO) bash scripts/release.sh windows

deps-wine: deps-release
	@$(call banner,deps-wine)
	$(call apt_ensure,$(APT_WINE))

# What CI runs after `make test`: both packages build, the packaged Linux binary shows its window
# under Xvfb (scripts/smoke.sh), the .exe is a GUI executable with icon and version resources,
# and then the .exe runs under Wine on its own Xvfb (scripts/wine-check.sh: commands, window,
# single instance, bundles, backend and submission, delete-all, the Windows-only Go tests).
release-check: release deps-wine
	@$(call banner,release-check)
	GO=$(GO) bash scripts/release.sh check
	@$(call banner,release-check: the Windows .exe under Wine)
	@v="$${VERSION:-$$(sed -n 's/^[[:space:]]*Version[[:space:]]*=[[:space:]]*"\(.*\)"/\1/p' FyneApp.toml | head -n 1)}"; \
	echo "GO=$(GO) WINE_EXPECT_VERSION=$$v bash scripts/wine-check.sh dist/icpfiling-$$v-windows-amd64.exe"; \
	GO='$(GO)' WINE_EXPECT_VERSION="$$v" bash scripts/wine-check.sh "dist/icpfiling-$$v-windows-amd64.exe"

# Every package's benchmarks; BENCH narrows them (make bench BENCH=Validate).
BENCH ?= .
bench:
	$(GO) test ./... -run '^$$' -bench '$(BENCH)' -benchmem

clean:
	rm -f $(BIN) smoke-screenshot.png *.test
	rm -rf dist

// Package testconfig keeps tests away from the user's own configuration:
// the store's data key goes to the OS credential store or to a key file
// under os.UserConfigDir(), and a test run must touch neither.
package testconfig

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/zalando/go-keyring"
)

// Isolate points the user's config directory at a new temporary one (for
// this process and the programs it starts) and makes the credential store
// fail as on a headless machine, so key files are what tests exercise. It
// returns the function that removes the directory. Call it first in
// TestMain.
func Isolate() (cleanup func()) {
	if os.Getenv(RealCredentialStoreEnv) != "1" {
		keyring.MockInitWithError(errors.New("no credential store in tests"))
	}
	if os.Getenv("ICPFILING_TEST_CONFIG") != "" {
		// A child of a test: it shares its parent's directory.
		return func() {}
	}
	dir, err := os.MkdirTemp("", "icpfiling-test-config-")
	if err != nil {
		panic(err)
	}
	os.Setenv("ICPFILING_TEST_CONFIG", dir)
	os.Setenv("XDG_CONFIG_HOME", dir)
	os.Setenv("APPDATA", dir) // os.UserConfigDir on Windows
	return func() { os.RemoveAll(dir) }
}

// RealCredentialStoreEnv set to 1 leaves the OS credential store real in
// the process Isolate runs in: the tests of the credential store of one
// OS (files *_windows_test.go, *_darwin_test.go) start themselves again
// with it, and remove what they stored.
const RealCredentialStoreEnv = "ICPFILING_TEST_REAL_CREDENTIAL_STORE"

// Main is a TestMain that runs a package's tests isolated.
func Main(m *testing.M) {
	cleanup := Isolate()
	code := m.Run()
	cleanup()
	os.Exit(code)
}

// PrintPeakRSS prints this process's peak resident memory ("VmHWM" of
// /proc/self/status, e.g. "215432 kB") on a line of its own: what a
// child process of a memory test reports to its parent. getrusage's
// ru_maxrss would also count the parent's memory at the fork.
func PrintPeakRSS() {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return
	}
	for _, line := range strings.Split(string(status), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			fmt.Println(strings.TrimSpace(strings.TrimPrefix(line, "VmHWM:")))
		}
	}
}

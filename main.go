// Command icpfiling prepares an Alibaba Cloud ICP 接入备案 (access filing)
// offline. Without a subcommand it opens the window; "validate" checks an
// application file for scripts; "rules" checks and seals rule packs.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/icpfiling/icpfiling/applog"
)

// appID is the Fyne application ID; it names the preferences directory.
const appID = "io.github.icpfiling"

// version is set at release time with -ldflags "-X main.version=…".
var version = "0.1.0-dev"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run dispatches the command line and returns the exit code (0 done, 1
// something blocks or failed, 2 bad input, 3 queued but not yet confirmed,
// 4 the data directory is already open: cmd_exit.go, README).
func run(args []string, stdout, stderr io.Writer) int {
	// Names, addresses and backend messages may carry control characters:
	// nothing a command prints acts on the terminal.
	stdout, stderr = terminalWriter{stdout}, terminalWriter{stderr}
	if len(args) > 0 {
		switch args[0] {
		case "validate":
			return cmdValidate(args[1:], stdout, stderr)
		case "rules":
			return cmdRules(args[1:], stdout, stderr)
		case "check-image":
			return cmdCheckImage(args[1:], stdout, stderr)
		case "compose":
			return cmdCompose(args[1:], stdout, stderr)
		case "backend":
			return cmdBackend(args[1:], stdout, stderr)
		case "submit":
			return cmdSubmit(args[1:], stdout, stderr)
		case "status":
			return cmdStatus(args[1:], stdout, stderr)
		case "drafts":
			return cmdDrafts(args[1:], stdout, stderr)
		case "batch":
			return cmdBatch(args[1:], stdout, stderr)
		case "domain-list":
			return cmdDomainList(args[1:], stdout, stderr)
		}
	}
	fs := flag.NewFlagSet("icpfiling", flag.ContinueOnError)
	fs.SetOutput(stderr)
	quitAfter := fs.Duration("quit-after", 0, "quit by itself after this long (for smoke tests), e.g. 8s")
	language := fs.String("lang", "", "UI language for this start: zh or en (default: as chosen in Settings, else the system's, Chinese when it has none)")
	showVersion := fs.Bool("version", false, "print the version and exit")
	dataDir := fs.String("data-dir", "", "where drafts and scans are kept (default: the per-user data directory)")
	logLevel := fs.String("log-level", "info", "how much goes into the log file in the data directory: debug, info, warn or error")
	resetUI := fs.Bool("reset-ui", false, "forget the window's saved preferences, then start")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: icpfiling [--lang zh|en] [--data-dir DIR] [--log-level info] [--reset-ui] [--quit-after 8s]   (opens the window)")
		fmt.Fprintln(stderr, "       icpfiling validate FILE.json [--as-of YYYY-MM-DD] [--lang zh|en] [--json] [--data-dir DIR] [--rules PACK.json]")
		fmt.Fprintln(stderr, "       icpfiling rules keygen|seal|check|trust|update ...   (signed rule packs; see rules -h)")
		fmt.Fprintln(stderr, "       icpfiling check-image --kind KIND FILE... [--json] [--annotate DIR] [--fix DIR]")
		fmt.Fprintln(stderr, "       icpfiling compose --out OUT.jpg [--slot SLOT] [--limit BYTES] [--grid] FILE...")
		fmt.Fprintln(stderr, "       icpfiling drafts list|show|export|import|delete [--data-dir DIR]")
		fmt.Fprintln(stderr, "       icpfiling batch template|import|check|report|submit [--data-dir DIR]")
		fmt.Fprintln(stderr, "       icpfiling submit FILE.icpf|FILE.json|--draft ID --backend URL [--token-file F] [--resend] [--data-dir DIR]")
		fmt.Fprintln(stderr, "       icpfiling status ID [--data-dir DIR]")
		fmt.Fprintln(stderr, "       "+domainListUsage[len("usage: "):])
		fmt.Fprintln(stderr, "       icpfiling backend --data-dir DIR [--addr 127.0.0.1:8787] --token-file F")
		fmt.Fprintln(stderr, "Exit status: 0 done, 1 something blocks or failed, 2 bad input, 3 queued but not yet confirmed, 4 the data directory is open in another copy of the app.")
		fmt.Fprintln(stderr, "Each command prints its own options with -h.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "unknown command %q\n", fs.Arg(0))
		fs.Usage()
		return 2
	}
	if *showVersion {
		fmt.Fprintln(stdout, "icpfiling", version)
		return 0
	}
	level, err := applog.ParseLevel(*logLevel)
	if err != nil {
		fmt.Fprintln(stderr, "--log-level 只能是 debug、info、warn 或 error。/", err)
		return 2
	}
	return runGUI(guiOptions{Language: *language, DataDir: *dataDir, QuitAfter: *quitAfter, LogLevel: level, ResetUI: *resetUI})
}

package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/icpfiling/icpfiling/filing"
)

// cmdRules checks a rule pack against the built-in one, or seals an edited
// pack (recomputes its checksum) so that it can be shipped.
func cmdRules(args []string, stdout, stderr io.Writer) int {
	if len(args) != 2 || (args[0] != "check" && args[0] != "seal") {
		fmt.Fprintln(stderr, "usage: icpfiling rules check|seal PACK.json")
		return exitUnreadable
	}
	path := args[1]
	data, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitUnreadable
	}
	if args[0] == "seal" {
		sealed, err := filing.Reseal(data)
		if err == nil {
			_, err = filing.ParsePack(sealed)
		}
		if err == nil {
			err = writeFileAtomic(path, sealed)
		}
		if err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", path, err)
			return exitUnreadable
		}
		fmt.Fprintf(stdout, "%s: sealed\n", path)
		return exitClean
	}
	pack, err := filing.ParsePack(data)
	if err == nil {
		err = filing.DefaultPack().CanReplace(pack)
	}
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", path, err)
		return exitBlocked
	}
	fmt.Fprintf(stdout, "%s: revision %d, published %s, %d rules, sha256 %s\n",
		path, pack.Revision, pack.Published, len(pack.RuleIDs()), pack.Checksum())
	return exitClean
}

// writeFileAtomic replaces a file without leaving half of it behind.
func writeFileAtomic(path string, data []byte) error {
	return writeFileStreamed(path, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// writeFileStreamed is writeFileAtomic for content written as it is
// made (a batch report), so it is never held in memory whole.
func writeFileStreamed(path string, fill func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".seal-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := fill(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

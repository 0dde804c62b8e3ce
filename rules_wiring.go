package main

import (
	"log/slog"

	"github.com/icpfiling/icpfiling/filing"
	"github.com/icpfiling/icpfiling/filing/packs"
	"github.com/icpfiling/icpfiling/filing/store"
)

// windowPacks is the data directory's rule-pack manager for the window and
// the pack in use at start (the newest accepted one, else the built-in
// one). The manager is nil when the kept packs cannot be read: the window
// then uses the built-in pack, and the log says why.
func windowPacks(st *store.Store) (*packs.Manager, *filing.Pack) {
	m, err := packs.New(st)
	if err != nil {
		slog.Warn("rule packs not read; using the built-in pack", "err", message(err, "en"))
		return nil, filing.DefaultPack()
	}
	return m, m.Current()
}

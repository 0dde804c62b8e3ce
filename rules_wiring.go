package main

import (
	"context"
	"log/slog"

	"github.com/icpfiling/icpfiling/filing"
	"github.com/icpfiling/icpfiling/filing/packs"
	"github.com/icpfiling/icpfiling/filing/store"
	"github.com/icpfiling/icpfiling/filing/submit"
)

// packSource is the rule pack in use when it is asked: the manager's, which
// follows updates, or a fixed one. The window's gate, scan checks and
// batches read it at each use, so an update reaches them all at once.
type packSource func() *filing.Pack

// fixedPack is a packSource that never changes; nil is the built-in pack.
func fixedPack(p *filing.Pack) packSource {
	if p == nil {
		p = filing.DefaultPack()
	}
	return func() *filing.Pack { return p }
}

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

// windowRulePacks gives the window (gui.RulePacks) the manager and the
// backend configured in Settings, read afresh at each check so that a
// backend set or changed since the start is the one asked.
type windowRulePacks struct {
	*packs.Manager
	sub *submitAdapter
}

// CanCheck says whether a backend is configured.
func (w windowRulePacks) CanCheck() bool {
	set, err := submit.LoadSettings(w.sub.st)
	return err == nil && set.Configured()
}

// Check asks the configured backend for a newer pack and applies it. A
// refusal changes nothing and is logged: the window says it only in
// Settings.
func (w windowRulePacks) Check(ctx context.Context) (filing.PackDiff, bool, error) {
	c, err := w.sub.rulesClient()
	if err == nil && c == nil {
		err = &filing.PackError{ZH: "没有配置备案后台。", EN: "no backend is configured"}
	}
	if err != nil {
		return filing.PackDiff{}, false, err
	}
	diff, changed, err := w.Manager.Check(ctx, c)
	switch {
	case err != nil && ctx.Err() == nil:
		slog.Warn("rule pack from the backend not applied", "err", message(err, "en"))
	case changed:
		slog.Info("rule pack updated", "from", diff.FromRevision, "to", diff.ToRevision,
			"added", len(diff.Added), "ended", len(diff.Ended), "removed", len(diff.Removed), "changed", len(diff.Changed))
	}
	return diff, changed, err
}

// Apply accepts a pack file, logging what it did as Check does.
func (w windowRulePacks) Apply(data []byte) (filing.PackDiff, error) {
	diff, err := w.Manager.Apply(data)
	if err != nil {
		slog.Warn("rule pack file not applied", "err", message(err, "en"))
	} else if diff.FromRevision != diff.ToRevision {
		slog.Info("rule pack updated from a file", "from", diff.FromRevision, "to", diff.ToRevision)
	}
	return diff, err
}

// rulesClient is a client for the backend in Settings, with the token kept
// for this run when the store could not keep it; nil without a backend.
func (s *submitAdapter) rulesClient() (*submit.Client, error) {
	set, err := submit.LoadSettings(s.st)
	if err != nil || !set.Configured() {
		return nil, err
	}
	s.mu.Lock()
	if !set.Token.IsSet() {
		set.Token = s.session
	}
	s.mu.Unlock()
	cfg, err := set.Config()
	if err != nil {
		return nil, err
	}
	return submit.NewClient(cfg)
}

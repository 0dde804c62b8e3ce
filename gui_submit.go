package main

import (
	"context"
	"errors"
	"slices"
	"sync"

	"github.com/icpfiling/icpfiling/filing"
	"github.com/icpfiling/icpfiling/filing/store"
	"github.com/icpfiling/icpfiling/filing/submit"
	"github.com/icpfiling/icpfiling/gui"
)

// submitAdapter gives the window the outbox and the backend settings. The
// outbox's worker runs for the life of the window, so a filing queued while
// the backend was down goes out when it comes back.
type submitAdapter struct {
	st  *store.Store
	out *submit.Outbox

	mu sync.Mutex
	// session keeps a token the store could not keep (no passphrase) for
	// this run, so Settings does not forget it the moment it is typed.
	session filing.Secret
	cfgOK   bool
}

func newSubmitAdapter(st *store.Store, pack packSource) *submitAdapter {
	s := &submitAdapter{st: st, out: submit.NewOutbox(st, submit.Options{Pack: pack(), CurrentPack: pack, Scans: scanChecker(st, pack)})}
	if set, err := submit.LoadSettings(st); err == nil {
		s.apply(set)
	}
	return s
}

// apply points the outbox at the configured backend (or at none).
func (s *submitAdapter) apply(set submit.Settings) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !set.Token.IsSet() {
		set.Token = s.session
	}
	s.cfgOK = false
	if !set.Configured() {
		s.out.SetClient(nil)
		return
	}
	cfg, err := set.Config()
	if err != nil {
		s.out.SetClient(nil)
		return
	}
	c, err := submit.NewClient(cfg)
	if err != nil {
		s.out.SetClient(nil)
		return
	}
	s.out.SetClient(c)
	s.cfgOK = true
}

// Run sends and follows submissions until ctx ends.
func (s *submitAdapter) Run(ctx context.Context) { _ = s.out.Run(ctx) }

func (s *submitAdapter) Configured() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cfgOK
}

func (s *submitAdapter) Submit(ctx context.Context, app *filing.Application, progress func(done, total int64)) (gui.SubmitResult, error) {
	send := s.out.SubmitAndWait
	if prev, ok := s.latest(app.ID); ok && prev.State == submit.Rejected {
		// "Submit again" on a rejected filing is a new submission by intent;
		// an accepted one is never sent twice (Outbox.Submit).
		send = s.out.ResendAndWait
	}
	sub, err := send(ctx, app, func(p submit.Progress) { progress(p.Sent, p.Total) })
	res := gui.SubmitResult{ID: sub.ID, Findings: sub.Findings, Timeline: sub.Timeline}
	if err != nil && len(sub.Findings) > 0 {
		// Field errors are shown on their fields, not as a failure.
		return res, nil
	}
	return res, err
}

func (s *submitAdapter) Backend() (gui.BackendSettings, error) {
	set, err := submit.LoadSettings(s.st)
	if err != nil {
		return gui.BackendSettings{}, err
	}
	return gui.BackendSettings{URL: set.URL, Token: set.Token, CAFile: set.CAFile, Proxy: set.Proxy}, nil
}

func (s *submitAdapter) SetBackend(b gui.BackendSettings) error {
	set := submit.Settings{URL: b.URL, Token: b.Token, CAFile: b.CAFile, Proxy: b.Proxy}
	err := submit.SaveSettings(s.st, set)
	if err != nil && !errors.Is(err, submit.ErrTokenNotKept) {
		return err
	}
	s.mu.Lock()
	s.session = b.Token
	s.mu.Unlock()
	s.apply(set)
	return err
}

func (s *submitAdapter) HasPassphrase() bool             { return s.st.HasPassphrase() }
func (s *submitAdapter) Locked() bool                    { return s.st.Locked() }
func (s *submitAdapter) Unlock(pass filing.Secret) error { return s.st.Unlock(pass) }
func (s *submitAdapter) SetPassphrase(old, new filing.Secret) error {
	return s.st.SetPassphrase(old, new)
}

// latest is the newest submission of a draft.
func (s *submitAdapter) latest(draftID string) (submit.Submission, bool) {
	subs, err := s.out.List()
	if err != nil {
		return submit.Submission{}, false
	}
	var best submit.Submission
	found := false
	for _, sub := range subs {
		if sub.DraftID == draftID && (!found || sub.CreatedAt.After(best.CreatedAt)) {
			best, found = sub, true
		}
	}
	return best, found
}

func (s *submitAdapter) Latest(draftID string) (gui.SubmissionStatus, bool) {
	sub, ok := s.latest(draftID)
	if !ok {
		return gui.SubmissionStatus{}, false
	}
	return statusOf(sub, gui.Language()), true
}

// History is every submission of the draft, newest first.
func (s *submitAdapter) History(draftID string) []gui.SubmissionStatus {
	subs, err := s.out.List()
	if err != nil {
		return nil
	}
	var mine []submit.Submission
	for _, sub := range subs {
		if sub.DraftID == draftID {
			mine = append(mine, sub)
		}
	}
	slices.SortFunc(mine, func(a, b submit.Submission) int { return b.CreatedAt.Compare(a.CreatedAt) })
	lng := gui.Language()
	out := make([]gui.SubmissionStatus, len(mine))
	for i, sub := range mine {
		out[i] = statusOf(sub, lng)
	}
	return out
}

// statusOf is a submission as the window shows it. Once the backend has the
// filing, its latest review status is what shows ("管局审核中", not the
// outbox's "审核中").
func statusOf(sub submit.Submission, lng string) gui.SubmissionStatus {
	st := gui.SubmissionStatus{State: sub.State.Label(lng), Pending: sub.State.Pending(),
		Timeline: sub.Timeline, NewRevision: sub.NewRevision, LastChecked: sub.CheckedAt,
		RemoteID: sub.RemoteID, ReceivedAt: sub.ReceivedAt, Received: sub.RemoteID != "",
		Returned: sub.State == submit.Refused || sub.State == submit.Rejected,
		Findings: sub.Findings, At: sub.UpdatedAt}
	if len(sub.Application) > 0 {
		if app, err := filing.DecodeApplication(sub.Application); err == nil {
			st.Sent = app
		}
	}
	switch sub.State {
	case submit.Accepted, submit.Approved, submit.Rejected:
		if sub.Status != "" {
			st.State = sub.Status.Label(lng)
		}
	}
	if sub.State == submit.Accepted {
		st.NextCheck = sub.NextPollAt
	}
	if sub.Error != nil {
		st.Problem = sub.Error.Message(lng)
	}
	return st
}

// Refresh asks the backend now for the status of the draft's latest
// submission (Outbox.Refresh). One not at the backend yet wakes the worker
// instead, which sends it if it can.
func (s *submitAdapter) Refresh(ctx context.Context, draftID string) (gui.SubmissionStatus, error) {
	sub, ok := s.latest(draftID)
	if !ok {
		return gui.SubmissionStatus{}, nil
	}
	lng := gui.Language()
	switch {
	case sub.RemoteID == "":
		s.out.Kick()
	case !s.Configured():
		return statusOf(sub, lng), submit.ErrNotConfigured
	default:
		fresh, err := s.out.Refresh(ctx, sub.ID)
		if err != nil {
			return statusOf(sub, lng), err
		}
		sub = fresh
	}
	return statusOf(sub, lng), nil
}

func (s *submitAdapter) Cancel(draftID string) error {
	sub, ok := s.latest(draftID)
	if !ok {
		return nil
	}
	return s.out.Cancel(sub.ID)
}

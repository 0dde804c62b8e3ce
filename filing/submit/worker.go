package submit

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/icpfiling/icpfiling/filing"
	"github.com/icpfiling/icpfiling/filing/backend/api"
)

// Run is the worker: until ctx ends it sends queued submissions (at most
// Options.Concurrency at once), backs off while the backend is unreachable,
// and polls accepted ones until their review ends: shortly after it starts
// (Options.StartPollDelay) and then every Options.PollInterval. It returns
// when ctx is done and every upload it started has stopped; an upload
// stopped this way stays queued and goes out on the next Run under the same key.
func (o *Outbox) Run(ctx context.Context) error {
	o.recover()
	o.pollAfterStart()
	var wg sync.WaitGroup
	defer wg.Wait()
	slots := make(chan struct{}, o.opt.Concurrency)
	for {
		next := o.dispatch(ctx, &wg, slots)
		wait := next.Sub(o.opt.Now())
		if next.IsZero() || wait > time.Hour {
			wait = time.Hour // nothing due: sleep until kicked, but look again now and then
		}
		timer := time.NewTimer(max(wait, time.Millisecond))
		select {
		case <-ctx.Done():
			timer.Stop()
			return nil
		case <-o.kick:
		case <-timer.C:
		}
		timer.Stop()
	}
}

// recover puts records left in Sending by a crash back in the queue.
func (o *Outbox) recover() {
	all, err := o.List()
	if err != nil {
		return
	}
	for _, s := range all {
		if s.State == Sending {
			_ = o.update(s.ID, func(s *Submission) {
				if s.State == Sending {
					s.State = Queued
				}
			})
		}
	}
}

// dispatch starts what is due and returns when to look again.
func (o *Outbox) dispatch(ctx context.Context, wg *sync.WaitGroup, slots chan struct{}) time.Time {
	entries, err := o.entries()
	if err != nil {
		o.opt.Logger.Warn("outbox unreadable", "err", err)
		return o.opt.Now().Add(o.opt.BackoffBase)
	}
	o.mu.Lock()
	client, hold, paused := o.client, o.hold, o.pausedUntil
	o.mu.Unlock()
	if client == nil || hold != nil {
		return time.Time{} // wait for SetClient or Retry
	}
	now := o.opt.Now()
	var next time.Time
	later := func(t time.Time) {
		if next.IsZero() || t.Before(next) {
			next = t
		}
	}
	// Oldest first, so a batch goes out in the order it was submitted.
	for _, s := range entries {
		var due time.Time
		var job func(context.Context, *Client, string)
		switch {
		case s.State == Queued:
			due, job = s.NextAttemptAt, o.send
			if paused.After(due) {
				due = paused
			}
		case s.State == Accepted && s.Backend == client.BaseURL():
			due, job = s.NextPollAt, o.poll
		default:
			continue
		}
		if due.After(now) {
			later(due)
			continue
		}
		isSend := s.State == Queued
		o.mu.Lock()
		_, busy := o.inflight[s.ID]
		// Until the backend accepted something, one upload goes alone, but
		// only for ProbeWait: a probe that hangs is not a verdict on the
		// backend, and the others are attempted beside it.
		probeEnds := o.probeSince.Add(o.opt.ProbeWait)
		probing := isSend && !o.verified && o.sending > 0 && now.Before(probeEnds)
		o.mu.Unlock()
		if busy {
			continue
		}
		if probing {
			later(probeEnds)
			continue
		}
		select {
		case slots <- struct{}{}:
		default:
			// Every slot is taken; a finishing job kicks the loop.
			continue
		}
		jctx, cancel := context.WithCancel(ctx)
		o.mu.Lock()
		o.inflight[s.ID] = cancel
		if isSend {
			if o.sending == 0 && !o.verified {
				o.probeSince = now
			}
			o.sending++
		}
		o.mu.Unlock()
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() {
				cancel()
				o.mu.Lock()
				delete(o.inflight, s.ID)
				if isSend {
					o.sending--
				}
				o.mu.Unlock()
				<-slots
				o.Kick()
			}()
			job(jctx, client, s.ID)
		}()
	}
	return next
}

func (o *Outbox) send(ctx context.Context, c *Client, id string) {
	s, err := o.Get(id)
	if err != nil || s.State != Queued {
		return
	}
	fp, cp, ok := o.secrets(s.ID)
	if !ok {
		o.settle(s.ID, func(s *Submission) {
			s.State = Held
			s.Error = &api.Problem{Code: "secrets_needed", Field: "filing_password",
				ZH: "程序重启后未保存工信部备案密码（未设置存储口令），请重新输入后继续提交。",
				EN: "the MIIT filing password was not kept across the restart (no store passphrase); enter it again to continue"}
		})
		return
	}
	u, err := NewUpload(s.ID, s.Application, fp, cp, o.st)
	if err != nil {
		o.settle(s.ID, func(s *Submission) { s.State, s.Error = Held, problemOf(err) })
		return
	}
	started := false
	if err := o.update(s.ID, func(sub *Submission) {
		if sub.State == Queued {
			sub.State = Sending
			sub.Attempts++
			started = true
			s = *sub
		}
	}); err != nil || !started {
		return // cancelled meanwhile
	}
	o.opt.Logger.Info("sending", "id", s.ID, "attempt", s.Attempts, "bytes", u.Size())
	f, err := c.Submit(ctx, u, func(p Progress) { o.reportProgress(s.ID, p) })
	now := o.opt.Now()
	if err == nil {
		o.mu.Lock()
		o.failures, o.pausedUntil, o.verified = 0, time.Time{}, true
		o.mu.Unlock()
		o.settle(s.ID, func(s *Submission) {
			if s.State == Cancelled {
				s.Error = &api.Problem{Code: "accepted_before_cancel",
					ZH: "取消生效前，备案后台已收到这份申请。", EN: "the backend had already received the filing when the cancel arrived"}
			} else {
				s.Error = nil
			}
			s.State, s.Findings = Accepted, nil
			s.Backend, s.RemoteID, s.ReceivedAt = c.BaseURL(), f.ID, f.ReceivedAt
			s.NextPollAt = now.Add(o.opt.PollInterval)
			applyStatus(s, f, now)
		})
		o.forgetSecrets(s.ID)
		o.opt.Logger.Info("accepted", "id", s.ID, "remote", f.ID)
		return
	}
	o.failed(ctx, s, err, now)
}

// failed decides what a failed round means for the submission and for the
// outbox as a whole.
func (o *Outbox) failed(ctx context.Context, s Submission, err error, now time.Time) {
	var he *HTTPError
	var ne *NetError
	var fe *FileError
	switch {
	case ctx.Err() != nil:
		o.mu.Lock()
		byUser := o.cancelled[s.ID]
		o.mu.Unlock()
		if !byUser {
			// Shutting down: back in the queue, to go out under the same key.
			o.settle(s.ID, func(s *Submission) {
				if s.State == Sending {
					s.State = Queued
				}
			})
		}
	case errors.As(err, &he) && he.Auth(), errors.As(err, &ne) && ne.Permanent:
		p := problemOf(err)
		o.mu.Lock()
		o.hold = p
		o.mu.Unlock()
		o.settle(s.ID, func(s *Submission) { s.State, s.Error = Held, p })
		o.notifyWatchers()
		o.opt.Logger.Warn("sending stopped until the settings change", "code", p.Code)
	case errors.As(err, &he) && !he.Transient():
		o.settle(s.ID, func(sub *Submission) {
			app, _ := filing.DecodeApplication(sub.Application)
			kind := filing.AccessKind("")
			if app != nil {
				kind = app.Kind
			}
			sub.State, sub.Error, sub.Findings = Refused, he.Problem, he.Findings(kind)
		})
		o.forgetSecrets(s.ID)
	case errors.As(err, &fe):
		o.settle(s.ID, func(s *Submission) { s.State, s.Error = Held, problemOf(err) })
	default:
		// Unreachable, overloaded or timed out, after the client's quick
		// retries: back off, for this filing and for the outbox.
		o.mu.Lock()
		o.failures++
		o.verified = false
		wait := o.backoff(o.failures)
		if errors.As(err, &he) && he.RetryAfter > wait {
			wait = min(he.RetryAfter, o.opt.BackoffMax)
		}
		o.pausedUntil = now.Add(wait)
		o.mu.Unlock()
		p := problemOf(err)
		o.mu.Lock()
		o.lastFailure = p
		o.mu.Unlock()
		defer o.notifyWatchers()
		o.settle(s.ID, func(s *Submission) {
			if s.State != Sending {
				return
			}
			s.Error = p
			if s.Attempts >= o.opt.MaxAttempts {
				s.State = Held
				return
			}
			s.State, s.NextAttemptAt = Queued, now.Add(wait)
		})
		o.opt.Logger.Info("will retry", "id", s.ID, "in", wait.Round(time.Millisecond), "code", p.Code)
	}
}

// settle applies a result unless the person cancelled meanwhile (only an
// acceptance overrides a cancel: the backend has the filing).
func (o *Outbox) settle(id string, fn func(*Submission)) {
	_ = o.update(id, func(s *Submission) {
		if s.State == Cancelled {
			probe := *s
			fn(&probe)
			if probe.State != Accepted {
				return
			}
			*s = probe
			return
		}
		fn(s)
	})
}

func (o *Outbox) poll(ctx context.Context, c *Client, id string) {
	s, err := o.Get(id)
	if err != nil || s.State != Accepted {
		return
	}
	f, err := c.Status(ctx, s.RemoteID)
	now := o.opt.Now()
	if err != nil {
		var he *HTTPError
		if errors.As(err, &he) && he.Auth() {
			o.mu.Lock()
			o.hold = problemOf(err)
			o.mu.Unlock()
		}
		_ = o.update(s.ID, func(s *Submission) { s.NextPollAt = now.Add(o.opt.PollInterval) })
		return
	}
	var rejected bool
	_ = o.update(s.ID, func(s *Submission) {
		applyStatus(s, f, now)
		s.NextPollAt = now.Add(o.opt.PollInterval)
		rejected = s.State == Rejected
	})
	if rejected {
		if _, err := o.NewRevision(s.ID); err != nil {
			o.opt.Logger.Warn("new revision not made", "id", s.ID, "err", err)
		}
	}
}

// applyStatus copies the backend's view, read at now, into the record.
func applyStatus(s *Submission, f *api.Filing, now time.Time) {
	s.Status, s.Timeline, s.CheckedAt = f.Status, f.Timeline, now
	switch {
	case f.Rejected():
		s.State = Rejected
	case f.Status == filing.StatusApproved:
		s.State = Approved
	}
}

// Refresh reads an accepted submission's status now; the next automatic
// poll is then a PollInterval later.
func (o *Outbox) Refresh(ctx context.Context, id string) (Submission, error) {
	s, err := o.Get(id)
	if err != nil {
		return s, err
	}
	o.mu.Lock()
	c := o.client
	o.mu.Unlock()
	if c == nil || s.RemoteID == "" {
		return s, nil
	}
	f, err := c.Status(ctx, s.RemoteID)
	if err != nil {
		return s, err
	}
	now := o.opt.Now()
	rejected := false
	err = o.update(id, func(s *Submission) {
		applyStatus(s, f, now)
		if s.State == Accepted {
			s.NextPollAt = now.Add(o.opt.PollInterval)
		}
		rejected = s.State == Rejected
	})
	if err != nil {
		return s, err
	}
	if rejected {
		_, _ = o.NewRevision(id)
	}
	return o.Get(id)
}

// problemOf gives any error the contract's shape, for the record.
func problemOf(err error) *api.Problem {
	var he *HTTPError
	var ne *NetError
	var fe *FileError
	switch {
	case errors.As(err, &he):
		p := *he.Problem
		p.ZH, p.EN = he.Message("zh"), he.Message("en")
		return &p
	case errors.As(err, &ne):
		code := "unreachable"
		if ne.Permanent {
			code = "certificate"
		}
		return &api.Problem{Code: code, ZH: ne.Message("zh"), EN: ne.Message("en")}
	case errors.As(err, &fe):
		return &api.Problem{Code: "file", Field: fe.Field, ZH: fe.Message("zh"), EN: fe.Message("en")}
	}
	var l interface{ Message(string) string }
	if errors.As(err, &l) {
		return &api.Problem{Code: "error", ZH: l.Message("zh"), EN: l.Message("en")}
	}
	return &api.Problem{Code: "error", ZH: err.Error(), EN: err.Error()}
}

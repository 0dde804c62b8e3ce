package submit

import (
	"context"
	"testing"
	"time"

	"github.com/icpfiling/icpfiling/filing"
	"github.com/icpfiling/icpfiling/filing/backend"
)

// changes collects every record change the outbox reports (Options.OnChange).
type changes chan Submission

func newChanges() changes { return make(changes, 1024) }

func (c changes) add(s Submission) {
	select {
	case c <- s:
	default: // never full in these tests; a full log must not block the outbox
	}
}

// next waits for the first change of id that satisfies ok. The 10 s is a
// bound for a broken test, not a timing claim.
func (c changes) next(t *testing.T, what, id string, ok func(Submission) bool) Submission {
	t.Helper()
	bound := time.NewTimer(10 * time.Second)
	defer bound.Stop()
	for {
		select {
		case s := <-c:
			if s.ID == id && ok(s) {
				return s
			}
		case <-bound.C:
			t.Fatalf("no change of %s: %s", id, what)
		}
	}
}

// startRun runs o until the returned stop is called (or the test ends).
func startRun(t *testing.T, o *Outbox) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = o.Run(ctx); close(done) }()
	stopped := false
	stop = func() {
		if !stopped {
			stopped = true
			cancel()
			<-done
		}
	}
	t.Cleanup(stop)
	return stop
}

// A filing still under review is polled shortly after the worker starts,
// however far off the record's next poll was, and then every PollInterval,
// each time taking the backend's latest status and remembering when it was
// read. Both clocks are injected; the worker is woken with Kick.
func TestOutboxPollsUnfinishedReviewsAfterStartAndEveryInterval(t *testing.T) {
	const interval, startDelay = time.Hour, time.Minute
	st := openStore(t, "")
	rb := startBackend(t, nil) // real time: 初审 1 day, 管局审核 3 days
	clk := newFakeClock()
	client := newClient(t, fastConfig(rb.URL, testToken))
	options := func(log changes) Options {
		opt := fastOptions(client)
		opt.Now, opt.PollInterval, opt.StartPollDelay, opt.OnChange = clk.Now, interval, startDelay, log.add
		return opt
	}

	// First run of the app: the filing is accepted, in 初审.
	log1 := newChanges()
	o1 := NewOutbox(st, options(log1))
	app, _ := exampleApp(t, st, 2<<10, 90)
	sub, err := o1.Submit(app)
	if err != nil {
		t.Fatal(err)
	}
	stop := startRun(t, o1)
	got := log1.next(t, "accepted", sub.ID, func(s Submission) bool { return s.State == Accepted })
	accepted := clk.Now()
	if got.Status != filing.StatusInitialReview || !got.CheckedAt.Equal(accepted) || !got.NextPollAt.Equal(accepted.Add(interval)) {
		t.Fatalf("at acceptance: status %s, checked %v, next poll %v", got.Status, got.CheckedAt, got.NextPollAt)
	}
	stop()
	requests := rb.Stats().Requests.Load() // the submission

	// The app is closed; the review moves on to 管局审核 meanwhile. The app
	// starts again five minutes later, long before the record's next poll.
	rb.Clock.Advance(25 * time.Hour)
	clk.Advance(5 * time.Minute)
	log2 := newChanges()
	o2 := NewOutbox(st, options(log2))
	started := clk.Now()
	startRun(t, o2)
	got = log2.next(t, "next poll brought forward", sub.ID, func(s Submission) bool {
		return s.NextPollAt.Equal(started.Add(startDelay))
	})
	if got.Status != filing.StatusInitialReview {
		t.Fatalf("status changed before any poll: %s", got.Status)
	}
	clk.Advance(startDelay)
	o2.Kick()
	got = log2.next(t, "polled after the start", sub.ID, func(s Submission) bool { return s.CheckedAt.Equal(clk.Now()) })
	if got.State != Accepted || got.Status != filing.StatusBureauReview || !got.NextPollAt.Equal(clk.Now().Add(interval)) {
		t.Fatalf("after the start poll: %s %s, next poll %v", got.State, got.Status, got.NextPollAt)
	}
	if n := rb.Stats().Requests.Load() - requests; n != 1 {
		t.Fatalf("%d requests for the start poll, want 1", n)
	}

	// The review ends; the next poll, an interval later, sees it.
	rb.Clock.Advance(3 * 24 * time.Hour)
	clk.Advance(interval)
	o2.Kick()
	got = log2.next(t, "polled after the interval", sub.ID, func(s Submission) bool { return s.CheckedAt.Equal(clk.Now()) })
	if got.State != Approved || got.Status != filing.StatusApproved {
		t.Fatalf("after the interval: %s %s", got.State, got.Status)
	}
	if n := rb.Stats().Requests.Load() - requests; n != 2 {
		t.Fatalf("%d status requests in all, want 2", n)
	}
	// The record on disk says the same.
	if s, err := o2.Get(sub.ID); err != nil || s.State != Approved || !s.CheckedAt.Equal(clk.Now()) {
		t.Fatalf("stored: %+v %v", s, err)
	}
}

// Refresh asks the backend now: the record takes its status, the check time
// and the next poll an interval later. With the backend down it fails and
// keeps what it had.
func TestRefreshTakesTheBackendsStatus(t *testing.T) {
	const interval = time.Hour
	tests := []struct {
		name    string
		decide  func(*filing.Application) backend.Decision
		advance time.Duration // on the backend's clock
		state   State
		status  filing.Status
	}{
		{"still in 初审", nil, time.Hour, Accepted, filing.StatusInitialReview},
		{"in 管局审核", nil, 25 * time.Hour, Accepted, filing.StatusBureauReview},
		{"approved", nil, 5 * 24 * time.Hour, Approved, filing.StatusApproved},
		{"rejected by the bureau", backend.RejectAtBureau("网站名称与主体关联性不足。"), 5 * 24 * time.Hour, Rejected, filing.StatusBureauRejected},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := openStore(t, "")
			rb := startBackend(t, func(o *backend.Options) { o.Decide = tc.decide })
			clk := newFakeClock()
			log := newChanges()
			opt := fastOptions(newClient(t, fastConfig(rb.URL, testToken)))
			opt.Now, opt.PollInterval, opt.OnChange = clk.Now, interval, log.add
			o := NewOutbox(st, opt)
			app, _ := exampleApp(t, st, 2<<10, uint64(100+i))
			sub, err := o.Submit(app)
			if err != nil {
				t.Fatal(err)
			}
			startRun(t, o)
			log.next(t, "accepted", sub.ID, func(s Submission) bool { return s.State == Accepted })

			rb.Clock.Advance(tc.advance)
			clk.Advance(10 * time.Minute) // before the automatic poll is due
			got, err := o.Refresh(context.Background(), sub.ID)
			if err != nil {
				t.Fatal(err)
			}
			checked := clk.Now()
			if got.State != tc.state || got.Status != tc.status || !got.CheckedAt.Equal(checked) {
				t.Fatalf("after Refresh: %s %s checked %v", got.State, got.Status, got.CheckedAt)
			}
			if tc.state == Accepted && !got.NextPollAt.Equal(checked.Add(interval)) {
				t.Fatalf("next poll %v, want %v", got.NextPollAt, checked.Add(interval))
			}
			if tc.state == Rejected && got.NewRevision == "" {
				t.Fatal("no editable revision of the rejected filing")
			}

			rb.close()
			clk.Advance(time.Minute)
			if _, err := o.Refresh(context.Background(), sub.ID); err == nil {
				t.Fatal("Refresh with the backend down reported no error")
			}
			kept, err := o.Get(sub.ID)
			if err != nil || kept.State != tc.state || kept.Status != tc.status || !kept.CheckedAt.Equal(checked) || len(kept.Timeline) != len(got.Timeline) {
				t.Fatalf("a failed Refresh changed the record: %+v %v", kept, err)
			}
		})
	}
}

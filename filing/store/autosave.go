package store

import (
	"errors"
	"sync"
	"time"

	"github.com/icpfiling/icpfiling/filing"
)

// Autosaver writes drafts a short while after they change, so the GUI can
// call Save on every keystroke. A change is on disk at most Interval after
// it was made, however long the typing goes on (the first unsaved change
// starts the clock, later ones ride along), and Flush writes at once.
type Autosaver struct {
	store    *Store
	interval time.Duration
	onError  func(error)
	onSaved  func(DraftInfo)

	mu      sync.Mutex
	pending map[string]encodedDraft
	order   []string
	timer   *time.Timer
	closed  bool

	writeMu sync.Mutex // one write pass at a time, in change order
}

// AutosaverOptions configure NewAutosaver.
type AutosaverOptions struct {
	// Interval is the longest a change waits before it is written; 0 means 2 s.
	Interval time.Duration
	// OnError receives failed saves (for example ErrDiskFull). It runs on
	// the autosaver's goroutine; the GUI hands it to fyne.Do.
	OnError func(error)
	// OnSaved receives each draft written, for a "saved at" label.
	OnSaved func(DraftInfo)
}

// NewAutosaver saves into s.
func NewAutosaver(s *Store, opts AutosaverOptions) *Autosaver {
	if opts.Interval <= 0 {
		opts.Interval = 2 * time.Second
	}
	return &Autosaver{store: s, interval: opts.Interval, onError: opts.OnError, onSaved: opts.OnSaved,
		pending: map[string]encodedDraft{}}
}

// Save records that app changed. It copies app before returning, so the
// caller may keep editing it; an app without an ID gets one here, on the
// caller's goroutine, so that every later change goes to the same draft.
func (a *Autosaver) Save(app *filing.Application) {
	if app.ID == "" {
		app.ID = newID()
	}
	e, err := encodeDraft(app)
	if err != nil {
		a.report(err)
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		go a.report(errClosed)
		return
	}
	if _, ok := a.pending[e.id]; !ok {
		a.order = append(a.order, e.id)
	}
	a.pending[e.id] = e
	if a.timer == nil {
		a.timer = time.AfterFunc(a.interval, func() { a.Flush() })
	}
}

// Flush writes every pending change now and returns the first error. A
// change that failed stays pending and is tried again by the next Save or
// Flush, so a full disk that is cleared loses nothing typed meanwhile.
func (a *Autosaver) Flush() error {
	a.writeMu.Lock()
	defer a.writeMu.Unlock()
	a.mu.Lock()
	if a.timer != nil {
		a.timer.Stop()
		a.timer = nil
	}
	batch, order := a.pending, a.order
	a.pending, a.order = map[string]encodedDraft{}, nil
	a.mu.Unlock()

	var errs []error
	for _, id := range order {
		e := batch[id]
		info, err := a.store.saveEncoded(e)
		if err != nil {
			errs = append(errs, err)
			a.report(err)
			if !errors.Is(err, ErrNotFound) { // a deleted draft stays deleted
				a.requeue(e)
			}
			continue
		}
		if a.onSaved != nil {
			a.onSaved(info)
		}
	}
	return errors.Join(errs...)
}

// requeue puts a failed change back unless a newer one arrived meanwhile.
func (a *Autosaver) requeue(e encodedDraft) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if _, newer := a.pending[e.id]; newer {
		return
	}
	a.pending[e.id] = e
	a.order = append(a.order, e.id)
}

// Pending says whether changes wait to be written (a "saving…" label).
func (a *Autosaver) Pending() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.pending) > 0
}

// Close flushes and stops; later Saves are reported as ErrClosed. Call it
// before closing the store.
func (a *Autosaver) Close() error {
	err := a.Flush()
	a.mu.Lock()
	a.closed = true
	a.mu.Unlock()
	return err
}

func (a *Autosaver) report(err error) {
	if a.onError != nil {
		a.onError(err)
	}
}

package store

import (
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"
)

type savedLog struct {
	mu     sync.Mutex
	saved  []DraftInfo
	errors []error
}

func (l *savedLog) onSaved(i DraftInfo) { l.mu.Lock(); l.saved = append(l.saved, i); l.mu.Unlock() }
func (l *savedLog) onError(e error)     { l.mu.Lock(); l.errors = append(l.errors, e); l.mu.Unlock() }
func (l *savedLog) counts() (int, int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.saved), len(l.errors)
}

func TestAutosaverCoalescesAndFlushes(t *testing.T) {
	s := openTemp(t, Options{})
	var log savedLog
	a := NewAutosaver(s, AutosaverOptions{Interval: time.Hour, OnSaved: log.onSaved, OnError: log.onError})
	app := sampleApp(1)
	for i := 0; i < 100; i++ { // a burst of keystrokes
		app.Subject.Remark = "typed " + strconv.Itoa(i)
		a.Save(app)
	}
	if app.ID == "" {
		t.Fatal("Save did not give the draft an ID")
	}
	if _, _, err := s.LoadDraft(app.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("written before the interval: %v", err)
	}
	if !a.Pending() {
		t.Error("Pending is false with unsaved changes")
	}
	if err := a.Flush(); err != nil {
		t.Fatal(err)
	}
	if saved, errs := log.counts(); saved != 1 || errs != 0 {
		t.Errorf("a burst of 100 changes made %d writes, %d errors; want 1 write", saved, errs)
	}
	got, _, err := s.LoadDraft(app.ID)
	if err != nil || got.Subject.Remark != "typed 99" {
		t.Errorf("saved %q, %v; want the last change", got.Subject.Remark, err)
	}
}

func TestAutosaverCopiesTheApplication(t *testing.T) {
	s := openTemp(t, Options{})
	a := NewAutosaver(s, AutosaverOptions{Interval: time.Hour})
	app := sampleApp(1)
	app.Subject.Remark = "at save time"
	a.Save(app)
	app.Subject.Remark = "changed after Save, not saved again"
	a.Close()
	got, _, _ := s.LoadDraft(app.ID)
	if got.Subject.Remark != "at save time" {
		t.Errorf("saved %q", got.Subject.Remark)
	}
}

func TestAutosaverWritesWithinTheInterval(t *testing.T) {
	s := openTemp(t, Options{})
	saved := make(chan DraftInfo, 10)
	a := NewAutosaver(s, AutosaverOptions{Interval: 20 * time.Millisecond, OnSaved: func(i DraftInfo) { saved <- i }})
	defer a.Close()
	app := sampleApp(1)
	a.Save(app)
	select {
	case info := <-saved:
		if info.ID != app.ID {
			t.Errorf("saved %s", info.ID)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("nothing saved without Flush")
	}
}

func TestAutosaverKeepsChangesThroughAFullDisk(t *testing.T) {
	s := openTemp(t, Options{})
	var log savedLog
	a := NewAutosaver(s, AutosaverOptions{Interval: time.Hour, OnSaved: log.onSaved, OnError: log.onError})
	app := sampleApp(1)
	a.Save(app)
	s.freeSpace = func(string) (uint64, error) { return 0, nil }
	if err := a.Flush(); !errors.Is(err, ErrDiskFull) {
		t.Fatalf("Flush on a full disk: %v", err)
	}
	if _, errs := log.counts(); errs != 1 || !errors.Is(log.errors[0], ErrDiskFull) {
		t.Errorf("errors reported: %v", log.errors)
	}
	if !a.Pending() {
		t.Fatal("the failed change was dropped")
	}
	s.freeSpace = nil
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.LoadDraft(app.ID); err != nil {
		t.Errorf("change lost after the disk was freed: %v", err)
	}
	a.Save(app)
	time.Sleep(10 * time.Millisecond) // the ErrClosed report is asynchronous
	if _, errs := log.counts(); errs != 2 || !errors.Is(log.errors[1], ErrClosed) {
		t.Errorf("Save after Close: %v", log.errors)
	}
}

func TestAutosaverDoesNotResurrectDeletedDraft(t *testing.T) {
	s := openTemp(t, Options{})
	var log savedLog
	a := NewAutosaver(s, AutosaverOptions{Interval: time.Hour, OnError: log.onError})
	app := sampleApp(1)
	s.NewDraft(app)
	a.Save(app)
	s.DeleteDraft(app.ID)
	a.Flush()
	if a.Pending() {
		t.Error("a save of a deleted draft is retried forever")
	}
	if list, _ := s.ListDrafts(); len(list) != 0 {
		t.Errorf("deleted draft came back: %+v", list)
	}
}

package gui

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/icpfiling/icpfiling/filing"
)

// fakeSubmitter stands in for main's outbox adapter, which package gui
// cannot import.
type fakeSubmitter struct {
	status    SubmissionStatus
	refreshed []string
	// onRefresh runs inside Refresh, while the window waits for the answer.
	onRefresh func() (SubmissionStatus, error)
}

func (f *fakeSubmitter) Configured() bool { return true }
func (f *fakeSubmitter) Submit(context.Context, *filing.Application, func(int64, int64)) (SubmitResult, error) {
	return SubmitResult{}, errors.New("not in this test")
}
func (f *fakeSubmitter) Latest(string) (SubmissionStatus, bool) { return f.status, true }
func (f *fakeSubmitter) Cancel(string) error                    { return nil }
func (f *fakeSubmitter) History(string) []SubmissionStatus {
	return []SubmissionStatus{f.status}
}
func (f *fakeSubmitter) Refresh(_ context.Context, draftID string) (SubmissionStatus, error) {
	f.refreshed = append(f.refreshed, draftID)
	st, err := f.onRefresh()
	if err == nil {
		f.status = st
	}
	return f.status, err
}

// downError is what the adapter returns when the backend cannot be reached.
type downError struct{}

func (downError) Error() string { return "unreachable" }
func (downError) Message(lng string) string {
	if lng == "en" {
		return "The backend cannot be reached."
	}
	return "无法连接备案后台。"
}

// refreshButton is the submission card's Refresh button.
func refreshButton(t *testing.T, w fyne.Window) *widget.Button {
	t.Helper()
	b := findButton(t, w.Canvas().Content(), "刷新")
	if b == nil {
		t.Fatal("no Refresh button on the submission card")
	}
	return b
}

// Refresh on the submission card asks the backend (Submitter.Refresh) off
// the UI goroutine with a busy state, then shows the backend's status, the
// time of the check and the next one; with the backend down it says so in
// the user's language and keeps the last known status.
func TestRefreshAsksTheBackend(t *testing.T) {
	old := runAsync
	runAsync = func(f func()) { f() } // the answer arrives before Tap returns
	t.Cleanup(func() { runAsync = old })

	received := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	checked := received.Add(time.Minute)
	initial := SubmissionStatus{State: filing.StatusInitialReview.Label("zh"),
		Timeline:    []filing.StatusEvent{{At: received, Status: filing.StatusSubmitted}, {At: received, Status: filing.StatusInitialReview}},
		LastChecked: checked, NextCheck: checked.Add(10 * time.Minute)}
	later := testDay().Add(-time.Minute)
	bureau := SubmissionStatus{State: filing.StatusBureauReview.Label("zh"),
		Timeline:    append(append([]filing.StatusEvent(nil), initial.Timeline...), filing.StatusEvent{At: later, Status: filing.StatusBureauReview}),
		LastChecked: later, NextCheck: later.Add(10 * time.Minute)}
	stamp := func(t time.Time) string { return t.Local().Format("2006-01-02 15:04:05") }

	tests := []struct {
		name   string
		answer SubmissionStatus
		err    error
		want   []string // on screen after the answer
		absent []string
	}{
		{"the backend answers", bureau, nil,
			[]string{"管局审核中", "上次向后台查询：" + stamp(later), "下次自动查询：" + stamp(later.Add(10*time.Minute))},
			[]string{"无法向后台查询"}},
		{"the backend is down", SubmissionStatus{}, downError{},
			[]string{"初审中", "上次向后台查询：" + stamp(checked), "无法向后台查询：无法连接备案后台。", "没有丢失任何内容"},
			[]string{"管局审核中"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			app := completeTestApp()
			app.Timeline = initial.Timeline
			wz, w, _ := newTestWizard(t, app)
			sub := &fakeSubmitter{status: initial}
			wz.submit = sub
			wz.show(filing.StepSubmit)
			markup := shownText(w.Canvas())
			for _, want := range []string{"初审中", "上次向后台查询：" + stamp(checked), "下次自动查询：即将进行"} {
				if !strings.Contains(markup, want) {
					t.Fatalf("before Refresh the card lacks %q", want)
				}
			}
			btn := refreshButton(t, w)
			sub.onRefresh = func() (SubmissionStatus, error) {
				if !btn.Disabled() {
					t.Error("Refresh stays enabled while the backend is asked")
				}
				if !strings.Contains(shownText(w.Canvas()), "正在向后台查询最新状态…") {
					t.Error("no busy message while the backend is asked")
				}
				return tc.answer, tc.err
			}
			test.Tap(btn)
			if len(sub.refreshed) != 1 || sub.refreshed[0] != app.ID {
				t.Fatalf("Submitter.Refresh calls: %q, want one for %q", sub.refreshed, app.ID)
			}
			markup = shownText(w.Canvas())
			for _, want := range tc.want {
				if !strings.Contains(markup, want) {
					t.Errorf("after Refresh the window lacks %q", want)
				}
			}
			for _, no := range tc.absent {
				if strings.Contains(markup, no) {
					t.Errorf("after Refresh the window shows %q", no)
				}
			}
			if refreshButton(t, w).Disabled() {
				t.Error("Refresh stays disabled after the answer")
			}
			// The draft's timeline follows the backend's.
			if got := wz.ctl.App().CurrentStatus(); tc.err == nil && got != filing.StatusBureauReview {
				t.Errorf("the draft's status is %s after the backend said %s", got, filing.StatusBureauReview)
			}
		})
	}
}

package gui

import (
	"context"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/icpfiling/icpfiling/filing"
)

// Submitter sends a finished filing through the outbox; main wires it to
// the submission package. The GUI runs Submit and Refresh off the UI goroutine.
type Submitter interface {
	// Configured says whether a backend is set up in Settings.
	Configured() bool
	// Submit queues the filing (its idempotency key is created and saved
	// before anything is sent), uploads it with progress, and returns the
	// backend's answer: field errors come back as findings.
	Submit(ctx context.Context, app *filing.Application, progress func(done, total int64)) (SubmitResult, error)
	// Latest is where the draft's latest submission stands, as the outbox
	// last heard from the backend; false when it was never submitted.
	Latest(draftID string) (SubmissionStatus, bool)
	// History is every submission of the draft, newest first: a returned
	// filing sent again keeps the earlier ones.
	History(draftID string) []SubmissionStatus
	// Refresh asks the backend for the status of the draft's latest
	// submission now and returns where it then stands. An error (the
	// backend is down or refuses the token) loses nothing: the record keeps
	// the last known status and the outbox keeps checking by itself.
	Refresh(ctx context.Context, draftID string) (SubmissionStatus, error)
	// Cancel stops the draft's submission while it is still waiting or uploading.
	Cancel(draftID string) error
}

// SubmissionStatus is a submission as the window shows it.
type SubmissionStatus struct {
	// State is where the submission stands in the user's language: once the
	// backend has it, the backend's latest review status ("管局审核中" …),
	// before that the outbox's state ("排队待发送" …). Pending says whether
	// it can still be cancelled.
	State   string
	Pending bool
	// Problem is the latest error, in the user's language.
	Problem  string
	Timeline []filing.StatusEvent
	// NewRevision is the draft made from a rejected filing.
	NewRevision string
	// RemoteID and ReceivedAt are the backend's receipt; Received says the
	// backend has the filing. Returned says it came back (refused with
	// field errors, or rejected in review): fixed, it may be sent again.
	RemoteID   string
	ReceivedAt time.Time
	Received   bool
	Returned   bool
	// Findings are the backend's field errors of a refusal, Sent the
	// filing as it was sent (secrets masked), At when the record last changed.
	Findings []filing.Finding
	Sent     *filing.Application
	At       time.Time
	// LastChecked is when the backend's status was last read (zero: not
	// yet); NextCheck is when the outbox reads it again by itself (zero:
	// it will not, because the review ended or the backend does not have
	// the filing yet).
	LastChecked, NextCheck time.Time
}

// SubmitResult is what the backend said.
type SubmitResult struct {
	ID       string
	Findings []filing.Finding
	Timeline []filing.StatusEvent
}

// refreshTimeout bounds one press of Refresh.
const refreshTimeout = 30 * time.Second

// statusWatch is how often the submission card looks at the outbox's
// record of a submission that can still move.
var statusWatch = 3 * time.Second

// runAsync runs f off the UI goroutine; f touches widgets only through
// fyne.Do. Tests replace it to run f at once.
var runAsync = func(f func()) { go f() }

// outboxCard shows the latest submission of this draft, when its status
// was last checked with the backend and when the next check is due, and
// keeps the draft's timeline in step with it. Refresh asks the backend now.
func (w *Wizard) outboxCard() fyne.CanvasObject {
	if w.submit == nil || w.ctl.App().ID == "" {
		return nil
	}
	draftID := w.ctl.App().ID
	st, ok := w.submit.Latest(draftID)
	if !ok {
		return nil
	}
	// The backend's timeline is the truth: take it whenever it differs from
	// the draft's (a new revision's draft carries the rejected one's).
	if len(st.Timeline) > 0 && !sameTimeline(st.Timeline, w.ctl.App().Timeline) {
		w.ctl.Edit(func(a *filing.Application) { a.ApplyTimeline(st.Timeline) })
	}
	// The outbox sends and polls by itself: while the submission can still
	// move, the card looks at its record (the store, not the network) and
	// redraws the page when it changed.
	if st.Pending || (st.Received && !st.NextCheck.IsZero()) {
		seen := st
		w.every(statusWatch, func() {
			now, ok := w.submit.Latest(draftID)
			if ok && (now.State != seen.State || !now.LastChecked.Equal(seen.LastChecked) || now.Problem != seen.Problem) {
				w.rebuild()
			}
		})
	}
	lines := []string{st.State}
	if st.Problem != "" {
		lines = append(lines, st.Problem)
	}
	if st.NewRevision != "" {
		lines = append(lines, lang.L("The rejected filing was copied to a new draft: open it from the drafts list, fix the reasons and submit again."))
	}
	checks := newParagraph(w.checkText(st))
	failure := newParagraph("")
	failure.Importance = widget.DangerImportance
	failure.Hide()
	done := w.stepDone
	var refresh *widget.Button
	refresh = widget.NewButtonWithIcon(lang.L("Refresh"), theme.ViewRefreshIcon(), func() {
		refresh.Disable()
		checks.SetText(lang.L("Asking the backend for the current status…"))
		failure.Hide()
		runAsync(func() {
			ctx, cancel := context.WithTimeout(context.Background(), refreshTimeout)
			defer cancel()
			go func() { // leaving the step stops the request
				select {
				case <-done:
					cancel()
				case <-ctx.Done():
				}
			}()
			_, err := w.submit.Refresh(ctx, draftID)
			fyne.Do(func() {
				select {
				case <-done:
					return // the step was left; it shows the record when it is back
				default:
				}
				if err != nil {
					refresh.Enable()
					checks.SetText(w.checkText(st))
					failure.SetText(lang.L("The backend could not be asked: {{.Error}} Nothing is lost: the last known status is shown, and the app keeps checking by itself.",
						map[string]any{"Error": errorText(err, w.lang)}))
					failure.Show()
					return
				}
				w.rebuild()
			})
		})
	})
	w.refreshStatus = refresh.OnTapped
	parts := []fyne.CanvasObject{newParagraph(strings.Join(lines, "\n")), checks, failure, container.NewHBox(refresh)}
	if hist := w.submit.History(draftID); len(hist) > 1 {
		var earlier []string
		for _, h := range hist[1:] {
			line := h.At.Local().Format("2006-01-02 15:04") + "  " + h.State
			if h.RemoteID != "" {
				line += "  " + h.RemoteID
			}
			earlier = append(earlier, line)
		}
		l := newParagraph(lang.L("Earlier submissions of this draft:") + "\n" + strings.Join(earlier, "\n"))
		l.Importance = widget.LowImportance
		parts = append(parts, l)
	}
	if st.Pending {
		parts = append(parts, widget.NewButtonWithIcon(lang.L("Cancel the submission"), theme.CancelIcon(), func() {
			if err := w.submit.Cancel(draftID); err != nil {
				w.summary.SetText(errorText(err, w.lang))
			}
			w.rebuild()
		}))
	}
	return section(lang.L("Submission"), "", container.NewVBox(parts...))
}

// checkText says when the status was last checked with the backend and
// when the next automatic check is due.
func (w *Wizard) checkText(st SubmissionStatus) string {
	const layout = "2006-01-02 15:04:05"
	var parts []string
	if st.LastChecked.IsZero() {
		parts = append(parts, lang.L("Not checked with the backend yet"))
	} else {
		parts = append(parts, lang.L("Last checked with the backend: {{.Time}}", map[string]any{"Time": st.LastChecked.Local().Format(layout)}))
	}
	switch {
	case st.NextCheck.IsZero():
	case st.NextCheck.After(w.ctl.now()):
		parts = append(parts, lang.L("next automatic check: {{.Time}}", map[string]any{"Time": st.NextCheck.Local().Format(layout)}))
	default:
		parts = append(parts, lang.L("next automatic check: in a moment"))
	}
	return strings.Join(parts, " · ")
}

// sameTimeline says whether two timelines have the same entries.
func sameTimeline(a, b []filing.StatusEvent) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !a[i].At.Equal(b[i].At) || a[i].Status != b[i].Status || !slices.Equal(a[i].Reasons, b[i].Reasons) || a[i].Note != b[i].Note {
			return false
		}
	}
	return true
}

// submitPanel is the end of the review page: the one Submit button while
// the gate lets the filing through, what stops it otherwise, the receipt
// once the backend has it, and Submit again after it was returned.
func (w *Wizard) submitPanel(r filing.Readiness) fyne.CanvasObject {
	status := newParagraph("")
	app := w.ctl.App()
	var latest SubmissionStatus
	sent := false
	if w.submit != nil && app.ID != "" {
		latest, sent = w.submit.Latest(app.ID)
	}
	switch {
	case sent && latest.Received && !latest.Returned:
		status.SetText(lang.L("Accepted by the backend: receipt {{.ID}}, received {{.Time}}.",
			map[string]any{"ID": latest.RemoteID, "Time": latest.ReceivedAt.Local().Format("2006-01-02 15:04:05")}))
		status.Importance = widget.SuccessImportance
		progress := widget.NewButtonWithIcon(lang.L("View progress"), theme.ViewRefreshIcon(), w.viewProgress)
		progress.Importance = widget.HighImportance
		return container.NewVBox(status, container.NewHBox(progress))
	case sent && latest.Pending:
		status.SetText(lang.L("This filing is on its way: see the submission below."))
		return status
	}
	label := lang.L("Submit")
	if sent && latest.Returned {
		label = lang.L("Submit again")
	}
	submitBtn := widget.NewButtonWithIcon(label, theme.MailSendIcon(), nil)
	submitBtn.Importance = widget.HighImportance
	var problems []fyne.CanvasObject
	if !r.Sendable() {
		// Only what there is: "1 to fix", not "1 to fix, 0 to confirm, 0 being checked".
		var what []string
		if n := len(r.Blocking); n > 0 {
			what = append(what, lang.L("{{.Count}} to fix", map[string]any{"Count": n}))
		}
		if n := len(r.ToConfirm); n > 0 {
			what = append(what, lang.L("{{.Count}} to confirm", map[string]any{"Count": n}))
		}
		if n := len(r.Checking); n > 0 {
			what = append(what, lang.L("{{.Count}} still being checked", map[string]any{"Count": n}))
		}
		l := newParagraph(lang.L("Not ready to send: {{.What}}. Each is listed above with a link to its field.",
			map[string]any{"What": strings.Join(what, pickLang(w.lang, "，", ", "))}))
		l.Importance = widget.WarningImportance
		problems = append(problems, l)
	}
	if w.submit == nil || !w.submit.Configured() {
		// Said even while other things are open: the applicant can set the
		// backend now, from here, without leaving the filing.
		l := newParagraph(lang.L("No backend is configured: set its address in Settings, or export the filing as a bundle (.icpf) from the drafts list and submit it from another machine."))
		l.Importance = widget.WarningImportance
		problems = append(problems, l, widget.NewButtonWithIcon(lang.L("Open Settings"), theme.SettingsIcon(), w.openSettings))
	}
	if len(problems) > 0 {
		submitBtn.Disable()
		return container.NewVBox(append([]fyne.CanvasObject{container.NewHBox(submitBtn)}, problems...)...)
	}
	bar := widget.NewProgressBar()
	bar.Hide()
	cancelBtn := widget.NewButtonWithIcon(lang.L("Cancel"), theme.CancelIcon(), nil)
	cancelBtn.Hide()
	submitBtn.OnTapped = func() {
		ctx, cancel := context.WithCancel(context.Background())
		cancelBtn.OnTapped = cancel
		cancelBtn.Show()
		submitBtn.Disable()
		bar.SetValue(0)
		bar.Show()
		status.SetText(lang.L("Sending…"))
		// The worker reads the filing off the UI goroutine: give it a copy,
		// secrets included, as it is now.
		sending := app.Clone()
		go func() {
			res, err := w.submit.Submit(ctx, sending, func(done, total int64) {
				if total > 0 {
					fyne.Do(func() { bar.SetValue(float64(done) / float64(total)) })
				}
			})
			fyne.Do(func() {
				cancel()
				cancelBtn.Hide()
				if err != nil {
					submitBtn.Enable()
					status.SetText(errorText(err, w.lang))
					status.Importance = widget.DangerImportance
					status.Refresh()
					return
				}
				w.ctl.Edit(func(a *filing.Application) {
					if len(res.Timeline) > 0 {
						a.ApplyTimeline(res.Timeline)
					}
				})
				w.ctl.SetBackendFindings(res.Findings, sending, w.ctl.now())
				w.rebuild()
				if len(res.Findings) > 0 {
					w.summary.Show()
					w.summary.SetText(lang.L("The backend returned the filing: each reason is marked on its field. Fix them and submit again."))
					w.summary.Importance = widget.DangerImportance
					w.summary.Refresh()
				}
			})
		}()
	}
	return container.NewVBox(container.NewHBox(submitBtn, cancelBtn), bar, status)
}

// viewProgress asks the backend for the latest status and shows it: the
// page scrolls to the submission and its timeline, now and once the
// answer has redrawn the page.
func (w *Wizard) viewProgress() {
	w.scrollToEnd = true
	if w.refreshStatus != nil {
		w.refreshStatus()
	}
	if w.scroll != nil {
		w.scroll.ScrollToBottom()
	}
}

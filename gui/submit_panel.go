package gui

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/icpfiling/icpfiling/filing"
)

// Submitter sends a finished filing through the outbox; main wires it to
// the submission package. The GUI runs Submit off the UI goroutine.
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
	// Cancel stops the draft's submission while it is still waiting or uploading.
	Cancel(draftID string) error
}

// SubmissionStatus is a submission as the window shows it.
type SubmissionStatus struct {
	// State is the outbox's state in the user's language ("已提交" …),
	// Pending whether it can still be cancelled.
	State   string
	Pending bool
	// Problem is the latest error, in the user's language.
	Problem  string
	Timeline []filing.StatusEvent
	// NewRevision is the draft made from a rejected filing.
	NewRevision string
}

// SubmitResult is what the backend said.
type SubmitResult struct {
	ID       string
	Findings []filing.Finding
	Timeline []filing.StatusEvent
}

// outboxCard shows the latest submission of this draft and keeps the
// draft's timeline in step with it.
func (w *Wizard) outboxCard() fyne.CanvasObject {
	if w.submit == nil || w.ctl.App().ID == "" {
		return nil
	}
	st, ok := w.submit.Latest(w.ctl.App().ID)
	if !ok {
		return nil
	}
	if len(st.Timeline) > len(w.ctl.App().Timeline) {
		w.ctl.Edit(func(a *filing.Application) { a.ApplyTimeline(st.Timeline) })
	}
	lines := []string{st.State}
	if st.Problem != "" {
		lines = append(lines, st.Problem)
	}
	if st.NewRevision != "" {
		lines = append(lines, lang.L("The rejected filing was copied to a new draft: open it from the drafts list, fix the reasons and submit again."))
	}
	refresh := widget.NewButtonWithIcon(lang.L("Refresh"), theme.ViewRefreshIcon(), w.rebuild)
	parts := []fyne.CanvasObject{paragraph(strings.Join(lines, "\n")), refresh}
	if st.Pending {
		parts = append(parts, widget.NewButtonWithIcon(lang.L("Cancel the submission"), theme.CancelIcon(), func() {
			if err := w.submit.Cancel(w.ctl.App().ID); err != nil {
				w.summary.SetText(errorText(err, w.lang))
			}
			w.rebuild()
		}))
	}
	return widget.NewCard(lang.L("Submission"), "", container.NewVBox(parts...))
}

func (w *Wizard) submitPanel(blocking int) fyne.CanvasObject {
	status := widget.NewLabel("")
	status.Wrapping = fyne.TextWrapBreak
	if blocking > 0 {
		status.SetText(lang.L("Fix the {{.Count}} blocking findings above before submitting.", map[string]any{"Count": blocking}))
		status.Importance = widget.WarningImportance
		return status
	}
	if w.submit == nil || !w.submit.Configured() {
		status.SetText(lang.L("No backend is configured: set its address in Settings, or export the filing as a bundle (.icpf) from the drafts list and submit it from another machine."))
		status.Importance = widget.WarningImportance
		return status
	}
	bar := widget.NewProgressBar()
	bar.Hide()
	cancelBtn := widget.NewButtonWithIcon(lang.L("Cancel"), theme.CancelIcon(), nil)
	cancelBtn.Hide()
	var submitBtn *widget.Button
	submitBtn = widget.NewButtonWithIcon(lang.L("Submit"), theme.MailSendIcon(), func() {
		ctx, cancel := context.WithCancel(context.Background())
		cancelBtn.OnTapped = cancel
		cancelBtn.Show()
		submitBtn.Disable()
		bar.SetValue(0)
		bar.Show()
		status.SetText(lang.L("Sending…"))
		app := w.ctl.App()
		go func() {
			res, err := w.submit.Submit(ctx, app, func(done, total int64) {
				if total > 0 {
					fyne.Do(func() { bar.SetValue(float64(done) / float64(total)) })
				}
			})
			fyne.Do(func() {
				cancel()
				cancelBtn.Hide()
				submitBtn.Enable()
				if err != nil {
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
				w.ctl.SetBackendFindings(res.Findings)
				if len(res.Findings) > 0 {
					status.SetText(lang.L("The backend refused some fields; they are marked on their steps."))
					status.Importance = widget.DangerImportance
				} else {
					status.SetText(lang.L("Submitted. The status below is refreshed from the backend."))
					status.Importance = widget.SuccessImportance
				}
				w.rebuild()
			})
		}()
	})
	submitBtn.Importance = widget.HighImportance
	return container.NewVBox(container.NewHBox(submitBtn, cancelBtn), bar, status)
}

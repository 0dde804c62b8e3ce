package gui

import (
	"net/url"
	"os"
	"path/filepath"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/icpfiling/icpfiling/filing"
	"github.com/icpfiling/icpfiling/filing/domainlist"
)

// The domain list page (域名清单) on the upload step, beside the
// verification form: where the filing's province wants the domains on a
// separate page (domainlist.NeedFor), it is made here as PDF and PNG,
// printed with the system's viewer, and the signed or sealed scan is
// stitched into the verification form's image (compose.go).

// Viewer opens a file with the system's viewer. fyne.App is one.
type Viewer interface {
	OpenURL(u *url.URL) error
}

// systemViewer is the viewer "Print" opens the page with: the app's, or
// in a test one that records what it was asked to open.
var systemViewer = func() Viewer { return fyne.CurrentApp() }

// domainListView is the domain list area of the upload step.
type domainListView struct {
	make, print *widget.Button
	busy        *widget.Activity
	status      *Paragraph
	// pdf is the page written last (or for printing), "" before.
	pdf string
}

// domainListArea is the card that makes the domain list page, or nil when
// the filing's province wants none (or it has no domains yet).
func (w *Wizard) domainListArea() fyne.CanvasObject {
	need := domainlist.NeedFor(w.ctl.App(), w.ctl.Pack(), w.ctl.Day())
	if !need.Wanted {
		return nil
	}
	why := need.Message(w.lang)
	if need.Registrar {
		why += "\n" + lang.L("The filing does not record the registrars: write each one's short Chinese name (e.g. 阿里云) in the registrar column after printing.")
	}
	source := w.ctl.Pack().Cite(filing.Finding{Rule: need.Rule.ID}, w.lang) // "来源：…（date）"
	v := &domainListView{busy: widget.NewActivity(), status: newParagraph("")}
	v.busy.Hide()
	v.status.Hide()
	v.make = widget.NewButtonWithIcon(lang.L("Make the domain list page…"), theme.DocumentCreateIcon(), func() {
		showFolderChooser(w.window, lang.L("Choose the folder for the domain list page"), func(dir string) {
			w.writeDomainList(v, dir, false)
		})
	})
	v.print = widget.NewButtonWithIcon(lang.L("Print"), theme.DocumentPrintIcon(), func() {
		if v.pdf != "" && fileAt(v.pdf) == nil {
			w.openDomainList(v)
			return
		}
		dir, err := os.MkdirTemp("", "icpfiling-domain-list-")
		if err != nil {
			w.domainListSaid(v, lang.L("Could not write the domain list page: {{.Err}}", map[string]any{"Err": err.Error()}), widget.DangerImportance)
			return
		}
		w.writeDomainList(v, dir, true)
	})
	title := newParagraph(lang.L("Domain list page"))
	title.TextStyle = fyne.TextStyle{Bold: true}
	after := newParagraph(lang.L("Print it, seal it (a unit) or sign it (a person), scan it, and add the scan to the verification form below with “Add a supporting document”."))
	after.Importance = widget.LowImportance
	body := container.NewVBox(title, newParagraph(why))
	if source != "" {
		cite := newParagraph(source)
		cite.Importance = widget.LowImportance
		cite.SizeName = theme.SizeNameCaptionText
		body.Add(cite)
	}
	body.Add(container.NewHBox(v.make, v.print, v.busy))
	body.Add(v.status)
	body.Add(after)
	return widget.NewCard("", "", body)
}

// domainListPaths are the page's files in dir: PDF, then PNG.
func domainListPaths(dir string) (pdf, png string) {
	base := filepath.Join(dir, lang.L("domain-list"))
	return base + ".pdf", base + ".png"
}

// writeDomainList writes the page into dir as PDF and PNG off the UI
// goroutine, then says where, and opens the PDF when toPrint is set.
func (w *Wizard) writeDomainList(v *domainListView, dir string, toPrint bool) {
	app, pack, day := w.ctl.App().Clone(), w.ctl.Pack(), w.ctl.Day()
	font := ChineseFont.Content()
	v.busy.Show()
	v.busy.Start()
	v.make.Disable()
	v.print.Disable()
	w.domainListSaid(v, lang.L("Writing the domain list page…"), widget.MediumImportance)
	go func() {
		pdf, png := domainListPaths(dir)
		var written []string
		out, err := domainlist.WriteFor(pdf, app, pack, day, font)
		written = append(written, out...)
		if err == nil && !toPrint {
			out, err = domainlist.WriteFor(png, app, pack, day, font)
			written = append(written, out...)
		}
		fyne.Do(func() {
			v.busy.Stop()
			v.busy.Hide()
			v.make.Enable()
			v.print.Enable()
			if err != nil {
				w.domainListSaid(v, lang.L("Could not write the domain list page: {{.Err}}", map[string]any{"Err": errorText(err, w.lang)}), widget.DangerImportance)
				return
			}
			v.pdf = pdf
			if toPrint {
				w.openDomainList(v)
				return
			}
			text := lang.L("Written:")
			for _, p := range written {
				text += "\n" + p
			}
			w.domainListSaid(v, text, widget.SuccessImportance)
		})
	}()
}

// openDomainList opens the page's PDF with the system's viewer, to print.
func (w *Wizard) openDomainList(v *domainListView) {
	u, err := url.Parse(storage.NewFileURI(v.pdf).String())
	if err == nil {
		err = systemViewer().OpenURL(u)
	}
	if err != nil {
		w.domainListSaid(v, lang.L("Could not open {{.Path}}: {{.Err}}", map[string]any{"Path": v.pdf, "Err": err.Error()}), widget.DangerImportance)
		return
	}
	w.domainListSaid(v, lang.L("Opened {{.Path}} to print.", map[string]any{"Path": v.pdf}), widget.MediumImportance)
}

func (w *Wizard) domainListSaid(v *domainListView, msg string, imp widget.Importance) {
	v.status.Importance = imp
	v.status.SetText(msg)
	v.status.Hidden = msg == ""
	v.status.Refresh()
}

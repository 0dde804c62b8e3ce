package gui

import (
	"time"

	"fyne.io/fyne/v2/lang"

	"github.com/icpfiling/icpfiling/filing"
)

// Controller is the thin layer between the wizard's widgets and the domain:
// widgets report edits, the controller applies them to the application,
// asks the readiness gate (filing.Assess: Validate, the scans' reports and
// the acknowledgements), hands the result to the autosaver and tells the
// screens to refresh. It holds no filing rule itself.
type Controller struct {
	pack      *filing.Pack
	now       func() time.Time
	app       *filing.Application
	readiness filing.Readiness
	// save is called after every edit (the store debounces it).
	save      func(*filing.Application)
	listeners []func()
	// backend holds the field errors the backend returned (HTTP 422), each
	// with the value its field held when it was sent: a field edited since
	// no longer shows the backend's finding.
	backend []backendFinding
	// scans are the check results of the filing's files, by field.
	scans map[string]filing.ScanResult
}

type backendFinding struct {
	filing.Finding
	sent string
}

// NewController starts editing an application. save may be nil (nothing is kept).
func NewController(pack *filing.Pack, app *filing.Application, now func() time.Time, save func(*filing.Application)) *Controller {
	if now == nil {
		now = time.Now
	}
	c := &Controller{pack: pack, now: now, app: app, save: save, scans: map[string]filing.ScanResult{}}
	c.revalidate()
	return c
}

// App is the application being edited; read it, change it only through Edit.
func (c *Controller) App() *filing.Application { return c.app }

// Pack is the rule pack in use.
func (c *Controller) Pack() *filing.Pack { return c.pack }

// SetPack checks the filing under another rule pack from now on: an update
// applied while the wizard is open. The findings are shown anew at once;
// the filing is marked checked under it when it is next saved.
func (c *Controller) SetPack(p *filing.Pack) {
	if p == nil || p == c.pack {
		return
	}
	c.pack = p
	c.changed()
}

// Day is the day the dated rules are evaluated on.
func (c *Controller) Day() filing.Date { return filing.DateOf(c.now()) }

// Edit applies a change, checks the application again and saves it.
func (c *Controller) Edit(change func(a *filing.Application)) {
	change(c.app)
	c.dropEditedBackendFindings()
	// Saved with the revision it was checked under, so that a newer pack
	// can later say what it changed for this filing (filing.NewFindings).
	filing.MarkChecked(c.app, c.pack)
	c.changed()
	if c.save != nil {
		c.save(c.app)
	}
}

// changed re-runs the gate and tells the screens.
func (c *Controller) changed() {
	c.revalidate()
	for _, l := range c.listeners {
		l()
	}
}

// OnChange registers a function called after every edit.
func (c *Controller) OnChange(f func()) { c.listeners = append(c.listeners, f) }

func (c *Controller) revalidate() {
	extra := make([]filing.Finding, len(c.backend))
	for i, b := range c.backend {
		extra[i] = b.Finding
	}
	results := make([]filing.ScanResult, 0, len(c.scans))
	for _, r := range c.scans {
		results = append(results, r)
	}
	c.readiness = filing.Assess(c.app, c.pack, c.now(), nil, extra, results)
}

// SetBackendFindings shows the backend's field errors on their fields,
// marked as the backend's with the time they came (at). sent is the filing
// as it was sent: a finding stays until its field differs from what was sent.
func (c *Controller) SetBackendFindings(fs []filing.Finding, sent *filing.Application, at time.Time) {
	c.backend = nil
	if sent == nil {
		sent = c.app
	}
	for _, f := range fs {
		f.At = &at
		prefix := lang.L("Returned by the backend ({{.Time}}): ", map[string]any{"Time": at.Local().Format("2006-01-02 15:04")})
		f.ZH, f.EN = prefix+f.ZH, prefix+f.EN
		if f.Step == 0 && f.Field != "" {
			f.Step = filing.StepOf(f.Field, c.app.Kind)
		}
		v, _ := filing.FieldValue(sent, f.Field)
		c.backend = append(c.backend, backendFinding{Finding: f, sent: v})
	}
	c.dropEditedBackendFindings()
	c.changed()
}

// dropEditedBackendFindings forgets, locally, the backend's findings on
// fields edited since they were sent: the applicant has acted on them, and
// the backend judges the new value when the filing is sent again.
func (c *Controller) dropEditedBackendFindings() {
	keep := c.backend[:0]
	for _, b := range c.backend {
		if v, ok := filing.FieldValue(c.app, b.Field); ok && v != b.sent {
			continue
		}
		keep = append(keep, b)
	}
	c.backend = keep
}

// SetScan records the check result of one of the filing's files and says
// whether it changed what the gate knew. Call it on the UI goroutine.
func (c *Controller) SetScan(r filing.ScanResult) bool {
	old, ok := c.scans[r.Field]
	c.scans[r.Field] = r
	if ok && sameScan(old, r) {
		return false
	}
	c.changed()
	return true
}

func sameScan(a, b filing.ScanResult) bool {
	if a.SHA256 != b.SHA256 || a.State != b.State || len(a.Findings) != len(b.Findings) {
		return false
	}
	for i := range a.Findings {
		if a.Findings[i].Rule != b.Findings[i].Rule || a.Findings[i].Severity != b.Findings[i].Severity {
			return false
		}
	}
	return true
}

// Readiness is the gate's answer for the filing as it is now.
func (c *Controller) Readiness() filing.Readiness { return c.readiness }

// Acknowledge records (or withdraws) that the applicant sends a scan's
// warning anyway; it is kept with the filing.
func (c *Controller) Acknowledge(f filing.Finding, on bool) {
	c.Edit(func(a *filing.Application) { a.Acknowledge(f, on, c.now()) })
}

// Findings are all current findings, in step and field order.
func (c *Controller) Findings() []filing.Finding { return c.readiness.Findings }

// FieldFindings are the findings of exactly one field.
func (c *Controller) FieldFindings(field string) []filing.Finding {
	var out []filing.Finding
	for _, f := range c.readiness.Findings {
		if f.Field == field {
			out = append(out, f)
		}
	}
	return out
}

// Flow is where each step stands.
func (c *Controller) Flow() filing.Flow { return c.readiness.Flow }

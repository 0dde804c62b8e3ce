package gui

import (
	"time"

	"github.com/icpfiling/icpfiling/filing"
)

// Controller is the thin layer between the wizard's widgets and the domain:
// widgets report edits, the controller applies them to the application,
// runs filing.Validate and filing.Plan, hands the result to the autosaver
// and tells the screens to refresh. It holds no filing rule itself.
type Controller struct {
	pack     *filing.Pack
	now      func() time.Time
	app      *filing.Application
	findings []filing.Finding
	flow     filing.Flow
	// save is called after every edit (the store debounces it).
	save      func(*filing.Application)
	listeners []func()
	// backend holds the field errors the backend returned (HTTP 422); they
	// show beside Validate's findings until the next submission.
	backend []filing.Finding
}

// NewController starts editing an application. save may be nil (nothing is kept).
func NewController(pack *filing.Pack, app *filing.Application, now func() time.Time, save func(*filing.Application)) *Controller {
	if now == nil {
		now = time.Now
	}
	c := &Controller{pack: pack, now: now, app: app, save: save}
	c.revalidate()
	return c
}

// App is the application being edited; read it, change it only through Edit.
func (c *Controller) App() *filing.Application { return c.app }

// Pack is the rule pack in use.
func (c *Controller) Pack() *filing.Pack { return c.pack }

// Day is the day the dated rules are evaluated on.
func (c *Controller) Day() filing.Date { return filing.DateOf(c.now()) }

// Edit applies a change, checks the application again and saves it.
func (c *Controller) Edit(change func(a *filing.Application)) {
	change(c.app)
	c.revalidate()
	if c.save != nil {
		c.save(c.app)
	}
	for _, l := range c.listeners {
		l()
	}
}

// OnChange registers a function called after every edit.
func (c *Controller) OnChange(f func()) { c.listeners = append(c.listeners, f) }

func (c *Controller) revalidate() {
	c.findings = append(filing.Validate(c.app, c.pack, c.now()), c.backend...)
	c.flow = filing.Plan(c.app, c.pack, c.now(), c.findings)
}

// SetBackendFindings shows the backend's field errors on their fields.
func (c *Controller) SetBackendFindings(fs []filing.Finding) {
	c.backend = fs
	c.Edit(func(*filing.Application) {})
}

// Findings are all current findings.
func (c *Controller) Findings() []filing.Finding { return c.findings }

// FieldFindings are the findings of exactly one field.
func (c *Controller) FieldFindings(field string) []filing.Finding {
	var out []filing.Finding
	for _, f := range c.findings {
		if f.Field == field {
			out = append(out, f)
		}
	}
	return out
}

// Flow is where each step stands.
func (c *Controller) Flow() filing.Flow { return c.flow }

// Package scans joins the image checks (imaging) to the filing (filing):
// which checks a slot's file gets, with which limits from the rule pack,
// and what a report means to the readiness gate. The window, the CLI,
// batches and the outbox all go through it, so a file is judged the same
// way wherever it is judged.
package scans

import (
	"errors"
	"fmt"
	"time"

	"github.com/icpfiling/icpfiling/filing"
	"github.com/icpfiling/icpfiling/imaging"
)

// KindInfo is one kind of file, with the rule pack's upload slot it is
// checked against (a slot without its own rule gets the pack's default)
// and its name.
type KindInfo struct {
	Kind   imaging.Kind
	Slot   string
	ZH, EN string
}

// Kinds are the kinds of file the checks know (check-image's --kind).
var Kinds = []KindInfo{
	{imaging.KindIDFront, "website_owner_id", "身份证人像面", "ID card, portrait side"},
	{imaging.KindIDBack, "website_owner_id", "身份证国徽面", "ID card, emblem side"},
	{imaging.KindBusinessLicence, "subject_certificate", "营业执照", "business licence"},
	{imaging.KindCertificate, "subject_certificate", "其他单位证件", "other unit certificate"},
	{imaging.KindVerificationForm, "verification_form", "核验单", "verification form"},
	{imaging.KindDomainCertificate, "domain_certificate", "域名证书", "domain certificate"},
	{imaging.KindAuthorisationLetter, "authorisation_letter", "授权书", "authorisation letter"},
	{imaging.KindPhoto, "photo", "网站负责人幕布照片", "website owner's backdrop photo"},
}

// slotKinds says which checks a document slot gets; slots not named here
// are unit certificates of some kind.
var slotKinds = map[string]imaging.Kind{
	"subject_owner_id":     imaging.KindIDFront,
	"website_owner_id":     imaging.KindIDFront,
	"verification_form":    imaging.KindVerificationForm,
	"domain_certificate":   imaging.KindDomainCertificate,
	"authorisation_letter": imaging.KindAuthorisationLetter,
	"photo":                imaging.KindPhoto,
}

// KindOf is what a filing's file in slot is checked as. The subject's
// certificate is checked as a business licence only when it is one: other
// unit certificates come in other sizes.
func KindOf(slot, certificateType string) imaging.Kind {
	if slot == "subject_certificate" && certificateType == "business_licence" {
		return imaging.KindBusinessLicence
	}
	if k, ok := slotKinds[slot]; ok {
		return k
	}
	return imaging.KindCertificate
}

// Background is the photo method a photo is checked by in province:
// Shanghai's own app takes its photo itself, so a photo kept for it is
// checked as a backdrop photo, as where no method is known.
func Background(pack *filing.Pack, province string, day filing.Date) string {
	if m, _ := pack.PhotoMethodFor(province, day); m != nil && m.Method != "shanghai_app" {
		return m.Method
	}
	return "backdrop"
}

// Options builds the checks' options for a kind from the rule pack.
func Options(pack *filing.Pack, kind imaging.Kind, background string, day filing.Date) (imaging.Options, error) {
	slot := ""
	for _, k := range Kinds {
		if k.Kind == kind {
			slot = k.Slot
		}
	}
	if slot == "" {
		return imaging.Options{}, fmt.Errorf("unknown kind %q", kind)
	}
	var opts imaging.Options
	if u := pack.UploadFor(slot, day); u != nil {
		opts.Limits = imaging.Limits{RuleID: u.ID, Formats: u.Formats, Discouraged: u.Discouraged, MaxBytes: u.MaxBytes, MinBytes: u.MinBytes}
	}
	if kind == imaging.KindPhoto {
		b := pack.BackgroundFor(background, day)
		if b == nil {
			return opts, fmt.Errorf("the rule pack has no photo background for method %q", background)
		}
		var rgb [3]uint8
		if _, err := fmt.Sscanf(b.RGB, "#%02x%02x%02x", &rgb[0], &rgb[1], &rgb[2]); err != nil {
			return opts, fmt.Errorf("photo background %s: bad colour %q", b.ID, b.RGB)
		}
		opts.Background = imaging.Background{RuleID: b.ID, RGB: rgb, HueMin: b.HueMin, HueMax: b.HueMax,
			SatMin: b.SatMin, SatMax: b.SatMax, ValMin: b.ValMin}
	}
	return opts, nil
}

// Findings turns a report's checks that did not pass into findings: a
// failed check blocks, a warned or doubtful one warns (and so needs the
// applicant's acknowledgement before the filing is sent). name, when set,
// prefixes each message with the file's name.
func Findings(rep *imaging.Report, field, name string) []filing.Finding {
	var out []filing.Finding
	for _, c := range rep.Checks {
		sev := filing.Warn
		switch c.Verdict {
		case imaging.Pass:
			continue
		case imaging.Fail:
			sev = filing.Block
		}
		zh, en := c.ZH, c.EN
		if name != "" {
			zh, en = name+"："+zh, name+": "+en
		}
		out = append(out, filing.Finding{Rule: c.ID, Severity: sev, Field: field, Step: filing.StepOf(field, ""),
			ZH: zh, EN: en, Measured: c.Measured, Limit: c.Threshold,
			MeasuredZH: c.MeasuredZH, LimitZH: c.ThresholdZH, Source: "IMG"})
	}
	return out
}

// Result is what rep (or err, when the file could not be checked) says
// about target t, for filing.Assess.
func Result(t filing.ScanTarget, rep *imaging.Report, err error) filing.ScanResult {
	r := filing.ScanResult{Field: t.Field, SHA256: t.Attachment.SHA256}
	if err != nil || rep == nil {
		r.State = filing.ScanUnreadable
		r.ProblemZH, r.ProblemEN = "文件无法打开或解码，请重新选择。", "the file cannot be opened or decoded; choose it again."
		var l interface{ Message(string) string }
		if errors.As(err, &l) {
			r.ProblemZH, r.ProblemEN = l.Message("zh"), l.Message("en")
		}
		return r
	}
	r.State = filing.ScanChecked
	r.Findings = Findings(rep, t.Field, "")
	return r
}

// Files is the attachment store as the checker reads it.
type Files interface {
	AttachmentPath(sha256hex string) string
	VerifyAttachment(a filing.Attachment) error
}

// ReportCache keeps the reports of image jobs (the store's scan reports);
// Report answers false for a job it has no report for.
type ReportCache interface {
	Report(imaging.Job) (*imaging.Report, bool)
	Keep(imaging.Job, *imaging.Report)
}

// Checker finds, or makes, the check report of every file of a filing
// that the gate needs.
type Checker struct {
	Files Files
	Pack  *filing.Pack
	// Current, when set, is the pack in use at each check (it follows
	// rule-pack updates); Pack is used without it.
	Current func() *filing.Pack
	// Reports may be nil: every file is then checked afresh.
	Reports ReportCache
	// Turn, when set, waits for a free place among running checks and
	// returns the function that gives it back.
	Turn func() (done func())
}

func (c *Checker) pack() *filing.Pack {
	if c.Current != nil {
		return c.Current()
	}
	return c.Pack
}

// Job is the image job of target t of app on day.
func (c *Checker) Job(app *filing.Application, t filing.ScanTarget, day filing.Date) (imaging.Job, error) {
	kind := KindOf(t.Slot, app.Subject.CertificateType)
	pack := c.pack()
	opts, err := Options(pack, kind, Background(pack, app.Province, day), day)
	if err != nil {
		return imaging.Job{}, err
	}
	return imaging.Job{Path: c.Files.AttachmentPath(t.Attachment.SHA256), Kind: kind, Options: opts,
		Parts: PartsOf(t.Attachment, c.Files)}, nil
}

// PartsOf are the pictures a stitched attachment was made from, as the
// checks read them (nil for a plain one): its content is judged part by
// part (imaging.CheckStitched).
func PartsOf(a filing.Attachment, files Files) []imaging.ComposePart {
	var out []imaging.ComposePart
	for _, p := range a.Parts {
		out = append(out, imaging.ComposePart{Name: p.OriginalName, Path: files.AttachmentPath(p.SHA256)})
	}
	return out
}

// Results are the reports of every file of app the gate needs, kept ones
// where the store has them for this build and pack, checked now otherwise.
// A file missing from the store or changed since it was kept is
// unreadable, never checked in its place.
func (c *Checker) Results(app *filing.Application, asOf time.Time) []filing.ScanResult {
	day := filing.DateOf(asOf)
	var out []filing.ScanResult
	for _, t := range filing.ScanTargets(app, c.pack(), asOf) {
		out = append(out, c.result(app, t, day))
	}
	return out
}

func (c *Checker) result(app *filing.Application, t filing.ScanTarget, day filing.Date) filing.ScanResult {
	for _, a := range append([]filing.Attachment{t.Attachment}, t.Attachment.Parts...) {
		if err := c.Files.VerifyAttachment(a); err != nil {
			return Result(t, nil, err)
		}
	}
	job, err := c.Job(app, t, day)
	if err != nil {
		return Result(t, nil, err)
	}
	if c.Reports != nil {
		if rep, ok := c.Reports.Report(job); ok {
			return Result(t, rep, nil)
		}
	}
	if c.Turn != nil {
		defer c.Turn()()
	}
	rep, err := job.Check()
	if err == nil && c.Reports != nil {
		c.Reports.Keep(job, rep)
	}
	return Result(t, rep, err)
}

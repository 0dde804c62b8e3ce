package filing

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// This file is the one decision of whether a filing may be sent: the
// window's step marks and review page, `submit` (file, bundle, --draft) and
// `batch submit` all ask Assess, so none of them can drift from the others.

// ScanTarget is one kept file whose check report the gate needs: a
// document in one of the filing's required slots, or the verification photo.
type ScanTarget struct {
	// Field is the finding path of the slot ("documents.id_front",
	// "documents.domain_certificate[1]", "photo").
	Field string
	// Slot is the document slot, "photo" for the verification photo.
	Slot       string
	Website    int
	Attachment Attachment
	ZH, EN     string
}

// ScanTargets lists the files of app that are checked before it is sent:
// every required document that has a file, and the photo where the
// province's method takes one from the applicant.
func ScanTargets(app *Application, pack *Pack, asOf time.Time) []ScanTarget {
	day := DateOf(asOf)
	var out []ScanTarget
	for _, need := range RequiredDocuments(app, pack, day) {
		field := "documents." + need.Slot
		if need.Website >= 0 {
			field += "[" + strconv.Itoa(need.Website) + "]"
		}
		for _, d := range app.Documents {
			if d.Slot == need.Slot && (need.Website < 0 || d.Website == need.Website) && d.Attachment != nil {
				out = append(out, ScanTarget{Field: field, Slot: need.Slot, Website: need.Website, Attachment: *d.Attachment, ZH: need.ZH, EN: need.EN})
				break
			}
		}
	}
	if m, _ := pack.PhotoMethodFor(app.Province, day); m != nil && m.Method != "shanghai_app" && app.Photo.Attachment != nil {
		out = append(out, ScanTarget{Field: "photo", Slot: "photo", Website: app.Photo.Website, Attachment: *app.Photo.Attachment,
			ZH: "网站负责人核验照片", EN: "website owner's verification photo"})
	}
	return out
}

// ScanState is where the check of one kept file stands.
type ScanState int

const (
	// ScanPending: no report of this file yet (not checked, or being checked).
	ScanPending ScanState = iota
	// ScanChecked: Findings holds every check that did not pass.
	ScanChecked
	// ScanUnreadable: the file could not be opened, verified or decoded.
	ScanUnreadable
)

// ScanResult is what the check report kept for one target says, in the
// gate's terms. The caller makes it from the image checks (filing/scans):
// a failed check is a Block finding, a warned or doubtful one a Warn.
type ScanResult struct {
	Field  string
	SHA256 string
	State  ScanState
	// Findings are the checks that did not pass; their Field is the
	// target's and their File its SHA-256.
	Findings []Finding
	// Problem says why an unreadable file could not be checked.
	ProblemZH, ProblemEN string
}

// Acknowledgement records that the applicant has seen one warning of one
// scan and sends it anyway. It names the file's content, so a replaced
// file needs a new one.
type Acknowledgement struct {
	Rule   string    `json:"rule"`
	Field  string    `json:"field"`
	SHA256 string    `json:"sha256"`
	At     time.Time `json:"at"`
}

// Acknowledged says whether f, a scan's warning, has been acknowledged.
func (a *Application) Acknowledged(f Finding) bool {
	for _, k := range a.Acknowledgements {
		if k.Rule == f.Rule && k.Field == f.Field && k.SHA256 == f.File && f.File != "" {
			return true
		}
	}
	return false
}

// Acknowledge records (or, with on false, withdraws) the acknowledgement of
// f. Acknowledgements of files no longer in the filing are dropped.
func (a *Application) Acknowledge(f Finding, on bool, at time.Time) {
	keep := a.Acknowledgements[:0]
	for _, k := range a.Acknowledgements {
		if k.Rule == f.Rule && k.Field == f.Field && k.SHA256 == f.File {
			continue
		}
		keep = append(keep, k)
	}
	a.Acknowledgements = keep
	if on && f.File != "" {
		a.Acknowledgements = append(a.Acknowledgements, Acknowledgement{Rule: f.Rule, Field: f.Field, SHA256: f.File, At: at.UTC()})
	}
}

// Readiness is the gate's answer for one filing at one moment.
type Readiness struct {
	// Findings are Validate's and the scans', in step and field order.
	Findings []Finding
	// Blocking are the findings that stop the filing from being sent.
	Blocking []Finding
	// ToConfirm are the scans' warnings the applicant has not acknowledged.
	ToConfirm []Finding
	// Checking are the targets without a report yet, one finding each
	// (rule "scan.pending"), so that a refusal can name them.
	Checking []Finding
	// Flow is each step's state, from the same findings.
	Flow Flow
}

// Sendable says whether the filing may be sent now.
func (r Readiness) Sendable() bool {
	return len(r.Blocking) == 0 && len(r.ToConfirm) == 0 && len(r.Checking) == 0
}

// Reasons are what stops the filing, blockers first: each one a finding
// with its rule id, for the window, the CLI's text and its --json.
func (r Readiness) Reasons() []Finding {
	out := append(append(append([]Finding{}, r.Blocking...), r.ToConfirm...), r.Checking...)
	return out
}

// Assess is the readiness gate. validated are Validate's findings for
// app, pack and asOf (nil: Assess runs Validate); extra are findings from
// elsewhere that count like Validate's (the backend's field errors); scans
// are the reports kept for ScanTargets. A target with no result, or with a
// result for other content, counts as not checked yet: nothing is sent on
// a report that is not the file's.
func Assess(app *Application, pack *Pack, asOf time.Time, validated, extra []Finding, scans []ScanResult) Readiness {
	if validated == nil {
		validated = Validate(app, pack, asOf)
	}
	var r Readiness
	r.Findings = append(append(r.Findings, validated...), extra...)
	for _, t := range ScanTargets(app, pack, asOf) {
		res, ok := scanFor(scans, t)
		switch {
		case !ok || res.State == ScanPending:
			r.Checking = append(r.Checking, Finding{Rule: "scan.pending", Severity: Block, Field: t.Field, Step: StepOf(t.Field, app.Kind),
				File: t.Attachment.SHA256, Source: "IMG",
				ZH: t.ZH + "（" + t.Attachment.OriginalName + "）尚未检查完毕。", EN: upperFirst(t.EN) + " (" + t.Attachment.OriginalName + ") has not been checked yet."})
		case res.State == ScanUnreadable:
			r.Findings = append(r.Findings, Finding{Rule: "scan.unreadable", Severity: Block, Field: t.Field, Step: StepOf(t.Field, app.Kind),
				File: t.Attachment.SHA256, Source: "IMG",
				ZH: t.ZH + "（" + t.Attachment.OriginalName + "）无法检查：" + res.ProblemZH, EN: upperFirst(t.EN) + " (" + t.Attachment.OriginalName + ") cannot be checked: " + res.ProblemEN})
		default:
			for _, f := range res.Findings {
				f.Field, f.File, f.Step = t.Field, t.Attachment.SHA256, StepOf(t.Field, app.Kind)
				r.Findings = append(r.Findings, f)
			}
		}
	}
	slices.SortStableFunc(r.Findings, func(a, b Finding) int {
		return cmp.Or(cmp.Compare(a.Step, b.Step), strings.Compare(a.Field, b.Field), cmp.Compare(a.Severity, b.Severity))
	})
	for _, f := range r.Findings {
		switch {
		case f.Severity == Block:
			r.Blocking = append(r.Blocking, f)
		case f.Severity == Warn && f.File != "" && !app.Acknowledged(f):
			r.ToConfirm = append(r.ToConfirm, f)
		}
	}
	r.Flow = plan(app, pack, asOf, r.Findings, r.Checking)
	return r
}

func scanFor(scans []ScanResult, t ScanTarget) (ScanResult, bool) {
	for _, s := range scans {
		if s.Field == t.Field && s.SHA256 == t.Attachment.SHA256 {
			return s, true
		}
	}
	return ScanResult{}, false
}

// upperFirst starts an English name with a capital, as the start of a
// sentence: the pack's names start either way.
func upperFirst(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}

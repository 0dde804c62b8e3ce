package filing

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// gatedApp is the complete application with a distinct file in every
// slot, so that a scan's result and its acknowledgement name one file.
func gatedApp() *Application {
	a := completeApp()
	for i := range a.Documents {
		a.Documents[i].Attachment.SHA256 = strings.Repeat(fmt.Sprintf("%02x", i+1), 32)
	}
	a.Photo.Attachment.SHA256 = strings.Repeat("ee", 32)
	return a
}

// cleanScans is a checked, passing result for every file the gate needs.
func cleanScans(a *Application, asOf time.Time) []ScanResult {
	var out []ScanResult
	for _, t := range ScanTargets(a, DefaultPack(), asOf) {
		out = append(out, ScanResult{Field: t.Field, SHA256: t.Attachment.SHA256, State: ScanChecked})
	}
	return out
}

// scanOf returns the result of field in rs, for a case to change it.
func scanOf(t *testing.T, rs []ScanResult, field string) *ScanResult {
	t.Helper()
	for i := range rs {
		if rs[i].Field == field {
			return &rs[i]
		}
	}
	t.Fatalf("no scan target %q", field)
	return nil
}

func clothing(sev Severity) Finding {
	return Finding{Rule: "photo.clothing", Severity: sev, ZH: "上衣颜色不合适", EN: "the top is red", Source: "IMG"}
}

func rules(fs []Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Rule+"@"+f.Field)
	}
	return out
}

func TestAssess(t *testing.T) {
	pack := DefaultPack()
	photoSHA := strings.Repeat("ee", 32)
	cases := []struct {
		name string
		// edit changes the application, scans the results the gate gets
		// (starting from a clean result for every target).
		edit  func(a *Application)
		scans func(t *testing.T, rs []ScanResult) []ScanResult
		// want* are the rule@field of each list; sendable is the verdict.
		wantBlocking, wantToConfirm, wantChecking []string
		sendable                                  bool
	}{
		{name: "all clear", sendable: true},
		{name: "no reports yet: every file is being checked",
			scans: func(t *testing.T, rs []ScanResult) []ScanResult { return nil },
			wantChecking: []string{"scan.pending@documents.subject_certificate", "scan.pending@documents.subject_owner_id",
				"scan.pending@documents.website_owner_id[0]", "scan.pending@documents.verification_form[0]", "scan.pending@photo"}},
		{name: "a pending scan is checking",
			scans: func(t *testing.T, rs []ScanResult) []ScanResult {
				scanOf(t, rs, "photo").State = ScanPending
				return rs
			},
			wantChecking: []string{"scan.pending@photo"}},
		{name: "a report of other content counts as not checked",
			scans: func(t *testing.T, rs []ScanResult) []ScanResult {
				scanOf(t, rs, "photo").SHA256 = strings.Repeat("0f", 32)
				return rs
			},
			wantChecking: []string{"scan.pending@photo"}},
		{name: "an unreadable file blocks",
			scans: func(t *testing.T, rs []ScanResult) []ScanResult {
				r := scanOf(t, rs, "documents.subject_owner_id")
				r.State, r.ProblemZH, r.ProblemEN = ScanUnreadable, "文件已改动", "the file changed"
				return rs
			},
			wantBlocking: []string{"scan.unreadable@documents.subject_owner_id"}},
		{name: "a failed check blocks",
			scans: func(t *testing.T, rs []ScanResult) []ScanResult {
				scanOf(t, rs, "photo").Findings = []Finding{clothing(Block)}
				return rs
			},
			wantBlocking: []string{"photo.clothing@photo"}},
		{name: "a warning needs an acknowledgement",
			scans: func(t *testing.T, rs []ScanResult) []ScanResult {
				scanOf(t, rs, "photo").Findings = []Finding{clothing(Warn)}
				return rs
			},
			wantToConfirm: []string{"photo.clothing@photo"}},
		{name: "an acknowledged warning lets it through",
			edit: func(a *Application) {
				a.Acknowledge(Finding{Rule: "photo.clothing", Field: "photo", File: photoSHA}, true, today)
			},
			scans: func(t *testing.T, rs []ScanResult) []ScanResult {
				scanOf(t, rs, "photo").Findings = []Finding{clothing(Warn)}
				return rs
			},
			sendable: true},
		{name: "an acknowledgement of other file content does not count",
			edit: func(a *Application) {
				a.Acknowledge(Finding{Rule: "photo.clothing", Field: "photo", File: strings.Repeat("0f", 32)}, true, today)
			},
			scans: func(t *testing.T, rs []ScanResult) []ScanResult {
				scanOf(t, rs, "photo").Findings = []Finding{clothing(Warn)}
				return rs
			},
			wantToConfirm: []string{"photo.clothing@photo"}},
		{name: "an acknowledgement of another rule does not count",
			edit: func(a *Application) {
				a.Acknowledge(Finding{Rule: "photo.lighting", Field: "photo", File: photoSHA}, true, today)
			},
			scans: func(t *testing.T, rs []ScanResult) []ScanResult {
				scanOf(t, rs, "photo").Findings = []Finding{clothing(Warn)}
				return rs
			},
			wantToConfirm: []string{"photo.clothing@photo"}},
		{name: "a withdrawn acknowledgement no longer counts",
			edit: func(a *Application) {
				f := Finding{Rule: "photo.clothing", Field: "photo", File: photoSHA}
				a.Acknowledge(f, true, today)
				a.Acknowledge(f, false, today)
			},
			scans: func(t *testing.T, rs []ScanResult) []ScanResult {
				scanOf(t, rs, "photo").Findings = []Finding{clothing(Warn)}
				return rs
			},
			wantToConfirm: []string{"photo.clothing@photo"}},
		{name: "a blocker from Validate stops clean scans",
			edit:         func(a *Application) { a.FilingPassword = Secret{} },
			wantBlocking: []string{"access.password@filing_password"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := gatedApp()
			if tc.edit != nil {
				tc.edit(a)
			}
			rs := cleanScans(a, today)
			if len(rs) != 5 {
				t.Fatalf("%d scan targets, want 5 (4 documents and the photo)", len(rs))
			}
			if tc.scans != nil {
				rs = tc.scans(t, rs)
			}
			r := Assess(a, pack, today, nil, nil, rs)
			check := func(what string, got []Finding, want []string) {
				t.Helper()
				if g := strings.Join(rules(got), " "); !matchRules(g, want) {
					t.Errorf("%s = %q, want %q", what, g, want)
				}
			}
			check("Blocking", r.Blocking, tc.wantBlocking)
			check("ToConfirm", r.ToConfirm, tc.wantToConfirm)
			check("Checking", r.Checking, tc.wantChecking)
			if r.Sendable() != tc.sendable {
				t.Errorf("Sendable() = %v, want %v", r.Sendable(), tc.sendable)
			}
			if n := len(r.Reasons()); n != len(r.Blocking)+len(r.ToConfirm)+len(r.Checking) {
				t.Errorf("%d reasons for %d+%d+%d", n, len(r.Blocking), len(r.ToConfirm), len(r.Checking))
			}
			for _, f := range r.Reasons() {
				if f.Rule == "" || f.Field == "" || f.ZH == "" || f.EN == "" {
					t.Errorf("reason without rule, field or text: %+v", f)
				}
			}
		})
	}
}

// matchRules says whether got (space-separated rule@field) holds exactly
// the wanted ones, in any order.
func matchRules(got string, want []string) bool {
	g := strings.Fields(got)
	if len(g) != len(want) {
		return false
	}
	used := make([]bool, len(g))
	for _, w := range want {
		found := false
		for i, x := range g {
			if !used[i] && x == w {
				used[i], found = true, true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// TestAcknowledgeKeepsOneRecordPerWarning: acknowledging twice keeps one
// record, with the latest time, and a finding without a file (not a
// scan's) is never recorded.
func TestAcknowledgeKeepsOneRecordPerWarning(t *testing.T) {
	a := gatedApp()
	f := Finding{Rule: "document.resolution", Field: "documents.verification_form[0]", File: strings.Repeat("04", 32)}
	first, second := today, today.Add(time.Hour)
	a.Acknowledge(f, true, first)
	a.Acknowledge(f, true, second)
	if len(a.Acknowledgements) != 1 || !a.Acknowledgements[0].At.Equal(second) || !a.Acknowledged(f) {
		t.Fatalf("acknowledgements %+v", a.Acknowledgements)
	}
	a.Acknowledge(Finding{Rule: "phone.format", Field: "subject.owner.mobile"}, true, second)
	if len(a.Acknowledgements) != 1 {
		t.Fatalf("a finding without a file was acknowledged: %+v", a.Acknowledgements)
	}
}

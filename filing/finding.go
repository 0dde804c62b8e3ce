package filing

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Severity says what a finding does to the flow.
type Severity int

const (
	// Block stops the step from being passed and the filing from being submitted.
	Block Severity = iota
	// Warn is shown and can be passed.
	Warn
	// Info explains a rule that applies.
	Info
)

var severityNames = [...]string{"block", "warn", "info"}

func (s Severity) String() string {
	if int(s) < len(severityNames) {
		return severityNames[s]
	}
	return fmt.Sprintf("severity(%d)", int(s))
}

// Label is the severity as a person reads it.
func (s Severity) Label(lang string) string {
	zh := [...]string{"阻断", "警告", "提示"}
	en := [...]string{"Blocking", "Warning", "Info"}
	if int(s) >= len(zh) {
		return s.String()
	}
	if lang == "en" {
		return en[s]
	}
	return zh[s]
}

func (s Severity) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

func (s *Severity) UnmarshalJSON(b []byte) error {
	var v string
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	for i, n := range severityNames {
		if n == v {
			*s = Severity(i)
			return nil
		}
	}
	return fmt.Errorf("unknown severity %q", v)
}

// Finding is one thing Validate has to say about one field.
type Finding struct {
	Rule     string   `json:"rule"`
	Severity Severity `json:"severity"`
	// Field is the path of the field to fix, e.g. "websites[0].owner.mobile".
	Field string `json:"field"`
	Step  Step   `json:"step"`
	ZH    string `json:"zh"`
	EN    string `json:"en"`
	// Measured and Limit are set where the rule has a number; they never
	// hold personal data (no ID numbers, phones or names).
	Measured string `json:"measured,omitempty"`
	Limit    string `json:"limit,omitempty"`
	// MeasuredZH and LimitZH are the Chinese texts of Measured and Limit
	// where they have words (an image check's "红色 90 %"); empty where
	// numbers and units read the same in both languages.
	MeasuredZH string `json:"measured_zh,omitempty"`
	LimitZH    string `json:"limit_zh,omitempty"`
	// Source is where the rule comes from, with its date.
	Source string `json:"source"`
	// File is the SHA-256 of the kept file a scan's finding is about, so
	// that its acknowledgement goes with that file's content only.
	File string `json:"file,omitempty"`
	// Missing marks a finding that only says a value or a file is not
	// there yet: a step with nothing else to say has not been started.
	Missing bool `json:"missing,omitempty"`
	// At is when the backend said it, for a backend's finding.
	At *time.Time `json:"at,omitempty"`
}

// Message is the finding's text in "zh" or "en".
func (f Finding) Message(lang string) string {
	if lang == "en" {
		return f.EN
	}
	return f.ZH
}

// MeasuredIn is Measured in "zh" or "en".
func (f Finding) MeasuredIn(lang string) string {
	if lang != "en" && f.MeasuredZH != "" {
		return f.MeasuredZH
	}
	return f.Measured
}

// LimitIn is Limit in "zh" or "en".
func (f Finding) LimitIn(lang string) string {
	if lang != "en" && f.LimitZH != "" {
		return f.LimitZH
	}
	return f.Limit
}

// Blocking counts the findings that block.
func Blocking(fs []Finding) int {
	n := 0
	for _, f := range fs {
		if f.Severity == Block {
			n++
		}
	}
	return n
}

// ForField returns the findings of one field, as the GUI shows them inline.
func ForField(fs []Finding, field string) []Finding {
	var out []Finding
	for _, f := range fs {
		if f.Field == field || strings.HasPrefix(f.Field, field+".") {
			out = append(out, f)
		}
	}
	return out
}

package filing

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/icpfiling/icpfiling/internal/textcheck"
)

// assertText fails on English words in a Chinese text and on unfilled
// placeholders in either language.
func assertText(t *testing.T, where, zh, en string) {
	t.Helper()
	if w := textcheck.LatinWords(zh); len(w) > 0 {
		t.Errorf("%s: the Chinese text holds English %q: %q", where, w, zh)
	}
	for _, s := range []string{zh, en} {
		if textcheck.Unfilled(s) {
			t.Errorf("%s: an unfilled placeholder: %q", where, s)
		}
	}
}

// Every finding Validate gives on the test applications, with its measure,
// limit and source, and every step's note, reads in full in both
// languages; a rule that replaced an older one says since when.
func TestFindingMessagesInBothLanguages(t *testing.T) {
	pack := DefaultPack()
	rules := map[string]bool{}
	for _, tc := range validateCases {
		for _, asOf := range []time.Time{tc.asOf, today, day("2018-10-01"), day("2019-06-01")} {
			if asOf.IsZero() {
				continue
			}
			a := completeApp()
			tc.edit(a)
			fs := Validate(a, pack, asOf)
			for _, f := range fs {
				rules[f.Rule] = true
				where := tc.name + " " + f.Rule
				assertText(t, where, f.Message("zh"), f.Message("en"))
				assertText(t, where+" measured", f.MeasuredIn("zh"), f.MeasuredIn("en"))
				assertText(t, where+" limit", f.LimitIn("zh"), f.LimitIn("en"))
				zh, en := pack.Cite(f, "zh"), pack.Cite(f, "en")
				if zh == "" || en == "" {
					t.Errorf("%s: no source to show for %q", where, f.Source)
				}
				if textcheck.Unfilled(zh) || textcheck.Unfilled(en) {
					t.Errorf("%s: source %q / %q", where, zh, en)
				}
			}
			flow := Plan(a, pack, asOf, fs)
			for _, st := range flow.Steps {
				assertText(t, tc.name+" note of step "+st.Step.Name("en"), st.Note("zh"), st.Note("en"))
			}
		}
	}
	if len(rules) < 40 {
		t.Errorf("the applications reach only %d rules: the test proves little", len(rules))
	}
}

// The SMS step says since when its rules apply and what they replaced:
// the seed's 2018 page says seven pilot provinces and 48 hours.
func TestSMSTextsSaySinceWhen(t *testing.T) {
	pack := DefaultPack()
	a := completeApp()
	fs := Validate(a, pack, today)
	var texts []string
	for _, f := range fs {
		if f.Field == "sms" {
			texts = append(texts, f.ZH, f.EN, pack.Cite(f, "zh"), pack.Cite(f, "en"))
		}
	}
	flow := Plan(a, pack, today, fs)
	texts = append(texts, flow.Steps[StepSMS].Note("zh"), flow.Steps[StepSMS].Note("en"))
	all := strings.Join(texts, "\n")
	for _, want := range []string{"2020-08-17", "2019-01-01", "48 小时", "48 hours", "自 2020-08-17 起适用", "since 2020-08-17"} {
		if !strings.Contains(all, want) {
			t.Errorf("the SMS texts do not say %q:\n%s", want, all)
		}
	}
	if strings.Contains(all, "于此日期") || strings.Contains(all, "on this date") {
		t.Errorf("a text names no date:\n%s", all)
	}
}

// Every Chinese text of the rule pack is Chinese (format names and units
// aside), and no text in it has a placeholder.
func TestPackTextsInBothLanguages(t *testing.T) {
	var doc any
	if err := json.Unmarshal(packJSONForTest(t), &doc); err != nil {
		t.Fatal(err)
	}
	n := 0
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				s, ok := x.(string)
				if ok && (k == "zh" || strings.HasSuffix(k, "_zh")) {
					n++
					assertText(t, path+"."+k, s, "")
				}
				if ok && textcheck.Unfilled(s) {
					t.Errorf("%s.%s: an unfilled placeholder: %q", path, k, s)
				}
				walk(path+"."+k, x)
			}
		case []any:
			for _, x := range v {
				walk(path+"[]", x)
			}
		}
	}
	walk("pack", doc)
	if n < 50 {
		t.Errorf("only %d Chinese texts found in the pack: the walk misses them", n)
	}
}

func packJSONForTest(t *testing.T) []byte {
	t.Helper()
	var sealed struct {
		Pack json.RawMessage `json:"pack"`
	}
	if err := json.Unmarshal(DefaultPackBytes(), &sealed); err != nil {
		t.Fatal(err)
	}
	return sealed.Pack
}

package filing

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"time"
)

// PackDiff is what a new pack changes, by rule id: what the update notice
// and `rules update` list.
type PackDiff struct {
	FromRevision int `json:"from_revision"`
	ToRevision   int `json:"to_revision"`
	// Added rules are new in the new pack.
	Added []string `json:"added,omitempty"`
	// Ended rules now carry an end date ("until") they did not have, or
	// an earlier one: they stop applying from that day.
	Ended []string `json:"ended,omitempty"`
	// Removed rules are no longer in the pack at all.
	Removed []string `json:"removed,omitempty"`
	// Changed rules are in both with other content (words, numbers,
	// provinces, dates, sources).
	Changed []string `json:"changed,omitempty"`
}

// Empty says whether the packs have the same rules with the same content.
func (d PackDiff) Empty() bool {
	return len(d.Added)+len(d.Ended)+len(d.Removed)+len(d.Changed) == 0
}

// DiffPacks compares every rule (every entry with an id, in every list of
// the pack) of old and new.
func DiffPacks(old, new *Pack) PackDiff {
	d := PackDiff{FromRevision: old.Revision, ToRevision: new.Revision}
	a, b := ruleEntries(old), ruleEntries(new)
	for id, nb := range b {
		oa, ok := a[id]
		switch {
		case !ok:
			d.Added = append(d.Added, id)
		case bytes.Equal(oa, nb):
		case ended(old.rules[id], new.rules[id]):
			d.Ended = append(d.Ended, id)
		default:
			d.Changed = append(d.Changed, id)
		}
	}
	for id := range a {
		if _, ok := b[id]; !ok {
			d.Removed = append(d.Removed, id)
		}
	}
	for _, l := range [][]string{d.Added, d.Ended, d.Removed, d.Changed} {
		sort.Strings(l)
	}
	return d
}

// ended says whether the only news of a rule is that it now stops earlier.
func ended(a, b *Rule) bool {
	if a == nil || b == nil || b.Until == 0 || (a.Until != 0 && a.Until <= b.Until) {
		return false
	}
	cp := *a
	cp.Until = b.Until
	return cp == *b
}

// ruleEntries maps each rule id to the canonical JSON of its whole entry
// (the Rule and the fields of its kind), so that any change of content
// shows without listing the pack's kinds here a second time.
func ruleEntries(p *Pack) map[string][]byte {
	out := map[string][]byte{}
	raw, err := json.Marshal(p)
	if err != nil {
		return out
	}
	var lists map[string]json.RawMessage
	if json.Unmarshal(raw, &lists) != nil {
		return out
	}
	for _, l := range lists {
		var entries []json.RawMessage
		if json.Unmarshal(l, &entries) != nil {
			continue // not a list: schema, revision, sources
		}
		for _, e := range entries {
			var head struct {
				ID string `json:"id"`
			}
			if json.Unmarshal(e, &head) == nil && head.ID != "" {
				out[head.ID] = e
			}
		}
	}
	return out
}

// MarkChecked records on the filing that it was checked under pack: the
// window does so when it shows the filing's findings, so that NewFindings
// can later say what a newer pack changed.
func MarkChecked(app *Application, pack *Pack) { app.CheckedUnder = pack.Revision }

// RulesUpdated says whether the filing was last checked under an older
// pack than cur (the drafts list's "规则已更新").
func RulesUpdated(app *Application, cur *Pack) bool {
	return app.CheckedUnder > 0 && app.CheckedUnder < cur.Revision
}

// NewFindings are the blocking findings and warnings the filing has under
// cur that it did not have under old, on day asOf: the "2 处新问题" of a
// rules update. A finding is the same when its rule, field and severity
// are; findings that only say a value is still missing are not news.
func NewFindings(app *Application, old, cur *Pack, asOf time.Time) []Finding {
	type key struct {
		rule, field string
		sev         Severity
	}
	before := map[key]bool{}
	for _, f := range Validate(app, old, asOf) {
		before[key{f.Rule, f.Field, f.Severity}] = true
	}
	var out []Finding
	for _, f := range Validate(app, cur, asOf) {
		if f.Severity == Info || f.Missing || before[key{f.Rule, f.Field, f.Severity}] {
			continue
		}
		out = append(out, f)
	}
	return out
}

// Title is the headline of an update: "规则包已更新：第 1 版 → 第 2 版".
func (d PackDiff) Title(lang string) string {
	if lang == "en" {
		return fmt.Sprintf("rule pack updated: revision %d → %d", d.FromRevision, d.ToRevision)
	}
	return fmt.Sprintf("规则包已更新：第 %d 版 → 第 %d 版", d.FromRevision, d.ToRevision)
}

// Lines list what changed, one rule a line ("新增  name.min_han"), in the
// order added, ended, removed, changed: what `rules update` prints and the
// window's update notice shows.
func (d PackDiff) Lines(lang string) []string {
	var out []string
	for _, g := range []struct {
		zh, en string
		ids    []string
	}{{"新增", "added", d.Added}, {"已结束", "ended", d.Ended}, {"已移除", "removed", d.Removed}, {"已更改", "changed", d.Changed}} {
		word := g.zh
		if lang == "en" {
			word = g.en
		}
		for _, id := range g.ids {
			out = append(out, word+"  "+id)
		}
	}
	if d.Empty() {
		if lang == "en" {
			return []string{"(no rule changed)"}
		}
		return []string{"（规则内容没有变化）"}
	}
	return out
}

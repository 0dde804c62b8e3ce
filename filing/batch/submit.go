package batch

import (
	"encoding/json"
	"errors"
	"time"

	"github.com/icpfiling/icpfiling/filing"
	"github.com/icpfiling/icpfiling/filing/store"
	"github.com/icpfiling/icpfiling/filing/submit"
)

// Outbox is what bulk submit needs of *submit.Outbox.
type Outbox interface {
	// Assess is the readiness gate Submit applies.
	Assess(app *filing.Application) filing.Readiness
	Submit(app *filing.Application) (submit.Submission, error)
	List() ([]submit.Submission, error)
	Retry(id string) error
}

// Row states beyond the outbox's own (submit.State).
const (
	StateNotSent = "not_sent" // never handed to the outbox
	StateBlocked = "blocked"  // the readiness gate refused it (filing.Assess)
	StateError   = "error"    // the draft or the outbox refused it
)

// RowStatus is where one filing of the batch stands after bulk submit.
type RowStatus struct {
	Key          string `json:"key"`
	DraftID      string `json:"draft_id"`
	State        string `json:"state"`
	SubmissionID string `json:"submission_id,omitempty"`
	// Blocking, ToConfirm and Checking count the reasons of a blocked row
	// by kind (filing.Readiness); Findings are those reasons, each with
	// its rule id, blockers first.
	Blocking  int              `json:"blocking,omitempty"`
	ToConfirm int              `json:"to_confirm,omitempty"`
	Checking  int              `json:"checking,omitempty"`
	Findings  []filing.Finding `json:"findings,omitempty"`
	ZH        string           `json:"zh,omitempty"`
	EN        string           `json:"en,omitempty"`
}

// Message is the row's reason in "zh" or "en".
func (r RowStatus) Message(lang string) string {
	if lang == "en" {
		return r.EN
	}
	return r.ZH
}

// Failed says whether the row is one "retry the failed ones" acts on.
func (r RowStatus) Failed() bool {
	switch r.State {
	case StateBlocked, StateError, string(submit.Held), string(submit.Refused), string(submit.Cancelled):
		return true
	}
	return false
}

// Summary counts the rows by state.
type Summary struct {
	Total   int            `json:"total"`
	ByState map[string]int `json:"by_state"`
	Failed  int            `json:"failed"`
}

// Summarise counts rows.
func Summarise(rows []RowStatus) Summary {
	s := Summary{Total: len(rows), ByState: map[string]int{}}
	for _, r := range rows {
		s.ByState[r.State]++
		if r.Failed() {
			s.Failed++
		}
	}
	return s
}

// latest maps each draft to its newest submission.
func latest(ob Outbox) (map[string]submit.Submission, error) {
	list, err := ob.List() // newest first
	if err != nil {
		return nil, err
	}
	out := map[string]submit.Submission{}
	for _, s := range list {
		if _, ok := out[s.DraftID]; !ok && s.DraftID != "" {
			out[s.DraftID] = s
		}
	}
	return out, nil
}

// statusNS keeps the last bulk submit's rows that never reached the
// outbox (blocked, error), which the outbox itself does not record.
const statusNS = "batch_status"

// RecordStore is where bulk submit remembers the rows the outbox never saw.
type RecordStore interface {
	PutRecord(ns, key string, value []byte) error
	GetRecord(ns, key string) ([]byte, error)
}

func savedRows(st RecordStore, b *Batch) map[string]RowStatus {
	out := map[string]RowStatus{}
	data, err := st.GetRecord(statusNS, b.ID)
	if err != nil {
		return out
	}
	var rows []RowStatus
	if json.Unmarshal(data, &rows) == nil {
		for _, r := range rows {
			out[r.DraftID] = r
		}
	}
	return out
}

// Statuses reads where every filing of the batch stands, changing nothing:
// the outbox's state when the filing reached it, else the last bulk
// submit's verdict (blocked, error), else not sent.
func Statuses(st RecordStore, ob Outbox, b *Batch) ([]RowStatus, error) {
	last, err := latest(ob)
	if err != nil {
		return nil, err
	}
	saved := savedRows(st, b)
	out := make([]RowStatus, len(b.Filings))
	for i, m := range b.Filings {
		out[i] = RowStatus{Key: m.Key, DraftID: m.DraftID, State: StateNotSent}
		if r, ok := saved[m.DraftID]; ok && (r.State == StateBlocked || r.State == StateError) {
			out[i] = r
		}
		if s, ok := last[m.DraftID]; ok {
			out[i] = RowStatus{Key: m.Key, DraftID: m.DraftID}
			out[i].State, out[i].SubmissionID = string(s.State), s.ID
			if s.Error != nil {
				out[i].ZH, out[i].EN = s.Error.Message("zh"), s.Error.Message("en")
			}
		}
	}
	return out, nil
}

// SubmitOptions say how bulk submit treats the rows.
type SubmitOptions struct {
	// OnlyFailed acts only on failed rows (RowStatus.Failed).
	OnlyFailed bool
	// AcceptWarnings acknowledges every scan warning the readiness gate
	// lists to confirm, in the draft (saved), before submitting it.
	AcceptWarnings bool
	// Now stamps the acknowledgements; nil means time.Now.
	Now func() time.Time
}

// SubmitAll is Submit with only onlyFailed set.
func SubmitAll(st *store.Store, ob Outbox, b *Batch, onlyFailed bool) ([]RowStatus, error) {
	return Submit(st, ob, b, SubmitOptions{OnlyFailed: onlyFailed})
}

// Submit hands every filing of the batch to the outbox, except those
// with a submission already pending or accepted (the outbox keeps one
// pending submission per draft, and an accepted one must not be sent
// twice; a filing with the same content as one the backend received, from
// a sheet imported again, is reported with that submission, not sent). A filing the readiness gate refuses is reported blocked with
// its reasons and not queued. With OnlyFailed it acts only on failed rows
// (RowStatus.Failed): held submissions are retried under their key,
// blocked, refused and cancelled ones are submitted again from the
// (fixed) draft. One row's failure never stops the others.
func Submit(st *store.Store, ob Outbox, b *Batch, opt SubmitOptions) ([]RowStatus, error) {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	onlyFailed := opt.OnlyFailed
	before, err := Statuses(st, ob, b)
	if err != nil {
		return nil, err
	}
	out := make([]RowStatus, len(before))
	for i, r := range before {
		out[i] = r
		switch {
		case r.State == string(submit.Held):
			if onlyFailed {
				if err := ob.Retry(r.SubmissionID); err != nil {
					out[i].State, out[i].ZH, out[i].EN = StateError, messageOf(err, "zh"), messageOf(err, "en")
				} else {
					out[i].State = string(submit.Queued)
				}
			}
			continue
		case r.State == string(submit.Queued), r.State == string(submit.Sending),
			r.State == string(submit.Accepted), r.State == string(submit.Approved):
			continue
		case r.State == string(submit.Rejected):
			out[i].ZH, out[i].EN = "管局已驳回：请在向导中打开修订稿修改后再提交。", "rejected by the bureau: open the new revision in the wizard, fix it and submit that"
			continue
		case onlyFailed && r.State == StateNotSent:
			continue
		}
		out[i] = submitOne(st, ob, b.Filings[i], opt)
	}
	data, err := json.Marshal(out)
	if err != nil {
		return out, err
	}
	return out, st.PutRecord(statusNS, b.ID, data)
}

func submitOne(st *store.Store, ob Outbox, m Member, opt SubmitOptions) RowStatus {
	r := RowStatus{Key: m.Key, DraftID: m.DraftID}
	app, _, err := st.LoadDraft(m.DraftID)
	if err != nil {
		r.State, r.ZH, r.EN = StateError, messageOf(err, "zh"), messageOf(err, "en")
		return r
	}
	if opt.AcceptWarnings {
		if ready := ob.Assess(app); len(ready.ToConfirm) > 0 {
			now := opt.Now()
			for _, f := range ready.ToConfirm {
				app.Acknowledge(f, true, now)
			}
			// Kept with the filing, as the window keeps its ticks.
			if _, err := st.SaveDraft(app); err != nil {
				r.State, r.ZH, r.EN = StateError, messageOf(err, "zh"), messageOf(err, "en")
				return r
			}
		}
	}
	s, err := ob.Submit(app)
	var be *submit.BlockedError
	var as *submit.AlreadySubmittedError
	switch {
	case errors.As(err, &as):
		// The same filing (imported again, under another draft) already
		// reached the backend: it is not sent twice; the row shows that one.
		r.State, r.SubmissionID = string(as.Submission.State), as.Submission.ID
		r.ZH, r.EN = as.Message("zh"), as.Message("en")
	case errors.As(err, &be):
		rd := be.Readiness
		r.State, r.Findings = StateBlocked, be.Findings
		r.Blocking, r.ToConfirm, r.Checking = len(rd.Blocking), len(rd.ToConfirm), len(rd.Checking)
		r.ZH, r.EN = be.Message("zh"), be.Message("en")
	case err != nil:
		r.State, r.ZH, r.EN = StateError, messageOf(err, "zh"), messageOf(err, "en")
	default:
		r.State, r.SubmissionID = string(s.State), s.ID
	}
	return r
}

// messageOf is an error's text in a language when it has one; errors of
// the store and the outbox never carry personal data.
func messageOf(err error, lang string) string {
	var m interface{ Message(string) string }
	if errors.As(err, &m) {
		return m.Message(lang)
	}
	return err.Error()
}

// StateLabel names a row state for a person.
func StateLabel(state, lang string) string {
	zh, en := "", ""
	switch state {
	case StateNotSent:
		zh, en = "未提交", "not sent"
	case StateBlocked:
		zh, en = "有阻断问题", "blocked"
	case StateError:
		zh, en = "出错", "error"
	default:
		return submit.State(state).Label(lang)
	}
	if lang == "en" {
		return en
	}
	return zh
}

// OpenFilings says, from the rows' submission states, which filings are
// still open for the rule on one certificate in two open filings: all but
// those whose review ended (approved, rejected) or that were cancelled.
func OpenFilings(rows []RowStatus) func(i int) bool {
	return func(i int) bool {
		if i >= len(rows) {
			return true
		}
		switch rows[i].State {
		case string(submit.Approved), string(submit.Rejected), string(submit.Cancelled):
			return false
		}
		return true
	}
}

package submit

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/icpfiling/icpfiling/filing"
	"github.com/icpfiling/icpfiling/filing/backend/api"
	"github.com/icpfiling/icpfiling/filing/store"
)

// Store is what the outbox needs from the drafts store; *store.Store has
// all of it.
type Store interface {
	PutRecord(ns, key string, value []byte) error
	GetRecord(ns, key string) ([]byte, error)
	DeleteRecord(ns, key string) error
	ListRecords(ns string) (map[string][]byte, error)
	PutSecret(name string, v filing.Secret) error
	GetSecret(name string) (filing.Secret, error)
	DeleteSecret(name string) error
	AttachmentPath(sha256hex string) string
	VerifyAttachment(a filing.Attachment) error
	// The drafts, for the editable revision of a rejected filing.
	LoadDraft(id string) (*filing.Application, store.DraftInfo, error)
	NewDraft(app *filing.Application) (store.DraftInfo, error)
}

// Namespace of submission records in the store.
const namespace = "outbox"

// State is where a submission stands on this machine.
type State string

const (
	// Queued: waiting to be sent, now or after a backoff.
	Queued State = "queued"
	// Sending: an attempt is on the wire. A record found in this state
	// after a restart is sent again under the same key.
	Sending State = "sending"
	// Held: waiting for the person (the token was refused, the
	// certificate is not trusted, a file is gone, the passwords are needed
	// again, or it gave up after many attempts). Retry resumes it.
	Held State = "held"
	// Refused: the backend answered that the filing cannot be accepted as
	// it is (Findings say where). Fix the draft and submit it again.
	Refused State = "refused"
	// Accepted: the backend stored it; the review is under way and polled.
	Accepted State = "accepted"
	// Approved: the review ended well.
	Approved State = "approved"
	// Rejected: the review ended in a 驳回; the reasons are on the last
	// timeline entry, verbatim, and NewRevision makes an editable copy.
	Rejected State = "rejected"
	// Cancelled by the person before the backend accepted it.
	Cancelled State = "cancelled"
)

var stateNames = map[State][2]string{
	Queued: {"排队待发送", "Queued"}, Sending: {"发送中", "Sending"}, Held: {"等待处理", "Needs attention"},
	Refused: {"被后台退回", "Refused by the backend"}, Accepted: {"审核中", "Under review"},
	Approved: {"已通过", "Approved"}, Rejected: {"已驳回", "Rejected"}, Cancelled: {"已取消", "Cancelled"},
}

// Label is the state as a person reads it.
func (s State) Label(lang string) string {
	n, ok := stateNames[s]
	if !ok {
		return string(s)
	}
	if lang == "en" {
		return n[1]
	}
	return n[0]
}

// Pending says whether the submission has not yet reached the backend and
// can still be cancelled.
func (s State) Pending() bool { return s == Queued || s == Sending || s == Held }

// Submission is one filing handed to the outbox: the record in the store.
type Submission struct {
	// ID is also the Idempotency-Key: made when the person pressed Submit
	// and saved before the first byte was sent.
	ID        string    `json:"id"`
	DraftID   string    `json:"draft_id,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	State     State     `json:"state"`
	// Attempts counts sending rounds (each may include quick retries).
	Attempts      int       `json:"attempts"`
	NextAttemptAt time.Time `json:"next_attempt_at,omitzero"`
	// Error is the latest problem, in both languages, when there is one.
	Error *api.Problem `json:"error,omitempty"`
	// Findings are the backend's field errors (a 422), for the wizard.
	Findings []filing.Finding `json:"findings,omitempty"`

	Backend    string               `json:"backend,omitempty"`
	RemoteID   string               `json:"remote_id,omitempty"`
	ReceivedAt time.Time            `json:"received_at,omitzero"`
	Status     filing.Status        `json:"status,omitempty"`
	Timeline   []filing.StatusEvent `json:"timeline,omitempty"`
	// NextPollAt is when the worker next reads the status of a filing under
	// review (Accepted); CheckedAt is when the backend's status was last
	// read successfully (the acceptance counts, and so does Refresh).
	NextPollAt time.Time `json:"next_poll_at,omitzero"`
	CheckedAt  time.Time `json:"checked_at,omitzero"`

	// Application is the filing as sent, secrets masked.
	Application json.RawMessage `json:"application,omitempty"`
	// Fingerprint identifies the filing's content whatever draft, file or
	// bundle it came from (Fingerprint); empty in records made before it
	// was kept, which compute it from Application.
	Fingerprint string `json:"fingerprint,omitempty"`
	Size        int64  `json:"size"`
	// NewRevision is the draft made from a rejected filing, once made.
	NewRevision string `json:"new_revision,omitempty"`
}

// Reasons are the rejection's reasons, verbatim, when it was rejected.
func (s *Submission) Reasons() []string {
	if s.State != Rejected || len(s.Timeline) == 0 {
		return nil
	}
	return s.Timeline[len(s.Timeline)-1].Reasons
}

// Options configure an Outbox. Zero values are sensible for the app;
// tests shorten the timings.
type Options struct {
	// Client is the configured backend; nil until one is configured, and
	// then nothing is sent: filings wait in the outbox.
	Client *Client
	// Pack, Now and Scans gate Submit (filing.Assess): a filing with a
	// blocking finding, a failing scan, a scan not checked or a warning not
	// acknowledged is refused before it is queued. Pack nil means
	// filing.DefaultPack(). Scans nil means no scan can be judged, so a
	// filing with any file is refused: nothing is sent unchecked.
	Pack  *filing.Pack
	Now   func() time.Time
	Scans ScanJudge
	// CurrentPack, when set, is the pack in use at each Submit (it follows
	// rule-pack updates); Pack is used without it.
	CurrentPack func() *filing.Pack
	// Concurrency is how many uploads run at once; 0 means 2.
	Concurrency int
	// ProbeWait bounds how long the first upload after a start or a
	// failure goes alone (one request, not one per slot, against a wrong
	// token or a dead backend): a probe with no answer after this long
	// no longer holds the others back, so one filing whose answer hangs
	// does not stop the batch. 0 means 10 s.
	ProbeWait time.Duration
	// BackoffBase and BackoffMax bound the wait between sending rounds
	// while the backend is unreachable or busy (0 means 5 s and 10 min);
	// the wait doubles per failure, with jitter.
	BackoffBase, BackoffMax time.Duration
	// PollInterval is how often an accepted filing's status is read; 0
	// means 10 minutes.
	PollInterval time.Duration
	// MaxAttempts holds a submission for the person after this many
	// failed rounds; 0 means 200 (days of retrying at the maximum backoff).
	MaxAttempts int
	// OnChange is called after every change of a submission's record.
	OnChange func(Submission)
	// OnProgress is called as an upload's bytes go out.
	OnProgress func(id string, p Progress)
	// Logger gets one line per event; it never gets personal data.
	Logger *slog.Logger

	// Status polling (issue 13). PollInterval above is how often a filing
	// under review is polled while Run runs (default 10 minutes).
	// StartPollDelay is how soon after Run starts every filing still under
	// review (Accepted: neither approved nor rejected) is polled, whatever
	// its record's NextPollAt says, so that a status that moved while the
	// app was closed shows at once; 0 means 2 s, negative means at the
	// worker's first look.
	StartPollDelay time.Duration
}

// Outbox keeps submissions in the store and, while Run runs, sends them
// and follows their review. Its methods are safe for concurrent use.
type Outbox struct {
	st  Store
	opt Options

	mu        sync.Mutex // guards the fields below and every read-modify-write of a record
	client    *Client
	inflight  map[string]context.CancelFunc
	cancelled map[string]bool
	// memSecrets keeps the passwords of submissions whose store cannot hold
	// secrets (no passphrase): they last as long as the process.
	memSecrets map[string][2]filing.Secret
	// hold stops every send and poll until the settings change: the token
	// or the certificate was refused, and retrying would only repeat it.
	hold *api.Problem
	// pausedUntil and failures are the shared backoff while the backend
	// is unreachable, so fifty queued filings do not each knock.
	pausedUntil time.Time
	failures    int
	lastFailure *api.Problem
	// verified is set once the backend accepted something with the current
	// settings; until then one upload goes at a time, so a wrong token or
	// a dead backend costs one request, not one per slot.
	verified bool
	sending  int
	// probeSince is when the upload that goes alone while !verified started.
	probeSince time.Time

	kick chan struct{}
	// index mirrors what the worker needs of every record, so a dispatch
	// does not read the whole outbox from the store (an agency's outbox
	// keeps hundreds of finished submissions). nil until first loaded.
	index map[string]entry
	// watchers follow single submissions for SubmitAndWait.
	wmu      sync.Mutex
	watchers map[string][]*watcher
	// revMu makes NewRevision create one draft per submission even when
	// the worker and the GUI call it together.
	revMu sync.Mutex
	// submitMu makes the look for an earlier submission of the same filing
	// and the making of a new one one step, so two Submits of one draft at
	// once make one record.
	submitMu sync.Mutex
}

// NewOutbox opens the outbox kept in st.
func NewOutbox(st Store, opt Options) *Outbox {
	if opt.Pack == nil {
		opt.Pack = filing.DefaultPack()
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Concurrency <= 0 {
		opt.Concurrency = 2
	}
	if opt.ProbeWait <= 0 {
		opt.ProbeWait = 10 * time.Second
	}
	if opt.BackoffBase <= 0 {
		opt.BackoffBase = 5 * time.Second
	}
	if opt.BackoffMax <= 0 {
		opt.BackoffMax = 10 * time.Minute
	}
	if opt.BackoffMax < opt.BackoffBase {
		opt.BackoffMax = opt.BackoffBase
	}
	if opt.PollInterval <= 0 {
		opt.PollInterval = 10 * time.Minute
	}
	if opt.MaxAttempts <= 0 {
		opt.MaxAttempts = 200
	}
	switch {
	case opt.StartPollDelay == 0:
		opt.StartPollDelay = 2 * time.Second
	case opt.StartPollDelay < 0:
		opt.StartPollDelay = 0
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	return &Outbox{st: st, opt: opt, client: opt.Client, inflight: map[string]context.CancelFunc{},
		cancelled: map[string]bool{}, memSecrets: map[string][2]filing.Secret{}, kick: make(chan struct{}, 1)}
}

// SetClient changes the backend settings (nil: none configured). It lifts a
// hold caused by the old token or certificate and wakes the worker.
func (o *Outbox) SetClient(c *Client) {
	o.mu.Lock()
	o.client = c
	o.hold = nil
	o.pausedUntil = time.Time{}
	o.failures = 0
	o.verified = false
	o.mu.Unlock()
	o.Kick()
}

// Hold is the problem that stops all sending until the settings change,
// or nil.
func (o *Outbox) Hold() *api.Problem {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.hold
}

// Kick wakes the worker now instead of at its next timer.
func (o *Outbox) Kick() {
	select {
	case o.kick <- struct{}{}:
	default:
	}
}

// ScanJudge gives the check report of every file a filing would send
// (scans.Checker), kept or made now.
type ScanJudge interface {
	Results(app *filing.Application, asOf time.Time) []filing.ScanResult
}

// BlockedError is a filing the readiness gate does not let through;
// Findings are its reasons (filing.Readiness.Reasons), blockers first.
type BlockedError struct {
	Findings  []filing.Finding
	Readiness filing.Readiness
}

func (e *BlockedError) Error() string {
	r := e.Readiness
	return fmt.Sprintf("the filing is not ready: %d blocking, %d warnings to acknowledge, %d files not checked", len(r.Blocking), len(r.ToConfirm), len(r.Checking))
}

// Message is the text in "zh" or "en".
func (e *BlockedError) Message(lang string) string {
	r := e.Readiness
	var zh, en []string
	if n := len(r.Blocking); n > 0 {
		zh = append(zh, fmt.Sprintf("%d 处阻断问题须先修改", n))
		en = append(en, plural(n, "blocking problem must be fixed", "blocking problems must be fixed"))
	}
	if n := len(r.ToConfirm); n > 0 {
		zh = append(zh, fmt.Sprintf("%d 条扫描件警告须逐条确认", n))
		en = append(en, plural(n, "scan warning must be acknowledged", "scan warnings must be acknowledged"))
	}
	if n := len(r.Checking); n > 0 {
		zh = append(zh, fmt.Sprintf("%d 个文件尚未检查完毕", n))
		en = append(en, plural(n, "file has not been checked yet", "files have not been checked yet"))
	}
	if lang == "en" {
		return "not submitted: " + strings.Join(en, "; ") + "."
	}
	return "未提交：" + strings.Join(zh, "；") + "。"
}

// plural is "1 thing" or "n things".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// Assess is the readiness gate for app as Submit applies it.
func (o *Outbox) Assess(app *filing.Application) filing.Readiness {
	now := o.opt.Now()
	var results []filing.ScanResult
	if o.opt.Scans != nil {
		results = o.opt.Scans.Results(app, now)
	}
	pack := o.opt.Pack
	if o.opt.CurrentPack != nil {
		pack = o.opt.CurrentPack()
	}
	return filing.Assess(app, pack, now, nil, nil, results)
}

// AlreadySubmittedError: the filing (the same draft, or a draft, file or
// bundle with the same content) already reached the backend, which keeps
// it under Submission.RemoteID; it is not sent again. Resend makes a new
// submission on purpose.
type AlreadySubmittedError struct {
	Submission Submission
}

func (e *AlreadySubmittedError) Error() string {
	return "already submitted as " + e.Submission.ID + " (backend id " + e.Submission.RemoteID + ")"
}

// Message is the text in "zh" or "en", with the receipt.
func (e *AlreadySubmittedError) Message(lang string) string {
	s := e.Submission
	at := s.ReceivedAt.Local().Format("2006-01-02 15:04:05")
	if lang == "en" {
		return fmt.Sprintf("already submitted (%s): the backend received it on %s as %s; it was not sent again.", s.State.Label("en"), at, s.RemoteID)
	}
	return fmt.Sprintf("已提交过（%s）：备案后台于 %s 收到，后台编号 %s；未再次发送。", s.State.Label("zh"), at, s.RemoteID)
}

// delivered says whether a submission reached the backend (and so must
// not be sent again unless on purpose).
func delivered(st State) bool { return st == Accepted || st == Approved || st == Rejected }

// Delivered is the newest submission of the same filing (app's draft, or
// the same content under any draft or none) that reached the backend,
// unless one of it is still pending: then that one is what goes out.
func (o *Outbox) Delivered(app *filing.Application) (Submission, bool) {
	snap, err := Snapshot(app)
	if err != nil {
		return Submission{}, false
	}
	if _, ok := o.pendingFor(app.ID, snap); ok {
		return Submission{}, false
	}
	return o.deliveredFor(app.ID, Fingerprint(snap))
}

func (o *Outbox) deliveredFor(draftID, fp string) (Submission, bool) {
	subs, err := o.List() // newest first
	if err != nil {
		return Submission{}, false
	}
	for _, s := range subs {
		if delivered(s.State) && (draftID != "" && s.DraftID == draftID || fp != "" && s.fingerprint() == fp) {
			return s, true
		}
	}
	return Submission{}, false
}

func (s *Submission) fingerprint() string {
	if s.Fingerprint == "" {
		s.Fingerprint = Fingerprint(s.Application)
	}
	return s.Fingerprint
}

// Fingerprint identifies a filing by its content: the SHA-256 of its
// snapshot without what differs between copies of one filing (the draft
// id, the review's timeline, which warnings were acknowledged when, the
// masked secrets). A draft, the file it was exported to and the bundle
// it travelled in have the same fingerprint. Empty for what is not an
// application.
func Fingerprint(snap []byte) string {
	var m map[string]any
	if json.Unmarshal(snap, &m) != nil || m == nil {
		return ""
	}
	for _, k := range []string{"id", "timeline", "acknowledgements", "filing_password"} {
		delete(m, k)
	}
	if p, ok := m["product"].(map[string]any); ok {
		delete(p, "console_password")
	}
	b, err := json.Marshal(m) // map keys sorted: a canonical form
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Submit is the Submit button: it checks the filing (Validate must find
// no blocker, every attachment must still be the file that was added),
// makes the idempotency key and commits the record before anything is
// sent. The worker sends it when a backend is configured and reachable.
// app.ID, the draft's id, is kept as the submission's DraftID.
//
// A filing is submitted once: while a submission of it is pending, that
// one is returned (same key); once one reached the backend, Submit
// returns *AlreadySubmittedError with it. Resend is the deliberate new
// submission.
func (o *Outbox) Submit(app *filing.Application) (Submission, error) {
	return o.submit(app, false)
}

// Resend is Submit for a filing that reached the backend before and is
// sent again on purpose (changed after it was accepted, or rejected): a
// new submission under a new key. A pending submission of it is still
// reused rather than doubled.
func (o *Outbox) Resend(app *filing.Application) (Submission, error) {
	return o.submit(app, true)
}

func (o *Outbox) submit(app *filing.Application, resend bool) (Submission, error) {
	o.submitMu.Lock()
	defer o.submitMu.Unlock()
	if r := o.Assess(app); !r.Sendable() {
		return Submission{}, &BlockedError{Findings: r.Reasons(), Readiness: r}
	}
	var size int64
	for _, e := range api.Manifest(app) {
		if err := o.st.VerifyAttachment(e.Attachment); err != nil {
			return Submission{}, &FileError{Field: e.Field, Name: e.OriginalName, Err: err}
		}
		size += e.Size
	}
	snap, err := Snapshot(app)
	if err != nil {
		return Submission{}, err
	}
	fp := Fingerprint(snap)
	// Pressing Submit again on a draft whose submission has not gone
	// through must not make a second filing: the same content reuses the
	// pending record (and its idempotency key); changed content replaces
	// a record that is only waiting; one already on its way is kept.
	if prev, ok := o.pendingFor(app.ID, snap); ok {
		if prev.State == Sending || sameContent(prev.Application, snap) || prev.fingerprint() == fp {
			// Pressing Submit again is asking to try again now, and the
			// passwords given with it are the ones a held record waits
			// for (`submit FILE.json` after a restart without a store
			// passphrase).
			if prev.State == Held || prev.State == Queued {
				var err error
				if app.FilingPassword.IsSet() {
					err = o.ProvideSecrets(prev.ID, app.FilingPassword, app.Product.ConsolePassword)
				} else {
					err = o.Retry(prev.ID)
				}
				if err != nil {
					return Submission{}, err
				}
				return o.Get(prev.ID)
			}
			if prev.State == Sending && app.FilingPassword.IsSet() {
				// Left on the wire by a run that was killed: this run sends it
				// again under its key (Run's recover), with these passwords
				// if the store could not keep them.
				o.keepSecrets(prev.ID, app.FilingPassword, app.Product.ConsolePassword)
			}
			return prev, nil
		}
		if err := o.Cancel(prev.ID); err != nil && !errors.Is(err, ErrNotPending) {
			return Submission{}, err
		}
	}
	if !resend {
		if prev, ok := o.deliveredFor(app.ID, fp); ok {
			return prev, &AlreadySubmittedError{Submission: prev}
		}
	}
	now := o.opt.Now()
	sub := Submission{ID: NewIdempotencyKey(), DraftID: app.ID, CreatedAt: now, UpdatedAt: now,
		State: Queued, Application: snap, Size: size, Fingerprint: fp}
	// The secrets first: a record that exists must be sendable.
	o.keepSecrets(sub.ID, app.FilingPassword, app.Product.ConsolePassword)
	if err := o.put(&sub); err != nil {
		o.forgetSecrets(sub.ID)
		return Submission{}, err
	}
	o.opt.Logger.Info("submission queued", "id", sub.ID, "bytes", size)
	o.Kick()
	return sub, nil
}

// pendingFor is the submission of the same filing that has not gone
// through yet: the draft's, or one of the same content (Fingerprint) from
// any draft or none: an input file given to `submit` again, or a bundle
// imported again as new drafts after an interrupted run.
func (o *Outbox) pendingFor(draftID string, snap []byte) (Submission, bool) {
	subs, err := o.List()
	if err != nil {
		return Submission{}, false
	}
	fp := Fingerprint(snap)
	for _, s := range subs {
		if !s.State.Pending() {
			continue
		}
		if draftID != "" && s.DraftID == draftID || draftID == "" && s.DraftID == "" && sameContent(s.Application, snap) ||
			fp != "" && s.fingerprint() == fp {
			return s, true
		}
	}
	return Submission{}, false
}

// sameContent says whether two snapshots are the same filing. When the
// warnings were acknowledged are not part of it: `submit --accept-warnings
// FILE.json` acknowledges them anew on every run.
func sameContent(a, b []byte) bool {
	if bytes.Equal(a, b) {
		return true
	}
	na, nb := withoutAckTimes(a), withoutAckTimes(b)
	return na != nil && bytes.Equal(na, nb)
}

func withoutAckTimes(snap []byte) []byte {
	var m map[string]any
	if json.Unmarshal(snap, &m) != nil {
		return nil
	}
	if acks, ok := m["acknowledgements"].([]any); ok {
		for _, k := range acks {
			if km, ok := k.(map[string]any); ok {
				delete(km, "at")
			}
		}
	}
	out, err := json.Marshal(m)
	if err != nil {
		return nil
	}
	return out
}

func secretName(id, which string) string { return "outbox/" + id + "/" + which }

func (o *Outbox) keepSecrets(id string, fp, cp filing.Secret) {
	o.mu.Lock()
	o.memSecrets[id] = [2]filing.Secret{fp, cp}
	o.mu.Unlock()
	// Persisted only where the store can encrypt them (a passphrase is
	// set); otherwise they live in memory and a restart asks again.
	if o.st.PutSecret(secretName(id, "filing_password"), fp) == nil && cp.IsSet() {
		_ = o.st.PutSecret(secretName(id, "console_password"), cp)
	}
}

func (o *Outbox) secrets(id string) (fp, cp filing.Secret, ok bool) {
	o.mu.Lock()
	s, ok := o.memSecrets[id]
	o.mu.Unlock()
	if ok {
		return s[0], s[1], true
	}
	fp, err := o.st.GetSecret(secretName(id, "filing_password"))
	if err != nil || !fp.IsSet() {
		return filing.Secret{}, filing.Secret{}, false
	}
	cp, _ = o.st.GetSecret(secretName(id, "console_password"))
	return fp, cp, true
}

func (o *Outbox) forgetSecrets(id string) {
	o.mu.Lock()
	delete(o.memSecrets, id)
	o.mu.Unlock()
	_ = o.st.DeleteSecret(secretName(id, "filing_password"))
	_ = o.st.DeleteSecret(secretName(id, "console_password"))
}

// ProvideSecrets gives the passwords again for a submission held because
// they were not kept (a restart without a store passphrase), and resumes it.
func (o *Outbox) ProvideSecrets(id string, filingPassword, consolePassword filing.Secret) error {
	if !filingPassword.IsSet() {
		return &api.Problem{Code: api.CodeSecretMissing, Field: "filing_password",
			ZH: "请输入工信部备案密码。", EN: "enter the MIIT filing password"}
	}
	o.keepSecrets(id, filingPassword, consolePassword)
	return o.Retry(id)
}

// Get reads one submission.
func (o *Outbox) Get(id string) (Submission, error) {
	b, err := o.st.GetRecord(namespace, id)
	if err != nil {
		return Submission{}, err
	}
	var s Submission
	if err := json.Unmarshal(b, &s); err != nil {
		return Submission{}, err
	}
	return s, nil
}

// Find reads a submission by its ID or by the backend's filing id.
func (o *Outbox) Find(id string) (Submission, error) {
	if s, err := o.Get(id); err == nil {
		return s, nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return Submission{}, err
	}
	all, err := o.List()
	if err != nil {
		return Submission{}, err
	}
	for _, s := range all {
		if s.RemoteID == id {
			return s, nil
		}
	}
	return Submission{}, store.ErrNotFound
}

// List returns every submission, newest first.
func (o *Outbox) List() ([]Submission, error) {
	recs, err := o.st.ListRecords(namespace)
	if err != nil {
		return nil, err
	}
	out := make([]Submission, 0, len(recs))
	for _, b := range recs {
		var s Submission
		if json.Unmarshal(b, &s) == nil {
			out = append(out, s)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].CreatedAt.After(out[j].CreatedAt) })
	return out, nil
}

// ErrNotPending: the submission already reached the backend (or ended),
// so there is nothing left to cancel or retry here.
var ErrNotPending = &api.Problem{Code: "not_pending",
	ZH: "这份提交已送达备案后台或已结束，无法在本机取消或重试。",
	EN: "this submission already reached the backend or has ended; it cannot be cancelled or retried here"}

// Cancel stops a submission that has not reached the backend: a queued or
// held one at once, one on the wire by aborting the upload. If the backend
// had already stored it when the abort arrived, the record says Accepted,
// because that is the truth.
func (o *Outbox) Cancel(id string) error {
	o.mu.Lock()
	s, err := o.Get(id)
	if err != nil {
		o.mu.Unlock()
		return err
	}
	if !s.State.Pending() {
		o.mu.Unlock()
		return ErrNotPending
	}
	o.cancelled[id] = true
	if cancel := o.inflight[id]; cancel != nil {
		cancel()
	}
	s.State = Cancelled
	s.Error = nil
	err = o.putLocked(&s)
	o.mu.Unlock()
	if err != nil {
		return err
	}
	o.forgetSecrets(id)
	o.changed(s)
	return nil
}

// Retry sends a held or queued submission again now, under the same key.
func (o *Outbox) Retry(id string) error {
	o.mu.Lock()
	s, err := o.Get(id)
	if err == nil && s.State != Held && s.State != Queued {
		err = ErrNotPending
	}
	if err == nil {
		s.State, s.NextAttemptAt, s.Error, s.Attempts = Queued, time.Time{}, nil, 0
		// The person asked for it: one more request is not a storm.
		o.pausedUntil, o.failures, o.hold = time.Time{}, 0, nil
		err = o.putLocked(&s)
	}
	o.mu.Unlock()
	if err != nil {
		return err
	}
	o.changed(s)
	o.Kick()
	return nil
}

// Forget removes a finished submission's record (not a pending one: cancel it first).
func (o *Outbox) Forget(id string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	s, err := o.Get(id)
	if err != nil {
		return err
	}
	if s.State.Pending() {
		return &api.Problem{Code: "pending", ZH: "请先取消这份提交。", EN: "cancel the submission first"}
	}
	if err := o.st.DeleteRecord(namespace, id); err != nil {
		return err
	}
	delete(o.index, id)
	return nil
}

// NewRevision makes the editable next revision of a rejected (or refused)
// filing and saves it as a new draft: the application as it was sent, with
// the review's timeline appended, so the rejection and its verbatim reasons
// stay in view while it is fixed. The passwords come from the original
// draft when the store kept them; otherwise the wizard asks for them.
// Calling it again returns the same draft. The worker calls it by itself
// when a poll finds a rejection.
func (o *Outbox) NewRevision(id string) (draftID string, err error) {
	o.revMu.Lock()
	defer o.revMu.Unlock()
	s, err := o.Get(id)
	if err != nil {
		return "", err
	}
	if s.NewRevision != "" {
		return s.NewRevision, nil
	}
	if s.State != Rejected && s.State != Refused {
		return "", &api.Problem{Code: "not_rejected",
			ZH: "只有被驳回或被退回的提交才能生成新的修改版本。", EN: "only a rejected or refused submission can become a new revision"}
	}
	app, err := filing.DecodeApplication(s.Application)
	if err != nil {
		return "", err
	}
	if s.DraftID != "" {
		if orig, _, err := o.st.LoadDraft(s.DraftID); err == nil {
			app.FilingPassword, app.Product.ConsolePassword = orig.FilingPassword, orig.Product.ConsolePassword
		}
	}
	app.Timeline = append(app.Timeline, s.Timeline...)
	info, err := o.st.NewDraft(app)
	if err != nil {
		return "", err
	}
	if err := o.update(id, func(s *Submission) { s.NewRevision = info.ID }); err != nil {
		return "", err
	}
	return info.ID, nil
}

func (o *Outbox) put(s *Submission) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.putLocked(s)
}

func (o *Outbox) putLocked(s *Submission) error {
	s.UpdatedAt = o.opt.Now()
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	if err := o.st.PutRecord(namespace, s.ID, b); err != nil {
		return err
	}
	if o.index != nil {
		o.index[s.ID] = entryOf(s)
	}
	return nil
}

// pollAfterStart brings the next poll of every filing still under review
// forward to StartPollDelay from now; Run calls it as it starts. A record
// due sooner keeps its time.
func (o *Outbox) pollAfterStart() {
	all, err := o.List()
	if err != nil {
		return
	}
	due := o.opt.Now().Add(o.opt.StartPollDelay)
	for _, s := range all {
		if s.State != Accepted || !s.NextPollAt.After(due) {
			continue
		}
		_ = o.update(s.ID, func(s *Submission) {
			if s.State == Accepted && s.NextPollAt.After(due) {
				s.NextPollAt = due
			}
		})
	}
}

// entry is what the worker needs of a record to decide what is due.
type entry struct {
	ID                        string
	State                     State
	CreatedAt                 time.Time
	NextAttemptAt, NextPollAt time.Time
	Backend                   string
}

func entryOf(s *Submission) entry {
	return entry{ID: s.ID, State: s.State, CreatedAt: s.CreatedAt, NextAttemptAt: s.NextAttemptAt,
		NextPollAt: s.NextPollAt, Backend: s.Backend}
}

// entries lists the records that may need work, in the order to try them.
func (o *Outbox) entries() ([]entry, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.index == nil {
		all, err := o.List()
		if err != nil {
			return nil, err
		}
		o.index = make(map[string]entry, len(all))
		for i := range all {
			o.index[all[i].ID] = entryOf(&all[i])
		}
	}
	out := make([]entry, 0, len(o.index))
	for _, e := range o.index {
		if e.State == Queued || e.State == Accepted {
			out = append(out, e)
		}
	}
	// Those never tried or due soonest first, then the oldest: a filing that
	// keeps failing goes to the back instead of blocking the batch.
	sort.Slice(out, func(i, j int) bool {
		if !out[i].NextAttemptAt.Equal(out[j].NextAttemptAt) {
			return out[i].NextAttemptAt.Before(out[j].NextAttemptAt)
		}
		return out[i].CreatedAt.Before(out[j].CreatedAt)
	})
	return out, nil
}

// update applies fn to the stored record and saves it.
func (o *Outbox) update(id string, fn func(*Submission)) error {
	o.mu.Lock()
	s, err := o.Get(id)
	if err == nil {
		fn(&s)
		err = o.putLocked(&s)
	}
	o.mu.Unlock()
	if err == nil {
		o.changed(s)
	}
	return err
}

func (o *Outbox) changed(s Submission) {
	if o.opt.OnChange != nil {
		o.opt.OnChange(s)
	}
	o.wmu.Lock()
	for _, w := range o.watchers[s.ID] {
		// Keep only the latest state: a slow reader skips stale ones.
		select {
		case <-w.ch:
		default:
		}
		w.ch <- s
	}
	o.wmu.Unlock()
}

type watcher struct {
	ch       chan Submission
	progress func(Progress)
}

func (o *Outbox) watch(id string, progress func(Progress)) (*watcher, func()) {
	w := &watcher{ch: make(chan Submission, 1), progress: progress}
	o.wmu.Lock()
	if o.watchers == nil {
		o.watchers = map[string][]*watcher{}
	}
	o.watchers[id] = append(o.watchers[id], w)
	o.wmu.Unlock()
	return w, func() {
		o.wmu.Lock()
		defer o.wmu.Unlock()
		ws := o.watchers[id]
		for i := range ws {
			if ws[i] == w {
				o.watchers[id] = append(ws[:i:i], ws[i+1:]...)
				break
			}
		}
		if len(o.watchers[id]) == 0 {
			delete(o.watchers, id)
		}
	}
}

// notifyWatchers wakes every SubmitAndWait, whose submission may now be
// stuck behind a hold.
func (o *Outbox) notifyWatchers() {
	o.wmu.Lock()
	ids := make([]string, 0, len(o.watchers))
	for id := range o.watchers {
		ids = append(ids, id)
	}
	o.wmu.Unlock()
	for _, id := range ids {
		if s, err := o.Get(id); err == nil {
			o.changed(s)
		}
	}
}

func (o *Outbox) reportProgress(id string, p Progress) {
	if o.opt.OnProgress != nil {
		o.opt.OnProgress(id, p)
	}
	o.wmu.Lock()
	ws := append([]*watcher(nil), o.watchers[id]...)
	o.wmu.Unlock()
	for _, w := range ws {
		if w.progress != nil {
			w.progress(p)
		}
	}
}

// ErrNotConfigured: no backend is set up, so SubmitAndWait cannot wait
// for an answer. Submit still queues.
var ErrNotConfigured = &api.Problem{Code: "not_configured",
	ZH: "尚未设置备案后台：请在设置中填写地址，或导出为 .icpf 文件在其他电脑上提交。",
	EN: "no backend is configured: set its address in the settings, or export a .icpf bundle and submit it elsewhere"}

// QueuedError: the first round did not reach the backend; the filing stays
// in the outbox and goes out by itself when the backend answers.
type QueuedError struct {
	Submission Submission
	// Held: sending is stopped until the settings change (Outbox.Hold).
	Held bool
}

func (e *QueuedError) Error() string { return "queued: " + e.Submission.Error.Error() }

// Message is the text in "zh" or "en".
func (e *QueuedError) Message(lang string) string {
	switch {
	case lang == "en" && e.Held:
		return "Not delivered; it waits in the outbox. " + e.Submission.Error.Message("en")
	case lang == "en":
		return "Not delivered yet; it stays in the outbox and is sent automatically: " + e.Submission.Error.Message("en")
	case e.Held:
		return "尚未送达，已留在发件箱。" + e.Submission.Error.Message("zh")
	}
	return "尚未送达，已留在发件箱，稍后会自动发送：" + e.Submission.Error.Message("zh")
}

// SubmitAndWait is the Submit button for a window that shows the upload:
// Submit, then wait while the worker (Run must be running) sends it,
// reporting progress, until the backend answered or the first round
// failed. Cancelling ctx cancels the submission if it has not arrived.
//
// The result: accepted → the submission and nil; refused with field
// errors → the submission (Findings set) and nil; refused otherwise or
// held → the submission and its problem; not delivered → *QueuedError.
func (o *Outbox) SubmitAndWait(ctx context.Context, app *filing.Application, progress func(Progress)) (Submission, error) {
	return o.submitAndWait(ctx, app, progress, false)
}

// ResendAndWait is SubmitAndWait for a filing sent again on purpose (the
// window's "Submit again" after a rejection): Resend, then wait.
func (o *Outbox) ResendAndWait(ctx context.Context, app *filing.Application, progress func(Progress)) (Submission, error) {
	return o.submitAndWait(ctx, app, progress, true)
}

func (o *Outbox) submitAndWait(ctx context.Context, app *filing.Application, progress func(Progress), resend bool) (Submission, error) {
	o.mu.Lock()
	configured := o.client != nil
	o.mu.Unlock()
	if !configured {
		return Submission{}, ErrNotConfigured
	}
	sub, err := o.submit(app, resend)
	if err != nil {
		return sub, err
	}
	w, stop := o.watch(sub.ID, progress)
	defer stop()
	s, err := o.Get(sub.ID)
	if err != nil {
		return sub, err
	}
	for {
		switch {
		case s.State == Accepted || s.State == Approved || s.State == Rejected:
			return s, nil
		case s.State == Refused && len(s.Findings) > 0:
			return s, nil
		case s.State == Refused || s.State == Held:
			if s.Error == nil {
				return s, &api.Problem{Code: "error", ZH: "提交未完成。", EN: "the submission did not go through"}
			}
			return s, s.Error
		case s.State == Cancelled:
			return s, context.Canceled
		case s.State == Queued && s.Attempts > 0 && s.Error != nil:
			return s, &QueuedError{Submission: s}
		case s.State == Queued:
			// Queued behind a refused token or certificate, or behind an
			// unreachable backend: say so now rather than wait for a turn.
			o.mu.Lock()
			hold, down := o.hold, o.lastFailure
			if o.failures == 0 {
				down = nil
			}
			o.mu.Unlock()
			if hold != nil {
				s.Error = hold
				return s, &QueuedError{Submission: s, Held: true}
			}
			if down != nil {
				s.Error = down
				return s, &QueuedError{Submission: s}
			}
		}
		select {
		case <-ctx.Done():
			if err := o.Cancel(sub.ID); err != nil && !errors.Is(err, ErrNotPending) {
				return s, err
			}
			s, _ = o.Get(sub.ID)
			if s.State == Accepted {
				return s, nil
			}
			return s, ctx.Err()
		case s = <-w.ch:
		}
	}
}

// backoff is the wait after n consecutive failures: doubling from the
// base, capped, with full jitter in its upper half so that many clients
// coming back at once do not hit the backend together.
func (o *Outbox) backoff(n int) time.Duration {
	d := o.opt.BackoffBase
	for i := 1; i < n && d < o.opt.BackoffMax; i++ {
		d *= 2
	}
	d = min(d, o.opt.BackoffMax)
	return d/2 + rand.N(d/2+1)
}

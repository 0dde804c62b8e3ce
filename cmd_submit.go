package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/icpfiling/icpfiling/filing"
	"github.com/icpfiling/icpfiling/filing/bundle"
	"github.com/icpfiling/icpfiling/filing/store"
	"github.com/icpfiling/icpfiling/filing/submit"
)

// submitFlags are the connection flags "submit" and "status" share.
type submitFlags struct {
	backend, tokenFile, caFile, proxy, dataDir, passFile, lang string
}

func (f *submitFlags) register(fs *flag.FlagSet, stderr io.Writer) {
	fs.StringVar(&f.backend, "backend", "", "backend URL (default: the one saved in the app's settings)")
	fs.StringVar(&f.tokenFile, "token-file", "", "file holding the backend's bearer token (default: the saved token)")
	fs.StringVar(&f.caFile, "ca-file", "", "extra root certificate (PEM) for a backend with a private CA")
	fs.StringVar(&f.proxy, "proxy", "", "http(s) proxy URL")
	dataDirFlag(fs, &f.dataDir, "the app's data directory (default: the per-user one)", stderr)
	fs.StringVar(&f.passFile, "passphrase-file", "", "file holding the store passphrase, to use saved passwords and token")
	fs.StringVar(&f.lang, "lang", "zh", "language of the messages: zh or en")
}

func readSecretFile(path string) (filing.Secret, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return filing.Secret{}, err
	}
	return filing.NewSecret(strings.TrimRight(string(b), "\r\n")), nil
}

// open opens the store and builds the client from the saved settings and
// the flags; the client is nil when no backend is known.
func (f *submitFlags) open(stderr io.Writer) (*store.Store, *submit.Client, int) {
	st, code := (&draftsFlags{dataDir: f.dataDir, passFile: f.passFile, lang: f.lang}).open(stderr)
	if st == nil {
		return nil, nil, code
	}
	set, err := submit.LoadSettings(st)
	if err != nil {
		fmt.Fprintln(stderr, message(err, f.lang))
	}
	if f.backend != "" {
		set.URL = f.backend
	}
	if f.caFile != "" {
		set.CAFile = f.caFile
	}
	if f.proxy != "" {
		set.Proxy = f.proxy
	}
	if f.tokenFile != "" {
		tok, err := readSecretFile(f.tokenFile)
		if err != nil {
			_ = st.Close()
			fmt.Fprintln(stderr, pick(f.lang, "无法读取令牌文件：", "cannot read the token file: ")+err.Error())
			return nil, nil, exitUnreadable
		}
		set.Token = filing.NewSecret(strings.TrimSpace(tok.Reveal()))
	}
	if !set.Configured() {
		return st, nil, exitClean
	}
	cfg, err := set.Config()
	var c *submit.Client
	if err == nil {
		c, err = submit.NewClient(cfg)
	}
	if err != nil {
		_ = st.Close()
		fmt.Fprintln(stderr, message(err, f.lang))
		return nil, nil, exitUnreadable
	}
	return st, c, exitClean
}

func cmdSubmit(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return runSubmit(ctx, args, stdout, stderr)
}

func runSubmit(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("icpfiling submit", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var f submitFlags
	f.register(fs, stderr)
	draft := fs.String("draft", "", "submit this saved draft")
	resend := fs.Bool("resend", false, "send again a filing the backend already received (after a change or a rejection): a new submission")
	bundlePass := fs.String("bundle-passphrase-file", "", "file holding the passphrase of a .icpf bundle's sealed passwords")
	asJSON := fs.Bool("json", false, "print the outcome as JSON")
	acceptWarnings := fs.Bool("accept-warnings", false, "acknowledge every warning of the scans and the photo (kept with a draft) and submit anyway")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: icpfiling submit FILE.icpf|FILE.json|--draft ID [--accept-warnings] [--resend] [--backend URL] [--token-file F] [--ca-file F] [--proxy URL] [--data-dir DIR] [--passphrase-file F] [--bundle-passphrase-file F] [--json] [--lang zh|en]")
		fs.PrintDefaults()
	}
	files, code, ok := parseArgs(fs, args, &f.lang, stderr)
	if !ok {
		return code
	}
	if (len(files) == 1) == (*draft != "") || len(files) > 1 {
		fs.Usage()
		return exitUnreadable
	}
	st, client, code := f.open(stderr)
	if code != exitClean {
		return code
	}
	defer st.Close()
	if client == nil {
		fmt.Fprintln(stderr, pick(f.lang, "未指定备案后台：请用 --backend URL，或先在程序设置中填写。",
			"no backend: pass --backend URL or set one in the app's settings"))
		return exitUnreadable
	}

	// apps are the filings to submit; drafts says which are kept on this
	// machine as drafts, which keep their acknowledged warnings.
	var apps []*filing.Application
	var drafts []bool
	switch {
	case *draft != "":
		app, _, err := st.LoadDraft(*draft)
		if err != nil {
			fmt.Fprintln(stderr, message(err, f.lang))
			return exitUnreadable
		}
		apps, drafts = append(apps, app), append(drafts, true)
	case strings.HasSuffix(strings.ToLower(files[0]), bundle.Ext):
		opts := bundle.ImportOptions{}
		if *bundlePass != "" {
			p, err := readSecretFile(*bundlePass)
			if err != nil {
				fmt.Fprintln(stderr, pick(f.lang, "无法读取口令文件：", "cannot read the passphrase file: ")+err.Error())
				return exitUnreadable
			}
			opts.SecretsPassphrase = p
		}
		// Imported as drafts first: what is submitted is what this machine keeps.
		b, closer, err := bundle.ReadFile(files[0], bundle.DefaultLimits)
		if err != nil {
			fmt.Fprintf(stderr, "%s: %s\n", term(files[0]), message(err, f.lang))
			return exitUnreadable
		}
		defer closer.Close()
		if refuseBundleControls(b, files[0], f.lang, stderr) {
			return exitUnreadable
		}
		res, err := b.Import(st, opts)
		if err != nil {
			fmt.Fprintf(stderr, "%s: %s\n", term(files[0]), message(err, f.lang))
			return exitUnreadable
		}
		if res.SecretsSkipped {
			fmt.Fprintln(stderr, pick(f.lang, "注意：包中的密码未导入（未提供 --bundle-passphrase-file）。",
				"note: the bundle's passwords were not imported (no --bundle-passphrase-file)."))
		}
		for _, d := range res.Drafts {
			app, _, err := st.LoadDraft(d.ID)
			if err != nil {
				fmt.Fprintln(stderr, message(err, f.lang))
				return exitUnreadable
			}
			// The bundle's passwords reach the draft only when the store can
			// keep them (--passphrase-file); otherwise Validate names them missing.
			apps, drafts = append(apps, app), append(drafts, true)
		}
	default:
		data, err := os.ReadFile(files[0])
		if err != nil {
			fmt.Fprintf(stderr, "%s: %s\n", files[0], pick(f.lang, "无法读取文件："+err.Error(), "cannot read the file: "+err.Error()))
			return exitUnreadable
		}
		app, err := filing.DecodeApplication(data)
		if err != nil {
			fmt.Fprintf(stderr, "%s: %s\n", term(files[0]), message(err, f.lang))
			return exitUnreadable
		}
		// Not a draft: its acknowledgements last for this submission.
		// Given with the MIIT password, it also completes a submission
		// of the same filing held for that password (Outbox.Submit).
		apps, drafts = append(apps, app), append(drafts, false)
	}

	var mu sync.Mutex
	lastShown := map[string]int64{}
	pack := packInUse(st, f.lang, stderr) // the rules in use in this data directory, as the window's gate
	o := submit.NewOutbox(st, submit.Options{Client: client, Pack: pack, Scans: scanChecker(st, fixedPack(pack)),
		OnProgress: func(id string, p submit.Progress) {
			if p.Total == 0 {
				return
			}
			mu.Lock()
			defer mu.Unlock()
			pct := p.Sent * 100 / p.Total
			if pct/10 != lastShown[id]/10 || p.Sent == p.Total {
				lastShown[id] = pct
				fmt.Fprintf(stderr, "%s  %3d%%  %s / %s\n", id, pct, mib(p.Sent), mib(p.Total))
			}
		}})
	// A filing the backend already received is not sent again (unless
	// --resend): its receipt is shown instead, and it needs no gate.
	var already []submit.Submission
	if !*resend {
		var fresh []*filing.Application
		var freshDrafts []bool
		for i, app := range apps {
			if s, ok := o.Delivered(app); ok {
				already = append(already, s)
				continue
			}
			fresh, freshDrafts = append(fresh, app), append(freshDrafts, drafts[i])
		}
		apps, drafts = fresh, freshDrafts
	}
	// The readiness gate, for every filing before any is queued: a
	// bundle goes whole or not at all, and nothing refused is sent.
	var refused []refusal
	for i, app := range apps {
		r, err := gate(st, o, app, drafts[i], *acceptWarnings, time.Now())
		if err != nil {
			fmt.Fprintln(stderr, message(err, f.lang))
			return exitUnreadable
		}
		if !r.Sendable() {
			refused = append(refused, newRefusal(app.ID, r))
		}
	}
	if len(refused) > 0 {
		if *asJSON {
			writeRefusalsJSON(stdout, refused)
		}
		for _, rf := range refused {
			writeReasons(stderr, rf.Findings, rf.Message(f.lang), "", f.lang)
		}
		return exitBlocked
	}
	var subs []submit.Submission
	for _, app := range apps {
		submitOne := o.Submit
		if *resend {
			submitOne = o.Resend
		}
		s, err := submitOne(app)
		var as *submit.AlreadySubmittedError
		if errors.As(err, &as) {
			// Received meanwhile (another copy of the same filing in this run).
			already = append(already, as.Submission)
			continue
		}
		if err != nil {
			var be *submit.BlockedError
			if errors.As(err, &be) {
				// Changed between the gate and now (a file replaced).
				rf := newRefusal(app.ID, be.Readiness)
				if *asJSON {
					writeRefusalsJSON(stdout, []refusal{rf})
				}
				writeReasons(stderr, rf.Findings, rf.Message(f.lang), "", f.lang)
				return exitBlocked
			}
			fmt.Fprintln(stderr, message(err, f.lang))
			return exitUnreadable
		}
		subs = append(subs, s)
	}

	// Send, and wait until each has an answer or failed its first round;
	// what is not delivered stays in the outbox for the app.
	runCtx, stopRun := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { _ = o.Run(runCtx); close(done) }()
	results := make([]submit.Submission, len(subs))
	for i, s := range subs {
		results[i] = waitSettled(ctx, o, s.ID)
	}
	stopRun()
	<-done
	for i := range results {
		results[i], _ = o.Get(results[i].ID)
	}
	if *asJSON {
		printAlready(stderr, already, f.lang)
	} else {
		printAlready(stdout, already, f.lang)
	}
	return printSubmissions(stdout, stderr, already, results, *asJSON, f.lang, ctx.Err() != nil)
}

// printAlready shows the receipt of each filing not sent because the
// backend already has it.
func printAlready(w io.Writer, subs []submit.Submission, lng string) {
	for _, s := range subs {
		fmt.Fprintf(w, "%s  %s\n", term(s.ID), term((&submit.AlreadySubmittedError{Submission: s}).Message(lng)))
	}
	if len(subs) > 0 {
		fmt.Fprintln(w, pick(lng, "    确需重新提交（修改后或被驳回后），请加 --resend。",
			"    to submit it again on purpose (after a change or a rejection), add --resend."))
	}
}

// gate is the readiness gate for app as the outbox applies it. With
// accept, every scan warning it lists to confirm is acknowledged first, as
// of now, and a draft is saved so that the acknowledgement stays with it.
func gate(st *store.Store, o *submit.Outbox, app *filing.Application, isDraft, accept bool, now time.Time) (filing.Readiness, error) {
	r := o.Assess(app)
	if !accept || len(r.ToConfirm) == 0 {
		return r, nil
	}
	for _, fd := range r.ToConfirm {
		app.Acknowledge(fd, true, now)
	}
	if isDraft {
		if _, err := st.SaveDraft(app); err != nil {
			return r, err
		}
	}
	return o.Assess(app), nil
}

// refusal is one filing the readiness gate refused, as --json prints it:
// the counts of each kind of reason and the reasons, each with its rule id.
type refusal struct {
	DraftID   string           `json:"draft_id,omitempty"`
	Blocking  int              `json:"blocking"`
	ToConfirm int              `json:"to_confirm"`
	Checking  int              `json:"checking"`
	ZH        string           `json:"zh"`
	EN        string           `json:"en"`
	Findings  []filing.Finding `json:"findings"`
}

// Message is the refusal's summary in "zh" or "en".
func (r refusal) Message(lang string) string { return pick(lang, r.ZH, r.EN) }

func newRefusal(draftID string, r filing.Readiness) refusal {
	be := &submit.BlockedError{Findings: r.Reasons(), Readiness: r}
	return refusal{DraftID: draftID, Blocking: len(r.Blocking), ToConfirm: len(r.ToConfirm), Checking: len(r.Checking),
		ZH: be.Message("zh"), EN: be.Message("en"), Findings: be.Findings}
}

// writeRefusalsJSON prints the refused filings of one run, with the
// totals, as one JSON object.
func writeRefusalsJSON(w io.Writer, refused []refusal) {
	out := struct {
		Submitted bool      `json:"submitted"`
		Blocking  int       `json:"blocking"`
		ToConfirm int       `json:"to_confirm"`
		Checking  int       `json:"checking"`
		Refused   []refusal `json:"refused"`
	}{Refused: refused}
	for _, rf := range refused {
		out.Blocking += rf.Blocking
		out.ToConfirm += rf.ToConfirm
		out.Checking += rf.Checking
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	_ = enc.Encode(out)
}

// writeReasons prints why the gate refuses a filing, one reason a line
// (its kind, rule id, field and message), then summary when there is one,
// then what to do about warnings. reasons are filing.Readiness.Reasons:
// a warning among them is one to confirm, "scan.pending" a file not
// checked yet, anything else a blocker.
func writeReasons(w io.Writer, reasons []filing.Finding, summary, indent, lng string) {
	warned := false
	for _, fd := range reasons {
		kind := pick(lng, "阻断", "blocking")
		switch {
		case fd.Severity == filing.Warn:
			kind, warned = pick(lng, "待确认", "to confirm"), true
		case fd.Rule == "scan.pending":
			kind = pick(lng, "检查中", "checking")
		}
		fmt.Fprintf(w, "%s[%s] %s · %s: %s\n", indent, kind, fd.Rule, fd.Field, term(fd.Message(lng)))
	}
	if summary != "" {
		fmt.Fprintln(w, indent+summary)
	}
	if warned {
		fmt.Fprintln(w, indent+pick(lng, "核对上述警告后如仍要提交，请加 --accept-warnings（草稿会记下这次确认）。",
			"if you have looked at these warnings and still want to submit, add --accept-warnings (a draft keeps the acknowledgement)."))
	}
}

// waitSettled polls the record until its first round is over (bounded by
// ctx; the client's own timeouts bound each round).
func waitSettled(ctx context.Context, o *submit.Outbox, id string) submit.Submission {
	for {
		s, err := o.Get(id)
		if err != nil {
			return s
		}
		switch {
		case s.State == submit.Queued && s.Attempts > 0, s.State != submit.Queued && s.State != submit.Sending:
			return s
		}
		select {
		case <-ctx.Done():
			return s
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// submissionsCode is the exit code of a run's submissions: 0 when the
// backend has every one, 1 when one failed (held, refused, cancelled),
// else 3 when one is still in the outbox, not yet confirmed.
func submissionsCode(subs []submit.Submission) int {
	queued := false
	for _, s := range subs {
		switch s.State {
		case submit.Accepted, submit.Approved, submit.Rejected:
		case submit.Queued, submit.Sending:
			queued = true
		default:
			return exitBlocked
		}
	}
	if queued {
		return exitQueued
	}
	return exitClean
}

func mib(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }

// printSubmissions prints the outcome of the filings sent by this run,
// subs, and returns the exit code of the run, the filings not sent again
// (already, whose receipts printAlready showed) included; --json prints
// both.
func printSubmissions(stdout, stderr io.Writer, already, subs []submit.Submission, asJSON bool, lng string, interrupted bool) int {
	code := submissionsCode(append(append([]submit.Submission(nil), already...), subs...))
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		all := append(append([]submit.Submission(nil), already...), subs...)
		for i := range all {
			all[i].Application = nil // the filing itself is not the outcome
		}
		_ = enc.Encode(all)
		return code
	}
	for _, s := range subs {
		fmt.Fprintf(stdout, "%s  %s", s.ID, s.State.Label(lng))
		if s.RemoteID != "" {
			fmt.Fprintf(stdout, "  %s %s", pick(lng, "后台编号", "backend id"), s.RemoteID)
		}
		fmt.Fprintln(stdout)
		if s.Error != nil {
			fmt.Fprintf(stdout, "    %s\n", term(s.Error.Message(lng)))
		}
		if len(s.Findings) > 0 {
			writeFindingsText(stdout, s.Findings, lng)
		}
		if s.State == submit.Queued {
			fmt.Fprintln(stdout, pick(lng, "    未送达：已留在发件箱，程序运行时会自动重试。",
				"    not delivered: it stays in the outbox and the app retries it automatically."))
		}
	}
	if interrupted {
		fmt.Fprintln(stderr, pick(lng, "已中断；未送达的提交留在发件箱中。", "interrupted; undelivered submissions stay in the outbox."))
	}
	return code
}

func cmdStatus(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("icpfiling status", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var f submitFlags
	f.register(fs, stderr)
	asJSON := fs.Bool("json", false, "print the submission as JSON")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: icpfiling status ID [--backend URL] [--token-file F] [--data-dir DIR] [--json] [--lang zh|en]")
		fmt.Fprintln(stderr, "       ID is the submission's id (icpf-…) or the backend's filing id (f-…)")
		fs.PrintDefaults()
	}
	ids, code, ok := parseArgs(fs, args, &f.lang, stderr)
	if !ok {
		return code
	}
	if len(ids) != 1 {
		fs.Usage()
		return exitUnreadable
	}
	st, client, code := f.open(stderr)
	if code != exitClean {
		return code
	}
	defer st.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	o := submit.NewOutbox(st, submit.Options{Client: client})
	s, err := o.Find(ids[0])
	switch {
	case err == nil:
		if s.RemoteID != "" && client != nil {
			if fresh, err := o.Refresh(ctx, s.ID); err == nil {
				s = fresh
			} else {
				fmt.Fprintln(stderr, pick(f.lang, "无法刷新状态，显示的是本机记录：", "cannot refresh; showing the local record: ")+message(err, f.lang))
			}
		}
	case errors.Is(err, store.ErrNotFound) && client != nil:
		// Not sent from this machine: ask the backend directly.
		fl, err := client.Status(ctx, ids[0])
		if err != nil {
			fmt.Fprintln(stderr, message(err, f.lang))
			return exitBlocked
		}
		s = submit.Submission{ID: fl.IdempotencyKey, RemoteID: fl.ID, ReceivedAt: fl.ReceivedAt,
			Status: fl.Status, Timeline: fl.Timeline, State: submit.Accepted, Backend: client.BaseURL()}
		switch {
		case fl.Rejected():
			s.State = submit.Rejected
		case fl.Status == filing.StatusApproved:
			s.State = submit.Approved
		}
	default:
		fmt.Fprintln(stderr, pick(f.lang, "本机没有这份提交："+term(ids[0]), "no such submission on this machine: "+term(ids[0])))
		return exitUnreadable
	}
	if *asJSON {
		s.Application = nil
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		_ = enc.Encode(s)
		return exitClean
	}
	label := s.State.Label(f.lang)
	if s.State == submit.Accepted && s.Status != "" {
		// Under review: say which stage, as the backend last said.
		label += pick(f.lang, "（"+s.Status.Label(f.lang)+"）", " ("+s.Status.Label(f.lang)+")")
	}
	fmt.Fprintf(stdout, "%s  %s\n", s.ID, label)
	if s.RemoteID != "" {
		fmt.Fprintf(stdout, "%s %s  %s\n", pick(f.lang, "后台编号", "backend id"), s.RemoteID, s.Backend)
	}
	if !s.CheckedAt.IsZero() {
		fmt.Fprintf(stdout, "%s %s\n", pick(f.lang, "上次向后台查询：", "last checked with the backend:"), s.CheckedAt.Local().Format("2006-01-02 15:04:05"))
	}
	if s.Error != nil {
		fmt.Fprintf(stdout, "%s\n", s.Error.Message(f.lang))
	}
	for _, e := range s.Timeline {
		fmt.Fprintf(stdout, "  %s  %s\n", e.At.Local().Format("2006-01-02 15:04"), e.Status.Label(f.lang))
		for _, r := range e.Reasons {
			fmt.Fprintf(stdout, "      %s %s\n", pick(f.lang, "驳回原因：", "reason:"), term(r))
		}
	}
	if s.State == submit.Rejected && s.NewRevision != "" {
		fmt.Fprintf(stdout, "%s %s\n", pick(f.lang, "已生成可修改的新版本草稿：", "editable new revision (draft):"), s.NewRevision)
	}
	return exitClean
}

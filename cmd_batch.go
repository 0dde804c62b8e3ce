package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/icpfiling/icpfiling/filing"
	"github.com/icpfiling/icpfiling/filing/batch"
	"github.com/icpfiling/icpfiling/filing/packs"
	"github.com/icpfiling/icpfiling/filing/scans"
	"github.com/icpfiling/icpfiling/filing/store"
	"github.com/icpfiling/icpfiling/filing/submit"
	"github.com/icpfiling/icpfiling/imaging"
)

const batchUsage = `usage: icpfiling batch template --out FILE.xlsx|FILE.csv
       icpfiling batch import FILE.xlsx|FILE.csv [--scans DIR] [--name NAME] [--json]
       icpfiling batch list [--json]
       icpfiling batch check  [--batch ID|NAME] [--images] [--workers N] [--as-of YYYY-MM-DD] [--json]
       icpfiling batch report --out FILE.xlsx|FILE.csv [--batch ID|NAME] [--images] [--as-of YYYY-MM-DD]
       icpfiling batch submit [--batch ID|NAME] [--retry-failed] [--accept-warnings] [--wait 2m] [--backend URL] [--token-file F]
common flags: --data-dir DIR  --passphrase-file FILE  --lang zh|en
--batch defaults to the newest batch.
exit status: 0 nothing blocks, 1 something blocks (bad rows, blocking findings, failed submissions), 2 bad input,
3 submit: queued but not yet confirmed by the backend (--wait ran out, or no --wait), 4 the data directory is open elsewhere`

// cmdBatch is the agency batch mode for scripts: the spreadsheet template,
// import, check, report and bulk submit (docs/batch.md).
func cmdBatch(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if os.Getenv("GOMEMLIMIT") == "" {
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(batchMemoryLimit))
	}
	return runBatch(ctx, args, stdout, stderr)
}

// batchMemoryLimit is the batch commands' soft memory limit (Go's
// collector works harder near it; it is not a cap), so that import, check
// and report of a sheet at the row cap stay under 300 MB of peak RSS
// (issue 15 point 3, docs/batch.md). Without it the collector lets the
// heap grow to twice what is live before collecting, and a 20,000-row
// import keeps ~200 MB live while Badger writes it. GOMEMLIMIT, when set,
// is used instead.
const batchMemoryLimit = 200 << 20

type batchFlags struct {
	submitFlags
	out, scans, name, ref, asOf string
	images, retryFailed, asJSON bool
	acceptWarnings              bool
	workers                     int
	wait                        time.Duration
}

func runBatch(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, batchUsage)
		return exitUnreadable
	}
	sub, args := args[0], args[1:]
	fs := flag.NewFlagSet("icpfiling batch "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	var f batchFlags
	f.submitFlags.register(fs, stderr)
	fs.StringVar(&f.out, "out", "", "template, report: the file to write (.xlsx or .csv)")
	fs.StringVar(&f.scans, "scans", "", "import: folder of scans named <key>_<slot>[_<n>].jpg")
	fs.StringVar(&f.name, "name", "", "import: the batch's name (default: the file's name)")
	fs.StringVar(&f.ref, "batch", "", "the batch's ID or name (default: the newest)")
	fs.StringVar(&f.asOf, "as-of", "", "check, report: the day to check on (default: today)")
	fs.BoolVar(&f.images, "images", false, "check, report: also check every scan and photo (uses all cores)")
	fs.IntVar(&f.workers, "workers", 0, "check, report: parallel workers (default: one per core)")
	fs.BoolVar(&f.retryFailed, "retry-failed", false, "submit: only the rows that failed (blocked, refused, held, cancelled)")
	fs.BoolVar(&f.acceptWarnings, "accept-warnings", false, "submit: acknowledge every warning of the scans and photos (kept in each draft) and submit anyway")
	fs.DurationVar(&f.wait, "wait", 0, "submit: keep sending for this long before printing the status (0: only queue)")
	fs.BoolVar(&f.asJSON, "json", false, "print JSON")
	fs.Usage = func() {
		fmt.Fprintln(stderr, batchUsage)
		fs.PrintDefaults()
	}
	positional, err := parseInterspersed(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitClean
		}
		return exitUnreadable
	}
	if f.lang != "zh" && f.lang != "en" {
		fmt.Fprintf(stderr, "--lang must be zh or en, not %q\n", f.lang)
		return exitUnreadable
	}
	switch sub {
	case "template":
		return batchTemplate(&f, stdout, stderr)
	case "import":
		if len(positional) != 1 {
			fs.Usage()
			return exitUnreadable
		}
		return batchImport(&f, positional[0], stdout, stderr)
	case "list":
		return batchList(&f, stdout, stderr)
	case "check", "report":
		return batchCheck(ctx, &f, sub == "report", stdout, stderr)
	case "submit":
		return batchSubmit(ctx, &f, stdout, stderr)
	}
	fmt.Fprintf(stderr, "unknown batch command %q\n%s\n", sub, batchUsage)
	return exitUnreadable
}

func batchFormat(path, lang string, stderr io.Writer) (string, bool) {
	ext := strings.ToLower(filepath.Ext(path))
	if path == "" || (ext != ".xlsx" && ext != ".csv") {
		fmt.Fprintln(stderr, pick(lang, "请用 --out 指定 .xlsx 或 .csv 文件。", "give an .xlsx or .csv file with --out"))
		return "", false
	}
	return ext, true
}

func batchTemplate(f *batchFlags, stdout, stderr io.Writer) int {
	ext, ok := batchFormat(f.out, f.lang, stderr)
	if !ok {
		return exitUnreadable
	}
	var b bytes.Buffer
	var err error
	if ext == ".xlsx" {
		err = batch.WriteTemplateXLSX(&b, filing.DefaultPack())
	} else {
		err = batch.WriteTemplateCSV(&b, filing.DefaultPack())
	}
	if err == nil {
		err = writeFileAtomic(f.out, b.Bytes())
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitUnreadable
	}
	fmt.Fprintln(stdout, pick(f.lang, "模板已写入：", "template written: ")+f.out)
	return exitClean
}

// packInUse is the rule pack in use in the data directory (the newest
// accepted one, filing/packs), the built-in one when the kept packs cannot
// be read, which it says.
func packInUse(st *store.Store, lang string, stderr io.Writer) *filing.Pack {
	m, err := packs.New(st)
	if err != nil {
		fmt.Fprintln(stderr, pick(lang, "无法读取已接受的规则包，使用内置规则包：", "cannot read the accepted rule packs; using the built-in pack: ")+message(err, lang))
		return filing.DefaultPack()
	}
	return m.Current()
}

func (f *batchFlags) openStore(stderr io.Writer) (*store.Store, int) {
	d := draftsFlags{dataDir: f.dataDir, passFile: f.passFile, lang: f.lang}
	return d.open(stderr)
}

func batchImport(f *batchFlags, path string, stdout, stderr io.Writer) int {
	st, code := f.openStore(stderr)
	if st == nil {
		return code
	}
	defer st.Close()
	res, err := batch.Import(st, path, batch.ImportOptions{Pack: packInUse(st, f.lang, stderr), ScanDir: f.scans, Name: f.name})
	if err != nil {
		fmt.Fprintln(stderr, message(err, f.lang))
		return exitUnreadable
	}
	code = exitClean
	if len(res.Errors) > 0 {
		code = exitBlocked
	}
	if f.asJSON {
		if c := writeJSON(stdout, res); c != exitClean {
			return c
		}
		return code
	}
	for _, e := range res.Errors {
		fmt.Fprintln(stdout, term(e.Message(f.lang)))
	}
	for _, u := range res.Unused {
		fmt.Fprintln(stdout, pick(f.lang, "未使用的扫描件 ", "unused scan ")+term(u.Message(f.lang)))
	}
	for _, c := range res.Composed {
		fmt.Fprintln(stdout, pick(f.lang, "拼接的扫描件 ", "composed scan ")+escapeControls(c.Message(f.lang), layout))
	}
	n := 0
	if res.Batch != nil {
		n = len(res.Batch.Filings)
		fmt.Fprintln(stdout, pick(f.lang, "批次 ", "batch ")+res.Batch.ID+"  "+term(res.Batch.Name))
	}
	fmt.Fprintln(stdout, pick(f.lang,
		fmt.Sprintf("已导入 %d 份备案（%d 个扫描件），%d 处错误。", n, res.Scans, len(res.Errors)),
		fmt.Sprintf("imported %d filings (%d scans), %d errors", n, res.Scans, len(res.Errors))))
	if res.SecretsNotKept > 0 {
		fmt.Fprintln(stdout, pick(f.lang,
			fmt.Sprintf("%d 份备案的工信部备案密码未保存（未设置存储口令）：提交前须重新填写。", res.SecretsNotKept),
			fmt.Sprintf("the MIIT password of %d filings was not kept (no store passphrase): type it again before submitting", res.SecretsNotKept)))
	}
	return code
}

func batchList(f *batchFlags, stdout, stderr io.Writer) int {
	st, code := f.openStore(stderr)
	if st == nil {
		return code
	}
	defer st.Close()
	all, err := batch.ListBatches(st)
	if err != nil {
		fmt.Fprintln(stderr, message(err, f.lang))
		return exitUnreadable
	}
	if f.asJSON {
		if all == nil {
			all = []*batch.Batch{}
		}
		return writeJSON(stdout, all)
	}
	for _, b := range all {
		fmt.Fprintf(stdout, "%s  %s  %s  %d\n", b.ID, b.Created.Local().Format("2006-01-02 15:04"), term(b.Name), len(b.Filings))
	}
	return exitClean
}

func (f *batchFlags) findBatch(st *store.Store, stderr io.Writer) *batch.Batch {
	b, err := batch.FindBatch(st, f.ref)
	if err != nil {
		fmt.Fprintln(stderr, pick(f.lang, "找不到批次（先用 icpfiling batch import 导入）。", "no such batch (import one with icpfiling batch import)"))
		return nil
	}
	return b
}

// batchImageJobs lists a filing's scans for imaging.CheckAll, with the
// pack's limits and the province's photo background, as the wizard checks
// them.
func batchImageJobs(st *store.Store, pack *filing.Pack, day filing.Date) func(int, *filing.Application) []imaging.Job {
	return func(_ int, app *filing.Application) []imaging.Job {
		var jobs []imaging.Job
		background := scans.Background(pack, app.Province, day)
		add := func(a *filing.Attachment, kind imaging.Kind) {
			if a == nil || !strings.HasPrefix(a.MediaType, "image/") {
				return
			}
			opts, err := scans.Options(pack, kind, background, day)
			if err != nil {
				return
			}
			jobs = append(jobs, imaging.Job{Path: st.AttachmentPath(a.SHA256), Kind: kind, Options: opts, Parts: scans.PartsOf(*a, st)})
		}
		for _, d := range app.Documents {
			add(d.Attachment, scans.KindOf(d.Slot, app.Subject.CertificateType))
		}
		add(app.Photo.Attachment, imaging.KindPhoto)
		return jobs
	}
}

func batchCheck(ctx context.Context, f *batchFlags, report bool, stdout, stderr io.Writer) int {
	if report {
		if _, ok := batchFormat(f.out, f.lang, stderr); !ok {
			return exitUnreadable
		}
	}
	asOf := time.Now()
	if f.asOf != "" {
		d, err := time.ParseInLocation("2006-01-02", f.asOf, time.Local)
		if err != nil {
			fmt.Fprintln(stderr, pick(f.lang, "--as-of 应为 YYYY-MM-DD。", "--as-of must be YYYY-MM-DD"))
			return exitUnreadable
		}
		asOf = d.Add(12 * time.Hour)
	}
	st, code := f.openStore(stderr)
	if st == nil {
		return code
	}
	defer st.Close()
	b := f.findBatch(st, stderr)
	if b == nil {
		return exitUnreadable
	}
	apps, _, err := batch.LoadApps(st, b)
	if err != nil {
		fmt.Fprintln(stderr, message(err, f.lang))
		return exitUnreadable
	}
	pack := packInUse(st, f.lang, stderr)
	opt := batch.CheckOptions{Pack: pack, AsOf: asOf, Workers: f.workers, Labels: b.Keys()}
	if rows, err := batch.Statuses(st, submit.NewOutbox(st, submit.Options{Pack: pack}), b); err == nil {
		opt.Open = batch.OpenFilings(rows)
	}
	if f.images {
		reports := newScanReports(st)
		defer reports.prune()
		opt.Images, opt.Reports = batchImageJobs(st, pack, filing.DateOf(asOf)), reports
	}
	results, err := batch.Check(ctx, apps, opt)
	if err != nil {
		fmt.Fprintln(stderr, pick(f.lang, "检查已取消。", "check cancelled"))
		return exitUnreadable
	}
	subjects := make([]string, len(apps))
	blocking := 0
	for i, a := range apps {
		if a != nil {
			subjects[i] = a.Subject.Name
		}
		blocking += results[i].Blocking
	}
	rows := batch.ReportRows(b, subjects, results)
	code = exitClean
	if blocking > 0 {
		code = exitBlocked
	}
	if report {
		if err := writeReport(f.out, rows, f.lang); err != nil {
			fmt.Fprintln(stderr, err)
			return exitUnreadable
		}
		fmt.Fprintln(stdout, pick(f.lang, fmt.Sprintf("报告已写入 %s（%d 条）。", f.out, len(rows)),
			fmt.Sprintf("report written to %s (%d findings)", f.out, len(rows))))
		return code
	}
	if f.asJSON {
		type item struct {
			Key     string `json:"key"`
			DraftID string `json:"draft_id"`
			batch.Result
		}
		out := make([]item, len(results))
		for i, r := range results {
			out[i] = item{b.Filings[i].Key, b.Filings[i].DraftID, r}
		}
		if c := writeJSON(stdout, out); c != exitClean {
			return c
		}
		return code
	}
	withBlock := 0
	for i, r := range results {
		m := b.Filings[i]
		if !r.Checked {
			fmt.Fprintf(stdout, "%s  %s\n", term(m.Key), pick(f.lang, "草稿已删除", "draft deleted"))
			continue
		}
		if r.Blocking > 0 {
			withBlock++
		}
		fmt.Fprintf(stdout, "%s  %s  %s %d  %s %d  %s\n", term(m.Key), term(orDash(subjects[i])),
			pick(f.lang, "阻断", "blocking"), r.Blocking, pick(f.lang, "警告", "warnings"), r.Warnings, r.Step.Name(f.lang))
		for _, fd := range r.Findings {
			if fd.Severity == filing.Block && fd.Rule != "" {
				fmt.Fprintf(stdout, "    [%s] %s: %s\n", fd.Rule, fd.Field, term(fd.Message(f.lang)))
			}
		}
	}
	fmt.Fprintln(stdout, pick(f.lang, fmt.Sprintf("共 %d 份备案，%d 份有阻断问题。", len(results), withBlock),
		fmt.Sprintf("%d filings, %d with blocking findings", len(results), withBlock)))
	return code
}

func batchSubmit(ctx context.Context, f *batchFlags, stdout, stderr io.Writer) int {
	st, client, code := f.submitFlags.open(stderr)
	if code != exitClean {
		return code
	}
	defer st.Close()
	b := f.findBatch(st, stderr)
	if b == nil {
		return exitUnreadable
	}
	// Sent batchConcurrency at a time: one filing whose answer is slow
	// holds one slot, not the batch.
	pack := packInUse(st, f.lang, stderr)
	ob := submit.NewOutbox(st, submit.Options{Client: client, Pack: pack, Scans: scanChecker(st, fixedPack(pack)), Concurrency: batchConcurrency})
	rows, err := batch.Submit(st, ob, b, batch.SubmitOptions{OnlyFailed: f.retryFailed, AcceptWarnings: f.acceptWarnings})
	if err != nil {
		fmt.Fprintln(stderr, message(err, f.lang))
		return exitUnreadable
	}
	if f.wait > 0 && client != nil {
		wctx, cancel := context.WithTimeout(ctx, f.wait)
		done := make(chan struct{})
		go func() { _ = ob.Run(wctx); close(done) }()
		tick := time.NewTicker(200 * time.Millisecond)
	wait:
		for {
			select {
			case <-wctx.Done():
				break wait
			case <-tick.C:
				if now, err := batch.Statuses(st, ob, b); err == nil && !anyInFlight(now) {
					break wait
				}
			}
		}
		tick.Stop()
		cancel()
		<-done
		if now, err := batch.Statuses(st, ob, b); err == nil {
			for i := range now {
				// A row the backend already had under another draft (a sheet
				// imported again) keeps what submit said of it.
				if now[i].State == batch.StateNotSent && i < len(rows) && rows[i].SubmissionID != "" {
					now[i] = rows[i]
				}
			}
			rows = now
		}
	} else if client == nil {
		fmt.Fprintln(stderr, pick(f.lang, "未指定备案后台：备案已放入发件箱，配置后台后在程序中发送。",
			"no backend configured: the filings wait in the outbox until one is set up"))
	}
	sum := batch.Summarise(rows)
	code = exitClean
	switch {
	case sum.Failed > 0:
		code = exitBlocked
	case anyInFlight(rows):
		// Handed to the outbox, not yet confirmed: not a success.
		code = exitQueued
	}
	if f.asJSON {
		if c := writeJSON(stdout, map[string]any{"rows": rows, "summary": sum}); c != exitClean {
			return c
		}
		return code
	}
	for _, r := range rows {
		fmt.Fprintf(stdout, "%s  %-10s  %s\n", term(r.Key), batch.StateLabel(r.State, f.lang), term(r.Message(f.lang)))
		if r.State == batch.StateBlocked {
			writeReasons(stdout, r.Findings, "", "    ", f.lang)
		}
	}
	parts := []string{}
	for st, n := range sum.ByState {
		parts = append(parts, fmt.Sprintf("%s %d", batch.StateLabel(st, f.lang), n))
	}
	fmt.Fprintln(stdout, pick(f.lang, fmt.Sprintf("共 %d 份：", sum.Total), fmt.Sprintf("%d filings: ", sum.Total))+strings.Join(parts, ", "))
	return code
}

// batchConcurrency is how many filings of a batch are sent at once.
const batchConcurrency = 4

// anyInFlight says whether a row is handed over but not yet confirmed:
// queued or on the wire.
func anyInFlight(rows []batch.RowStatus) bool {
	for _, r := range rows {
		if r.State == string(submit.Queued) || r.State == string(submit.Sending) {
			return true
		}
	}
	return false
}

// batchService adapts the store and the outbox to the window's batch view.
type batchService struct {
	st   *store.Store
	out  *submit.Outbox
	pack packSource
}

func newBatchService(st *store.Store, out *submit.Outbox, pack packSource) *batchService {
	return &batchService{st: st, out: out, pack: pack}
}

func (s *batchService) Batches() ([]*batch.Batch, error) { return batch.ListBatches(s.st) }

func (s *batchService) Import(path, scanDir string) (*batch.ImportResult, error) {
	return batch.Import(s.st, path, batch.ImportOptions{Pack: s.pack(), ScanDir: scanDir})
}

func (s *batchService) Load(b *batch.Batch) ([]*filing.Application, error) {
	apps, _, err := batch.LoadApps(s.st, b)
	return apps, err
}

func (s *batchService) Check(ctx context.Context, b *batch.Batch, apps []*filing.Application, progress func(batch.Progress)) ([]batch.Result, error) {
	now := time.Now()
	var open func(int) bool
	if rows, err := batch.Statuses(s.st, s.out, b); err == nil {
		open = batch.OpenFilings(rows)
	}
	reports := newScanReports(s.st)
	defer reports.prune()
	pack := s.pack()
	return batch.Check(ctx, apps, batch.CheckOptions{Pack: pack, AsOf: now, Progress: progress, Labels: b.Keys(), Open: open,
		Images: batchImageJobs(s.st, pack, filing.DateOf(now)), Reports: reports})
}

func (s *batchService) Submit(b *batch.Batch, onlyFailed bool) ([]batch.RowStatus, error) {
	rows, err := batch.SubmitAll(s.st, s.out, b, onlyFailed)
	s.out.Kick()
	return rows, err
}

func (s *batchService) Statuses(b *batch.Batch) ([]batch.RowStatus, error) {
	return batch.Statuses(s.st, s.out, b)
}

func (s *batchService) Report(path string, rows []batch.ReportRow, lang string) error {
	return writeReport(path, rows, lang)
}

// writeReport writes the report (CSV for a .csv path, else XLSX) straight
// into the file that replaces path: the 44 MB of a 10,000-filing CSV
// report are never held in memory, let alone twice while a buffer grows.
func writeReport(path string, rows []batch.ReportRow, lang string) error {
	return writeFileStreamed(path, func(w io.Writer) error {
		bw := bufio.NewWriterSize(w, 64<<10)
		var err error
		if strings.EqualFold(filepath.Ext(path), ".csv") {
			err = batch.WriteReportCSV(bw, rows, lang)
		} else {
			err = batch.WriteReportXLSX(bw, rows, lang)
		}
		if err != nil {
			return err
		}
		return bw.Flush()
	})
}

package batch

import (
	"context"
	"fmt"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/icpfiling/icpfiling/filing"
	"github.com/icpfiling/icpfiling/filing/scans"
	"github.com/icpfiling/icpfiling/imaging"
)

// The batch-level rules: ids of entries in the rule pack's checks section.
const (
	RuleMobileShared = "batch.mobile_shared"
	RuleCertTwice    = "batch.certificate_open_twice"
	RuleSubjectOrder = "batch.subject_orders"
)

// Result is one filing's check.
type Result struct {
	Checked  bool             `json:"checked"`
	Findings []filing.Finding `json:"findings"`
	Blocking int              `json:"blocking"`
	Warnings int              `json:"warnings"`
	// Step is the first step not complete (the step reached).
	Step filing.Step `json:"step"`
}

// Progress is reported after each filing (or scan) checked.
type Progress struct {
	Done, Total int
	// Left estimates the time still needed from the rate so far; 0 until
	// something is done.
	Left time.Duration
}

// CheckOptions configure Check.
type CheckOptions struct {
	Pack *filing.Pack // nil: filing.DefaultPack()
	AsOf time.Time    // zero: now
	// Workers is the size of the pool; ≤ 0 means runtime.GOMAXPROCS(0).
	Workers int
	// Open says which filings are still open (not ended) for the rule on a
	// certificate in two open filings; nil counts every filing as open.
	Open func(i int) bool
	// Labels name the filings in batch-level messages (their keys); nil
	// names them by their 1-based place in the batch.
	Labels []string
	// Images, when set, lists the scans of a filing to check with
	// imaging.CheckAll; their problems become findings of the filing.
	Images func(i int, app *filing.Application) []imaging.Job
	// Reports, when set, keeps image reports from one check to the next:
	// a scan unchanged since it was checked with the same options is read
	// back instead of decoded again, which turns re-checking a batch of
	// hundreds of filings after a few fixes from minutes into seconds.
	Reports ReportCache
	// Progress is called from the workers; the GUI wraps it in fyne.Do.
	Progress func(Progress)
}

// ReportCache keeps the reports of image jobs. Report answers false for a
// job it has no report for, whatever the reason.
type ReportCache interface {
	Report(imaging.Job) (*imaging.Report, bool)
	Keep(imaging.Job, *imaging.Report)
}

// Check validates every filing on a pool of workers, checks the scans
// Images lists, and adds the batch-level findings. When ctx is cancelled it
// stops early: the filings not reached have Checked false and ctx's error
// is returned with the partial results.
func Check(ctx context.Context, apps []*filing.Application, opt CheckOptions) ([]Result, error) {
	if opt.Pack == nil {
		opt.Pack = filing.DefaultPack()
	}
	if opt.AsOf.IsZero() {
		opt.AsOf = time.Now()
	}
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	var jobs []imaging.Job
	var jobOwner []int
	if opt.Images != nil {
		for i, a := range apps {
			if a == nil {
				continue
			}
			for _, j := range opt.Images(i, a) {
				jobs = append(jobs, j)
				jobOwner = append(jobOwner, i)
			}
		}
	}
	total := len(apps) + len(jobs)
	start := time.Now()
	var done atomic.Int64
	tick := func() {
		if opt.Progress == nil {
			return
		}
		d := int(done.Add(1))
		p := Progress{Done: d, Total: total}
		if el := time.Since(start); d > 0 && d < total {
			p.Left = time.Duration(float64(el) / float64(d) * float64(total-d))
		}
		opt.Progress(p)
	}
	out := make([]Result, len(apps))
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < min(workers, max(len(apps), 1)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if apps[i] == nil { // a draft deleted since the import
					tick()
					continue
				}
				fs := filing.Validate(apps[i], opt.Pack, opt.AsOf)
				// Recorded on the filing, kept when the caller saves it.
				filing.MarkChecked(apps[i], opt.Pack)
				out[i] = Result{Checked: true, Findings: fs}
				tick()
			}
		}()
	}
feed:
	for i := range apps {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if len(jobs) > 0 && ctx.Err() == nil {
		for k, r := range checkImages(ctx, jobs, workers, opt.Reports, tick) {
			i := jobOwner[k]
			out[i].Findings = append(out[i].Findings, imageFindings(r)...)
		}
	}
	checked := make([]bool, len(apps))
	for i := range out {
		checked[i] = out[i].Checked
	}
	for _, f := range BatchFindings(apps, opt.Pack, opt.AsOf, checked, opt.Open, opt.Labels) {
		out[f.Index].Findings = append(out[f.Index].Findings, f.Finding)
	}
	for i := range out {
		if !out[i].Checked {
			continue
		}
		r := &out[i]
		for _, f := range r.Findings {
			switch f.Severity {
			case filing.Block:
				r.Blocking++
			case filing.Warn:
				r.Warnings++
			}
		}
		r.Step = filing.Plan(apps[i], opt.Pack, opt.AsOf, r.Findings).Current
	}
	return out, ctx.Err()
}

// imageFindings turns a scan's failed checks into findings of its filing.
func imageFindings(r imaging.Result) []filing.Finding {
	name := r.Job.Path
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	field := "documents." + string(r.Job.Kind)
	if r.Err != nil {
		return []filing.Finding{{Rule: "image.unreadable", Severity: filing.Block, Field: field, Step: filing.StepOf("documents", ""),
			ZH: "扫描件无法检查：" + name, EN: "the scan could not be checked: " + name, Source: "IMG"}}
	}
	return scans.Findings(r.Report, field, name)
}

// BatchFinding is a batch-level finding and the index of its filing.
type BatchFinding struct {
	Index int
	filing.Finding
}

// citation is the source line of a pack rule, as Validate writes it.
func citation(p *filing.Pack, id string) string {
	r, ok := p.Rule(id)
	if !ok {
		return ""
	}
	s := r.Source + " (" + p.Sources[r.Source].Date + ")"
	if r.Ref != "" {
		s += ": " + r.Ref
	}
	return s
}

// subjectKey identifies a subject across filings: its certificate number,
// or its name when the number is missing.
func subjectKey(a *filing.Application) string {
	if n := normalise(a.Subject.CertificateNumber); n != "" {
		return "c:" + n
	}
	return "n:" + strings.TrimSpace(a.Subject.Name)
}

func normalise(s string) string {
	return strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(s), " ", ""))
}

// BatchFindings are the findings no single filing shows: a mobile used by
// different subjects (the provider rejects "手机号码备案频率大于1"), the
// same certificate in two open filings, and several orders of one subject.
// Sites per order above the province's limit is Validate's own rule and
// applies to each filing. Only the filings with include[i] take part (nil:
// all); open[i] says whether a filing is still open (nil: all are). The
// messages name the other filings by position, never by phone or number.
func BatchFindings(apps []*filing.Application, pack *filing.Pack, asOf time.Time, include []bool, open func(int) bool, labels []string) []BatchFinding {
	name := func(v int) string {
		if v < len(labels) && labels[v] != "" {
			return clipLabel(labels[v])
		}
		return fmt.Sprint(v + 1)
	}
	day := filing.DateOf(asOf)
	active := func(id string) bool {
		r, ok := pack.Rule(id)
		return ok && r.ActiveOn(day)
	}
	in := func(i int) bool { return apps[i] != nil && (include == nil || include[i]) }
	isOpen := func(i int) bool { return open == nil || open(i) }
	var out []BatchFinding
	add := func(i int, rule, field string, sev filing.Severity, zh, en string, others int) {
		out = append(out, BatchFinding{i, filing.Finding{Rule: rule, Severity: sev, Field: field,
			Step: filing.StepOf(field, apps[i].Kind), ZH: zh, EN: en,
			Measured: fmt.Sprint(others + 1), Limit: "1", Source: citation(pack, rule)}})
	}
	if active(RuleMobileShared) {
		type use struct {
			app     int
			field   string
			subject string
		}
		byMobile := map[string][]use{}
		for i, a := range apps {
			if !in(i) {
				continue
			}
			sk := subjectKey(a)
			seen := map[string]bool{}
			note := func(m, field string) {
				if m = normalise(m); m != "" && !seen[m] {
					seen[m] = true
					byMobile[m] = append(byMobile[m], use{i, field, sk})
				}
			}
			note(a.Subject.Owner.Mobile, "subject.owner.mobile")
			for w := range a.Websites {
				note(a.Websites[w].Owner.Mobile, fmt.Sprintf("websites[%d].owner.mobile", w))
			}
		}
		for _, uses := range byMobile {
			// The other filings of a use are those of the other subjects,
			// the same list for every use of one subject: it is made once
			// per subject, at most MaxNamed long, so that a mobile shared
			// by thousands of rows costs linear time and short messages.
			perSubject := map[string]int{}
			for _, u := range uses {
				perSubject[u.subject]++
			}
			named := map[string]string{}
			for _, u := range uses {
				n := len(uses) - perSubject[u.subject]
				if n == 0 {
					continue
				}
				list, ok := named[u.subject]
				if !ok {
					var idx []int
					for _, v := range uses {
						if v.subject != u.subject {
							idx = append(idx, v.app)
							if len(idx) == MaxNamed {
								break
							}
						}
					}
					list = nameList(idx, n, name)
					named[u.subject] = list
				}
				add(u.app, RuleMobileShared, u.field, filing.Block,
					"该手机号码也用于本批次中其他主体的备案（"+zhList(list, n)+"），会被驳回（手机号码备案频率大于1）：请换用本人的号码。",
					"this mobile is also used by another subject's filing in this batch ("+enList(list, n)+"); it would be rejected: use the person's own number",
					n)
			}
		}
	}
	bySubject := map[string][]int{}
	for i, a := range apps {
		if in(i) && (a.Subject.CertificateNumber != "" || a.Subject.Name != "") {
			k := subjectKey(a)
			bySubject[k] = append(bySubject[k], i)
		}
	}
	keys := make([]string, 0, len(bySubject))
	for k := range bySubject {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		idx := bySubject[k]
		if len(idx) < 2 {
			continue
		}
		var openIdx []int
		for _, i := range idx {
			if isOpen(i) {
				openIdx = append(openIdx, i)
			}
		}
		for _, i := range idx {
			if strings.HasPrefix(k, "c:") && isOpen(i) && len(openIdx) > 1 && active(RuleCertTwice) {
				n := len(openIdx) - 1
				list := nameList(firstWithout(openIdx, i), n, name)
				add(i, RuleCertTwice, "subject.certificate_number", filing.Block,
					"同一证件号码还在本批次另一个未结束的备案中（"+zhList(list, n)+"）：一个主体同时只能有一个进行中的订单，请合并网站或等前一个结束。",
					"the same certificate number is in another open filing of this batch ("+enList(list, n)+"): a subject may have one order in progress at a time; merge the websites or wait for the other to end",
					n)
			}
			if active(RuleSubjectOrder) {
				n := len(idx) - 1
				list := nameList(firstWithout(idx, i), n, name)
				add(i, RuleSubjectOrder, "subject.name", filing.Warn,
					"同一主体在本批次有多个订单（另见 "+zhList(list, n)+"）：请依次提交，或合并为一个订单（不超过本省网站数上限）。",
					"this subject has several orders in the batch (see also "+enList(list, n)+"): submit them one after another, or merge them into one order (within the province's site limit)",
					n)
			}
		}
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].Index < out[b].Index })
	return out
}

// MaxNamed is how many other filings a batch-level message names; the
// rest are counted ("及另外 N 行"). Naming every one made each message of
// 3 000 rows sharing a certificate list 3 000 keys: a 138 MB report and
// 1 GB of memory, quadratic in the rows (issue 15).
const MaxNamed = 10

// maxLabelRunes shortens a filing key in a message: keys are the agency's
// client numbers, and a message must stay short whatever a cell held.
const maxLabelRunes = 32

func clipLabel(s string) string {
	if utf8.RuneCountInString(s) <= maxLabelRunes {
		return s
	}
	r := []rune(s)
	return string(r[:maxLabelRunes-1]) + "…"
}

// firstWithout is the first MaxNamed elements of s other than x.
func firstWithout(s []int, x int) []int {
	out := make([]int, 0, MaxNamed)
	for _, v := range s {
		if v != x {
			out = append(out, v)
			if len(out) == MaxNamed {
				break
			}
		}
	}
	return out
}

// nameList names the filings idx (at most MaxNamed of the n others).
func nameList(idx []int, n int, name func(int) string) string {
	parts := make([]string, len(idx))
	for i, v := range idx {
		parts[i] = name(v)
	}
	return strings.Join(parts, ", ")
}

// zhList and enList add how many of the n others the list leaves out.
func zhList(list string, n int) string {
	if more := n - min(n, MaxNamed); more > 0 {
		return fmt.Sprintf("%s 及另外 %d 行", list, more)
	}
	return list
}

func enList(list string, n int) string {
	if more := n - min(n, MaxNamed); more > 0 {
		return fmt.Sprintf("%s and %d more", list, more)
	}
	return list
}

// checkImages is imaging.CheckAll with the reports cache in front of it:
// the jobs it knows are answered from it, the others are checked and
// kept. A job that could not be checked (unreadable, cancelled) is not
// kept.
func checkImages(ctx context.Context, jobs []imaging.Job, workers int, cache ReportCache, tick func()) []imaging.Result {
	if cache == nil {
		return imaging.CheckAll(ctx, jobs, workers, func(int) { tick() })
	}
	results := make([]imaging.Result, len(jobs))
	var todo []imaging.Job
	var at []int
	for k, j := range jobs {
		if rep, ok := cache.Report(j); ok {
			results[k] = imaging.Result{Job: j, Report: rep}
			tick()
			continue
		}
		todo = append(todo, j)
		at = append(at, k)
	}
	for n, r := range imaging.CheckAll(ctx, todo, workers, func(int) { tick() }) {
		results[at[n]] = r
		if r.Err == nil && r.Report != nil {
			cache.Keep(r.Job, r.Report)
		}
	}
	return results
}

package imaging

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
)

// Options says what a file is checked against. The caller (package main,
// the GUI's controller) builds Limits and Background from the rule pack.
type Options struct {
	Limits Limits
	// Background is the reference background of a photo (KindPhoto only).
	Background Background
	// Guard caps decoding; the zero value means DefaultGuard.
	Guard Guard
	// Preview asks for Report.Preview, the annotated working image.
	Preview bool
}

// photoChecks runs the verification-photo checks (issue 3, point 3) on the
// working image. HOOK: the photo checks live in their own files
// (imaging/photo*.go) and set this variable in their init(), so that this
// file and theirs can be written at the same time. While it is nil a photo
// gets a Doubtful "not checked" result rather than a silent pass.
var photoChecks func(w *Working, bg Background) []Check

// fileReport is the report of opening a file: its file checks and, once
// opened, its format, size and dimensions. done: there is nothing more to
// check, because the file was refused (a FileError, which the report's
// failing check explains) or could not be read at all (err).
func fileReport(path string, kind Kind, w *Working, checks []Check, err error) (rep *Report, done bool, _ error) {
	var fe *FileError
	switch {
	case errors.As(err, &fe):
		return &Report{Path: path, Kind: kind, Checks: checks, Verdict: Worst(checks)}, true, nil
	case err != nil:
		return nil, true, err
	}
	return &Report{Path: path, Kind: kind, Checks: checks, Verdict: Worst(checks),
		MediaType: w.MediaType, Size: w.Size, Width: w.Width, Height: w.Height}, false, nil
}

// CheckFile opens path as kind and runs every check that applies. A file
// that cannot be checked (unsupported, corrupt, too large to decode) still
// gives a report, whose failing check says why; the error is only for a
// path that cannot be read at all.
func CheckFile(path string, kind Kind, opts Options) (*Report, error) {
	checksInFlight.Add(1)
	defer checksInFlight.Add(-1)
	g := opts.Guard
	if g == (Guard{}) {
		g = DefaultGuard
	}
	w, checks, err := openFile(path, kind, opts.Limits, g, checkDetail)
	rep, done, err := fileReport(path, kind, w, checks, err)
	if done {
		return rep, err
	}
	defer w.Release()
	rep.Checks = append(rep.Checks, checkContent(w, kind, opts)...)
	rep.Verdict = Worst(rep.Checks)
	if opts.Preview {
		rep.Preview = Annotate(w, rep.Checks)
	}
	return rep, nil
}

// checkDetail is the long side CheckFile decodes a JPEG to at least: the
// working image's. A variable only so that a benchmark can measure the
// full-size decode the checks used before, in the same run.
var checkDetail = WorkingSide

// checksInFlight counts the CheckFile calls running now; spareCores
// shares the machine out among them.
var checksInFlight atomic.Int32

// spareCores is how many cores one check may split its parallel parts
// over (the working-image reduction, the face search). Decoding, most of a
// check, runs on one core whatever we do, so the split only shortens the
// rest. One core is left to the window, so on a 2-core laptop a lone
// check runs on one core (measured: +8 ms on a 12 MP scan, +12 ms on a
// photo, about 7 %); the others are shared among the checks running, so a
// batch on the pool gives each file one core and spends nothing on
// splitting. On 8 cores a lone check still uses 7.
func spareCores() int {
	free := runtime.GOMAXPROCS(0) - 1
	return max(free/max(int(checksInFlight.Load()), 1), 1)
}

// checkContent runs the checks of the picture itself.
func checkContent(w *Working, kind Kind, opts Options) []Check {
	if kind != KindPhoto {
		return CheckDocument(w, kind)
	}
	if photoChecks == nil {
		return []Check{{ID: "photo.unavailable", Verdict: Doubtful,
			ZH: "此版本未包含照片检查：请对照幕布拍照要求人工核对",
			EN: "this build has no photo checks: compare the photo with the backdrop rules yourself"}}
	}
	return photoChecks(w, opts.Background)
}

// Worst is the worst verdict among checks (Pass when there are none):
// a report's verdict.
func Worst(checks []Check) Verdict {
	v := Pass
	for _, c := range checks {
		v = max(v, c.Verdict)
	}
	return v
}

// Job is one file to check in a batch.
type Job struct {
	Path    string
	Kind    Kind
	Options Options
	// Parts are the pictures Path was stitched from (Compose), when it was:
	// it is then checked by CheckStitched.
	Parts []ComposePart `json:",omitempty"`
}

// Check runs the job: CheckFile, or CheckStitched for a stitched image.
func (j Job) Check() (*Report, error) {
	if len(j.Parts) > 0 {
		return CheckStitched(j.Path, j.Kind, j.Options, j.Parts)
	}
	return CheckFile(j.Path, j.Kind, j.Options)
}

// Result is a Job's report, or the error that kept it from having one.
type Result struct {
	Job    Job
	Report *Report
	Err    error
}

// CheckAll checks jobs on a bounded pool of workers (runtime.GOMAXPROCS(0) when
// workers ≤ 0) and returns the results in the jobs' order. One bad file
// never stops the others. progress, if set, is called from the workers
// after each file with the number done so far. Cancelling ctx skips the
// files not started yet (their Err is ctx's error).
//
// Decoding a JPEG uses one core, so a pool is what makes a batch of scans
// use a multi-core machine; each worker holds one decoded image at a
// time, which bounds memory to about workers × 20 MB for 12 MP JPEGs
// (decoded at half size; a PNG of that size takes about 60 MB).
func CheckAll(ctx context.Context, jobs []Job, workers int, progress func(done int)) []Result {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, len(jobs))
	results := make([]Result, len(jobs))
	var next, done atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= len(jobs) {
					return
				}
				j := jobs[i]
				results[i].Job = j
				if err := ctx.Err(); err != nil {
					results[i].Err = err
				} else {
					results[i].Report, results[i].Err = j.Check()
				}
				n := int(done.Add(1))
				if progress != nil {
					progress(n)
				}
			}
		})
	}
	wg.Wait()
	return results
}

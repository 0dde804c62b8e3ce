package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/icpfiling/icpfiling/filing"
	"github.com/icpfiling/icpfiling/filing/scans"
	"github.com/icpfiling/icpfiling/imaging"
)

// Exit codes of "check-image", as for "validate".
const (
	exitImagesOK   = 0 // every file passed, warned or was doubtful
	exitImageFails = 1 // at least one file failed
	exitImageInput = 2 // a file could not be read, or the options were wrong
)

func cmdCheckImage(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("icpfiling check-image", flag.ContinueOnError)
	fs.SetOutput(stderr)
	kind := fs.String("kind", "", "what the files are (required; one of the KINDs above)")
	asJSON := fs.Bool("json", false, "print the reports as JSON")
	annotate := fs.String("annotate", "", "write an annotated preview of each file (PNG) into this directory")
	fixDir := fs.String("fix", "", "write fixed copies (upright, JPEG, under the size limit) into this directory; a fixed file is judged by its copy")
	lng := fs.String("lang", "zh", "language of the messages: zh or en")
	background := fs.String("background", "backdrop", "photo method whose background a photo must show: backdrop or face_white")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: icpfiling check-image --kind KIND FILE... [--json] [--annotate DIR] [--fix DIR] [--lang zh|en]")
		fmt.Fprintln(stderr, "Checks document scans and the backdrop photo before upload; exit 0 when every file passes, warns or is")
		fmt.Fprintln(stderr, "doubtful, 1 when any fails, 2 when a file cannot be read or an option is wrong.")
		fmt.Fprintln(stderr, "KIND is one of:")
		for _, k := range scans.Kinds {
			fmt.Fprintf(stderr, "  %-22s %s / %s\n", k.Kind, k.ZH, k.EN)
		}
		fs.PrintDefaults()
	}
	files, code, ok := parseArgs(fs, args, lng, stderr)
	if !ok {
		return code
	}
	if *kind == "" || len(files) == 0 {
		fs.Usage()
		return exitImageInput
	}
	day := filing.DateOf(time.Now())
	opts, err := scans.Options(filing.DefaultPack(), imaging.Kind(*kind), *background, day)
	if err != nil {
		fmt.Fprintln(stderr, "--kind/--background:", err)
		fs.Usage()
		return exitImageInput
	}
	opts.Preview = *annotate != ""

	jobs := make([]imaging.Job, len(files))
	for i, f := range files {
		jobs[i] = imaging.Job{Path: f, Kind: imaging.Kind(*kind), Options: opts}
	}
	results := imaging.CheckAll(context.Background(), jobs, runtime.GOMAXPROCS(0), nil)
	outs := make([]imageOutput, len(results))
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for i, r := range results {
		outs[i].Path, outs[i].Report = r.Job.Path, r.Report
		if r.Err != nil {
			outs[i].Error = pick(*lng, "无法读取文件：", "cannot read the file: ") + r.Err.Error()
			continue
		}
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			finishImage(&outs[i], r.Job, *annotate, *fixDir, *lng)
		})
	}
	wg.Wait()

	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		_ = enc.Encode(outs)
	} else {
		writeImageText(stdout, outs, *lng)
	}
	code = exitImagesOK
	for _, o := range outs {
		switch {
		case o.Report == nil:
			code = exitImageInput
		case o.verdict() == imaging.Fail && code == exitImagesOK:
			code = exitImageFails
		}
	}
	return code
}

// imageOutput is one file's line in the output.
type imageOutput struct {
	Path string `json:"path"`
	*imaging.Report
	Annotated string     `json:"annotated,omitempty"`
	Fixed     *fixOutput `json:"fixed,omitempty"`
	Error     string     `json:"error,omitempty"`
}

type fixOutput struct {
	Path    string          `json:"path,omitempty"`
	Applied []string        `json:"applied,omitempty"`
	Quality int             `json:"quality,omitempty"`
	Report  *imaging.Report `json:"report,omitempty"`
	Error   string          `json:"error,omitempty"`
}

// verdict is the file's verdict, or its fixed copy's when one was written.
func (o *imageOutput) verdict() imaging.Verdict {
	if o.Fixed != nil && o.Fixed.Report != nil {
		return o.Fixed.Report.Verdict
	}
	return o.Report.Verdict
}

// finishImage writes the preview and the fixed copy of one checked file.
func finishImage(o *imageOutput, job imaging.Job, annotateDir, fixDir, lng string) {
	if annotateDir != "" && o.Report.Preview != nil {
		p, err := writePreview(annotateDir, job.Path, o.Report)
		if err != nil {
			o.Error = pick(lng, "无法写入预览：", "cannot write the preview: ") + err.Error()
		}
		o.Annotated = p
	}
	if fixDir == "" || !needsFix(o.Report) {
		return
	}
	fopts := job.Options
	fopts.Preview = false
	res, err := imaging.Fix(job.Path, fixDir, job.Kind, fopts)
	switch {
	case errors.Is(err, imaging.ErrNothingToFix):
	case err != nil:
		o.Fixed = &fixOutput{Error: err.Error()}
	default:
		o.Fixed = &fixOutput{Path: res.Path, Applied: res.Applied, Quality: res.Quality, Report: res.Report}
	}
}

func needsFix(r *imaging.Report) bool {
	for _, c := range r.Checks {
		if c.Fix != "" && c.Verdict != imaging.Pass {
			return true
		}
	}
	return false
}

func writePreview(dir, src string, r *imaging.Report) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	base := strings.TrimSuffix(filepath.Base(src), filepath.Ext(src))
	p := filepath.Join(dir, base+"-annotated.png")
	if a, b := absPath(p), absPath(src); a == b {
		return "", fmt.Errorf("%s would replace the original", p)
	}
	f, err := os.Create(p)
	if err != nil {
		return "", err
	}
	if err := png.Encode(f, r.Preview); err != nil {
		f.Close()
		return "", err
	}
	return p, f.Close()
}

func absPath(p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		return p
	}
	return a
}

var imageVerdictLabel = map[imaging.Verdict][2]string{
	imaging.Pass:     {"通过", "pass"},
	imaging.Warn:     {"警告", "warn"},
	imaging.Doubtful: {"存疑", "doubtful"},
	imaging.Fail:     {"不通过", "FAIL"},
}

func writeImageText(w io.Writer, outs []imageOutput, lng string) {
	label := func(v imaging.Verdict) string {
		l := imageVerdictLabel[v]
		return pick(lng, l[0], l[1])
	}
	var counts [4]int
	unreadable := 0
	for _, o := range outs {
		if o.Report == nil {
			unreadable++
			fmt.Fprintf(w, "%s: %s\n", o.Path, o.Error)
			continue
		}
		r := o.Report
		counts[o.verdict()]++
		size := ""
		if r.Width > 0 {
			size = fmt.Sprintf(" · %d×%d · %.2f MB", r.Width, r.Height, float64(r.Size)/(1<<20))
		}
		fmt.Fprintf(w, "%s: [%s]%s\n", o.Path, label(r.Verdict), size)
		writeChecks(w, r.Checks, lng, label)
		if o.Annotated != "" {
			fmt.Fprintf(w, "    %s %s\n", pick(lng, "标注预览：", "annotated preview:"), o.Annotated)
		}
		if o.Error != "" {
			fmt.Fprintf(w, "    %s\n", o.Error)
		}
		if f := o.Fixed; f != nil {
			if f.Error != "" {
				fmt.Fprintf(w, "    %s %s\n", pick(lng, "无法自动修复：", "cannot fix:"), f.Error)
				continue
			}
			fmt.Fprintf(w, "    %s %s (%s, q%d): [%s]\n", pick(lng, "已修复 →", "fixed →"), f.Path, strings.Join(f.Applied, ", "), f.Quality, label(f.Report.Verdict))
			var left []imaging.Check
			for _, c := range f.Report.Checks {
				if c.Verdict != imaging.Pass {
					left = append(left, c)
				}
			}
			writeChecks(w, left, lng, label)
		}
	}
	fmt.Fprintln(w, pick(lng,
		fmt.Sprintf("共 %d 个文件：通过 %d，警告 %d，存疑 %d，不通过 %d，无法读取 %d", len(outs), counts[imaging.Pass], counts[imaging.Warn], counts[imaging.Doubtful], counts[imaging.Fail], unreadable),
		fmt.Sprintf("%d files: %d pass, %d warn, %d doubtful, %d fail, %d unreadable", len(outs), counts[imaging.Pass], counts[imaging.Warn], counts[imaging.Doubtful], counts[imaging.Fail], unreadable)))
}

func writeChecks(w io.Writer, checks []imaging.Check, lng string, label func(imaging.Verdict) string) {
	for i, c := range checks {
		fmt.Fprintf(w, "  %2d [%s] %s: %s\n", i+1, label(c.Verdict), c.ID, c.Message(lng))
		var detail []string
		if m := c.MeasuredIn(lng); m != "" {
			detail = append(detail, pick(lng, "实测 ", "measured ")+m)
		}
		if l := c.ThresholdIn(lng); l != "" {
			detail = append(detail, pick(lng, "限值 ", "limit ")+l)
		}
		if len(detail) > 0 {
			fmt.Fprintf(w, "       %s\n", strings.Join(detail, pick(lng, "；", "; ")))
		}
	}
}

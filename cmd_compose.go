package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/icpfiling/icpfiling/filing"
	"github.com/icpfiling/icpfiling/filing/scans"
	"github.com/icpfiling/icpfiling/imaging"
)

// composeOutput is what "compose --json" prints.
type composeOutput struct {
	Out string `json:"out,omitempty"`
	*imaging.Composition
	Bytes    int             `json:"bytes"`
	MaxBytes int64           `json:"max_bytes,omitempty"`
	Problems []imaging.Check `json:"problems"`
	Error    string          `json:"error,omitempty"`
}

// cmdCompose stitches a supporting document and its main certificate into
// the one image the slot takes (issue 18; icp-rules.md 1.1.8). Exit 0:
// written, under the limit and every part legible; 1: the reasons it is
// not (written anyway when it fits, so that it can be looked at); 2: a
// part cannot be read or an option is wrong.
func cmdCompose(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("icpfiling compose", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "", "the composed JPEG to write (required)")
	slot := fs.String("slot", "", "the upload slot the image goes into (its size limit and its checks), e.g. website_owner_id")
	limit := fs.Int64("limit", 0, "size limit in bytes, instead of the slot's (exclusive: the file stays under it)")
	grid := fs.Bool("grid", false, "lay the parts out in a grid instead of one above the other")
	kinds := fs.String("kinds", "", "what each file is, comma-separated in the files' order (id_front, authorisation_letter, …); default: the slot's kind for the first, authorisation_letter for the others")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	lng := fs.String("lang", "zh", "language of the messages: zh or en")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: icpfiling compose --out OUT.jpg [--slot SLOT] [--limit BYTES] [--grid] [--kinds K1,K2,...] [--json] [--lang zh|en] FILE...")
		fmt.Fprintf(stderr, "Stitches %d–%d scans (the main certificate first) into one JPEG under the slot's upload limit; exit 0 when it\n", imaging.MinComposeParts, imaging.MaxComposeParts)
		fmt.Fprintln(stderr, "fits and every part stays legible, 1 with the reasons otherwise, 2 when a file cannot be read or an option is wrong.")
		fs.PrintDefaults()
	}
	files, code, ok := parseArgs(fs, args, lng, stderr)
	if !ok {
		return code
	}
	if *out == "" || len(files) < imaging.MinComposeParts || len(files) > imaging.MaxComposeParts {
		fmt.Fprintln(stderr, pick(*lng,
			fmt.Sprintf("需要 --out 和 %d–%d 个文件。", imaging.MinComposeParts, imaging.MaxComposeParts),
			fmt.Sprintf("--out and %d–%d files are needed.", imaging.MinComposeParts, imaging.MaxComposeParts)))
		fs.Usage()
		return exitUnreadable
	}
	for _, f := range files {
		if absPath(f) == absPath(*out) {
			fmt.Fprintln(stderr, pick(*lng, "--out 不能是输入文件之一：", "--out must not be one of the inputs: ")+*out)
			return exitUnreadable
		}
	}
	pack := filing.DefaultPack()
	opts := imaging.ComposeOptions{Kind: imaging.KindCertificate, Grid: *grid, Name: *out}
	if *slot != "" {
		if !packHasSlot(pack, *slot) {
			fmt.Fprintln(stderr, pick(*lng, "规则包中没有这个资料类型：", "the rule pack has no such slot: ")+*slot)
			return exitUnreadable
		}
		opts.Kind = scans.KindOf(*slot, "")
	}
	if u := pack.UploadFor(*slot, filing.DateOf(time.Now())); u != nil {
		opts.Limits = imaging.Limits{RuleID: u.ID, Formats: u.Formats, Discouraged: u.Discouraged, MaxBytes: u.MaxBytes, MinBytes: u.MinBytes}
	}
	if *limit < 0 {
		fmt.Fprintln(stderr, pick(*lng, "--limit 不能为负数。", "--limit must not be negative."))
		return exitUnreadable
	}
	if *limit > 0 {
		opts.Limits.RuleID, opts.Limits.MaxBytes = "", *limit
	}
	var partKinds []string
	if *kinds != "" {
		partKinds = strings.Split(*kinds, ",")
		if len(partKinds) != len(files) {
			fmt.Fprintln(stderr, pick(*lng, "--kinds 须为每个文件各给一种。", "--kinds needs one kind per file."))
			return exitUnreadable
		}
	}
	parts := make([]imaging.ComposePart, len(files))
	for i, f := range files {
		parts[i] = imaging.ComposePart{Path: f}
		if partKinds != nil {
			k := imaging.Kind(strings.TrimSpace(partKinds[i]))
			if !slices.ContainsFunc(scans.Kinds, func(ki scans.KindInfo) bool { return ki.Kind == k }) || k == imaging.KindPhoto {
				fmt.Fprintln(stderr, pick(*lng, "未知的资料种类：", "unknown kind: ")+string(k))
				return exitUnreadable
			}
			parts[i].Kind = k
		}
	}

	res := composeOutput{MaxBytes: opts.Limits.MaxBytes, Problems: []imaging.Check{}}
	c, err := imaging.Compose(parts, opts)
	var ce *imaging.ComposeError
	switch {
	case errors.As(err, &ce):
		res.Error = ce.Message(*lng)
		code = exitUnreadable
	case errors.Is(err, imaging.ErrComposeTooLarge):
		res.Error = pick(*lng, "无法压到大小限值内："+humanSize(opts.Limits.MaxBytes)+"，请减少拼接的部分。",
			"the parts cannot be put under the size limit ("+humanSize(opts.Limits.MaxBytes)+"): stitch fewer parts.")
		code = exitBlocked
	case err != nil:
		res.Error = err.Error()
		code = exitUnreadable
	default:
		res.Composition, res.Bytes, res.Problems = c, len(c.JPEG), c.Problems()
		if res.Problems == nil {
			res.Problems = []imaging.Check{}
		}
		if werr := writeFileAtomic(*out, c.JPEG); werr != nil {
			res.Error = pick(*lng, "无法写入：", "cannot write: ") + werr.Error()
			code = exitUnreadable
			break
		}
		res.Out = *out
		code = exitClean
		if len(res.Problems) > 0 {
			code = exitBlocked
		}
	}
	if *asJSON {
		if c := writeJSON(stdout, res); c != exitClean {
			return c
		}
		return code
	}
	if res.Error != "" {
		fmt.Fprintln(stderr, res.Error)
		return code
	}
	writeComposeText(stdout, res, *lng)
	return code
}

// packHasSlot: slot is an upload slot the rule pack names.
func packHasSlot(pack *filing.Pack, slot string) bool {
	for _, d := range pack.Documents {
		if d.Slot == slot {
			return true
		}
	}
	return slot == "photo"
}

func humanSize(n int64) string {
	if n <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f MB", float64(n)/(1<<20))
}

func writeComposeText(w io.Writer, res composeOutput, lng string) {
	label := func(v imaging.Verdict) string {
		l := imageVerdictLabel[v]
		return pick(lng, l[0], l[1])
	}
	c := res.Composition
	fmt.Fprintf(w, "%s: %d×%d · %s · q%d", res.Out, c.Width, c.Height, humanSize(int64(res.Bytes)), c.Quality)
	if res.MaxBytes > 0 {
		fmt.Fprintf(w, pick(lng, "（限值 < %s）", " (limit < %s)"), humanSize(res.MaxBytes))
	}
	fmt.Fprintln(w)
	for i, p := range c.Parts {
		fmt.Fprintf(w, pick(lng, "第 %d 部分 %s：%d×%d，位于 (%d,%d) [%s]\n", "part %d %s: %d×%d at (%d,%d) [%s]\n"),
			i+1, p.Name, p.Rect.Dx(), p.Rect.Dy(), p.Rect.Min.X, p.Rect.Min.Y, label(p.Report.Verdict))
		writeChecks(w, notPassed(p.Report.Checks), lng, label)
	}
	fmt.Fprintf(w, pick(lng, "拼接图的文件检查（格式、大小）：[%s]\n", "the composite's file checks (format, size): [%s]\n"), label(c.Report.Verdict))
	writeChecks(w, notPassed(c.Report.Checks), lng, label)
	if len(res.Problems) == 0 {
		fmt.Fprintln(w, pick(lng, "大小符合限值，各部分均清晰可辨。", "under the size limit, and every part stays legible."))
		return
	}
	fmt.Fprintln(w, pick(lng, "不宜直接上传：", "not fit to upload as it is:"))
	for _, p := range res.Problems {
		fmt.Fprintln(w, "  - "+p.Message(lng))
	}
}

func notPassed(checks []imaging.Check) []imaging.Check {
	var out []imaging.Check
	for _, c := range checks {
		if c.Verdict != imaging.Pass {
			out = append(out, c)
		}
	}
	return out
}

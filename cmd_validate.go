package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/icpfiling/icpfiling/filing"
)

// Exit codes of "validate", documented in the README.
const (
	exitClean      = 0 // nothing blocks
	exitBlocked    = 1 // at least one blocking finding
	exitUnreadable = 2 // the input or the options could not be used
)

// localised is an error with a message in each language.
type localised interface {
	error
	Message(lang string) string
}

func message(err error, lang string) string {
	if l, ok := err.(localised); ok {
		return l.Message(lang)
	}
	return err.Error()
}

// parseArgs parses a command's flags, which may follow its operands, and
// checks --lang. When ok is false the command exits with code: 0 after
// -h, 2 for a bad flag or language.
func parseArgs(fs *flag.FlagSet, args []string, lng *string, stderr io.Writer) (operands []string, code int, ok bool) {
	operands, err := parseInterspersed(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, exitClean, false
		}
		return nil, exitUnreadable, false
	}
	if *lng != "zh" && *lng != "en" {
		fmt.Fprintf(stderr, "--lang must be zh or en, not %q\n", *lng)
		return nil, exitUnreadable, false
	}
	return operands, 0, true
}

// parseInterspersed lets flags follow the file name, as people type them.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return positional, nil
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

func cmdValidate(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("icpfiling validate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asOf := fs.String("as-of", "", "evaluate dated rules as of this day, YYYY-MM-DD (default: today in China)")
	lng := fs.String("lang", "zh", "language of the messages: zh or en")
	asJSON := fs.Bool("json", false, "print the findings as JSON")
	rulesFile := fs.String("rules", "", "use this rule pack for this run instead of the one in use (must not be older)")
	var packFlags submitFlags
	dataDirFlag(fs, &packFlags.dataDir, "use the rule pack in use in this data directory (the newest accepted one; default: the built-in pack)", stderr)
	fs.StringVar(&packFlags.passFile, "passphrase-file", "", "with --data-dir: file holding the store passphrase")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: icpfiling validate FILE.json [--as-of YYYY-MM-DD] [--lang zh|en] [--json] [--data-dir DIR] [--rules PACK.json]")
		fs.PrintDefaults()
	}
	files, code, ok := parseArgs(fs, args, lng, stderr)
	if !ok {
		return code
	}
	if len(files) != 1 {
		fs.Usage()
		return exitUnreadable
	}
	day := time.Now()
	if *asOf != "" {
		d, err := filing.ParseDate(*asOf)
		if err != nil {
			fmt.Fprintln(stderr, pick(*lng, "--as-of 须为 YYYY-MM-DD 格式的真实日期："+*asOf, "--as-of: "+err.Error()))
			return exitUnreadable
		}
		day = d.Time()
	}
	pack := filing.DefaultPack()
	if packFlags.dataDir != "" {
		packFlags.lang = *lng
		st, m, code := packFlags.openPacks(stderr)
		if st == nil {
			return code
		}
		pack = m.Current()
		st.Close()
	}
	if *rulesFile != "" {
		newer, err := loadPackFile(*rulesFile)
		if err == nil {
			err = pack.CanReplace(newer)
		}
		if err != nil {
			fmt.Fprintf(stderr, "%s: %s\n", *rulesFile, message(err, *lng))
			return exitUnreadable
		}
		pack = newer
	}
	data, err := os.ReadFile(files[0])
	if err != nil {
		fmt.Fprintf(stderr, "%s: %s\n", files[0], pick(*lng, "无法读取文件："+err.Error(), "cannot read the file: "+err.Error()))
		return exitUnreadable
	}
	app, err := filing.DecodeApplication(data)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %s\n", files[0], message(err, *lng))
		return exitUnreadable
	}
	findings := filing.Validate(app, pack, day)
	if *asJSON {
		writeFindingsJSON(stdout, findings, pack, filing.DateOf(day))
	} else {
		writeFindingsText(stdout, findings, *lng)
	}
	if filing.Blocking(findings) > 0 {
		return exitBlocked
	}
	return exitClean
}

func pick(lang, zh, en string) string {
	if lang == "en" {
		return en
	}
	return zh
}

func loadPackFile(path string) (*filing.Pack, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return filing.ParsePack(data)
}

func writeFindingsText(w io.Writer, findings []filing.Finding, lng string) {
	counts := [3]int{}
	for _, f := range findings {
		counts[f.Severity]++
		fmt.Fprintf(w, "[%s] %d %s · %s: %s\n", f.Severity.Label(lng), int(f.Step), f.Step.Name(lng), f.Field, f.Message(lng))
		detail := pick(lng, "规则 ", "rule ") + f.Rule
		if m := f.MeasuredIn(lng); m != "" {
			detail += pick(lng, "；实测 ", "; measured ") + m
		}
		if l := f.LimitIn(lng); l != "" {
			detail += pick(lng, "；限值 ", "; limit ") + l
		}
		fmt.Fprintf(w, "    %s%s%s\n", detail, pick(lng, "；来源 ", "; source "), f.Source)
	}
	fmt.Fprintln(w, pick(lng,
		fmt.Sprintf("共 %d 条：阻断 %d，警告 %d，提示 %d", len(findings), counts[filing.Block], counts[filing.Warn], counts[filing.Info]),
		fmt.Sprintf("%d findings: %d blocking, %d warnings, %d info", len(findings), counts[filing.Block], counts[filing.Warn], counts[filing.Info])))
}

func writeFindingsJSON(w io.Writer, findings []filing.Finding, pack *filing.Pack, day filing.Date) {
	if findings == nil {
		findings = []filing.Finding{}
	}
	out := struct {
		AsOf         filing.Date      `json:"as_of"`
		PackRevision int              `json:"pack_revision"`
		Blocking     int              `json:"blocking"`
		Findings     []filing.Finding `json:"findings"`
	}{day, pack.Revision, filing.Blocking(findings), findings}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	_ = enc.Encode(out)
}

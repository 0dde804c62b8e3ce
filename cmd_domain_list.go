package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/icpfiling/icpfiling/filing"
	"github.com/icpfiling/icpfiling/filing/domainlist"
	"github.com/icpfiling/icpfiling/gui"
)

const domainListUsage = "usage: icpfiling domain-list (--draft ID | FILE.json) --out FILE.pdf|FILE.png [--as-of YYYY-MM-DD] [--data-dir DIR] [--passphrase-file F] [--lang zh|en]"

// cmdDomainList writes the domain list page (域名清单) of a draft or of an
// application file, for a province that wants the domains on a separate
// page: exit 0 when written, 1 when the province wants no separate list
// (the message says where the domains go instead), 2 for bad input.
func cmdDomainList(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("icpfiling domain-list", flag.ContinueOnError)
	fs.SetOutput(stderr)
	draft := fs.String("draft", "", "make the page of this saved draft")
	out := fs.String("out", "", "write the page here: FILE.pdf (all sheets in one file) or FILE.png (300 dpi; further sheets FILE-2.png…)")
	asOf := fs.String("as-of", "", "the date printed on the page and the day the rules are read for, YYYY-MM-DD (default: today in China)")
	var dataDir string
	dataDirFlag(fs, &dataDir, "the app's data directory, for --draft (default: the per-user one)", stderr)
	passFile := fs.String("passphrase-file", "", "file holding the store passphrase, for an encrypted store")
	lng := fs.String("lang", "zh", "language of the messages: zh or en")
	fs.Usage = func() {
		fmt.Fprintln(stderr, domainListUsage)
		fmt.Fprintln(stderr, "Makes the A4 domain list page (sealed by a unit, signed by a person) that most provinces want beside the")
		fmt.Fprintln(stderr, "verification form; exit 1 when the filing's province wants the domains on the form instead.")
		fs.PrintDefaults()
	}
	files, code, ok := parseArgs(fs, args, lng, stderr)
	if !ok {
		return code
	}
	if *out == "" || (len(files) == 1) == (*draft != "") || len(files) > 1 {
		fs.Usage()
		return exitUnreadable
	}
	day := filing.DateOf(time.Now())
	if *asOf != "" {
		d, err := filing.ParseDate(*asOf)
		if err != nil {
			fmt.Fprintln(stderr, pick(*lng, "--as-of 须为 YYYY-MM-DD 格式的真实日期："+*asOf, "--as-of: "+err.Error()))
			return exitUnreadable
		}
		day = d
	}

	var app *filing.Application
	pack := filing.DefaultPack()
	if *draft != "" {
		st, code := (&draftsFlags{dataDir: dataDir, passFile: *passFile, lang: *lng}).open(stderr)
		if st == nil {
			return code
		}
		a, _, err := st.LoadDraft(*draft)
		pack = packInUse(st, *lng, stderr) // the rules in use in that data directory
		st.Close()
		if err != nil {
			fmt.Fprintln(stderr, message(err, *lng))
			return exitUnreadable
		}
		app = a
	} else {
		data, err := os.ReadFile(files[0])
		if err != nil {
			fmt.Fprintf(stderr, "%s: %s\n", files[0], pick(*lng, "无法读取文件："+err.Error(), "cannot read the file: "+err.Error()))
			return exitUnreadable
		}
		if app, err = filing.DecodeApplication(data); err != nil {
			fmt.Fprintf(stderr, "%s: %s\n", files[0], message(err, *lng))
			return exitUnreadable
		}
	}

	need := domainlist.NeedFor(app, pack, day)
	if !need.Wanted {
		// Both languages: the reason is what a script's log should show.
		fmt.Fprintln(stderr, need.ZH+needRule(need, "zh"))
		fmt.Fprintln(stderr, need.EN+needRule(need, "en"))
		return exitBlocked
	}
	written, err := domainlist.WriteFor(*out, app, pack, day, gui.ChineseFont.Content())
	if err != nil {
		fmt.Fprintln(stderr, pick(*lng, "无法写入域名清单：", "cannot write the domain list: ")+message(err, *lng))
		return exitUnreadable
	}
	for _, p := range written {
		fmt.Fprintln(stdout, p)
	}
	fmt.Fprintln(stdout, need.Message(*lng)+needRule(need, *lng))
	if need.Registrar {
		fmt.Fprintln(stdout, pick(*lng, "备案资料中没有记录域名注册商，请在打印后于“注册商（中文简称）”一栏手写（如“阿里云”）。",
			"The filing does not record the registrars: write each one's short Chinese name (e.g. 阿里云) in the registrar column after printing."))
	}
	fmt.Fprintln(stdout, pick(*lng, "打印后盖章或签字，扫描后与核验单拼在同一张图片中上传。",
		"Print it, seal or sign it, scan it, and stitch the scan into one image with the verification form."))
	return exitClean
}

// needRule names the pack rule behind a domain list answer, as the other
// commands name theirs: "（domain_list.separate-page）".
func needRule(n domainlist.Need, lng string) string {
	if n.Rule == nil {
		return ""
	}
	return pick(lng, "（"+n.Rule.ID+"）", " ("+n.Rule.ID+")")
}

package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/icpfiling/icpfiling/filing"
	"github.com/icpfiling/icpfiling/filing/bundle"
	"github.com/icpfiling/icpfiling/filing/packs"
	"github.com/icpfiling/icpfiling/filing/store"
)

const draftsUsage = `usage: icpfiling drafts list   [--search TEXT] [--deleted] [--json]
       icpfiling drafts show   ID [--json]
       icpfiling drafts export --out FILE.icpf [--with-secrets] [ID...]   (all drafts without IDs)
       icpfiling drafts import FILE.icpf [--replace]
       icpfiling drafts delete ID... | --undo ID... | --all-data --yes
common flags: --data-dir DIR  --passphrase-file FILE  --lang zh|en
       --bundle-passphrase-file FILE   seals (export --with-secrets) or opens (import) the bundle's passwords`

// draftsFlags are the flags every drafts subcommand takes.
type draftsFlags struct {
	dataDir, passFile, bundlePassFile, lang string
	asJSON                                  bool
}

func (f *draftsFlags) register(fs *flag.FlagSet, stderr io.Writer) {
	dataDirFlag(fs, &f.dataDir, "the app's data directory (default: the per-user one)", stderr)
	fs.StringVar(&f.passFile, "passphrase-file", "", "file holding the store passphrase (to read or keep passwords, or open an encrypted store)")
	fs.StringVar(&f.bundlePassFile, "bundle-passphrase-file", "", "file holding the passphrase of a bundle's sealed passwords")
	fs.StringVar(&f.lang, "lang", "zh", "language of the messages: zh or en")
	fs.BoolVar(&f.asJSON, "json", false, "print JSON")
}

func (f *draftsFlags) open(stderr io.Writer) (*store.Store, int) {
	opts := store.Options{Dir: f.dataDir, SnapshotInterval: -1, Progress: encryptionProgress(stderr)}
	if f.passFile != "" {
		p, err := readSecretFile(f.passFile)
		if err != nil {
			fmt.Fprintln(stderr, pick(f.lang, "无法读取口令文件：", "cannot read the passphrase file: ")+err.Error())
			return nil, exitUnreadable
		}
		opts.Passphrase = p
	}
	return openStoreFor(opts, f.lang, stderr)
}

func (f *draftsFlags) bundlePassphrase(stderr io.Writer) (filing.Secret, bool) {
	if f.bundlePassFile == "" {
		return filing.Secret{}, true
	}
	p, err := readSecretFile(f.bundlePassFile)
	if err != nil {
		fmt.Fprintln(stderr, pick(f.lang, "无法读取导出包口令文件：", "cannot read the bundle passphrase file: ")+err.Error())
		return filing.Secret{}, false
	}
	return p, true
}

// cmdDrafts lists, shows, exports, imports and deletes the drafts kept in
// the app's data directory, for scripts and agencies without the window.
func cmdDrafts(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, draftsUsage)
		return exitUnreadable
	}
	sub, args := args[0], args[1:]
	fs := flag.NewFlagSet("icpfiling drafts "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	var f draftsFlags
	f.register(fs, stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, draftsUsage)
		fs.PrintDefaults()
	}
	search := fs.String("search", "", "list: only drafts whose subject name or domain contains TEXT, or whose certificate number ends with it")
	deleted := fs.Bool("deleted", false, "list: the deleted drafts that can still be brought back")
	out := fs.String("out", "", "export: the bundle file to write")
	withSecrets := fs.Bool("with-secrets", false, "export: include the stored passwords, sealed with --bundle-passphrase-file")
	replace := fs.Bool("replace", false, "import: overwrite drafts with the same ID instead of keeping both")
	undo := fs.Bool("undo", false, "delete: bring deleted drafts back")
	allData := fs.Bool("all-data", false, "delete: remove ALL of the app's data (drafts, scans, snapshots, logs)")
	yes := fs.Bool("yes", false, "delete --all-data: confirm")
	positional, code, ok := parseArgs(fs, args, &f.lang, stderr)
	if !ok {
		return code
	}
	switch sub {
	case "list":
		return draftsList(&f, *search, *deleted, stdout, stderr)
	case "show":
		if len(positional) != 1 {
			fs.Usage()
			return exitUnreadable
		}
		return draftsShow(&f, positional[0], stdout, stderr)
	case "export":
		if *out == "" {
			fmt.Fprintln(stderr, pick(f.lang, "请用 --out 指定导出文件。", "give the bundle file with --out"))
			return exitUnreadable
		}
		return draftsExport(&f, *out, *withSecrets, positional, stdout, stderr)
	case "import":
		if len(positional) != 1 {
			fs.Usage()
			return exitUnreadable
		}
		return draftsImport(&f, positional[0], *replace, stdout, stderr)
	case "delete":
		if *allData {
			return draftsDeleteAll(&f, *yes, stdout, stderr)
		}
		if len(positional) == 0 {
			fs.Usage()
			return exitUnreadable
		}
		return draftsDelete(&f, positional, *undo, stdout, stderr)
	}
	fmt.Fprintf(stderr, "unknown drafts command %q\n%s\n", sub, draftsUsage)
	return exitUnreadable
}

func draftsList(f *draftsFlags, search string, deleted bool, stdout, stderr io.Writer) int {
	st, code := f.open(stderr)
	if st == nil {
		return code
	}
	defer st.Close()
	var list []store.DraftInfo
	var err error
	if deleted {
		list, err = st.ListDeleted()
	} else {
		list, err = st.SearchDrafts(search)
	}
	if err != nil {
		fmt.Fprintln(stderr, message(err, f.lang))
		return exitBlocked
	}
	rows := make([]draftRow, len(list))
	for i, d := range list {
		rows[i].DraftInfo = d
	}
	if !deleted {
		rulesNews(st, rows)
	}
	if f.asJSON {
		return writeJSON(stdout, rows)
	}
	for _, d := range rows {
		when := d.Edited.Local().Format("2006-01-02 15:04")
		if deleted {
			when = pick(f.lang, "删除于 ", "deleted ") + d.Deleted.Local().Format("2006-01-02 15:04")
		}
		fmt.Fprintf(stdout, "%s  %-16s  %s  %s  %s  …%s%s\n", term(d.ID), d.Status.Label(f.lang), when,
			term(orDash(d.SubjectName)), term(orDash(strings.Join(d.Domains, ","))), term(d.CertificateTail), d.rulesNote(f.lang))
	}
	fmt.Fprintln(stdout, pick(f.lang, fmt.Sprintf("共 %d 份草稿", len(list)), fmt.Sprintf("%d drafts", len(list))))
	return exitClean
}

// draftRow is a line of "drafts list": the draft and what a newer rule
// pack did to it since it was last checked.
type draftRow struct {
	store.DraftInfo
	// RulesUpdated: the draft was last checked under an older pack than
	// the one in use; NewProblems counts the blocking findings and
	// warnings that are new under it (-1: the older pack is not kept here).
	RulesUpdated bool `json:"rules_updated,omitempty"`
	NewProblems  int  `json:"new_problems,omitempty"`
}

// rulesNews fills RulesUpdated and NewProblems from the pack in use.
func rulesNews(st *store.Store, rows []draftRow) {
	m, err := packs.New(st)
	if err != nil {
		return
	}
	now := time.Now()
	for i := range rows {
		app, _, err := st.LoadDraft(rows[i].ID)
		if err != nil {
			continue
		}
		found, updated, known := m.NewProblems(app, now)
		rows[i].RulesUpdated = updated
		rows[i].NewProblems = len(found)
		if updated && !known {
			rows[i].NewProblems = -1
		}
	}
}

// rulesNote is the "规则已更新：2 处新问题" of a row, "" when nothing changed.
func (d draftRow) rulesNote(lang string) string {
	switch {
	case !d.RulesUpdated:
		return ""
	case d.NewProblems < 0:
		return "  " + pick(lang, "规则已更新", "rules updated")
	default:
		return "  " + pick(lang, fmt.Sprintf("规则已更新：%d 处新问题", d.NewProblems),
			fmt.Sprintf("rules updated: %d new problem%s", d.NewProblems, map[bool]string{true: "s"}[d.NewProblems != 1]))
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func draftsShow(f *draftsFlags, id string, stdout, stderr io.Writer) int {
	st, code := f.open(stderr)
	if st == nil {
		return code
	}
	defer st.Close()
	app, info, err := st.LoadDraft(id)
	if err != nil {
		fmt.Fprintln(stderr, message(err, f.lang))
		return exitBlocked
	}
	masked := maskApplication(app)
	if f.asJSON {
		return writeJSON(stdout, struct {
			Info        store.DraftInfo     `json:"info"`
			Application *filing.Application `json:"application"`
		}{info, masked})
	}
	l := f.lang
	// Every line goes through term: the draft's text may carry control characters.
	w := func(format string, a ...any) { fmt.Fprintln(stdout, term(fmt.Sprintf(format, a...))) }
	w("%s %s", pick(l, "草稿", "draft"), info.ID)
	w("  %s: %s   %s: %s   %s: %s", pick(l, "状态", "status"), info.Status.Label(l),
		pick(l, "创建", "created"), info.Created.Local().Format("2006-01-02 15:04"),
		pick(l, "最后编辑", "last edited"), info.Edited.Local().Format("2006-01-02 15:04"))
	w("  %s: %s  %s: %s  %s: %s", pick(l, "类型", "kind"), masked.Kind, pick(l, "省份", "province"), masked.Province,
		pick(l, "主体性质", "subject type"), masked.Subject.Type)
	w("  %s: %s", pick(l, "主办单位", "subject"), orDash(masked.Subject.Name))
	w("  %s: %s (%s)", pick(l, "证件号码", "certificate number"), orDash(masked.Subject.CertificateNumber), masked.Subject.CertificateType)
	showPerson(w, pick(l, "主体负责人", "subject owner"), masked.Subject.Owner, l)
	for i, site := range masked.Websites {
		w("  %s %d: %s  %s  %s", pick(l, "网站", "website"), i+1, orDash(site.Domain), site.Name, site.ICPNumber)
		showPerson(w, "    "+pick(l, "网站负责人", "website owner"), site.Owner, l)
	}
	w("  %s: %s/%s, %d %s", pick(l, "产品", "product"), masked.Product.Type, masked.Product.Product, masked.Product.Months, pick(l, "个月", "months"))
	for _, sf := range []struct {
		name, zh, en string
	}{{"filing_password", "工信部备案密码", "MIIT filing password"}, {"console_password", "主机控制台密码", "host console password"}} {
		state := pick(l, "未保存（提交时再输入）", "not stored (asked at submit time)")
		for _, s := range info.StoredSecrets {
			if s == sf.name {
				state = pick(l, "已加密保存", "stored encrypted")
			}
		}
		w("  %s: %s", pick(l, sf.zh, sf.en), state)
	}
	for _, d := range masked.Documents {
		if d.Attachment != nil {
			w("  %s %s: %s", pick(l, "资料", "document"), d.Slot, attachmentLine(st, *d.Attachment, l))
		}
	}
	if masked.Photo.Attachment != nil {
		w("  %s: %s", pick(l, "核验照片", "verification photo"), attachmentLine(st, *masked.Photo.Attachment, l))
	}
	for _, ev := range masked.Timeline {
		w("  %s %s %s", ev.At.Local().Format("2006-01-02 15:04"), ev.Status.Label(l), strings.Join(ev.Reasons, "；"))
	}
	return exitClean
}

func showPerson(w func(string, ...any), role string, p filing.Person, lang string) {
	w("  %s: %s  %s %s  %s %s  %s", role, orDash(p.Name), pick(lang, "证件", "ID"), orDash(p.IDNumber),
		pick(lang, "手机", "mobile"), orDash(p.Mobile), orDash(p.Email))
}

func attachmentLine(st *store.Store, a filing.Attachment, lang string) string {
	state := pick(lang, "完好", "intact")
	if err := st.VerifyAttachment(a); err != nil {
		state = message(err, lang)
	}
	return fmt.Sprintf("%s, %.1f KB, sha256 %.12s… [%s]", a.OriginalName, float64(a.Size)/1024, a.SHA256, state)
}

// maskApplication copies app with every identity number and phone number
// reduced to its last 4 characters, for printing. Secrets print as a mask
// by themselves (filing.Secret).
func maskApplication(app *filing.Application) *filing.Application {
	cp := *app
	cp.Subject.CertificateNumber = maskTail(cp.Subject.CertificateNumber)
	cp.Subject.Owner = maskPerson(cp.Subject.Owner)
	cp.Websites = append([]filing.Website(nil), app.Websites...)
	for i := range cp.Websites {
		cp.Websites[i].Owner = maskPerson(cp.Websites[i].Owner)
	}
	cp.Backdrop.Phone = maskTail(cp.Backdrop.Phone)
	cp.FilingPassword = filing.Secret{}
	cp.Product.ConsolePassword = filing.Secret{}
	return &cp
}

func maskPerson(p filing.Person) filing.Person {
	p.IDNumber = maskTail(p.IDNumber)
	p.Mobile = maskTail(p.Mobile)
	p.Phone2 = maskTail(p.Phone2)
	p.Emergency = maskTail(p.Emergency)
	return p
}

// maskTail keeps the last 4 characters; shorter values are masked whole,
// since showing all of them would reveal the value.
func maskTail(s string) string {
	r := []rune(s)
	if len(r) == 0 {
		return ""
	}
	if len(r) <= 4 {
		return strings.Repeat("*", len(r))
	}
	return strings.Repeat("*", len(r)-4) + string(r[len(r)-4:])
}

func draftsExport(f *draftsFlags, out string, withSecrets bool, ids []string, stdout, stderr io.Writer) int {
	opts := bundle.ExportOptions{IDs: ids, AppVersion: version}
	if withSecrets {
		if f.bundlePassFile == "" {
			fmt.Fprintln(stderr, pick(f.lang, "--with-secrets 需要 --bundle-passphrase-file 指定导出包口令。",
				"--with-secrets needs --bundle-passphrase-file for the bundle's passphrase"))
			return exitUnreadable
		}
		p, ok := f.bundlePassphrase(stderr)
		if !ok {
			return exitUnreadable
		}
		opts.SecretsPassphrase = p
	}
	if !strings.HasSuffix(out, bundle.Ext) {
		fmt.Fprintln(stderr, pick(f.lang, "导出文件名应以 .icpf 结尾。", "the bundle file name should end in .icpf"))
		return exitUnreadable
	}
	st, code := f.open(stderr)
	if st == nil {
		return code
	}
	defer st.Close()
	res, err := bundle.ExportFile(out, st, opts)
	if err != nil {
		fmt.Fprintln(stderr, message(err, f.lang))
		return exitBlocked
	}
	fmt.Fprintln(stdout, pick(f.lang,
		fmt.Sprintf("已导出 %d 份申请、%d 个扫描件、%d 个密码到 %s", res.Filings, res.Scans, res.Secrets, out),
		fmt.Sprintf("exported %d filings, %d scans, %d passwords to %s", res.Filings, res.Scans, res.Secrets, out)))
	return exitClean
}

func draftsImport(f *draftsFlags, path string, replace bool, stdout, stderr io.Writer) int {
	pass, ok := f.bundlePassphrase(stderr)
	if !ok {
		return exitUnreadable
	}
	// Verify before opening the store: a bad bundle never touches it.
	b, closer, err := bundle.ReadFile(path, bundle.DefaultLimits)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %s\n", term(path), message(err, f.lang))
		fmt.Fprintln(stderr, pick(f.lang, "没有导入任何内容。", "nothing was imported"))
		return exitUnreadable
	}
	defer closer.Close()
	if refuseBundleControls(b, path, f.lang, stderr) {
		fmt.Fprintln(stderr, pick(f.lang, "没有导入任何内容。", "nothing was imported"))
		return exitUnreadable
	}
	st, code := f.open(stderr)
	if st == nil {
		return code
	}
	defer st.Close()
	res, err := b.Import(st, bundle.ImportOptions{Replace: replace, SecretsPassphrase: pass})
	if err != nil {
		fmt.Fprintf(stderr, "%s: %s\n", path, message(err, f.lang))
		fmt.Fprintln(stderr, pick(f.lang, "没有导入任何申请。", "no filing was imported"))
		return exitBlocked
	}
	for _, d := range res.Drafts {
		fmt.Fprintf(stdout, "%s  %s  %s\n", term(d.ID), term(orDash(d.SubjectName)), term(orDash(strings.Join(d.Domains, ","))))
		if len(d.UnsavedSecrets) > 0 {
			fmt.Fprintln(stdout, pick(f.lang, "    密码未保存：数据没有口令或未解锁（--passphrase-file）", "    passwords not kept: the store has no passphrase or is locked (--passphrase-file)"))
		}
	}
	fmt.Fprintln(stdout, pick(f.lang,
		fmt.Sprintf("已导入 %d 份申请、%d 个扫描件", len(res.Drafts), res.Scans),
		fmt.Sprintf("imported %d filings, %d scans", len(res.Drafts), res.Scans)))
	if res.SecretsSkipped {
		fmt.Fprintln(stdout, pick(f.lang, "导出包里的密码没有导入：需要 --bundle-passphrase-file。",
			"the bundle's passwords were not imported: they need --bundle-passphrase-file"))
	}
	return exitClean
}

func draftsDelete(f *draftsFlags, ids []string, undo bool, stdout, stderr io.Writer) int {
	st, code := f.open(stderr)
	if st == nil {
		return code
	}
	defer st.Close()
	failed := false
	for _, id := range ids {
		var err error
		if undo {
			_, err = st.UndoDelete(id)
		} else {
			_, err = st.DeleteDraft(id)
		}
		if err != nil {
			fmt.Fprintf(stderr, "%s: %s\n", id, message(err, f.lang))
			failed = true
			continue
		}
		if undo {
			fmt.Fprintln(stdout, pick(f.lang, "已恢复 ", "restored ")+id)
		} else {
			fmt.Fprintln(stdout, pick(f.lang, "已删除 "+id+"（可用 --undo 恢复）", "deleted "+id+" (--undo brings it back)"))
		}
	}
	if failed {
		return exitBlocked
	}
	return exitClean
}

func draftsDeleteAll(f *draftsFlags, yes bool, stdout, stderr io.Writer) int {
	dir := f.dataDir
	if dir == "" {
		var err error
		if dir, err = store.DefaultDir(); err != nil {
			fmt.Fprintln(stderr, err)
			return exitBlocked
		}
	}
	if !yes {
		fmt.Fprintln(stderr, pick(f.lang,
			"这会删除 "+dir+" 中的全部草稿、扫描件、快照和日志，且无法恢复。确认请加 --yes。",
			"this deletes every draft, scan, snapshot and log in "+dir+" for good; add --yes to confirm"))
		return exitUnreadable
	}
	if err := store.DeleteAllData(dir); err != nil {
		fmt.Fprintln(stderr, message(err, f.lang))
		return storeOpenCode(err, f.lang, stderr)
	}
	fmt.Fprintln(stdout, pick(f.lang, "已删除全部数据：", "all data deleted: ")+dir)
	return exitClean
}

// refuseBundleControls says whether a bundle's filings carry control
// characters in names or addresses (filing.ControlRule), printing each
// one; such a bundle is refused whole, as any bad bundle is.
func refuseBundleControls(b *bundle.Bundle, path, lang string, stderr io.Writer) bool {
	refused := false
	for i, app := range b.Apps {
		for _, fd := range filing.ControlCharacters(app) {
			refused = true
			fmt.Fprintf(stderr, "%s: %s %d · %s: %s\n", term(path), pick(lang, "申请", "filing"), i+1, fd.Field, fd.Message(lang))
		}
	}
	return refused
}

func writeJSON(w io.Writer, v any) int {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return exitBlocked
	}
	return exitClean
}

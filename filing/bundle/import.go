package bundle

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/icpfiling/icpfiling/filing"
	"github.com/icpfiling/icpfiling/filing/store"
)

// Limits bound what Read accepts, so a hostile bundle cannot exhaust
// memory or disk.
type Limits struct {
	MaxEntries int
	// MaxJSONSize bounds the manifest, each filing and the secrets.
	MaxJSONSize int64
	// MaxScanSize bounds one scan.
	MaxScanSize int64
	// MaxTotalSize bounds the sum of all entries, uncompressed.
	MaxTotalSize int64
	// MaxRatio is the largest uncompressed/compressed ratio accepted for
	// an entry above 1 MiB. Text reaches ~10, scans ~1; a bomb reaches 1000.
	MaxRatio int64
}

// DefaultLimits suit an agency bundle of a few hundred filings.
var DefaultLimits = Limits{
	MaxEntries:   20000,
	MaxJSONSize:  4 << 20,
	MaxScanSize:  store.MaxAttachmentSize,
	MaxTotalSize: 8 << 30,
	MaxRatio:     100,
}

// Bundle is a bundle that passed every check of Read.
type Bundle struct {
	Manifest Manifest
	// Apps are the filings in manifest order, secrets not yet applied.
	Apps []*filing.Application

	zr      *zip.Reader
	files   map[string]*zip.File
	entries map[string]Entry
	limits  Limits
}

// HasSecrets says whether the bundle carries sealed passwords.
func (b *Bundle) HasSecrets() bool { return b.Manifest.Secrets != "" }

// Read opens a bundle and verifies all of it: entry names, sizes,
// compression ratios, every SHA-256, the manifest version, every filing,
// and that every scan a filing references is there. Nothing is written.
func Read(r io.ReaderAt, size int64, limits Limits) (b *Bundle, err error) {
	zr, err := zip.NewReader(r, size)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) { // names are checked below, with clearer messages
		return nil, &Error{Code: CodeNotZip, ZH: "这不是有效的导出包（zip 文件已损坏或格式不对）。",
			EN: "this is not a valid export bundle (the zip is damaged or not a zip)", Err: err}
	}
	if len(zr.File) > limits.MaxEntries {
		return nil, bundleErr(CodeTooManyFiles, "", "导出包里的文件太多（%d 个，上限 %d）。",
			"the bundle has too many entries (%d, limit %d)", len(zr.File), limits.MaxEntries)
	}
	b = &Bundle{zr: zr, files: map[string]*zip.File{}, entries: map[string]Entry{}, limits: limits}
	var total int64
	for _, f := range zr.File {
		if err := checkName(f.Name); err != nil {
			return nil, err
		}
		if _, dup := b.files[f.Name]; dup {
			return nil, bundleErr(CodeDuplicate, f.Name, "导出包里有重名的文件。", "the bundle holds two entries with this name")
		}
		b.files[f.Name] = f
		if f.Flags&0x1 != 0 || (f.Method != zip.Store && f.Method != zip.Deflate) {
			return nil, bundleErr(CodeUnsupported, f.Name, "文件已加密或使用了不支持的压缩方式。", "the entry is encrypted or uses an unsupported compression method")
		}
		if err := checkSize(f, limits); err != nil {
			return nil, err
		}
		total += int64(f.UncompressedSize64)
		if total > limits.MaxTotalSize {
			return nil, bundleErr(CodeOversized, "", "导出包解压后太大（上限 %d MB）。",
				"the bundle is too large when unpacked (limit %d MB)", limits.MaxTotalSize>>20)
		}
	}

	mf, ok := b.files[manifestName]
	if !ok {
		return nil, bundleErr(CodeNoManifest, "", "导出包里没有 manifest.json。", "the bundle has no manifest.json")
	}
	raw, err := b.readAll(mf, -1, "")
	if err != nil {
		return nil, err
	}
	if err := decodeManifest(raw, &b.Manifest); err != nil {
		return nil, err
	}
	m := &b.Manifest

	// Every zip entry is listed once, and every listed entry is there with
	// the recorded size and hash.
	for _, e := range m.Entries {
		if err := checkName(e.Name); err != nil {
			return nil, err
		}
		if _, dup := b.entries[e.Name]; dup {
			return nil, bundleErr(CodeDuplicate, e.Name, "清单里重复列出了这个文件。", "the manifest lists this entry twice")
		}
		if len(e.SHA256) != 64 || strings.ToLower(e.SHA256) != e.SHA256 {
			return nil, bundleErr(CodeBadManifest, e.Name, "清单里的 SHA-256 格式不对。", "the manifest's SHA-256 for this entry is malformed")
		}
		if _, err := hex.DecodeString(e.SHA256); err != nil {
			return nil, bundleErr(CodeBadManifest, e.Name, "清单里的 SHA-256 格式不对。", "the manifest's SHA-256 for this entry is malformed")
		}
		b.entries[e.Name] = e
		if _, ok := b.files[e.Name]; !ok {
			return nil, bundleErr(CodeMissing, e.Name, "清单列出的文件不在导出包里。", "the manifest lists this entry but the bundle lacks it")
		}
	}
	for name := range b.files {
		if _, ok := b.entries[name]; !ok && name != manifestName {
			return nil, bundleErr(CodeUnlisted, name, "导出包里有清单没有列出的文件。", "the bundle holds an entry the manifest does not list")
		}
	}
	for _, e := range m.Entries {
		if err := b.verify(e); err != nil {
			return nil, err
		}
	}

	// Filings decode, are unique, and have all their scans.
	ids := map[string]bool{}
	for _, f := range m.Filings {
		if f.Entry != filingsDir+f.ID+".json" || ids[f.ID] || f.ID == "" || strings.ContainsAny(f.ID, "/\\") {
			return nil, bundleErr(CodeBadManifest, f.Entry, "清单中的申请条目不一致（编号 %q）。", "the manifest's filing entry is inconsistent (id %q)", f.ID)
		}
		ids[f.ID] = true
		if _, ok := b.entries[f.Entry]; !ok {
			return nil, bundleErr(CodeMissing, f.Entry, "清单列出的申请不在导出包里。", "the manifest lists this filing but the bundle lacks it")
		}
		data, err := b.readAll(b.files[f.Entry], b.entries[f.Entry].Size, b.entries[f.Entry].SHA256)
		if err != nil {
			return nil, err
		}
		app, err := filing.DecodeApplication(data)
		if err != nil {
			var ie *filing.InputError
			if errors.As(err, &ie) {
				return nil, &Error{Code: CodeBadFiling, Entry: shortName(f.Entry), ZH: ie.Message("zh"), EN: ie.Message("en")}
			}
			return nil, &Error{Code: CodeBadFiling, Entry: shortName(f.Entry), ZH: "申请内容无法读取。", EN: "the filing cannot be read", Err: err}
		}
		if app.ID != "" && app.ID != f.ID {
			return nil, bundleErr(CodeBadFiling, f.Entry, "申请内的编号与清单不一致。", "the filing's id differs from the manifest's")
		}
		app.ID = f.ID
		for _, a := range attachmentsOf(app) {
			e, ok := b.entries[scansDir+a.SHA256]
			if !ok {
				return nil, bundleErr(CodeMissingScan, f.Entry, "申请引用的扫描件（SHA-256 %.12s…）不在导出包里。",
					"a scan the filing references (SHA-256 %.12s…) is not in the bundle", a.SHA256)
			}
			if e.Size != a.Size {
				return nil, bundleErr(CodeSizeMismatch, e.Name, "扫描件大小与申请中记录的不一致。", "the scan's size differs from what the filing records")
			}
		}
		b.Apps = append(b.Apps, app)
	}
	if m.Secrets != "" {
		if m.Secrets != secretsName {
			return nil, bundleErr(CodeBadManifest, m.Secrets, "清单中的密码条目名称不对。", "the manifest names an unexpected secrets entry")
		}
		if _, ok := b.entries[secretsName]; !ok {
			return nil, bundleErr(CodeMissing, secretsName, "清单列出的密码文件不在导出包里。", "the manifest lists sealed secrets but the bundle lacks them")
		}
	}
	return b, nil
}

// ReadFile opens and verifies the bundle at path; the file stays open
// until Close.
func ReadFile(path string, limits Limits) (*Bundle, io.Closer, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	b, err := Read(f, fi.Size(), limits)
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return b, f, nil
}

func decodeManifest(raw []byte, m *Manifest) error {
	// The version is read on its own first, so a newer bundle gets "update
	// the app" rather than a complaint about fields this build lacks.
	var probe struct {
		Format        string `json:"format"`
		FormatVersion int    `json:"format_version"`
	}
	if err := json.Unmarshal(raw, &probe); err != nil {
		return &Error{Code: CodeBadManifest, Entry: shortName(manifestName), ZH: "manifest.json 不是有效的 JSON。", EN: "manifest.json is not valid JSON", Err: err}
	}
	if probe.Format != FormatName {
		return bundleErr(CodeBadManifest, manifestName, "这不是本程序的导出包（format 为 %q）。", "this is not a bundle of this app (format %q)", probe.Format)
	}
	if probe.FormatVersion > FormatVersion {
		return bundleErr(CodeNewerVersion, manifestName, "导出包格式版本 %d 比本程序支持的 %d 新，请升级程序。",
			"bundle format version %d is newer than this build reads (%d); update the app", probe.FormatVersion, FormatVersion)
	}
	if probe.FormatVersion < 1 {
		return bundleErr(CodeBadVersion, manifestName, "导出包格式版本 %d 无效。", "bundle format version %d is not valid", probe.FormatVersion)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(m); err != nil {
		return &Error{Code: CodeBadManifest, Entry: shortName(manifestName), ZH: "manifest.json 内容不对。", EN: "manifest.json has unexpected content", Err: err}
	}
	return nil
}

// checkName refuses every name that could land outside a directory or
// means different things on different systems.
func checkName(name string) error {
	switch {
	case name == "" || !utf8.ValidString(name) || len(name) > 255:
		return bundleErr(CodeBadName, name, "文件名无效。", "invalid entry name")
	case strings.HasPrefix(name, "/") || strings.HasPrefix(name, `\`) || (len(name) >= 2 && name[1] == ':'):
		return bundleErr(CodeAbsolutePath, name, "文件名是绝对路径，已拒绝。", "the entry name is an absolute path; refused")
	case strings.Contains(name, `\`):
		return bundleErr(CodeBadName, name, "文件名含反斜杠，已拒绝。", "the entry name contains a backslash; refused")
	}
	for _, part := range strings.Split(name, "/") {
		if part == ".." {
			return bundleErr(CodeTraversal, name, "文件名含“../”，试图写到目录之外，已拒绝。", "the entry name contains \"../\" and would escape the directory; refused")
		}
	}
	if path.Clean(name) != name || strings.HasSuffix(name, "/") {
		return bundleErr(CodeBadName, name, "文件名不规范。", "the entry name is not in canonical form")
	}
	for _, r := range name {
		if unicode.IsControl(r) {
			return bundleErr(CodeBadName, name, "文件名含控制字符。", "the entry name contains control characters")
		}
	}
	switch {
	case name == manifestName, name == secretsName:
	case strings.HasPrefix(name, filingsDir) && strings.HasSuffix(name, ".json") && strings.Count(name, "/") == 1:
	case strings.HasPrefix(name, scansDir) && strings.Count(name, "/") == 1 && isHash(name[len(scansDir):]):
	default:
		return bundleErr(CodeUnlisted, name, "导出包里有不认识的文件。", "the bundle holds an entry this format does not have")
	}
	return nil
}

func isHash(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !(s[i] >= '0' && s[i] <= '9' || s[i] >= 'a' && s[i] <= 'f') {
			return false
		}
	}
	return true
}

func (l Limits) sizeLimit(name string) int64 {
	if strings.HasPrefix(name, scansDir) {
		return l.MaxScanSize
	}
	return l.MaxJSONSize
}

// checkSize looks at the sizes the zip declares, before reading a byte.
func checkSize(f *zip.File, limits Limits) error {
	limit := limits.sizeLimit(f.Name)
	if f.UncompressedSize64 > uint64(limit) {
		return bundleErr(CodeOversized, f.Name, "文件太大（%d MB，上限 %d MB）。", "the entry is too large (%d MB, limit %d MB)",
			f.UncompressedSize64>>20, limit>>20)
	}
	if f.UncompressedSize64 > 1<<20 && (f.CompressedSize64 == 0 || f.UncompressedSize64/f.CompressedSize64 > uint64(limits.MaxRatio)) {
		return zipBomb(f.Name)
	}
	return nil
}

func zipBomb(name string) *Error {
	return bundleErr(CodeZipBomb, name, "压缩比异常（疑似“压缩炸弹”），已拒绝。", "the compression ratio is abnormal (a zip bomb?); refused")
}

// readAll reads an entry into memory, never more than its declared size
// (the header could lie), and checks size and hash when given.
func (b *Bundle) readAll(f *zip.File, size int64, hash string) ([]byte, error) {
	var buf bytes.Buffer
	if err := b.stream(f, &buf, size, hash); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// stream copies an entry to w, stopping at the declared size plus one
// byte, and verifies the size and SHA-256 the manifest records.
func (b *Bundle) stream(f *zip.File, w io.Writer, size int64, hash string) error {
	limit := min(int64(f.UncompressedSize64), b.limits.sizeLimit(f.Name))
	rc, err := f.Open()
	if err != nil {
		return &Error{Code: CodeNotZip, Entry: shortName(f.Name), ZH: "无法读取这个文件。", EN: "the entry cannot be read", Err: err}
	}
	defer rc.Close()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(w, h), io.LimitReader(rc, limit+1))
	if n > limit {
		return zipBomb(f.Name)
	}
	if err != nil {
		return &Error{Code: CodeNotZip, Entry: shortName(f.Name), ZH: "文件已损坏，无法解压。", EN: "the entry is damaged and cannot be unpacked", Err: err}
	}
	if size >= 0 && n != size {
		return bundleErr(CodeSizeMismatch, f.Name, "文件大小与清单不符（%d，清单为 %d）。", "the entry's size differs from the manifest (%d, manifest says %d)", n, size)
	}
	if hash != "" && hex.EncodeToString(h.Sum(nil)) != hash {
		return bundleErr(CodeHashMismatch, f.Name, "文件的 SHA-256 与清单不符，可能已被改动或损坏。",
			"the entry's SHA-256 differs from the manifest; it was altered or damaged")
	}
	return nil
}

func (b *Bundle) verify(e Entry) error {
	if e.Size < 0 || e.Size > b.limits.sizeLimit(e.Name) {
		return bundleErr(CodeOversized, e.Name, "清单中的大小超出上限。", "the manifest's size for this entry is beyond the limit")
	}
	if strings.HasPrefix(e.Name, scansDir) && e.Name[len(scansDir):] != e.SHA256 {
		return bundleErr(CodeHashMismatch, e.Name, "扫描件的文件名与其 SHA-256 不符。", "the scan's name is not its SHA-256")
	}
	return b.stream(b.files[e.Name], io.Discard, e.Size, e.SHA256)
}

// ImportOptions configure Import.
type ImportOptions struct {
	// Replace overwrites drafts with the same ID; otherwise an imported
	// draft whose ID is taken gets a new one.
	Replace bool
	// SecretsPassphrase opens the bundle's sealed passwords. Without it a
	// bundle's passwords are left out (and reported).
	SecretsPassphrase filing.Secret
	// Limits for ImportFile; the zero value means DefaultLimits.
	Limits Limits
}

// ImportResult says what Import did.
type ImportResult struct {
	Drafts []store.DraftInfo
	Scans  int
	// SecretsSkipped is true when the bundle carries passwords that were
	// not imported because no passphrase was given.
	SecretsSkipped bool
}

// Import writes a verified bundle into s: scans first (content-addressed,
// so an interrupted import leaves only files the next cleanup removes),
// then all drafts in one unit. Anything wrong, including a wrong secrets
// passphrase, stops it before a draft is written.
func (b *Bundle) Import(s *store.Store, opts ImportOptions) (ImportResult, error) {
	var res ImportResult
	secrets := map[string]map[string]string{}
	if b.HasSecrets() {
		if opts.SecretsPassphrase.IsSet() {
			e := b.entries[secretsName]
			sealed, err := b.readAll(b.files[secretsName], e.Size, e.SHA256)
			if err != nil {
				return res, err
			}
			plain, err := store.OpenWithPassphrase(opts.SecretsPassphrase, sealed, secretsAAD)
			if err != nil {
				return res, &Error{Code: CodeSecrets, Entry: shortName(secretsName),
					ZH: "导出包中密码的口令不正确，未导入任何内容。", EN: "the passphrase for the bundle's passwords is wrong; nothing was imported", Err: err}
			}
			if err := json.Unmarshal(plain, &secrets); err != nil {
				return res, bundleErr(CodeSecrets, secretsName, "导出包中的密码内容无法读取。", "the bundle's passwords cannot be read")
			}
		} else {
			res.SecretsSkipped = true
		}
	}

	seen := map[string]bool{}
	for _, app := range b.Apps {
		for _, a := range attachmentsOf(app) {
			if seen[a.SHA256] {
				continue
			}
			seen[a.SHA256] = true
			if err := b.importScan(s, a); err != nil {
				return res, err
			}
			res.Scans++
		}
	}

	drafts := make([]store.ImportedDraft, len(b.Apps))
	for i, app := range b.Apps {
		cp := *app
		if sec, ok := secrets[app.ID]; ok {
			cp.FilingPassword = filing.NewSecret(sec["filing_password"])
			cp.Product.ConsolePassword = filing.NewSecret(sec["console_password"])
		}
		f := b.Manifest.Filings[i]
		drafts[i] = store.ImportedDraft{App: &cp, Created: orNow(f.Created), Edited: orNow(f.Edited)}
	}
	infos, err := s.ImportDrafts(drafts, opts.Replace)
	if err != nil {
		return res, err
	}
	res.Drafts = infos
	return res, nil
}

func orNow(t time.Time) time.Time {
	if t.IsZero() {
		return time.Now()
	}
	return t
}

// importScan streams one scan into the attachment store and checks that
// what landed there is what the manifest promised.
func (b *Bundle) importScan(s *store.Store, a filing.Attachment) error {
	name := scansDir + a.SHA256
	pr, pw := io.Pipe()
	go func() {
		pw.CloseWithError(b.stream(b.files[name], pw, b.entries[name].Size, b.entries[name].SHA256))
	}()
	got, err := s.PutAttachment(pr, a.OriginalName, a.MediaType)
	pr.CloseWithError(errors.New("import stopped"))
	if err != nil {
		return err
	}
	if got.SHA256 != a.SHA256 || got.Size != a.Size {
		return bundleErr(CodeHashMismatch, name, "扫描件在导入时与清单不符。", "the scan did not match the manifest while importing")
	}
	return nil
}

// ImportFile verifies the bundle at path and imports it into s.
func ImportFile(path string, s *store.Store, opts ImportOptions) (ImportResult, error) {
	limits := opts.Limits
	if limits == (Limits{}) {
		limits = DefaultLimits
	}
	b, c, err := ReadFile(path, limits)
	if err != nil {
		return ImportResult{}, err
	}
	defer c.Close()
	return b.Import(s, opts)
}

// String describes the bundle without personal data.
func (b *Bundle) String() string {
	return fmt.Sprintf("bundle v%d from app %s: %d filings, %d entries", b.Manifest.FormatVersion, b.Manifest.AppVersion, len(b.Apps), len(b.Manifest.Entries))
}

package batch

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/icpfiling/icpfiling/filing"
	"github.com/icpfiling/icpfiling/filing/scans"
	"github.com/icpfiling/icpfiling/filing/store"
)

// recordNS is the store namespace of batch records.
const recordNS = "batch"

// Batch is the record of one import: which drafts came from which key.
type Batch struct {
	ID      string    `json:"id"`
	Name    string    `json:"name"`
	Created time.Time `json:"created"`
	// Complete is false only between writing this record and the one
	// ImportDrafts transaction; LoadBatch settles such a record.
	Complete bool     `json:"complete"`
	Filings  []Member `json:"filings"`
}

// Member is one filing of a batch.
type Member struct {
	Key     string `json:"key"`
	DraftID string `json:"draft_id"`
	Rows    []int  `json:"rows"`
}

// ScanProblem is a file of the scan folder that was not used.
type ScanProblem struct {
	File   string `json:"file"`
	ZH, EN string
}

// Message is the problem in "zh" or "en", naming the file.
func (p ScanProblem) Message(lang string) string {
	if lang == "en" {
		return p.File + ": " + p.EN
	}
	return p.File + "：" + p.ZH
}

// ImportOptions configure Import.
type ImportOptions struct {
	Pack *filing.Pack // nil: filing.DefaultPack()
	// ScanDir holds scans named <key>_<slot>[_<n>].<ext>; "" for none.
	ScanDir string
	Name    string           // the batch's name; default: the file's base name
	Now     func() time.Time // default time.Now
}

// ImportResult is what an import did.
type ImportResult struct {
	Batch  *Batch        `json:"batch,omitempty"`
	Errors []RowError    `json:"errors"`
	Scans  int           `json:"scans"`
	Unused []ScanProblem `json:"unused_scans,omitempty"`
	// Composed are the slots' images stitched from parts
	// (<key>_<slot>_part2.jpg …), each with what happened to its parts.
	Composed []ComposedScan `json:"composed_scans,omitempty"`
	// SecretsNotKept counts filings whose passwords the store could not
	// keep (no store passphrase, or locked): they must be typed again
	// before they are submitted.
	SecretsNotKept int `json:"secrets_not_kept,omitempty"`
}

// Import reads a batch file and imports its good filings; see ImportRows.
func Import(st *store.Store, path string, opt ImportOptions) (*ImportResult, error) {
	rows, err := ReadRows(path)
	if err != nil {
		return nil, err
	}
	if opt.Name == "" {
		opt.Name = strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	}
	return ImportRows(st, rows, opt)
}

// ImportRows imports the good filings of a sheet. Scans are copied into
// the attachment store first (content-addressed and atomic per file, so a
// crash leaves at most unreferenced files that CleanAttachments removes);
// the batch record is written marked incomplete; then every good filing
// goes into the store in one ImportDrafts call, which writes all of them
// or none; then the record is marked complete. A crash at any point thus
// leaves either the whole batch or none of it: LoadBatch settles an
// incomplete record.
func ImportRows(st *store.Store, rows [][]string, opt ImportOptions) (*ImportResult, error) {
	if opt.Pack == nil {
		opt.Pack = filing.DefaultPack()
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	parsed, rowErrs, err := Parse(rows, opt.Pack)
	if err != nil {
		return nil, err
	}
	res := &ImportResult{Errors: rowErrs}
	if res.Errors == nil {
		res.Errors = []RowError{}
	}
	parsed, res.Errors = refuseControls(parsed, res.Errors)
	if opt.ScanDir != "" {
		n, unused, composed, err := attachScans(st, opt.ScanDir, parsed, opt.Pack, filing.DateOf(opt.Now()))
		if err != nil {
			return nil, err
		}
		res.Scans, res.Unused, res.Composed = n, unused, composed
	}
	if len(parsed) == 0 {
		return res, nil
	}
	now := opt.Now()
	b := &Batch{ID: newID(), Name: opt.Name, Created: now}
	drafts := make([]store.ImportedDraft, len(parsed))
	for i, p := range parsed {
		p.App.ID = newID()
		// Read under this pack: a newer one can later say what it changed.
		filing.MarkChecked(p.App, opt.Pack)
		drafts[i] = store.ImportedDraft{App: p.App, Created: now, Edited: now}
		b.Filings = append(b.Filings, Member{Key: p.Key, DraftID: p.App.ID, Rows: p.Rows})
	}
	if err := saveBatch(st, b); err != nil {
		return nil, err
	}
	infos, err := st.ImportDrafts(drafts, false)
	if err != nil {
		_ = st.DeleteRecord(recordNS, b.ID)
		return nil, err
	}
	for i := range infos {
		b.Filings[i].DraftID = infos[i].ID
		if len(infos[i].UnsavedSecrets) > 0 {
			res.SecretsNotKept++
		}
	}
	b.Complete = true
	if err := saveBatch(st, b); err != nil {
		return nil, err
	}
	res.Batch = b
	return res, nil
}

// refuseControls leaves out, whole, every filing whose names or addresses
// carry control characters (filing.ControlRule): such a name would act on
// the terminal that prints it or read backwards. Each gets a row error
// naming the field and the character.
func refuseControls(parsed []Parsed, errs []RowError) ([]Parsed, []RowError) {
	kept := parsed[:0]
	for _, p := range parsed {
		found := filing.ControlCharacters(p.App)
		if len(found) == 0 {
			kept = append(kept, p)
			continue
		}
		row := 0
		if len(p.Rows) > 0 {
			row = p.Rows[0]
		}
		for _, f := range found {
			errs = append(errs, RowError{Row: row, Key: p.Key, ZH: f.Field + "：" + f.ZH, EN: f.Field + ": " + f.EN})
		}
	}
	return kept, errs
}

func saveBatch(st *store.Store, b *Batch) error {
	data, err := json.Marshal(b)
	if err != nil {
		return err
	}
	return st.PutRecord(recordNS, b.ID, data)
}

// ErrNoBatch is a batch ID the store does not know.
var ErrNoBatch = errors.New("no such batch")

// LoadBatch reads a batch record. A record left incomplete by a crash is
// settled (see settle).
func LoadBatch(st *store.Store, id string) (*Batch, error) {
	data, err := st.GetRecord(recordNS, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrNoBatch
	}
	if err != nil {
		return nil, err
	}
	var b Batch
	if err := json.Unmarshal(data, &b); err != nil {
		return nil, err
	}
	if !b.Complete {
		return settle(st, &b)
	}
	return &b, nil
}

// settle decides an import that a crash interrupted. ImportDrafts writes
// a few hundred drafts in one transaction, but a very large batch in
// chunks; so the record is kept only when every draft is there, and
// otherwise the drafts that did arrive are removed with it: a batch is
// there whole or not at all.
func settle(st *store.Store, b *Batch) (*Batch, error) {
	var present []string
	for _, m := range b.Filings {
		if _, _, err := st.LoadDraft(m.DraftID); err == nil {
			present = append(present, m.DraftID)
		}
	}
	if len(b.Filings) > 0 && len(present) == len(b.Filings) {
		b.Complete = true
		return b, saveBatch(st, b)
	}
	for _, id := range present {
		if _, err := st.DeleteDraft(id); err == nil {
			_ = st.PurgeDraft(id)
		}
	}
	_ = st.DeleteRecord(recordNS, b.ID)
	return nil, ErrNoBatch
}

// ListBatches lists the batches, newest first.
func ListBatches(st *store.Store) ([]*Batch, error) {
	recs, err := st.ListRecords(recordNS)
	if err != nil {
		return nil, err
	}
	var out []*Batch
	for id := range recs {
		if b, err := LoadBatch(st, id); err == nil {
			out = append(out, b)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Created.After(out[j].Created) })
	return out, nil
}

// FindBatch resolves a batch by ID, by name, or "" for the newest.
func FindBatch(st *store.Store, ref string) (*Batch, error) {
	all, err := ListBatches(st)
	if err != nil {
		return nil, err
	}
	for _, b := range all {
		if ref == "" || b.ID == ref || b.Name == ref {
			return b, nil
		}
	}
	return nil, ErrNoBatch
}

func newID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return "b-" + hex.EncodeToString(b[:])
}

var scanTypes = map[string]string{
	".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png",
	".bmp": "image/bmp", ".pdf": "application/pdf",
}

// PhotoSlot names the verification photo in the scan naming convention.
const PhotoSlot = "photo"

// ParseScanName splits a scan's file name <key>_<slot>[_<n>].<ext> into
// its filing key, slot and website number (1-based; 0 when absent).
// slots are the known slot names.
func ParseScanName(name string, slots []string) (key, slot string, site int, ok bool) {
	base := strings.TrimSuffix(name, filepath.Ext(name))
	try := func(b string) bool {
		for _, s := range slots {
			if strings.HasSuffix(strings.ToLower(b), "_"+s) && len(b) > len(s)+1 {
				key, slot = b[:len(b)-len(s)-1], s
				return true
			}
		}
		return false
	}
	if try(base) {
		return key, slot, 0, true
	}
	if i := strings.LastIndexByte(base, '_'); i > 0 {
		if n, err := strconv.Atoi(base[i+1:]); err == nil && n > 0 && try(base[:i]) {
			return key, slot, n, true
		}
	}
	return "", "", 0, false
}

// scanSlots lists the slot names, longest first so that "website_owner_id"
// wins over "owner_id"-like suffixes.
func scanSlots(pack *filing.Pack) (slots []string, perSite map[string]bool) {
	perSite = map[string]bool{}
	for _, d := range pack.Documents {
		if !slices.Contains(slots, d.Slot) {
			slots = append(slots, d.Slot)
		}
		if d.PerWebsite {
			perSite[d.Slot] = true
		}
	}
	slots = append(slots, PhotoSlot)
	sort.Slice(slots, func(i, j int) bool { return len(slots[i]) > len(slots[j]) })
	return slots, perSite
}

func attachScans(st *store.Store, dir string, parsed []Parsed, pack *filing.Pack, day filing.Date) (int, []ScanProblem, []ComposedScan, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0, nil, nil, &InputError{ZH: "无法读取扫描件文件夹", EN: "cannot read the scan folder", Err: err}
	}
	byKey := map[string]*filing.Application{}
	for _, p := range parsed {
		byKey[p.Key] = p.App
	}
	slots, perSite := scanSlots(pack)
	n := 0
	var composed []ComposedScan
	parts, unused := scanParts(entries, slots)
	for _, e := range entries {
		if e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		name := e.Name()
		if isPart(name) {
			continue // composed with its part 1, or listed by scanParts
		}
		_, ok := scanTypes[strings.ToLower(filepath.Ext(name))]
		if !ok {
			unused = append(unused, ScanProblem{name, "不是 JPG、PNG、BMP 或 PDF 文件。", "is not a JPG, PNG, BMP or PDF file"})
			continue
		}
		key, slot, site, ok := ParseScanName(name, slots)
		if !ok {
			unused = append(unused, ScanProblem{name, "文件名不符合“备案键_资料类型[_网站序号].jpg”。", "the name does not follow <key>_<slot>[_<n>].jpg"})
			continue
		}
		app := byKey[key]
		if app == nil {
			unused = append(unused, ScanProblem{name, "没有已导入的备案使用这个备案键。", "no imported filing has this key"})
			continue
		}
		if site == 0 {
			site = 1
		}
		if (perSite[slot] || slot == PhotoSlot) && site > len(app.Websites) {
			unused = append(unused, ScanProblem{name, fmt.Sprintf("该备案只有 %d 个网站。", len(app.Websites)),
				fmt.Sprintf("the filing has only %d websites", len(app.Websites))})
			continue
		}
		var att filing.Attachment
		if more := parts[name]; len(more) > 0 {
			kind := scans.KindOf(slot, app.Subject.CertificateType)
			c, problems := composeScan(dir, key, slot, name, more, kind, pack, day)
			composed = append(composed, c)
			unused = append(unused, problems...)
			if c.jpeg != nil {
				att, err = st.PutAttachment(bytes.NewReader(c.jpeg), c.File, "image/jpeg")
				if err != nil {
					return n, unused, composed, err
				}
				// The originals are kept as the composite's parts, as the
				// window keeps them: the checks judge it part by part.
				for _, f := range append([]string{name}, more...) {
					p, err := putScanFile(st, dir, f)
					if err != nil {
						return n, unused, composed, err
					}
					att.Parts = append(att.Parts, p)
				}
			}
		}
		if att.SHA256 == "" {
			att, err = putScanFile(st, dir, name)
			var ur unreadableScan
			if errors.As(err, &ur) {
				unused = append(unused, ScanProblem{name, "无法打开。", "cannot be opened"})
				continue
			}
			if err != nil {
				return n, unused, composed, err
			}
		}
		if slot == PhotoSlot {
			app.Photo = filing.Photo{Attachment: &att, Website: site - 1}
		} else {
			d := filing.Document{Slot: slot, Attachment: &att}
			if perSite[slot] {
				d.Website = site - 1
			}
			app.Documents = append(app.Documents, d)
		}
		n++
	}
	return n, unused, composed, nil
}

// unreadableScan is a scan file that cannot be opened: it is listed as
// unused, where a store that cannot keep it stops the import.
type unreadableScan struct{ error }

// putScanFile keeps the scan folder's file name in the attachment store.
func putScanFile(st *store.Store, dir, name string) (filing.Attachment, error) {
	f, err := os.Open(filepath.Join(dir, name))
	if err != nil {
		return filing.Attachment{}, unreadableScan{err}
	}
	defer f.Close()
	return st.PutAttachment(f, name, scanTypes[strings.ToLower(filepath.Ext(name))])
}

// LoadApps reads the batch's drafts in batch order, with their list
// infos; a draft deleted since the import is nil.
func LoadApps(st *store.Store, b *Batch) ([]*filing.Application, []store.DraftInfo, error) {
	apps := make([]*filing.Application, len(b.Filings))
	infos := make([]store.DraftInfo, len(b.Filings))
	for i, m := range b.Filings {
		app, info, err := st.LoadDraft(m.DraftID)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		apps[i], infos[i] = app, info
	}
	return apps, infos, nil
}

// Keys are the filings' keys in batch order, to name them in messages.
func (b *Batch) Keys() []string {
	out := make([]string, len(b.Filings))
	for i, m := range b.Filings {
		out[i] = m.Key
	}
	return out
}

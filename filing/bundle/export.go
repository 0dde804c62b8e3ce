package bundle

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/icpfiling/icpfiling/filing"
	"github.com/icpfiling/icpfiling/filing/store"
)

// ExportOptions configure Export.
type ExportOptions struct {
	// IDs are the drafts to export; empty means all of them.
	IDs []string
	// AppVersion is written into the manifest.
	AppVersion string
	// SecretsPassphrase, when set, includes the drafts' stored passwords,
	// sealed with it; the store must then be unlocked. Without it the
	// bundle carries no secrets at all.
	SecretsPassphrase filing.Secret
	// Now replaces the clock in tests.
	Now func() time.Time
}

// ExportResult counts what went into the bundle.
type ExportResult struct {
	Filings int
	Scans   int
	// Secrets is the number of passwords included.
	Secrets int
}

type exportItem struct {
	filing Filing
	json   []byte
	app    *filing.Application
}

// Export writes a bundle of drafts from s to w. Every scan is verified
// against its hash first: a missing or altered scan fails the export
// rather than travelling on.
func Export(w io.Writer, s *store.Store, opts ExportOptions) (ExportResult, error) {
	var res ExportResult
	if opts.Now == nil {
		opts.Now = time.Now
	}
	ids := opts.IDs
	if len(ids) == 0 {
		list, err := s.ListDrafts()
		if err != nil {
			return res, err
		}
		for _, d := range list {
			ids = append(ids, d.ID)
		}
	}
	withSecrets := opts.SecretsPassphrase.IsSet()
	if withSecrets && s.Locked() {
		return res, bundleErr(CodeSecrets, "",
			"要导出密码，请先用口令解锁数据。", "to export passwords, unlock the store with its passphrase first")
	}

	m := Manifest{Format: FormatName, FormatVersion: FormatVersion, AppVersion: opts.AppVersion,
		Created: opts.Now().UTC().Truncate(time.Second)}
	var items []exportItem
	scans := map[string]filing.Attachment{}
	secrets := map[string]map[string]string{}
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		app, info, err := s.LoadDraft(id)
		if err != nil {
			return res, err
		}
		data, err := json.MarshalIndent(app, "", "  ") // secrets come out masked
		if err != nil {
			return res, err
		}
		f := Filing{ID: id, Entry: filingsDir + id + ".json", Created: info.Created, Edited: info.Edited}
		items = append(items, exportItem{filing: f, json: data, app: app})
		for _, a := range attachmentsOf(app) {
			if err := s.VerifyAttachment(a); err != nil {
				return res, err
			}
			scans[a.SHA256] = a
		}
		if withSecrets {
			sec := map[string]string{}
			if app.FilingPassword.IsSet() {
				sec["filing_password"] = app.FilingPassword.Reveal()
			}
			if app.Product.ConsolePassword.IsSet() {
				sec["console_password"] = app.Product.ConsolePassword.Reveal()
			}
			if len(sec) > 0 {
				secrets[id] = sec
				res.Secrets += len(sec)
			}
		}
	}

	for _, it := range items {
		m.Filings = append(m.Filings, it.filing)
		m.Entries = append(m.Entries, entryFor(it.filing.Entry, it.json))
	}
	hashes := make([]string, 0, len(scans))
	for h := range scans {
		hashes = append(hashes, h)
	}
	sort.Strings(hashes)
	for _, h := range hashes {
		m.Entries = append(m.Entries, Entry{Name: scansDir + h, Size: scans[h].Size, SHA256: h})
	}
	var sealed []byte
	if len(secrets) > 0 {
		plain, _ := json.Marshal(secrets)
		var err error
		if sealed, err = store.SealWithPassphrase(opts.SecretsPassphrase, plain, secretsAAD); err != nil {
			return res, err
		}
		m.Secrets = secretsName
		m.Entries = append(m.Entries, entryFor(secretsName, sealed))
	}

	zw := zip.NewWriter(w)
	manifest, _ := json.MarshalIndent(m, "", "  ")
	if err := writeEntry(zw, manifestName, zip.Deflate, bytes.NewReader(manifest), ""); err != nil {
		return res, err
	}
	for _, it := range items {
		if err := writeEntry(zw, it.filing.Entry, zip.Deflate, bytes.NewReader(it.json), ""); err != nil {
			return res, err
		}
	}
	for _, h := range hashes {
		f, err := os.Open(s.AttachmentPath(h))
		if err != nil {
			return res, err
		}
		// Images are already compressed; storing them is faster and no larger.
		err = writeEntry(zw, scansDir+h, zip.Store, f, h)
		f.Close()
		if err != nil {
			return res, err
		}
	}
	if sealed != nil {
		if err := writeEntry(zw, secretsName, zip.Store, bytes.NewReader(sealed), ""); err != nil {
			return res, err
		}
	}
	if err := zw.Close(); err != nil {
		return res, err
	}
	res.Filings, res.Scans = len(items), len(hashes)
	return res, nil
}

func entryFor(name string, data []byte) Entry {
	sum := sha256.Sum256(data)
	return Entry{Name: name, Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:])}
}

// writeEntry copies r into the zip; with wantHash it also checks that the
// file did not change between verification and copying.
func writeEntry(zw *zip.Writer, name string, method uint16, r io.Reader, wantHash string) error {
	w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: method, Modified: time.Unix(0, 0).UTC()})
	if err != nil {
		return err
	}
	h := sha256.New()
	if _, err := io.Copy(io.MultiWriter(w, h), r); err != nil {
		return err
	}
	if wantHash != "" && hex.EncodeToString(h.Sum(nil)) != wantHash {
		return bundleErr(CodeHashMismatch, name, "导出时扫描件被改动了。", "a scan changed while it was being exported")
	}
	return nil
}

// attachmentsOf lists the scans and the photo an application references,
// with the parts a stitched scan was made from (so that an imported
// filing can still change or undo the stitching).
func attachmentsOf(app *filing.Application) []filing.Attachment {
	var out []filing.Attachment
	for _, d := range app.Documents {
		if d.Attachment != nil {
			out = append(out, d.Attachment.Files()...)
		}
	}
	if app.Photo.Attachment != nil {
		out = append(out, app.Photo.Attachment.Files()...)
	}
	return out
}

// ExportFile writes the bundle to path atomically: a failed export leaves
// no half-written bundle under that name.
func ExportFile(path string, s *store.Store, opts ExportOptions) (res ExportResult, err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".icpf-*")
	if err != nil {
		return res, err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if res, err = Export(tmp, s, opts); err != nil {
		return res, err
	}
	if err = tmp.Sync(); err != nil {
		return res, err
	}
	if err = tmp.Close(); err != nil {
		return res, err
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return res, err
	}
	return res, nil
}

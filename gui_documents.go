package main

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/icpfiling/icpfiling/filing"
	"github.com/icpfiling/icpfiling/filing/scans"
	"github.com/icpfiling/icpfiling/filing/store"
	"github.com/icpfiling/icpfiling/gui"
	"github.com/icpfiling/icpfiling/imaging"
)

// documentsAdapter keeps the files a user chooses in the attachment store
// and checks them with the image checks, against the rule pack's limits.
type documentsAdapter struct {
	st   *store.Store
	pack packSource
	// checking admits one image check or fix per core. Opening the upload
	// step re-checks every scan of the filing at once, and a 12 MP file
	// holds about 31 MB while it is checked (a progressive one about 90):
	// unbounded, eight scans would hold them all and share two cores.
	checking chan struct{}
	// reports keeps each report with its preview, so that opening the
	// upload step again shows the scans without checking them again.
	reports *scanReports
	// composed keeps, by parts and options, what Compose made in this run:
	// a slot shown again finds its parts' layout without stitching again.
	composedMu sync.Mutex
	composed   map[string]composed
}

// composed is one result of Compose.
type composed struct {
	att  filing.Attachment
	comp *imaging.Composition
}

func newDocumentsAdapter(st *store.Store, pack packSource) *documentsAdapter {
	return &documentsAdapter{st: st, pack: pack, checking: make(chan struct{}, runtime.GOMAXPROCS(0)), reports: newScanReports(st),
		composed: map[string]composed{}}
}

// turn waits for a free place among the running checks and returns the
// function that gives it back.
func (d *documentsAdapter) turn() (done func()) {
	d.checking <- struct{}{}
	return func() { <-d.checking }
}

func (d *documentsAdapter) Keep(path string) (filing.Attachment, error) {
	f, err := os.Open(path)
	if err != nil {
		return filing.Attachment{}, err
	}
	defer f.Close()
	head := make([]byte, 512)
	n, _ := f.Read(head)
	if _, err := f.Seek(0, 0); err != nil {
		return filing.Attachment{}, err
	}
	return d.st.PutAttachment(f, filepath.Base(path), http.DetectContentType(head[:n]))
}

func (d *documentsAdapter) options(s gui.Scan) (imaging.Kind, imaging.Options, error) {
	day := filing.DateOf(time.Now())
	kind := scans.KindOf(s.Slot, s.CertificateType)
	pack := d.pack()
	opts, err := scans.Options(pack, kind, scans.Background(pack, s.Province, day), day)
	opts.Preview = true
	return kind, opts, err
}

func (d *documentsAdapter) Check(a filing.Attachment, s gui.Scan) (*imaging.Report, error) {
	// A missing or altered file is reported, never checked in its place.
	for _, f := range append([]filing.Attachment{a}, a.Parts...) {
		if err := d.st.VerifyAttachment(f); err != nil {
			return nil, err
		}
	}
	kind, opts, err := d.options(s)
	if err != nil {
		return nil, err
	}
	job := imaging.Job{Path: d.st.AttachmentPath(a.SHA256), Kind: kind, Options: opts, Parts: scans.PartsOf(a, d.st)}
	key := d.reports.keyFor(a.SHA256, job) // verified above
	if rep, ok := d.reports.reportAt(key, job); ok {
		return rep, nil
	}
	defer d.turn()()
	rep, err := job.Check()
	if err == nil {
		d.reports.keepAt(key, job, rep)
	}
	return rep, err
}

func (d *documentsAdapter) Fix(a filing.Attachment, s gui.Scan) (filing.Attachment, *imaging.Report, error) {
	if err := d.st.VerifyAttachment(a); err != nil {
		return filing.Attachment{}, nil, err
	}
	kind, opts, err := d.options(s)
	if err != nil {
		return filing.Attachment{}, nil, err
	}
	tmp, err := os.MkdirTemp("", "icpfiling-fix-")
	if err != nil {
		return filing.Attachment{}, nil, err
	}
	defer os.RemoveAll(tmp)
	done := d.turn()
	res, err := imaging.Fix(d.st.AttachmentPath(a.SHA256), tmp, kind, opts)
	done()
	if errors.Is(err, imaging.ErrNothingToFix) {
		rep, cerr := d.Check(a, s)
		return a, rep, cerr
	}
	if err != nil {
		return filing.Attachment{}, nil, err
	}
	f, err := os.Open(res.Path)
	if err != nil {
		return filing.Attachment{}, nil, err
	}
	defer f.Close()
	name := a.OriginalName
	if ext := filepath.Ext(name); ext != "" {
		name = name[:len(name)-len(ext)]
	}
	fixed, err := d.st.PutAttachment(f, name+"-fixed.jpg", "image/jpeg")
	if err != nil {
		return filing.Attachment{}, nil, err
	}
	rep := res.Report
	if rep != nil {
		// The report describes the temporary file; point it at the kept copy.
		rep.Path = d.st.AttachmentPath(fixed.SHA256)
		if rep.Preview == nil {
			done := d.turn()
			rep, _ = imaging.CheckFile(rep.Path, kind, opts)
			done()
		}
		if rep != nil {
			job := imaging.Job{Path: rep.Path, Kind: kind, Options: opts}
			d.reports.keepAt(d.reports.keyFor(fixed.SHA256, job), job, rep)
		}
	}
	return fixed, rep, nil
}

// Compose stitches kept parts into the slot's image (issue 18), under the
// pack's upload limit for the slot, and keeps the result; its Parts are
// the parts, each checked as imaging.ComposePart's kindAt says.
func (d *documentsAdapter) Compose(parts []filing.Attachment, s gui.Scan) (filing.Attachment, *imaging.Composition, error) {
	if len(parts) < filing.MinAttachmentParts || len(parts) > filing.MaxAttachmentParts {
		return filing.Attachment{}, nil, imaging.ErrComposeParts
	}
	for _, p := range parts {
		if err := d.st.VerifyAttachment(p); err != nil {
			return filing.Attachment{}, nil, err
		}
	}
	kind, opts, err := d.options(s)
	if err != nil {
		return filing.Attachment{}, nil, err
	}
	key := fmt.Sprintf("%s\x00%d\x00%d", kind, opts.Limits.MaxBytes, opts.Limits.MinBytes)
	for _, p := range parts {
		key += "\x00" + p.SHA256
	}
	d.composedMu.Lock()
	c, ok := d.composed[key]
	d.composedMu.Unlock()
	if ok && d.st.VerifyAttachment(c.att) == nil {
		c.att.Parts = slices.Clone(parts)
		return c.att, c.comp, nil
	}
	cparts := make([]imaging.ComposePart, len(parts))
	names := make([]string, len(parts))
	for i, p := range parts {
		cparts[i] = imaging.ComposePart{Name: p.OriginalName, Path: d.st.AttachmentPath(p.SHA256)}
		names[i] = strings.TrimSuffix(p.OriginalName, filepath.Ext(p.OriginalName))
	}
	name := strings.Join(names, " + ") + ".jpg"
	done := d.turn()
	comp, err := imaging.Compose(cparts, imaging.ComposeOptions{Kind: kind, Limits: opts.Limits, Name: name})
	done()
	if err != nil {
		return filing.Attachment{}, nil, err
	}
	att, err := d.st.PutAttachment(bytes.NewReader(comp.JPEG), name, "image/jpeg")
	if err != nil {
		return filing.Attachment{}, nil, err
	}
	comp.JPEG = nil // kept in the store; the window needs only the layout
	d.composedMu.Lock()
	d.composed[key] = composed{att: att, comp: comp}
	d.composedMu.Unlock()
	att.Parts = slices.Clone(parts)
	return att, comp, nil
}

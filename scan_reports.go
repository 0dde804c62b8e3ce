package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"image/jpeg"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"github.com/icpfiling/icpfiling/filing/store"
	"github.com/icpfiling/icpfiling/imaging"
)

// scanReportsNS is the store's records namespace of kept image reports.
const scanReportsNS = "scan-reports"

// scanReports keeps image check reports in the drafts store, for the
// wizard's upload step and for batch checks (batch.ReportCache). A report
// is found again only for the same file content (its SHA-256), checked as
// the same kind against the same options, by the same build of the checks;
// anything else is checked afresh. The wizard's reports carry their
// annotated preview (a JPEG of the working image, like the scan itself
// personal data, kept in the same store); a batch's carry none. All of it
// goes with "delete all data", and a file's reports with the file (prune).
type scanReports struct {
	st *store.Store
	// build names the build of the checks; empty turns keeping off, so a
	// developer's modified tree never reads reports its old code wrote.
	build string
}

func newScanReports(st *store.Store) *scanReports {
	return &scanReports{st: st, build: checksBuild()}
}

// checksBuild is the commit the binary was built from, or its release
// version when the build carries no commit (a release is built from a
// copy of the tree); empty for a development build.
func checksBuild() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		var rev string
		for _, s := range bi.Settings {
			switch {
			case s.Key == "vcs.revision":
				rev = s.Value
			case s.Key == "vcs.modified" && s.Value == "true":
				return ""
			}
		}
		if rev != "" {
			return rev
		}
	}
	if strings.HasSuffix(version, "-dev") {
		return ""
	}
	return "v" + version
}

// key is the record key of job, or "" when it cannot have one.
func (c *scanReports) key(job imaging.Job) string {
	if c == nil || c.build == "" {
		return ""
	}
	f, err := os.Open(job.Path)
	if err != nil {
		return ""
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return ""
	}
	opts := job.Options
	opts.Preview = false // one report serves both: a preview is kept when there is one
	how, err := json.Marshal(struct {
		Kind    imaging.Kind
		Options imaging.Options
	}{job.Kind, opts})
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(how)
	return hex.EncodeToString(h.Sum(nil)) + "/" + c.buildTag() + "/" + hex.EncodeToString(sum[:16])
}

// buildTag names c's build in record keys, so that prune can drop what
// other builds kept.
func (c *scanReports) buildTag() string {
	sum := sha256.Sum256([]byte(c.build))
	return hex.EncodeToString(sum[:6])
}

// keptReport is a report as the store keeps it.
type keptReport struct {
	Report imaging.Report `json:"report"`
	// Preview is the annotated preview as a JPEG, when it was made.
	Preview []byte `json:"preview,omitempty"`
}

// Report is the kept report of job. A job that wants a preview does not
// take a report kept without one.
func (c *scanReports) Report(job imaging.Job) (*imaging.Report, bool) {
	k := c.key(job)
	if k == "" {
		return nil, false
	}
	b, err := c.st.GetRecord(scanReportsNS, k)
	if err != nil {
		return nil, false
	}
	var kept keptReport
	if err := json.Unmarshal(b, &kept); err != nil || kept.Report.Kind != job.Kind {
		return nil, false
	}
	rep := &kept.Report
	rep.Path = job.Path
	if job.Options.Preview {
		if rep.Preview, err = jpeg.Decode(bytes.NewReader(kept.Preview)); err != nil {
			return nil, false
		}
	}
	return rep, true
}

// Keep stores rep for job. A report that cannot be kept (a full disk) is
// only checked again next time, so the error is dropped.
func (c *scanReports) Keep(job imaging.Job, rep *imaging.Report) {
	k := c.key(job)
	if k == "" {
		return
	}
	kept := keptReport{Report: *rep}
	kept.Report.Preview = nil
	if rep.Preview != nil {
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, rep.Preview, &jpeg.Options{Quality: 85}); err == nil {
			kept.Preview = buf.Bytes()
		}
	}
	if b, err := json.Marshal(&kept); err == nil {
		_ = c.st.PutRecord(scanReportsNS, k, b)
	}
}

// prune drops the reports of files no longer in the attachment store, and
// those another build kept (after an upgrade they are never read again).
func (c *scanReports) prune() {
	keys, err := c.st.RecordKeys(scanReportsNS)
	if err != nil {
		return
	}
	for _, k := range keys {
		sha, rest, _ := strings.Cut(k, "/")
		tag, _, _ := strings.Cut(rest, "/")
		p := c.st.AttachmentPath(sha)
		_, err := os.Stat(p)
		// A development build keeps nothing and drops nothing of others.
		otherBuild := c.build != "" && tag != c.buildTag()
		if p == "" || err != nil || otherBuild {
			_ = c.st.DeleteRecord(scanReportsNS, k)
		}
	}
}

package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"image/jpeg"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/icpfiling/icpfiling/filing/scans"
	"github.com/icpfiling/icpfiling/filing/store"
	"github.com/icpfiling/icpfiling/imaging"
)

// scanReportsNS is the store's cache namespace of kept image reports.
const scanReportsNS = "scan-reports"

// scanReports keeps image check reports in the drafts store's cache, for
// the wizard's upload step and for batch checks (batch.ReportCache). A
// report is found again only for the same file content (its SHA-256),
// checked as the same kind against the same options, by the same build of
// the program; anything else is checked afresh. The wizard's reports carry
// their annotated preview (a JPEG of the working image: personal data like
// the scan itself, in the same store); a batch's carry none. The cache is
// left out of snapshots, goes with "delete all data", and prune drops the
// reports of files no longer kept and of other builds.
type scanReports struct {
	st *store.Store
	// build names the build of the checks; empty turns keeping off.
	build string
	// sums remembers each file's SHA-256 for the life of c (one batch
	// check), so that Keep after a miss does not read the file again.
	// Kept files never change: they are named by their content.
	sums sync.Map
}

func newScanReports(st *store.Store) *scanReports {
	return &scanReports{st: st, build: programDigest()}
}

// programDigest is the SHA-256 of the running program: any change to the
// checks, their thresholds or the libraries under them is a new program,
// whatever the version says or whether the build carries its commit (a
// Windows release is built from a copy of the tree without one). Empty
// when the program cannot be read. Read once, on first use (≈ 40 ms).
var programDigest = sync.OnceValue(func() string {
	exe, err := os.Executable()
	if err != nil {
		return ""
	}
	return fileSHA256(exe)
})

// fileSHA256 is the hex SHA-256 of the file at path, "" when it cannot be read.
func fileSHA256(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return ""
	}
	return hex.EncodeToString(h.Sum(nil))
}

// key is the cache key of job, hashing the file; "" when it cannot have one.
func (c *scanReports) key(job imaging.Job) string {
	if c == nil || c.build == "" {
		return ""
	}
	if sum, ok := c.sums.Load(job.Path); ok {
		return c.keyFor(sum.(string), job)
	}
	sum := fileSHA256(job.Path)
	if sum == "" {
		return ""
	}
	c.sums.Store(job.Path, sum)
	return c.keyFor(sum, job)
}

// keyFor is the cache key of job whose file has the SHA-256 sha (already
// verified by the caller).
func (c *scanReports) keyFor(sha string, job imaging.Job) string {
	if c == nil || c.build == "" {
		return ""
	}
	opts := job.Options
	opts.Preview = false // one report serves both: a preview is kept when there is one
	// The parts' paths name their content (the attachment store is
	// content-addressed): a stitched image is judged by them too.
	how, err := json.Marshal(struct {
		Kind    imaging.Kind
		Options imaging.Options
		Parts   []imaging.ComposePart `json:",omitempty"`
	}{job.Kind, opts, job.Parts})
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(how)
	return sha + "/" + c.buildTag() + "/" + hex.EncodeToString(sum[:16])
}

// buildTag names c's build in cache keys, so that prune can drop what
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

// Report is the kept report of job (batch.ReportCache).
func (c *scanReports) Report(job imaging.Job) (*imaging.Report, bool) {
	return c.reportAt(c.key(job), job)
}

// Keep stores rep for job (batch.ReportCache).
func (c *scanReports) Keep(job imaging.Job, rep *imaging.Report) {
	c.keepAt(c.key(job), job, rep)
}

// reportAt reads the report kept under k. A job that wants a preview does
// not take a report kept without one.
func (c *scanReports) reportAt(k string, job imaging.Job) (*imaging.Report, bool) {
	if k == "" {
		return nil, false
	}
	b, err := c.st.GetCached(scanReportsNS, k)
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

// keepAt stores rep under k. A file that could not be opened or decoded
// is not kept: the cause may pass (a disk error, a file held by another
// program), and such a file is quick to refuse again. A report that cannot
// be stored (a full disk) is only checked again next time, so that error
// is dropped.
func (c *scanReports) keepAt(k string, job imaging.Job, rep *imaging.Report) {
	if k == "" {
		return
	}
	for _, ch := range rep.Checks {
		if strings.HasPrefix(ch.ID, "file.") && ch.Verdict == imaging.Fail {
			return
		}
	}
	kept := keptReport{Report: *rep}
	kept.Report.Preview = nil
	if rep.Preview != nil && job.Options.Preview {
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, rep.Preview, &jpeg.Options{Quality: 85}); err == nil {
			kept.Preview = buf.Bytes()
		}
	}
	if b, err := json.Marshal(&kept); err == nil {
		_ = c.st.PutCached(scanReportsNS, k, b)
	}
}

// prune drops the reports of files no longer in the attachment store, and
// those another build kept (after an upgrade they are never read again).
func (c *scanReports) prune() {
	keys, err := c.st.CachedKeys(scanReportsNS)
	if err != nil {
		return
	}
	for _, k := range keys {
		sha, rest, _ := strings.Cut(k, "/")
		tag, _, _ := strings.Cut(rest, "/")
		p := c.st.AttachmentPath(sha)
		_, err := os.Stat(p)
		// A build that keeps nothing drops nothing of others either.
		otherBuild := c.build != "" && tag != c.buildTag()
		if p == "" || err != nil || otherBuild {
			_ = c.st.DeleteCached(scanReportsNS, k)
		}
	}
}

// scanChecker is the readiness gate's judge of a filing's files (the
// outbox's Scans): the reports kept in st for this build, or a check now.
func scanChecker(st *store.Store, pack packSource) *scans.Checker {
	return &scans.Checker{Files: st, Current: pack, Reports: newScanReports(st)}
}

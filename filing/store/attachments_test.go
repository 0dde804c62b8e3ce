package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/icpfiling/icpfiling/filing"
)

// jpegish is content that sniffs as a JPEG.
var jpegish = append([]byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, 'J', 'F', 'I', 'F', 0}, bytes.Repeat([]byte{7}, 5000)...)

func TestPutAttachmentIsContentAddressed(t *testing.T) {
	s := openTemp(t, Options{})
	sum := sha256.Sum256(jpegish)
	want := hex.EncodeToString(sum[:])
	a, err := s.PutAttachment(bytes.NewReader(jpegish), `C:\Users\张三\扫描\营业执照.jpg`, "")
	if err != nil {
		t.Fatal(err)
	}
	if a.SHA256 != want || a.Size != int64(len(jpegish)) || a.MediaType != "image/jpeg" || a.OriginalName != "营业执照.jpg" {
		t.Errorf("attachment = %+v", a)
	}
	path := s.AttachmentPath(a.SHA256)
	got, err := os.ReadFile(path)
	if err != nil || !bytes.Equal(got, jpegish) {
		t.Fatalf("file at AttachmentPath: %v", err)
	}
	if filepath.Base(path) != want {
		t.Errorf("file name %q is not the hash", path)
	}
	// The same content under another name is the same file.
	b, err := s.PutAttachment(bytes.NewReader(jpegish), "copy.jpg", "image/jpeg")
	if err != nil || b.SHA256 != a.SHA256 || b.OriginalName != "copy.jpg" {
		t.Errorf("second put: %+v, %v", b, err)
	}
	if n := countFiles(t, filepath.Join(s.Dir(), attachmentDirName)); n != 1 {
		t.Errorf("%d files for one content", n)
	}
	if err := s.VerifyAttachment(a); err != nil {
		t.Errorf("VerifyAttachment of an intact file: %v", err)
	}
}

func countFiles(t testing.TB, root string) int {
	n := 0
	filepath.Walk(root, func(_ string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			n++
		}
		return nil
	})
	return n
}

func TestVerifyAttachmentDetectsDamage(t *testing.T) {
	cases := []struct {
		name   string
		damage func(path string) error
		want   error
	}{
		{"deleted", os.Remove, ErrAttachmentMissing},
		{"one byte changed", func(p string) error {
			b, _ := os.ReadFile(p)
			b[len(b)/2] ^= 1
			return os.WriteFile(p, b, 0o600)
		}, ErrAttachmentAltered},
		{"truncated", func(p string) error { return os.Truncate(p, 100) }, ErrAttachmentAltered},
		{"appended", func(p string) error {
			f, err := os.OpenFile(p, os.O_APPEND|os.O_WRONLY, 0)
			if err != nil {
				return err
			}
			f.Write([]byte("x"))
			return f.Close()
		}, ErrAttachmentAltered},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := openTemp(t, Options{})
			a, err := s.PutAttachment(bytes.NewReader(jpegish), "scan.jpg", "image/jpeg")
			if err != nil {
				t.Fatal(err)
			}
			if err := c.damage(s.AttachmentPath(a.SHA256)); err != nil {
				t.Fatal(err)
			}
			err = s.VerifyAttachment(a)
			if !errors.Is(err, c.want) {
				t.Fatalf("VerifyAttachment = %v, want %v", err, c.want)
			}
			var se *Error
			if !errors.As(err, &se) || !strings.Contains(se.Message("zh"), a.SHA256[:12]) || se.Message("en") == se.Message("zh") {
				t.Errorf("message: zh %q en %q", se.Message("zh"), se.Message("en"))
			}
			// Storing the content again repairs the file.
			if _, err := s.PutAttachment(bytes.NewReader(jpegish), "scan.jpg", "image/jpeg"); err != nil {
				t.Fatal(err)
			}
			if err := s.VerifyAttachment(a); err != nil {
				t.Errorf("after re-adding: %v", err)
			}
		})
	}
}

func TestAttachmentPathRefusesNonHashes(t *testing.T) {
	s := openTemp(t, Options{})
	for _, h := range []string{"", "../../etc/passwd", strings.Repeat("A", 64), strings.Repeat("a", 63), strings.Repeat("a", 63) + "/", strings.Repeat("g", 64)} {
		if p := s.AttachmentPath(h); p != "" {
			t.Errorf("AttachmentPath(%q) = %q, want \"\"", h, p)
		}
		if err := s.VerifyAttachment(filing.Attachment{SHA256: h}); !errors.Is(err, ErrInvalid) {
			t.Errorf("VerifyAttachment(%q) = %v, want ErrInvalid", h, err)
		}
	}
}

func TestPutAttachmentRefusesEmptyAndOversized(t *testing.T) {
	s := openTemp(t, Options{})
	if _, err := s.PutAttachment(strings.NewReader(""), "empty.jpg", ""); !errors.Is(err, ErrInvalid) {
		t.Errorf("empty: %v", err)
	}
	big := &repeatReader{n: MaxAttachmentSize + 1}
	if _, err := s.PutAttachment(big, "huge.jpg", ""); !errors.Is(err, ErrInvalid) {
		t.Errorf("oversized: %v", err)
	}
	if n := countFiles(t, filepath.Join(s.Dir(), attachmentDirName)); n != 0 {
		t.Errorf("%d files left behind by refused puts", n)
	}
}

type repeatReader struct{ n int64 }

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.n <= 0 {
		return 0, os.ErrClosed
	}
	k := min(int64(len(p)), r.n)
	for i := range p[:k] {
		p[i] = 'x'
	}
	r.n -= k
	return int(k), nil
}

func TestCleanupNamesAndMediaTypes(t *testing.T) {
	cases := []struct{ in, want string }{
		{"/home/li/scan.png", "scan.png"},
		{`..\..\x.jpg`, "x.jpg"},
		{"..", "attachment"},
		{"", "attachment"},
		{"a\x00b\nc.jpg", "abc.jpg"},
		{strings.Repeat("长", 100) + ".jpg", strings.Repeat("长", 85)},
	}
	for _, c := range cases {
		if got := cleanOriginalName(c.in); got != c.want {
			t.Errorf("cleanOriginalName(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	mt := []struct {
		declared string
		head     []byte
		want     string
	}{
		{"image/png", nil, "image/png"},
		{"image/jpeg; charset=x", nil, "image/jpeg"},
		{"", jpegish, "image/jpeg"},
		{"application/octet-stream", []byte("%PDF-1.4"), "application/pdf"},
		{"not a type", []byte("hello"), "text/plain"},
	}
	for _, c := range mt {
		if got := cleanMediaType(c.declared, c.head); got != c.want {
			t.Errorf("cleanMediaType(%q) = %q, want %q", c.declared, got, c.want)
		}
	}
}

func TestCleanAttachmentsKeepsReferencedAndYoung(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	clock := now
	s := openTemp(t, Options{Now: func() time.Time { return clock }, AttachmentGrace: time.Hour})
	put := func(content string) filing.Attachment {
		a, err := s.PutAttachment(strings.NewReader(content), "f.jpg", "image/jpeg")
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	inRecord := put("referenced by an outbox record")
	orphan := put("referenced by nothing")
	young := put("stored a moment ago")
	if err := s.PutRecord("outbox", "sub-1", []byte(`{"scans":["`+inRecord.SHA256+`"]}`)); err != nil {
		t.Fatal(err)
	}
	// Age every file except the young one beyond the grace period.
	old := now.Add(-2 * time.Hour)
	for _, a := range []filing.Attachment{inRecord, orphan} {
		os.Chtimes(s.AttachmentPath(a.SHA256), old, old)
	}
	os.Chtimes(s.AttachmentPath(young.SHA256), now, now)
	stale := filepath.Join(s.Dir(), attachmentDirName, tempPrefix+"crashed")
	os.WriteFile(stale, []byte("half a scan"), 0o600)
	os.Chtimes(stale, old, old)

	// An old orphan stored again (a person re-adds the same scan) is young
	// again: its draft has not been saved yet.
	readded := put("an old scan added again")
	os.Chtimes(s.AttachmentPath(readded.SHA256), old, old)
	put("an old scan added again")

	res, err := s.CleanAttachments()
	if err != nil {
		t.Fatal(err)
	}
	if res.Removed != 2 {
		t.Errorf("removed %d files, want 2 (orphan + stale temp)", res.Removed)
	}
	for _, c := range []struct {
		a    filing.Attachment
		kept bool
	}{{inRecord, true}, {orphan, false}, {young, true}, {readded, true}} {
		_, err := os.Stat(s.AttachmentPath(c.a.SHA256))
		if (err == nil) != c.kept {
			t.Errorf("%s: kept=%v, want %v", c.a.SHA256[:8], err == nil, c.kept)
		}
	}
	if _, err := os.Stat(stale); err == nil {
		t.Error("stale temp file kept")
	}
}

func TestCollectHexRuns(t *testing.T) {
	h := strings.Repeat("ab", 32)
	refs := map[string]bool{}
	collectHexRuns([]byte(`{"a":"`+h+`","b":"`+h+`0","c":"f`+strings.Repeat("c", 64)+`"}`+strings.Repeat("d", 64)), refs)
	want := map[string]bool{h: true, strings.Repeat("d", 64): true}
	if len(refs) != len(want) || !refs[h] || !refs[strings.Repeat("d", 64)] {
		t.Errorf("refs = %v", refs)
	}
}

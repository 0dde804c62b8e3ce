package store

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/icpfiling/icpfiling/filing"
)

// MaxAttachmentSize bounds one scan or photo. The provider takes images up
// to a few MB; the margin covers an unprocessed photo straight off a phone
// before it is re-encoded to fit.
const MaxAttachmentSize = 64 << 20

const tempPrefix = ".tmp-"

func (s *Store) attachmentRoot() string { return filepath.Join(s.dir, attachmentDirName) }

// validHash accepts exactly what PutAttachment produces: 64 lowercase hex
// digits. Anything else could name a path outside the attachment directory.
func validHash(h string) bool {
	if len(h) != sha256.Size*2 {
		return false
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// AttachmentPath is where the file with this SHA-256 lives. Callers open it
// afresh for every use (an upload retry must re-read from the start). It is
// "" for a string that is not a SHA-256 in lowercase hex.
func (s *Store) AttachmentPath(sha256hex string) string {
	if !validHash(sha256hex) {
		return ""
	}
	return filepath.Join(s.attachmentRoot(), sha256hex[:2], sha256hex)
}

// PutAttachment copies r into the attachment store and returns what a
// draft keeps of it. The file appears under its SHA-256 only once it is
// completely on disk (temp file, fsync, rename), so a crash or a full disk
// leaves no partial scan behind a valid name. Storing the same content
// twice keeps one file.
func (s *Store) PutAttachment(r io.Reader, originalName, mediaType string) (filing.Attachment, error) {
	if s.isClosed() {
		return filing.Attachment{}, errClosed
	}
	root := s.attachmentRoot()
	if err := os.MkdirAll(root, 0o700); err != nil {
		return filing.Attachment{}, ioError(err, "无法创建附件目录。", "cannot create the attachment directory")
	}
	tmp, err := s.fs.CreateTemp(root, tempPrefix+"*")
	if err != nil {
		return filing.Attachment{}, ioError(err, "无法写入附件。", "cannot write the attachment")
	}
	tmpName := tmp.Name()
	committed := false
	defer func() {
		if !committed {
			tmp.Close()
			s.fs.Remove(tmpName)
		}
	}()

	h := sha256.New()
	sniff := &headBuffer{limit: 512}
	n, err := io.Copy(io.MultiWriter(tmp, h, sniff), io.LimitReader(r, MaxAttachmentSize+1))
	if err != nil {
		return filing.Attachment{}, ioError(err, "写入附件失败。", "writing the attachment failed")
	}
	if n > MaxAttachmentSize {
		return filing.Attachment{}, invalid("文件太大（上限 %d MB）。", "the file is too large (limit %d MB)", MaxAttachmentSize>>20)
	}
	if n == 0 {
		return filing.Attachment{}, invalid("文件是空的。", "the file is empty")
	}
	if err := tmp.Sync(); err != nil {
		return filing.Attachment{}, ioError(err, "写入附件失败。", "writing the attachment failed")
	}
	if err := tmp.Close(); err != nil {
		return filing.Attachment{}, ioError(err, "写入附件失败。", "writing the attachment failed")
	}
	sum := hex.EncodeToString(h.Sum(nil))
	a := filing.Attachment{
		SHA256:       sum,
		Size:         n,
		MediaType:    cleanMediaType(mediaType, sniff.buf),
		OriginalName: cleanOriginalName(originalName),
	}
	final := s.AttachmentPath(sum)
	if err := s.VerifyAttachment(a); err == nil {
		// Same content already stored and intact: keep the old file, but
		// make it young again, or a cleanup could take it as an orphan
		// before the draft that now references it is saved.
		now := s.opts.Now()
		if err := os.Chtimes(final, now, now); err != nil {
			return filing.Attachment{}, ioError(err, "写入附件失败。", "writing the attachment failed")
		}
		return a, nil
	}
	if err := os.MkdirAll(filepath.Dir(final), 0o700); err != nil {
		return filing.Attachment{}, ioError(err, "无法创建附件目录。", "cannot create the attachment directory")
	}
	// A missing or altered file under this name is replaced by the good copy.
	if err := s.fs.Rename(tmpName, final); err != nil {
		return filing.Attachment{}, ioError(err, "写入附件失败。", "writing the attachment failed")
	}
	committed = true
	if err := syncDir(filepath.Dir(final)); err != nil {
		return filing.Attachment{}, ioError(err, "写入附件失败。", "writing the attachment failed")
	}
	return a, nil
}

// VerifyAttachment re-reads the file and checks its size and SHA-256
// against what the draft recorded. A missing file is ErrAttachmentMissing,
// a changed one ErrAttachmentAltered; either way the file must not be used.
func (s *Store) VerifyAttachment(a filing.Attachment) error {
	path := s.AttachmentPath(a.SHA256)
	if path == "" {
		return invalid("附件记录的 SHA-256 无效。", "the attachment's recorded SHA-256 is not valid")
	}
	short := a.SHA256[:12]
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return newError(ErrAttachmentMissing, nil,
			fmt.Sprintf("附件文件已丢失（SHA-256 %s…），请重新添加这个文件。", short),
			fmt.Sprintf("the attachment file is missing (SHA-256 %s…); add the file again", short))
	}
	if err != nil {
		return ioError(err, "无法读取附件。", "cannot read the attachment")
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return ioError(err, "无法读取附件。", "cannot read the attachment")
	}
	if n != a.Size || hex.EncodeToString(h.Sum(nil)) != a.SHA256 {
		return newError(ErrAttachmentAltered, nil,
			fmt.Sprintf("附件文件已被改动（SHA-256 %s… 不符），不能使用，请重新添加这个文件。", short),
			fmt.Sprintf("the attachment file was altered (SHA-256 %s… does not match) and cannot be used; add the file again", short))
	}
	return nil
}

// CleanResult says what CleanAttachments removed.
type CleanResult struct {
	Removed int
	Bytes   int64
}

// CleanAttachments removes attachment files that no draft (deleted drafts
// still in their undo window included) and no record mentions, and temp
// files left by a crash. Files younger than Options.AttachmentGrace are
// kept: a scan is stored before the autosave that references it.
func (s *Store) CleanAttachments() (CleanResult, error) {
	var res CleanResult
	refs, err := s.referencedHashes()
	if err != nil {
		return res, err
	}
	cutoff := s.opts.Now().Add(-s.opts.AttachmentGrace)
	root := s.attachmentRoot()
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) && path == root {
			return filepath.SkipDir
		}
		if err != nil || d.IsDir() {
			return err
		}
		name := d.Name()
		if !strings.HasPrefix(name, tempPrefix) && (!validHash(name) || refs[name]) {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return nil // removed meanwhile
		}
		if info.ModTime().After(cutoff) {
			return nil
		}
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		res.Removed++
		res.Bytes += info.Size()
		return nil
	})
	if err != nil {
		return res, ioError(err, "清理附件时出错。", "error while cleaning attachments")
	}
	removeEmptyDirs(root)
	return res, nil
}

// referencedHashes collects every SHA-256 that a draft, a deleted draft or
// a record mentions. Records belong to other packages (the outbox keeps
// submissions), so any 64-hex-digit run in them counts as a reference:
// keeping a stray file is cheap, deleting a scan an upload still needs is not.
func (s *Store) referencedHashes() (map[string]bool, error) {
	refs := map[string]bool{}
	for _, p := range []string{prefixDraft, prefixTrash, prefixRecord} {
		err := s.scan([]byte(p), func(_, v []byte) error {
			collectHexRuns(v, refs)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return refs, nil
}

func collectHexRuns(b []byte, into map[string]bool) {
	start := -1
	for i := 0; i <= len(b); i++ {
		hexDigit := i < len(b) && (b[i] >= '0' && b[i] <= '9' || b[i] >= 'a' && b[i] <= 'f')
		switch {
		case hexDigit && start < 0:
			start = i
		case !hexDigit && start >= 0:
			if i-start == sha256.Size*2 {
				into[string(b[start:i])] = true
			}
			start = -1
		}
	}
}

func removeEmptyDirs(root string) {
	entries, err := os.ReadDir(root)
	if err != nil {
		return
	}
	for _, e := range entries {
		if e.IsDir() {
			os.Remove(filepath.Join(root, e.Name())) // fails, harmlessly, unless empty
		}
	}
}

type headBuffer struct {
	buf   []byte
	limit int
}

func (h *headBuffer) Write(p []byte) (int, error) {
	if room := h.limit - len(h.buf); room > 0 {
		h.buf = append(h.buf, p[:min(room, len(p))]...)
	}
	return len(p), nil
}

// cleanMediaType keeps a well-formed declared type and sniffs the content
// otherwise, so a draft never records an empty or garbled type.
func cleanMediaType(declared string, head []byte) string {
	if mt, _, err := mime.ParseMediaType(declared); err == nil && mt != "application/octet-stream" {
		return mt
	}
	mt, _, _ := mime.ParseMediaType(http.DetectContentType(head))
	return mt
}

// cleanOriginalName keeps only the last path element of the name a person
// chose, so it is safe to show and to use as a download name.
func cleanOriginalName(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	for len(name) > 255 {
		_, size := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-size]
	}
	if name == "" || name == "." || name == ".." {
		return "attachment"
	}
	return name
}

package submit

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"os"
	"sync"

	"github.com/go-resty/resty/v2"

	"github.com/icpfiling/icpfiling/filing"
	"github.com/icpfiling/icpfiling/filing/backend/api"
)

// Upload is one filing ready to send: the application as JSON (secrets
// masked, as filing.Secret writes them), the secrets apart, and the files
// by path. Nothing of the files is held in memory: each attempt re-opens
// them, so a retry sends every byte again instead of an empty part.
type Upload struct {
	Key             string
	Application     []byte
	FilingPassword  filing.Secret
	ConsolePassword filing.Secret
	Files           []UploadFile
}

// UploadFile is one attachment of the manifest and where it lives.
type UploadFile struct {
	filing.Attachment
	// Field is the path of the attachment's first use, for messages.
	Field string
	Path  string
}

// PathResolver finds an attachment's file by its SHA-256.
type PathResolver interface {
	AttachmentPath(sha256hex string) string
}

// NewUpload prepares a filing for sending under key. snapshot is the
// application JSON exactly as it will be sent on every attempt (the backend
// recognises a repeat by these bytes); the secrets travel in their own part.
// The attachments are looked up by hash; a missing one is reported with the
// field that names it.
func NewUpload(key string, snapshot []byte, filingPassword, consolePassword filing.Secret, files PathResolver) (*Upload, error) {
	app, err := filing.DecodeApplication(snapshot)
	if err != nil {
		return nil, err
	}
	u := &Upload{Key: key, Application: snapshot, FilingPassword: filingPassword, ConsolePassword: consolePassword}
	for _, e := range api.Manifest(app) {
		p := files.AttachmentPath(e.SHA256)
		if p == "" {
			return nil, &FileError{Field: e.Field, Name: e.OriginalName, Err: os.ErrNotExist}
		}
		u.Files = append(u.Files, UploadFile{Attachment: e.Attachment, Field: e.Field, Path: p})
	}
	return u, nil
}

// Snapshot is the application JSON a submission keeps and sends. The
// secrets come out masked (filing.Secret); pass them to NewUpload apart.
func Snapshot(app *filing.Application) ([]byte, error) { return json.Marshal(app) }

// FileError is an attachment that cannot be sent as the manifest says.
type FileError struct {
	Field, Name string
	Err         error
}

func (e *FileError) Error() string { return e.Field + " (" + e.Name + "): " + e.Err.Error() }
func (e *FileError) Unwrap() error { return e.Err }

// Message is the text in "zh" or "en".
func (e *FileError) Message(lang string) string {
	if lang == "en" {
		return "the file of " + e.Field + " (" + e.Name + ") is missing or was changed since it was added; add it again"
	}
	return e.Field + "（" + e.Name + "）的文件已丢失或在添加后被改动，请重新添加。"
}

// Size is the number of bytes of the files.
func (u *Upload) Size() int64 {
	var n int64
	for _, f := range u.Files {
		n += f.Size
	}
	return n
}

// plan is the multipart body of one Upload: small byte segments (part
// headers, the JSON parts) between the files, and the total length, which
// is known in advance so the transport sends a Content-Length and the
// progress has a denominator.
type plan struct {
	segs        []segment
	total       int64
	contentType string
	progress    func(Progress)

	mu      sync.Mutex
	attempt int
}

type segment struct {
	data []byte // a literal segment, or
	file *UploadFile
}

func (u *Upload) plan() (*plan, error) {
	var b [16]byte
	_, _ = rand.Read(b[:])
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if err := mw.SetBoundary("icpfiling-" + hex.EncodeToString(b[:])); err != nil {
		return nil, err
	}
	p := &plan{contentType: mw.FormDataContentType()}
	flush := func() {
		if buf.Len() > 0 {
			p.segs = append(p.segs, segment{data: bytes.Clone(buf.Bytes())})
			p.total += int64(buf.Len())
			buf.Reset()
		}
	}
	jsonPart := func(name string, body []byte) error {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name=%q; filename=%q`, name, name+".json"))
		h.Set("Content-Type", "application/json")
		w, err := mw.CreatePart(h)
		if err == nil {
			_, err = w.Write(body)
		}
		return err
	}
	secrets, err := json.Marshal(api.Secrets{FilingPassword: u.FilingPassword.Reveal(), ConsolePassword: u.ConsolePassword.Reveal()})
	if err != nil {
		return nil, err
	}
	if err := jsonPart(api.PartApplication, u.Application); err != nil {
		return nil, err
	}
	if err := jsonPart(api.PartSecrets, secrets); err != nil {
		return nil, err
	}
	for i := range u.Files {
		f := &u.Files[i]
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name=%q; filename=%q`, api.PartFile, f.SHA256))
		mt := f.MediaType
		if mt == "" {
			mt = "application/octet-stream"
		}
		h.Set("Content-Type", mt)
		if _, err := mw.CreatePart(h); err != nil {
			return nil, err
		}
		flush()
		p.segs = append(p.segs, segment{file: f})
		p.total += f.Size
	}
	if err := mw.Close(); err != nil {
		return nil, err
	}
	flush()
	return p, nil
}

type planKey struct{}

// preRequest runs right before each attempt goes on the wire: it gives the
// request a fresh body that re-opens every file from the start. This, not
// resty's own multipart support, is what makes a retry send the same
// bytes as the first attempt without holding the files in memory.
func (c *Client) preRequest(_ *resty.Client, r *http.Request) error {
	p, _ := r.Context().Value(planKey{}).(*plan)
	if p == nil {
		return nil
	}
	p.mu.Lock()
	p.attempt++
	attempt := p.attempt
	p.mu.Unlock()
	// Fail before sending when a file is gone: no retry can bring it back.
	for _, s := range p.segs {
		if s.file == nil {
			continue
		}
		st, err := os.Stat(s.file.Path)
		if err == nil && st.Size() != s.file.Size {
			err = fmt.Errorf("size is %d, the manifest says %d", st.Size(), s.file.Size)
		}
		if err != nil {
			fe := &FileError{Field: s.file.Field, Name: s.file.OriginalName, Err: err}
			return &permanentError{err: fe, zh: fe.Message("zh"), en: fe.Message("en")}
		}
	}
	body := &bodyReader{p: p, attempt: attempt}
	r.Body = body
	r.ContentLength = p.total
	r.GetBody = func() (io.ReadCloser, error) {
		// The transport asks for this when it replays on a fresh connection.
		return &bodyReader{p: p, attempt: attempt}, nil
	}
	if p.progress != nil {
		p.progress(Progress{Attempt: attempt, Total: p.total})
	}
	return nil
}

// bodyReader streams a plan's segments, opening each file when its turn
// comes and closing it at its end.
type bodyReader struct {
	// mu: the transport may Close from another goroutine while a Read runs.
	mu       sync.Mutex
	p        *plan
	attempt  int
	i        int
	cur      io.Reader
	f        *os.File
	fileLeft int64
	sent     int64
	reported int64
	closed   bool
}

func (b *bodyReader) Read(out []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for {
		if b.closed {
			return 0, errors.New("submit: body read after close")
		}
		if b.cur == nil {
			if b.i >= len(b.p.segs) {
				b.report(true)
				return 0, io.EOF
			}
			s := b.p.segs[b.i]
			b.i++
			if s.file == nil {
				b.cur = bytes.NewReader(s.data)
			} else {
				f, err := os.Open(s.file.Path)
				if err != nil {
					return 0, err
				}
				b.f, b.fileLeft = f, s.file.Size
				b.cur = io.LimitReader(f, s.file.Size)
			}
		}
		n, err := b.cur.Read(out)
		if b.f != nil {
			b.fileLeft -= int64(n)
		}
		b.sent += int64(n)
		if err == io.EOF {
			if b.f != nil {
				_ = b.f.Close()
				b.f = nil
				if b.fileLeft != 0 {
					// The file shrank after the check: sending fewer bytes
					// than announced must fail, not pad or truncate.
					return n, io.ErrUnexpectedEOF
				}
			}
			b.cur = nil
			err = nil
		}
		if n > 0 || err != nil {
			b.report(false)
			return n, err
		}
	}
}

func (b *bodyReader) report(final bool) {
	if b.p.progress == nil {
		return
	}
	if final && b.sent == b.reported && b.sent != 0 {
		return
	}
	if final || b.sent-b.reported >= 64<<10 {
		b.reported = b.sent
		b.p.progress(Progress{Attempt: b.attempt, Sent: b.sent, Total: b.p.total})
	}
}

func (b *bodyReader) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	if b.f != nil {
		err := b.f.Close()
		b.f = nil
		return err
	}
	return nil
}

package backend

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"os"
	"strings"

	"github.com/icpfiling/icpfiling/filing"
	"github.com/icpfiling/icpfiling/filing/backend/api"
)

// maxJSONPart caps the application and secrets parts; an application is a
// few kilobytes.
const maxJSONPart = 1 << 20

// submission is one POST /v1/filings being received.
type submission struct {
	s       *Server
	w       http.ResponseWriter
	r       *http.Request
	body    io.Reader
	started bool // whether the body has begun to be read
}

// fail answers with a problem. When the body is already flowing it is read
// to its end first: a server that answers and closes while the client is
// still sending makes the client see a reset instead of the answer.
func (sub *submission) fail(status int, p *api.Problem) {
	if sub.started || !strings.Contains(strings.ToLower(sub.r.Header.Get("Expect")), "100-continue") {
		_, _ = io.Copy(io.Discard, sub.body)
	}
	writeProblem(sub.w, status, p)
}

func (s *Server) submit(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		methodNotAllowed(w, "POST")
		return
	}
	s.stats.Submissions.Add(1)
	s.stats.Active.Add(1)
	defer s.stats.Active.Add(-1)
	body := s.opt.Faults.slow(http.MaxBytesReader(w, r.Body, s.opt.MaxBodyBytes))
	sub := &submission{s: s, w: w, r: r, body: &countingReader{r: body, n: &s.stats.BodyBytes}}

	if status, after := s.opt.Faults.takeFail(); status != 0 {
		sub.started = true
		if after != "" {
			w.Header().Set("Retry-After", after)
		}
		sub.fail(status, &api.Problem{Code: api.CodeUnavailable,
			ZH: "备案后台暂时无法处理，请稍后重试。", EN: "the backend cannot take the filing right now; try again later"})
		return
	}
	key := r.Header.Get(api.HeaderIdempotencyKey)
	if key == "" {
		sub.fail(http.StatusBadRequest, &api.Problem{Code: api.CodeKeyMissing, Field: api.HeaderIdempotencyKey,
			ZH: "请求缺少 Idempotency-Key 头。", EN: "the request has no Idempotency-Key header"})
		return
	}
	if !api.ValidKey(key) {
		sub.fail(http.StatusBadRequest, &api.Problem{Code: api.CodeKeyInvalid, Field: api.HeaderIdempotencyKey,
			ZH: "Idempotency-Key 须为 16–128 个字符，只含字母、数字和 . _ : -。",
			EN: "Idempotency-Key must be 16 to 128 characters of letters, digits and . _ : -"})
		return
	}
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		sub.fail(http.StatusUnsupportedMediaType, &api.Problem{Code: api.CodeUnsupportedType,
			ZH: "提交须为 multipart/form-data。", EN: "a submission must be multipart/form-data"})
		return
	}
	sub.started = true
	sub.receive(key, multipart.NewReader(sub.body, params["boundary"]))
}

func (sub *submission) receive(key string, mr *multipart.Reader) {
	s := sub.s
	appBytes, p := sub.jsonPart(mr, api.PartApplication)
	if p != nil {
		sub.failRead(p)
		return
	}
	app, err := filing.DecodeApplication(appBytes)
	if err != nil {
		var ie *filing.InputError
		zh, en := err.Error(), err.Error()
		if errors.As(err, &ie) {
			zh, en = ie.Message("zh"), ie.Message("en")
		}
		sub.fail(http.StatusBadRequest, &api.Problem{Code: api.CodeApplicationInvalid, Field: api.PartApplication,
			ZH: "申请内容无法读取：" + zh, EN: "the application cannot be read: " + en})
		return
	}
	// A client may put a password in the application part itself; it is
	// kept only as its salted HMAC (below), and the application stored,
	// and the fingerprint, are of the part without it. An application
	// without secrets, as this app's client sends it, is kept byte for byte.
	appBytes, inApp := withoutSecrets(appBytes)
	sum := sha256.Sum256(appBytes)
	fingerprint := hex.EncodeToString(sum[:])

	unlock := s.keyLocks.lock(key)
	defer unlock()
	if prev := s.disk.byIdempotencyKey(key); prev != nil {
		if prev.Fingerprint != fingerprint {
			sub.fail(http.StatusConflict, &api.Problem{Code: api.CodeKeyReused, Field: api.HeaderIdempotencyKey,
				ZH: "这个 Idempotency-Key 已用于另一份不同的申请；新的提交须使用新的键。",
				EN: "this Idempotency-Key was used for a different application; a new submission needs a new key"})
			return
		}
		_, _ = io.Copy(io.Discard, sub.body)
		s.stats.Replayed.Add(1)
		sub.w.Header().Set(api.HeaderReplayed, "true")
		sub.w.Header().Set("Location", api.PathFilings+"/"+prev.ID)
		writeJSON(sub.w, http.StatusOK, s.view(prev))
		return
	}

	manifest := api.Manifest(app)
	want := map[string]*api.ManifestEntry{}
	var total int64
	for i := range manifest {
		e := &manifest[i]
		switch {
		case !api.ValidSHA256(e.SHA256):
			sub.fail(http.StatusBadRequest, &api.Problem{Code: api.CodeApplicationInvalid, Field: e.Field + ".sha256",
				ZH: "附件的 sha256 须为 64 位小写十六进制。", EN: "an attachment's sha256 must be 64 lowercase hex digits"})
			return
		case e.Size <= 0:
			sub.fail(http.StatusBadRequest, &api.Problem{Code: api.CodeFileEmpty, Field: e.Field + ".size",
				ZH: "附件大小为 0：空文件不能作为备案资料。", EN: "the attachment is empty; an empty file cannot be a filing document"})
			return
		}
		want[e.SHA256] = e
		total += e.Size
	}
	if total > s.opt.MaxBodyBytes {
		sub.fail(http.StatusRequestEntityTooLarge, &api.Problem{Code: api.CodeTooLarge,
			ZH: fmt.Sprintf("附件合计 %d 字节，超过本后台的上限 %d 字节。", total, s.opt.MaxBodyBytes),
			EN: fmt.Sprintf("the attachments total %d bytes, over this backend's limit of %d", total, s.opt.MaxBodyBytes)})
		return
	}

	secretBytes, p := sub.jsonPart(mr, api.PartSecrets)
	if p != nil {
		sub.failRead(p)
		return
	}
	var secrets api.Secrets
	if err := json.Unmarshal(secretBytes, &secrets); err != nil {
		sub.fail(http.StatusBadRequest, &api.Problem{Code: api.CodeMalformed, Field: api.PartSecrets,
			ZH: "secrets 部分不是有效的 JSON 对象。", EN: "the secrets part is not a valid JSON object"})
		return
	}
	if secrets.FilingPassword == "" {
		sub.fail(http.StatusBadRequest, &api.Problem{Code: api.CodeSecretMissing, Field: "filing_password",
			ZH: "缺少工信部备案密码。", EN: "the MIIT filing password is missing"})
		return
	}
	if app.Product.Type == "wanwang" && secrets.ConsolePassword == "" {
		sub.fail(http.StatusBadRequest, &api.Problem{Code: api.CodeSecretMissing, Field: "product.console_password",
			ZH: "万网主机须提供主机管理控制台密码。", EN: "a 万网 host needs its console password"})
		return
	}
	app.FilingPassword = filing.NewSecret(secrets.FilingPassword)
	app.Product.ConsolePassword = filing.NewSecret(secrets.ConsolePassword)

	// The date rules (the domain's remaining days, an ID's expiry) are about
	// today's real date: Clock, never the accelerated review clock.
	if findings := filing.Validate(app, s.pack, s.opt.Clock()); filing.Blocking(findings) > 0 {
		prob := &api.Problem{Code: api.CodeValidationFailed,
			ZH: fmt.Sprintf("申请有 %d 处须修改，未被接收。", filing.Blocking(findings)),
			EN: fmt.Sprintf("the application has %d blocking problems and was not accepted", filing.Blocking(findings))}
		for _, f := range findings {
			if f.Severity == filing.Block {
				prob.Details = append(prob.Details, api.Problem{Code: f.Rule, ZH: f.ZH, EN: f.EN, Field: f.Field})
			}
		}
		sub.fail(http.StatusUnprocessableEntity, prob)
		return
	}

	id := newID()
	st, err := s.disk.stage(id)
	if err != nil {
		sub.internal(err)
		return
	}
	committed := false
	defer func() {
		if !committed {
			st.abort()
		}
	}()
	got := map[string]bool{}
	var files []api.File
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			sub.failRead(readProblem(err))
			return
		}
		if part.FormName() != api.PartFile {
			name := part.FormName()
			_ = part.Close()
			sub.fail(http.StatusBadRequest, &api.Problem{Code: api.CodePartOrder, Field: name,
				ZH: "附件之后只能是 file 部分，而收到了 " + name + "。",
				EN: "only file parts may follow the secrets part, got " + name})
			return
		}
		sha := part.FileName()
		e := want[sha]
		switch {
		case e == nil:
			_ = part.Close()
			sub.fail(http.StatusBadRequest, &api.Problem{Code: api.CodeFileUnexpected, Field: api.PartFile,
				ZH: "收到的文件不在申请的附件清单中（文件名须为其 SHA-256）。",
				EN: "a file part is not in the application's attachment manifest (its filename must be its SHA-256)"})
			return
		case got[sha]:
			_ = part.Close()
			sub.fail(http.StatusBadRequest, &api.Problem{Code: api.CodeFileDuplicate, Field: e.Field,
				ZH: "同一附件被发送了两次。", EN: "the same attachment was sent twice"})
			return
		}
		src := &tagReader{r: part}
		n, digest, err := saveFile(st.filePath(sha), src, e.Size)
		_ = part.Close()
		switch {
		case src.err != nil:
			sub.failRead(readProblem(src.err))
			return
		case err != nil:
			sub.internal(err)
			return
		}
		switch {
		case n == 0:
			sub.fail(http.StatusBadRequest, &api.Problem{Code: api.CodeFileEmpty, Field: e.Field,
				ZH: "收到的附件是空的（0 字节）。", EN: "the attachment arrived empty (0 bytes)"})
			return
		case n != e.Size:
			sub.fail(http.StatusBadRequest, &api.Problem{Code: api.CodeFileSizeMismatch, Field: e.Field + ".size",
				ZH: fmt.Sprintf("收到的附件为 %d 字节，清单写的是 %d 字节。", n, e.Size),
				EN: fmt.Sprintf("the attachment arrived with %d bytes, the manifest says %d", n, e.Size)})
			return
		case digest != sha:
			sub.fail(http.StatusBadRequest, &api.Problem{Code: api.CodeFileHashMismatch, Field: e.Field + ".sha256",
				ZH: "收到的附件内容与清单中的 SHA-256 不符（文件在发送前被改动或传输中损坏）。",
				EN: "the attachment's content does not match its SHA-256 in the manifest (changed before sending or damaged on the way)"})
			return
		}
		got[sha] = true
		files = append(files, api.File{SHA256: sha, Size: n})
	}
	for _, e := range manifest {
		if !got[e.SHA256] {
			sub.fail(http.StatusBadRequest, &api.Problem{Code: api.CodeFileMissing, Field: e.Field,
				ZH: "申请列出的附件没有随请求发送：" + e.OriginalName,
				EN: "an attachment the application lists was not sent: " + e.OriginalName})
			return
		}
	}

	decision := Decision{}
	if s.opt.Decide != nil {
		decision = s.opt.Decide(app)
	}
	// ReceivedAt is a real time; the review timeline counts from it at Speed.
	rec := &record{ID: id, Key: key, Fingerprint: fingerprint, ReceivedAt: s.opt.Clock().UTC(),
		Files: files, Decision: decision, Secrets: map[string]string{"filing_password": s.disk.hashSecret(secrets.FilingPassword)}}
	if secrets.ConsolePassword != "" {
		rec.Secrets["console_password"] = s.disk.hashSecret(secrets.ConsolePassword)
	}
	for name, v := range inApp {
		if _, ok := rec.Secrets[name]; !ok {
			rec.Secrets[name] = s.disk.hashSecret(v)
		}
	}
	if files == nil {
		rec.Files = []api.File{}
	}
	if err := st.commit(rec, appBytes); err != nil {
		sub.internal(err)
		return
	}
	committed = true
	s.stats.Stored.Add(1)
	if s.opt.Faults.takeDrop() {
		drop(sub.w)
		return
	}
	sub.w.Header().Set("Location", api.PathFilings+"/"+id)
	writeJSON(sub.w, http.StatusCreated, s.view(rec))
}

// withoutSecrets takes every secret out of an application part: the value
// of any member whose name says it is a password (filing_password,
// product.console_password, or another client's own), at any depth. It
// returns the part with those values masked (canonical JSON) and the
// plain values by member name (the first of each name), or the part as it
// was when it carries none.
func withoutSecrets(app []byte) ([]byte, map[string]string) {
	var v any
	if json.Unmarshal(app, &v) != nil {
		return app, nil
	}
	found := map[string]string{}
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, m := range x {
				if str, ok := m.(string); ok && isSecretName(k) {
					if str != "" && str != secretMask {
						if _, seen := found[k]; !seen {
							found[k] = str
						}
						x[k] = secretMask
					}
					continue
				}
				walk(m)
			}
		case []any:
			for _, m := range x {
				walk(m)
			}
		}
	}
	walk(v)
	if len(found) == 0 {
		return app, nil
	}
	clean, err := json.Marshal(v)
	if err != nil {
		return app, nil
	}
	return clean, found
}

// secretMask is what filing.Secret writes for a value it does not show.
const secretMask = "******"

// isSecretName says whether a JSON member holds a secret by its name.
func isSecretName(name string) bool {
	n := strings.ToLower(name)
	return strings.Contains(n, "password") || strings.Contains(n, "passwd") || n == "secret" || strings.HasSuffix(n, "_secret")
}

// jsonPart reads the next part, which must be called name.
func (sub *submission) jsonPart(mr *multipart.Reader, name string) ([]byte, *api.Problem) {
	part, err := mr.NextPart()
	if errors.Is(err, io.EOF) {
		return nil, &api.Problem{Code: api.CodePartMissing, Field: name,
			ZH: "请求缺少 " + name + " 部分。", EN: "the request has no " + name + " part"}
	}
	if err != nil {
		return nil, readProblem(err)
	}
	defer part.Close()
	if part.FormName() != name {
		return nil, &api.Problem{Code: api.CodePartOrder, Field: name,
			ZH: "第一部分须为 application，第二部分须为 secrets，然后才是各文件；此处应为 " + name + "。",
			EN: "the parts must come as application, secrets, then the files; expected " + name + " here"}
	}
	data, err := io.ReadAll(io.LimitReader(part, maxJSONPart+1))
	if err != nil {
		return nil, readProblem(err)
	}
	if len(data) > maxJSONPart {
		return nil, &api.Problem{Code: api.CodeTooLarge, Field: name,
			ZH: "该部分超过 1 MiB。", EN: "the part is larger than 1 MiB"}
	}
	return data, nil
}

// failRead answers a problem found while reading the body.
func (sub *submission) failRead(p *api.Problem) {
	status := http.StatusBadRequest
	if p.Code == api.CodeTooLarge {
		status = http.StatusRequestEntityTooLarge
	}
	sub.fail(status, p)
}

func (sub *submission) internal(err error) {
	sub.s.opt.Logf("internal error: %v", err)
	sub.fail(http.StatusInternalServerError, &api.Problem{Code: api.CodeInternal,
		ZH: "备案后台内部错误，请稍后重试。", EN: "internal error in the backend; try again later"})
}

func readProblem(err error) *api.Problem {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return &api.Problem{Code: api.CodeTooLarge,
			ZH: fmt.Sprintf("请求超过本后台的上限 %d 字节。", mbe.Limit),
			EN: fmt.Sprintf("the request is larger than this backend's limit of %d bytes", mbe.Limit)}
	}
	return &api.Problem{Code: api.CodeMalformed,
		ZH: "请求体不是完整的 multipart 内容：" + err.Error(),
		EN: "the body is not complete multipart content: " + err.Error()}
}

// saveFile writes at most limit+1 bytes of r to path, synced, and returns
// the count and the SHA-256; one byte past the limit is enough to tell a
// size mismatch without storing an unbounded file.
func saveFile(path string, r io.Reader, limit int64) (int64, string, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o600)
	if err != nil {
		return 0, "", err
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, h), io.LimitReader(r, limit+1))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return n, "", err
	}
	// Drain whatever is past the limit so the next part can be read.
	if _, err := io.Copy(io.Discard, r); err != nil {
		return n, "", err
	}
	return n, hexSum(h), nil
}

func hexSum(h hash.Hash) string { return hex.EncodeToString(h.Sum(nil)) }

type countingReader struct {
	r io.Reader
	n interface{ Add(int64) int64 }
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// tagReader remembers a read error, to tell the client's fault (a cut or
// oversized body) from the server's (a full disk).
type tagReader struct {
	r   io.Reader
	err error
}

func (t *tagReader) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if err != nil && err != io.EOF {
		t.err = err
	}
	return n, err
}

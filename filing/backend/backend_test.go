package backend

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/icpfiling/icpfiling/filing"
	"github.com/icpfiling/icpfiling/filing/backend/api"
)

const testToken = "test-token-7f3a9c"

// fixture is an application whose five attachments are real bytes.
type fixture struct {
	app   *filing.Application
	js    []byte
	files map[string][]byte // sha256 → content
	order []string
}

// newFixture loads the example application and gives each attachment
// random content of the given size.
func newFixture(t testing.TB, size int, seed uint64) *fixture {
	t.Helper()
	data, err := os.ReadFile("../../testdata/example-application.json")
	if err != nil {
		t.Fatal(err)
	}
	app, err := filing.DecodeApplication(data)
	if err != nil {
		t.Fatal(err)
	}
	fx := &fixture{app: app, files: map[string][]byte{}}
	var key [32]byte
	key[0], key[1] = byte(seed), byte(seed>>8)
	rng := rand.NewChaCha8(key)
	fill := func(a *filing.Attachment) {
		b := make([]byte, size)
		_, _ = rng.Read(b)
		sum := sha256.Sum256(b)
		a.SHA256, a.Size = hex.EncodeToString(sum[:]), int64(size)
		fx.files[a.SHA256] = b
		fx.order = append(fx.order, a.SHA256)
	}
	for i := range app.Documents {
		fill(app.Documents[i].Attachment)
	}
	fill(app.Photo.Attachment)
	fx.js, _ = json.Marshal(app)
	return fx
}

type part struct {
	name, filename string
	body           []byte
}

// body builds a submission in the contract's order unless parts say otherwise.
func (fx *fixture) parts(password string) []part {
	ps := []part{
		{api.PartApplication, "application.json", fx.js},
		{api.PartSecrets, "secrets.json", []byte(fmt.Sprintf(`{"filing_password":%q}`, password))},
	}
	for _, sha := range fx.order {
		ps = append(ps, part{api.PartFile, sha, fx.files[sha]})
	}
	return ps
}

func encode(t testing.TB, ps []part) (string, []byte) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, p := range ps {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name=%q; filename=%q`, p.name, p.filename))
		w, err := mw.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = w.Write(p.body)
	}
	_ = mw.Close()
	return mw.FormDataContentType(), buf.Bytes()
}

type testServer struct {
	*Server
	url string
	now *fakeClock
}

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func start(t testing.TB, dir string, mod func(*Options)) *testServer {
	t.Helper()
	clk := &fakeClock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	opt := Options{Dir: dir, Token: testToken, Clock: clk.Now}
	if mod != nil {
		mod(&opt)
	}
	s, err := New(opt)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(s)
	t.Cleanup(hs.Close)
	return &testServer{Server: s, url: hs.URL, now: clk}
}

func (ts *testServer) post(t testing.TB, key, ctype string, body []byte) (int, http.Header, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, ts.url+api.PathFilings, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+testToken)
	if key != "" {
		req.Header.Set(api.HeaderIdempotencyKey, key)
	}
	req.Header.Set("Content-Type", ctype)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

func (ts *testServer) get(t testing.TB, path, token string) (int, http.Header, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, ts.url+path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

func decode[T any](t testing.TB, b []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	return v
}

const key1 = "icpf-0123456789abcdef0123456789abcdef"

func TestStoresEveryFileByteForByteAndNoSecretInClear(t *testing.T) {
	dir := t.TempDir()
	ts := start(t, dir, nil)
	fx := newFixture(t, 300<<10, 1)
	const password = "Pw-never-on-disk-91"
	ctype, body := encode(t, fx.parts(password))
	status, hdr, b := ts.post(t, key1, ctype, body)
	if status != http.StatusCreated {
		t.Fatalf("status %d: %s", status, b)
	}
	got := decode[api.Filing](t, b)
	if got.ID == "" || got.IdempotencyKey != key1 || got.Status != filing.StatusInitialReview || len(got.Files) != 5 {
		t.Fatalf("receipt %+v", got)
	}
	if hdr.Get("Location") != api.PathFilings+"/"+got.ID {
		t.Errorf("Location %q", hdr.Get("Location"))
	}
	for sha, want := range fx.files {
		stored, err := os.ReadFile(filepath.Join(dir, "filings", got.ID, "files", sha))
		if err != nil || !bytes.Equal(stored, want) {
			t.Fatalf("file %s: err %v, equal %v", sha[:8], err, bytes.Equal(stored, want))
		}
	}
	app, _ := os.ReadFile(filepath.Join(dir, "filings", got.ID, "application.json"))
	if !bytes.Equal(app, fx.js) {
		t.Error("application.json differs from the part sent")
	}
	// The password reached the server (its hash matches) but no file holds it.
	rec, _ := ts.disk.get(got.ID)
	if !ts.disk.secretMatches(rec.Secrets["filing_password"], password) || ts.disk.secretMatches(rec.Secrets["filing_password"], password+"x") {
		t.Error("the stored hash does not identify the password")
	}
	_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if b, _ := os.ReadFile(p); bytes.Contains(b, []byte(password)) {
				t.Errorf("%s holds the password in clear", p)
			}
		}
		return nil
	})
	if n, _ := os.ReadDir(filepath.Join(dir, "tmp")); len(n) != 0 {
		t.Errorf("tmp/ not empty after commit: %d entries", len(n))
	}
}

func TestSameKeyReplaysAndDifferentContentConflicts(t *testing.T) {
	dir := t.TempDir()
	ts := start(t, dir, nil)
	fx := newFixture(t, 10<<10, 2)
	ctype, body := encode(t, fx.parts("pw"))
	s1, _, b1 := ts.post(t, key1, ctype, body)
	s2, h2, b2 := ts.post(t, key1, ctype, body)
	if s1 != http.StatusCreated || s2 != http.StatusOK || h2.Get(api.HeaderReplayed) != "true" {
		t.Fatalf("statuses %d, %d (replayed %q)", s1, s2, h2.Get(api.HeaderReplayed))
	}
	if decode[api.Filing](t, b1).ID != decode[api.Filing](t, b2).ID {
		t.Fatal("the replay names another filing")
	}
	other := newFixture(t, 10<<10, 3)
	ctype, body = encode(t, other.parts("pw"))
	s3, _, b3 := ts.post(t, key1, ctype, body)
	if s3 != http.StatusConflict || decode[api.Problem](t, b3).Code != api.CodeKeyReused {
		t.Fatalf("reused key: %d %s", s3, b3)
	}
	if ts.disk.count() != 1 || ts.Stats().Stored.Load() != 1 {
		t.Fatalf("stored %d filings", ts.disk.count())
	}
	// The index survives a restart.
	ts2 := start(t, dir, nil)
	ctype, body = encode(t, fx.parts("pw"))
	if s, _, _ := ts2.post(t, key1, ctype, body); s != http.StatusOK {
		t.Fatalf("after restart: %d", s)
	}
}

// TestConcurrentSameKeyStoresOnce: 200 posts of one filing under one key
// at once (issue 15's proxy audit) store it once.
func TestConcurrentSameKeyStoresOnce(t *testing.T) {
	ts := start(t, t.TempDir(), nil)
	fx := newFixture(t, 200<<10, 4)
	ctype, body := encode(t, fx.parts("pw"))
	var wg sync.WaitGroup
	statuses := make([]int, 200)
	for i := range statuses {
		wg.Go(func() { statuses[i], _, _ = ts.post(t, key1, ctype, body) })
	}
	wg.Wait()
	created := 0
	for _, s := range statuses {
		switch s {
		case http.StatusCreated:
			created++
		case http.StatusOK:
		default:
			t.Errorf("status %d", s)
		}
	}
	if created != 1 || ts.disk.count() != 1 {
		t.Fatalf("created %d, stored %d", created, ts.disk.count())
	}
	t.Logf("%d parallel posts with one key: %d created, %d stored", len(statuses), created, ts.disk.count())
}

// TestMalformedRequestsGetTheDocumentedError: every refusal has the
// contract's body with a code, both languages and (where one is at fault)
// the field, and stores nothing.
func TestMalformedRequestsGetTheDocumentedError(t *testing.T) {
	fx := newFixture(t, 4<<10, 5)
	good := fx.parts("pw")
	first := fx.order[0]
	with := func(f func([]part) []part) []part {
		c := append([]part(nil), good...)
		return f(c)
	}
	badApp := *fx
	badApp.app = func() *filing.Application {
		a := *fx.app
		a.Websites = append([]filing.Website(nil), a.Websites...)
		a.Websites[0].Owner.Mobile = "12345"
		return &a
	}()
	badApp.js, _ = json.Marshal(badApp.app)
	emptyManifest := *fx
	emptyManifest.app = func() *filing.Application {
		a := *fx.app
		a.Documents = append([]filing.Document(nil), a.Documents...)
		att := *a.Documents[1].Attachment
		att.Size = 0
		a.Documents[1].Attachment = &att
		return &a
	}()
	emptyManifest.js, _ = json.Marshal(emptyManifest.app)

	tests := []struct {
		name   string
		key    string
		ctype  string
		parts  []part
		status int
		code   string
		field  string
	}{
		{"no key", "", "", good, 400, api.CodeKeyMissing, api.HeaderIdempotencyKey},
		{"short key", "abc", "", good, 400, api.CodeKeyInvalid, api.HeaderIdempotencyKey},
		{"key with a slash", "icpf-0123456789/abcdef", "", good, 400, api.CodeKeyInvalid, api.HeaderIdempotencyKey},
		{"not multipart", key1, "application/json", good, 415, api.CodeUnsupportedType, ""},
		{"secrets first", key1, "", with(func(p []part) []part { p[0], p[1] = p[1], p[0]; return p }), 400, api.CodePartOrder, api.PartApplication},
		{"no secrets", key1, "", good[:1], 400, api.CodePartMissing, api.PartSecrets},
		{"application not JSON", key1, "", with(func(p []part) []part { p[0].body = []byte("{"); return p }), 400, api.CodeApplicationInvalid, api.PartApplication},
		{"empty filing password", key1, "", with(func(p []part) []part { p[1].body = []byte(`{"filing_password":""}`); return p }), 400, api.CodeSecretMissing, "filing_password"},
		{"a file missing", key1, "", good[:len(good)-1], 400, api.CodeFileMissing, "photo.attachment"},
		{"a file twice", key1, "", append(with(func(p []part) []part { return p }), good[2]), 400, api.CodeFileDuplicate, "documents[0].attachment"},
		{"a file not in the manifest", key1, "", with(func(p []part) []part { p[2].filename = strings.Repeat("a", 64); return p }), 400, api.CodeFileUnexpected, api.PartFile},
		{"a truncated file", key1, "", with(func(p []part) []part { p[2].body = p[2].body[:100]; return p }), 400, api.CodeFileSizeMismatch, "documents[0].attachment.size"},
		{"an empty file", key1, "", with(func(p []part) []part { p[2].body = nil; return p }), 400, api.CodeFileEmpty, "documents[0].attachment"},
		{"a changed file", key1, "", with(func(p []part) []part {
			b := bytes.Clone(p[2].body)
			b[7] ^= 1
			p[2].body = b
			return p
		}), 400, api.CodeFileHashMismatch, "documents[0].attachment.sha256"},
		{"another part after the files", key1, "", append(with(func(p []part) []part { return p }), part{"note", "", []byte("x")}), 400, api.CodePartOrder, "note"},
		{"manifest with a 0-byte file", key1, "", func() []part { p := emptyManifest.parts("pw"); return p }(), 400, api.CodeFileEmpty, "documents[1].attachment.size"},
		{"validation fails", key1, "", badApp.parts("pw"), 422, api.CodeValidationFailed, ""},
	}
	ts := start(t, t.TempDir(), nil)
	_ = first
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctype, body := encode(t, tc.parts)
			if tc.ctype != "" {
				ctype = tc.ctype
			}
			status, hdr, b := ts.post(t, tc.key, ctype, body)
			if status != tc.status {
				t.Fatalf("status %d, want %d: %s", status, tc.status, b)
			}
			if !strings.HasPrefix(hdr.Get("Content-Type"), "application/json") {
				t.Errorf("content type %q", hdr.Get("Content-Type"))
			}
			p := decode[api.Problem](t, b)
			if p.Code != tc.code || p.Field != tc.field || p.ZH == "" || p.EN == "" {
				t.Fatalf("problem %+v, want code %s field %q", p, tc.code, tc.field)
			}
			if tc.status == 422 {
				if len(p.Details) == 0 {
					t.Fatal("422 without details")
				}
				for _, d := range p.Details {
					if d.Field == "" || d.Code == "" || d.ZH == "" || d.EN == "" {
						t.Errorf("detail %+v", d)
					}
				}
				if p.Details[0].Field != "websites[0].owner.mobile" {
					t.Errorf("first detail on %q", p.Details[0].Field)
				}
			}
		})
	}
	if ts.disk.count() != 0 {
		t.Fatalf("%d filings stored from bad requests", ts.disk.count())
	}
	if n, _ := os.ReadDir(filepath.Join(ts.opt.Dir, "tmp")); len(n) != 0 {
		t.Errorf("tmp/ keeps %d entries", len(n))
	}
}

func TestTokenAndRoutes(t *testing.T) {
	ts := start(t, t.TempDir(), nil)
	tests := []struct {
		name, method, path, token string
		status                    int
		code                      string
	}{
		{"health needs no token", "GET", api.PathHealth, "", 200, ""},
		{"rules without token", "GET", api.PathRules, "", 401, api.CodeUnauthorized},
		{"rules with wrong token", "GET", api.PathRules, "nope", 401, api.CodeUnauthorized},
		{"rules", "GET", api.PathRules, testToken, 200, ""},
		{"unknown filing", "GET", api.PathFilings + "/f-none", testToken, 404, api.CodeNotFound},
		{"unknown path", "GET", "/v2/x", testToken, 404, api.CodeNotFound},
		{"GET on submit", "GET", api.PathFilings, testToken, 405, api.CodeMethodNotAllowed},
		{"POST on rules", "POST", api.PathRules, testToken, 405, api.CodeMethodNotAllowed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, ts.url+tc.path, nil)
			if tc.token != "" {
				req.Header.Set("Authorization", "Bearer "+tc.token)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d: %s", resp.StatusCode, b)
			}
			if tc.code != "" {
				if p := decode[api.Problem](t, b); p.Code != tc.code || p.ZH == "" || p.EN == "" {
					t.Fatalf("problem %+v", p)
				}
			}
			if tc.status == 401 && resp.Header.Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate")
			}
		})
	}
}

func TestServesTheRulePackWithETag(t *testing.T) {
	ts := start(t, t.TempDir(), nil)
	status, hdr, b := ts.get(t, api.PathRules, testToken)
	if status != 200 || !bytes.Equal(b, filing.DefaultPackBytes()) {
		t.Fatalf("status %d, same bytes %v", status, bytes.Equal(b, filing.DefaultPackBytes()))
	}
	if _, err := filing.ParsePack(b); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", ts.url+api.PathRules, nil)
	req.Header.Set("Authorization", "Bearer "+testToken)
	req.Header.Set("If-None-Match", hdr.Get("ETag"))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotModified {
		t.Fatalf("conditional GET: %d", resp.StatusCode)
	}
}

func TestReviewTimelineOnTheClock(t *testing.T) {
	tests := []struct {
		name    string
		decide  func(*filing.Application) Decision
		after   []time.Duration // clock advances, checked in turn
		want    []filing.Status
		reasons []string
	}{
		{"approved", nil, []time.Duration{0, 24 * time.Hour, 72 * time.Hour},
			[]filing.Status{filing.StatusInitialReview, filing.StatusBureauReview, filing.StatusApproved}, nil},
		{"rejected by the bureau", RejectAtBureau("网站名称与主体性质不符，请修改后重新提交。", "主体负责人电话无法接通。"),
			[]time.Duration{0, 24 * time.Hour, 72 * time.Hour},
			[]filing.Status{filing.StatusInitialReview, filing.StatusBureauReview, filing.StatusBureauRejected},
			[]string{"网站名称与主体性质不符，请修改后重新提交。", "主体负责人电话无法接通。"}},
		{"rejected at the initial review", func(*filing.Application) Decision {
			return Decision{Stage: filing.StatusInitialRejected, Reasons: []string{"核验单未签字。"}}
		}, []time.Duration{0, 24 * time.Hour, 240 * time.Hour},
			[]filing.Status{filing.StatusInitialReview, filing.StatusInitialRejected, filing.StatusInitialRejected},
			[]string{"核验单未签字。"}},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ts := start(t, t.TempDir(), func(o *Options) { o.Decide = tc.decide })
			fx := newFixture(t, 1<<10, uint64(10+i))
			ctype, body := encode(t, fx.parts("pw"))
			status, _, b := ts.post(t, key1, ctype, body)
			if status != 201 {
				t.Fatalf("%d %s", status, b)
			}
			id := decode[api.Filing](t, b).ID
			var last api.Filing
			for j, d := range tc.after {
				ts.now.Advance(d)
				status, _, b := ts.get(t, api.PathFilings+"/"+id, testToken)
				if status != 200 {
					t.Fatalf("%d %s", status, b)
				}
				last = decode[api.Filing](t, b)
				if last.Status != tc.want[j] || last.Timeline[len(last.Timeline)-1].Status != tc.want[j] {
					t.Fatalf("step %d: status %s, want %s", j, last.Status, tc.want[j])
				}
			}
			if got := last.Timeline[len(last.Timeline)-1].Reasons; fmt.Sprint(got) != fmt.Sprint(tc.reasons) {
				t.Fatalf("reasons %q, want %q", got, tc.reasons)
			}
			if last.Rejected() != (tc.reasons != nil) || !last.Final() {
				t.Fatalf("rejected %v final %v", last.Rejected(), last.Final())
			}
		})
	}
}

// The review speed moves only the review timeline. However long a fast
// backend has been running, an incoming filing is checked on today's real
// date (a domain with 200 days left is accepted, one with 60 is refused by
// the 90-day rule), received_at is the real time, and the review still
// runs through its stages at the speed. The wall clock is injected: no
// sleeping.
func TestReviewSpeedMovesOnlyTheReviewTimeline(t *testing.T) {
	const day = 24 * time.Hour
	tests := []struct {
		name       string
		speed      float64
		ranFor     time.Duration // wall time the backend ran before the filing came in
		domainDays int           // days left on the domain's registration, real calendar
		accepted   bool
	}{
		{"real time, fresh start", 1, 0, 200, true},
		{"x86400 after an hour (ten years on the review clock)", 86400, time.Hour, 200, true},
		{"x86400 after a day (236 years on the review clock)", 86400, day, 200, true},
		{"x1e7 after a week", 1e7, 7 * day, 200, true},
		{"x86400 after a day: the 90-day rule still applies", 86400, day, 60, false},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ts := start(t, t.TempDir(), func(o *Options) { o.Speed = tc.speed })
			ts.now.Advance(tc.ranFor)
			received := ts.now.Now()
			fx := newFixture(t, 1<<10, uint64(40+i))
			fx.app.Websites[0].DomainExpires = filing.DateOf(received.AddDate(0, 0, tc.domainDays)).String()
			fx.js, _ = json.Marshal(fx.app)
			ctype, body := encode(t, fx.parts("pw"))
			status, _, b := ts.post(t, key1, ctype, body)
			if !tc.accepted {
				p := decode[api.Problem](t, b)
				if status != http.StatusUnprocessableEntity || len(p.Details) != 1 || p.Details[0].Field != "websites[0].domain_expires" {
					t.Fatalf("want a 422 on the domain's expiry only, got %d %s", status, b)
				}
				return
			}
			if status != http.StatusCreated {
				t.Fatalf("a domain with %d days left was refused after %v at x%v: %d %s", tc.domainDays, tc.ranFor, tc.speed, status, b)
			}
			got := decode[api.Filing](t, b)
			if !got.ReceivedAt.Equal(received) {
				t.Fatalf("received_at %v, want the real time %v", got.ReceivedAt, received)
			}
			if got.Status != filing.StatusInitialReview {
				t.Fatalf("status at receipt %s", got.Status)
			}
			// 初审 takes a day and 管局审核 three on the review clock.
			initial := time.Duration(float64(day) / tc.speed)
			bureau := time.Duration(float64(3*day) / tc.speed)
			for _, step := range []struct {
				advance time.Duration
				want    filing.Status
			}{
				{initial - 1, filing.StatusInitialReview},
				{1, filing.StatusBureauReview},
				{bureau - 1, filing.StatusBureauReview},
				{1, filing.StatusApproved},
			} {
				ts.now.Advance(step.advance)
				status, _, b := ts.get(t, api.PathFilings+"/"+got.ID, testToken)
				if status != 200 {
					t.Fatalf("%d %s", status, b)
				}
				f := decode[api.Filing](t, b)
				if f.Status != step.want {
					t.Fatalf("at +%v real time: %s, want %s", ts.now.Now().Sub(received), f.Status, step.want)
				}
				for _, e := range f.Timeline {
					if e.At.Before(received) || e.At.After(ts.now.Now()) {
						t.Fatalf("timeline entry %s at %v is not a real time between receipt %v and now %v", e.Status, e.At, received, ts.now.Now())
					}
				}
			}
			// /v1/health tells the real time too.
			_, _, b = ts.get(t, api.PathHealth, "")
			if h := decode[api.Health](t, b); !h.Time.Equal(ts.now.Now()) {
				t.Fatalf("health time %v, want %v", h.Time, ts.now.Now())
			}
		})
	}
}

func TestIsLoopback(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1:8787": true, "[::1]:8787": true, "localhost:1": true, "127.8.9.1:80": true,
		":8787": false, "0.0.0.0:8787": false, "192.168.1.2:80": false, "[::]:80": false, "example.com:80": false, "nonsense": false,
	} {
		if IsLoopback(addr) != want {
			t.Errorf("IsLoopback(%q) = %v", addr, !want)
		}
	}
}

func TestTooLargeBody(t *testing.T) {
	ts := start(t, t.TempDir(), func(o *Options) { o.MaxBodyBytes = 64 << 10 })
	fx := newFixture(t, 20<<10, 20)
	ctype, body := encode(t, fx.parts("pw"))
	status, _, b := ts.post(t, key1, ctype, body)
	if status != http.StatusRequestEntityTooLarge || decode[api.Problem](t, b).Code != api.CodeTooLarge {
		t.Fatalf("%d %s", status, b)
	}
}

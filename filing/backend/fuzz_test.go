package backend

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/icpfiling/icpfiling/filing/backend/api"
)

// FuzzSubmitBody: whatever the body, the server answers with a success or
// a documented problem, never a 5xx or a panic, and leaves nothing half
// stored.
func FuzzSubmitBody(f *testing.F) {
	fx := newFixture(f, 64, 1)
	ctype, good := encode(f, fx.parts("pw"))
	boundary := ctype[len("multipart/form-data; boundary="):]
	f.Add(good)
	f.Add(good[:len(good)/2])
	f.Add(bytes.Replace(good, []byte(fx.order[0]), []byte(fx.order[1]), 1))
	f.Add([]byte("--" + boundary + "--\r\n"))
	dir := f.TempDir()
	s, err := New(Options{Dir: dir, MaxBodyBytes: 1 << 20, NoAuth: true})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest(http.MethodPost, api.PathFilings, bytes.NewReader(body))
		req.Header.Set("Content-Type", ctype)
		req.Header.Set(api.HeaderIdempotencyKey, key1)
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		switch {
		case rec.Code == http.StatusCreated || rec.Code == http.StatusOK:
		case rec.Code >= 400 && rec.Code < 500:
			var p api.Problem
			if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || p.Code == "" || p.ZH == "" || p.EN == "" {
				t.Fatalf("%d with body %q", rec.Code, rec.Body.String())
			}
		default:
			t.Fatalf("status %d: %s", rec.Code, rec.Body.String())
		}
		if left, _ := os.ReadDir(filepath.Join(dir, "tmp")); len(left) != 0 {
			t.Fatalf("%d staging directories left", len(left))
		}
	})
}

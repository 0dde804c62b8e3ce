package backend

import (
	"io"
	"net/http"
	"testing"

	"github.com/icpfiling/icpfiling/filing"
	"github.com/icpfiling/icpfiling/filing/backend/api"
)

// GET /v1/rules answers 304 to If-None-Match with the pack's ETag, alone,
// weak, in a list or "*", and the whole pack otherwise.
func TestRulesETag(t *testing.T) {
	ts := start(t, t.TempDir(), nil)
	etag := `"` + filing.DefaultPack().Checksum() + `"`
	for _, tc := range []struct {
		inm  string
		want int
	}{
		{"", http.StatusOK},
		{etag, http.StatusNotModified},
		{"W/" + etag, http.StatusNotModified},
		{`"other", ` + etag, http.StatusNotModified},
		{"*", http.StatusNotModified},
		{`"other"`, http.StatusOK},
	} {
		req, _ := http.NewRequest(http.MethodGet, ts.url+api.PathRules, nil)
		req.Header.Set("Authorization", "Bearer "+testToken)
		if tc.inm != "" {
			req.Header.Set("If-None-Match", tc.inm)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.want || resp.Header.Get("ETag") != etag {
			t.Errorf("If-None-Match %q: %d ETag %q, want %d", tc.inm, resp.StatusCode, resp.Header.Get("ETag"), tc.want)
		}
		if tc.want == http.StatusOK {
			if _, err := filing.ParsePack(body); err != nil {
				t.Errorf("If-None-Match %q: the body is not the pack: %v", tc.inm, err)
			}
		}
	}
}

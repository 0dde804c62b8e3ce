package backend

import (
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/icpfiling/icpfiling/filing/backend/api"
)

// TestContractDocumentsWhatTheServerDoes keeps docs/backend-api.yaml and
// docs/backend.md in step with the code: every error code the package
// defines is documented in both, and every documented path is served.
func TestContractDocumentsWhatTheServerDoes(t *testing.T) {
	spec, err := os.ReadFile("../../docs/backend-api.yaml")
	if err != nil {
		t.Fatal(err)
	}
	guide, err := os.ReadFile("../../docs/backend.md")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		OpenAPI string                    `yaml:"openapi"`
		Paths   map[string]map[string]any `yaml:"paths"`
	}
	if err := yaml.Unmarshal(spec, &doc); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi %q", doc.OpenAPI)
	}

	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "api/api.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	codes := 0
	ast.Inspect(f, func(n ast.Node) bool {
		vs, ok := n.(*ast.ValueSpec)
		if !ok || len(vs.Names) != 1 || !strings.HasPrefix(vs.Names[0].Name, "Code") || len(vs.Values) != 1 {
			return true
		}
		lit, ok := vs.Values[0].(*ast.BasicLit)
		if !ok {
			return true
		}
		code, _ := strconv.Unquote(lit.Value)
		codes++
		if !strings.Contains(string(spec), code) {
			t.Errorf("%s (%q) is not in backend-api.yaml", vs.Names[0].Name, code)
		}
		if !strings.Contains(string(guide), "`"+code+"`") {
			t.Errorf("%s (%q) is not in backend.md", vs.Names[0].Name, code)
		}
		return true
	})
	if codes < 20 {
		t.Fatalf("found only %d codes: the parse is broken", codes)
	}

	ts := start(t, t.TempDir(), nil)
	for path, ops := range doc.Paths {
		for method := range ops {
			if method == "parameters" {
				continue
			}
			req, _ := http.NewRequest(strings.ToUpper(method), ts.url+strings.ReplaceAll(path, "{id}", "f-none"), nil)
			req.Header.Set("Authorization", "Bearer "+testToken)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			// An unknown filing is a 404 of the route; an unknown route would be 404 too, so tell them apart by path.
			if resp.StatusCode == http.StatusNotFound && !strings.Contains(path, "{id}") || resp.StatusCode == http.StatusMethodNotAllowed {
				t.Errorf("%s %s is documented but answers %d", method, path, resp.StatusCode)
			}
		}
	}
	for _, p := range []string{api.PathHealth, api.PathRules, api.PathFilings, api.PathFilings + "/{id}"} {
		if _, ok := doc.Paths[p]; !ok {
			t.Errorf("%s is served but not documented", p)
		}
	}
}

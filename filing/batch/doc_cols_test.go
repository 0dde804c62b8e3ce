package batch

import (
	"os"
	"strings"
	"testing"
)

// TestDocsListEveryColumn: docs/batch.md names every column of the
// template by its code and Chinese header, so the two cannot drift.
func TestDocsListEveryColumn(t *testing.T) {
	doc, err := os.ReadFile("../../docs/batch.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range Columns {
		if !strings.Contains(string(doc), "| `"+c.Key+"` | "+c.ZH+" |") {
			t.Errorf("docs/batch.md lacks the row of column %s", c.Key)
		}
	}
}

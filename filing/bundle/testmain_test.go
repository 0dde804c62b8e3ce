package bundle

import (
	"os"
	"testing"

	"github.com/icpfiling/icpfiling/internal/testconfig"
)

func TestMain(m *testing.M) {
	cleanup := testconfig.Isolate()
	code := m.Run()
	cleanup()
	os.Exit(code)
}

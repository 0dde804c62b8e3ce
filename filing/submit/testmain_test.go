package submit

import (
	"testing"

	"github.com/icpfiling/icpfiling/internal/testconfig"
)

// TestMain keeps the store's data keys out of the user's config directory.
func TestMain(m *testing.M) { testconfig.Main(m) }

package messaging

import (
	"os"
	"testing"

	"sealportal/store/kv/enginetest"
)

// The sender's tests open a store on the engine enginetest chooses (issue 14).
func TestMain(m *testing.M) { os.Exit(enginetest.Main(m)) }

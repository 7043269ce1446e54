package scan

import (
	"os"
	"testing"
)

// processTemp is a directory for what the whole test binary shares (the
// corpus database), removed when it exits.
var processTemp string

func tempDirForProcess() (string, error) {
	if processTemp == "" {
		dir, err := os.MkdirTemp("", "fnaudit-scan-test-")
		if err != nil {
			return "", err
		}
		processTemp = dir
	}
	return processTemp, nil
}

func TestMain(m *testing.M) {
	code := m.Run()
	if processTemp != "" {
		os.RemoveAll(processTemp)
	}
	os.Exit(code)
}

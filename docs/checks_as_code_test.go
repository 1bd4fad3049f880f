package docs

import (
	"strings"
	"testing"

	"github.com/peerj/memon/pkg/memon"
)

// TestChecksPageListsEverySetting: the checks-as-code page names every key a
// checks file takes, read from the configuration type, so a new setting is
// documented where files are explained.
func TestChecksPageListsEverySetting(t *testing.T) {
	t.Parallel()
	page := readFile(t, "checks-as-code.md")
	for _, key := range append([]string{"name"}, memon.SettingKeys()...) {
		if !strings.Contains(page, "`"+key+"`") {
			t.Errorf("checks-as-code.md does not name the checks file key `%s`", key)
		}
	}
}

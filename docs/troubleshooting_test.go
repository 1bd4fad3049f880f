package docs

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestTroubleshootingCoversFirstHourErrors: every error a newcomer meets in
// the first hour has a row on the troubleshooting page, and the text the row
// quotes is still what the code prints, so the page cannot drift from it.
func TestTroubleshootingCoversFirstHourErrors(t *testing.T) {
	t.Parallel()
	trouble := readFile(t, "troubleshooting.md")
	var src strings.Builder
	for _, dir := range []string{"cmd", "internal", "pkg", "lambdas"} {
		err := filepath.WalkDir(filepath.Join(root, dir), func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return err
			}
			b, err := os.ReadFile(path)
			src.Write(b)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct{ page, code string }{
		{"no AWS region: give --region REGION, or set AWS_REGION", "no AWS region: give --region REGION, or set AWS_REGION"},
		{"memon-send: … no AWS region: set --region or AWS_REGION", "no AWS region: set --region or AWS_REGION"},
		{"no AWS credentials: this host has no instance role and no keys", "no AWS credentials: this host has no instance role and no keys"},
		{"not allowed to send to the queue", "not allowed to send to the queue"},
		{"AWS refused the credentials", "AWS refused the credentials"},
		{"the table does not exist in this account and region: check --table/MEMON_TABLE and --region/AWS_REGION", "the table does not exist in this account and region: check --table/MEMON_TABLE and --region/AWS_REGION"},
		{"not found in this account and region", "not found in this account and region"},
		{"(memon-config show lists them; set creates one)", "(memon-config show lists them; set creates one)"},
		{"does not exist yet: creating it needs --period DUR", "does not exist yet: creating it needs --period DUR"},
		{`--period "1 hour" is invalid: write --period 1h`, "write --"},
		{"give --type rolling (or fixed) too", "give --type rolling (or fixed) too"},
		{"it never fires in the next 5 years", "it never fires in the next 5 years"},
		{"give one line of plain text", "give one line of plain text"},
		{"queue \"memon\" not found", "no queue named"},
		{"poll skipped: another poller holds the lease", "poll skipped: another poller holds the lease"},
		{"Subscription Confirmation", ""},
		{"This stack uses assets, so the toolkit stack must be deployed", ""},
		{"node_modules/.bin/cdk: No such file or directory", ""},
		{"`Config: NAME` alert", ""},
		{"a `[MEMon] Late:` mail", ""},
	} {
		if !strings.Contains(trouble, tc.page) {
			t.Errorf("troubleshooting.md has no row for %q", tc.page)
		}
		if tc.code != "" && !strings.Contains(src.String(), tc.code) {
			t.Errorf("the code no longer prints %q: update its row in troubleshooting.md", tc.code)
		}
	}
}

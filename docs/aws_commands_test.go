package docs

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/peerj/memon/internal/mototest"
)

// awsCommand is one `aws ...` command the docs give, with where it is.
type awsCommand struct {
	where, cmd string
	local      bool // meant for `make local`'s moto stack
}

// A command is for the local moto stack (where the aws CLI v1 ignores
// AWS_ENDPOINT_URL) when it uses the endpoint or .local/memon.env's
// variables, or its paragraph says it is for make local.
var (
	localCommandRE   = regexp.MustCompile(`AWS_ENDPOINT_URL|--endpoint-url|\$\{?MEMON_`)
	localParagraphRE = regexp.MustCompile(`make local|local stack|\.local/memon\.env`)
)

func isLocal(cmd, context string) bool {
	return localCommandRE.MatchString(cmd) || localParagraphRE.MatchString(context)
}

// docAWSCommands returns every `aws ...` code span and fenced `aws ...` line
// of the docs; a span may wrap over lines, which join with spaces.
func docAWSCommands(t *testing.T) []awsCommand {
	t.Helper()
	var out []awsCommand
	for _, file := range markdownFiles(t) {
		text := readFile(t, file)
		lines := strings.Split(text, "\n")
		inFence := false
		for i, l := range lines {
			trimmed := strings.TrimSpace(l)
			if strings.HasPrefix(trimmed, "```") {
				inFence = !inFence
				lines[i] = ""
				continue
			}
			if inFence {
				if strings.HasPrefix(trimmed, "aws ") {
					cmd, _, _ := strings.Cut(trimmed, " #")
					out = append(out, awsCommand{where: file + ":" + strconv.Itoa(i+1), cmd: cmd, local: isLocal(cmd, "")})
				}
				lines[i] = ""
			}
		}
		for n, para := range strings.Split(strings.Join(lines, "\n"), "\n\n") {
			for _, m := range spanRE.FindAllStringSubmatch(para, -1) {
				span := strings.Join(strings.Fields(m[1]), " ")
				if !strings.HasPrefix(span, "aws ") {
					continue
				}
				out = append(out, awsCommand{where: file + " paragraph " + strconv.Itoa(n+1), cmd: span, local: isLocal(span, para)})
			}
		}
	}
	return out
}

// TestDocsLocalAWSCommandsRun: every `aws` command the docs give for the
// local stack names the endpoint (the CLI v1 on these machines ignores
// AWS_ENDPOINT_URL) and succeeds against moto with MEMon's resources and
// the environment .local/memon.env exports.
func TestDocsLocalAWSCommandsRun(t *testing.T) {
	var local []awsCommand
	found := 0
	for _, c := range docAWSCommands(t) {
		if !c.local {
			continue
		}
		found++
		if !strings.Contains(c.cmd, `--endpoint-url "$AWS_ENDPOINT_URL"`) {
			// Not run: without the endpoint it would go to AWS itself.
			t.Errorf("%s: %q is for make local but lacks --endpoint-url \"$AWS_ENDPOINT_URL\" (the aws CLI v1 ignores AWS_ENDPOINT_URL)", c.where, c.cmd)
			continue
		}
		local = append(local, c)
	}
	if found == 0 {
		t.Fatal("found no aws command for the local stack in the docs: the extraction is broken")
	}
	if testing.Short() {
		t.Skip("runs the commands against moto_server; not with -short")
	}
	ci := os.Getenv("CI") == "true"
	if _, err := exec.LookPath("aws"); err != nil {
		if ci {
			t.Fatal("the aws CLI is not installed (pip install awscli)")
		}
		t.Skip("the aws CLI is not installed (pip install awscli)")
	}
	srv, err := mototest.Start()
	if err != nil {
		if errors.Is(err, mototest.ErrMissing) && !ci {
			t.Skip(err)
		}
		t.Fatal(err)
	}
	t.Cleanup(srv.Stop)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	res, err := srv.CreateMEMon(ctx, "memon")
	if err != nil {
		t.Fatal(err)
	}
	env := append(srv.Env(),
		"MEMON_QUEUE_URL="+res.QueueURL, "MEMON_DLQ_URL="+res.DLQURL, "MEMON_TABLE="+res.Table,
		"MEMON_HISTORY_TABLE="+res.HistoryTable, "MEMON_TOPIC_ARN="+res.TopicARN,
		"HOME="+t.TempDir(), // no ~/.aws of the machine's
	)
	for _, c := range local {
		cmd := exec.CommandContext(ctx, "bash", "-c", c.cmd)
		cmd.Env = env
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("%s: %s failed: %v\n%s", c.where, c.cmd, err, out)
		}
	}
}

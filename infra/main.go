// Command infra is MEMon's CDK app: `cdk synth` / `cdk deploy` run it through
// cdk.json at the repository root (so the working directory is the module
// root). It builds the Lambdas for linux/arm64 first, then synthesizes
// the MEMon stack with the AwsSolutions (cdk-nag) checks applied.
//
// Context: -c prefix=NAME (resource names, default memon), -c email=ADDRESS
// (alert subscription), -c adoptTable=true (adopt memon.py's table, see
// ADOPT.md), -c pollerCodeDir=DIR (use a prebuilt bootstrap, skip the build),
// -c httpPings=true (public HTTPS ping endpoint and the public read function
// beside it; -c pingurlCodeDir=DIR and -c statusurlCodeDir=DIR for prebuilt
// ones), -c autoCreate=DUR (pings create unknown events), -c
// routes=TAGS=TARGET;... and -c defaultAlerts=all|untagged (alerts routed by
// tag). The CLI reads the deploy's settings from cdk.json's context first, so
// every deploy makes the same stack; -c overrides one for one deploy.
package main

import (
	"errors"
	"fmt"
	"os"
	"sync"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "infra:", err)
		jsii.Close()
		os.Exit(1)
	}
	jsii.Close()
}

func run() error {
	app := awscdk.NewApp(nil)
	props := &MEMonStackProps{}
	httpPings := contextString(app, CtxHTTPPings) == "true"
	// Each Lambda whose code the context does not name is built here, all
	// at once (one go build each, sharing the build cache).
	builds := []struct {
		want      bool
		what, pkg string
		dir       string
		into      *string
	}{
		{contextString(app, CtxPollerCodeDir) == "" && contextString(app, CtxAdoptTable) != "true",
			"the poller Lambda", PollerPackage, DefaultPollerCodeDir, &props.PollerCodeDir},
		{httpPings && contextString(app, CtxPingURLCodeDir) == "",
			"the ping endpoint Lambda", PingURLPackage, DefaultPingURLCodeDir, &props.PingURLCodeDir},
		{httpPings && contextString(app, CtxStatusURLCodeDir) == "",
			"the status endpoint Lambda", StatusURLPackage, DefaultStatusURLCodeDir, &props.StatusURLCodeDir},
	}
	errs := make([]error, len(builds))
	var wg sync.WaitGroup
	for i, b := range builds {
		if b.want {
			wg.Go(func() {
				if errs[i] = BuildLambda(".", b.pkg, b.dir); errs[i] != nil {
					errs[i] = fmt.Errorf("build %s: %w", b.what, errs[i])
				} else {
					*b.into = b.dir
				}
			})
		}
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	NewMEMonStack(app, DefaultStackName, props)
	Check(app)
	app.Synth(nil)
	return nil
}

// Check applies cdk-nag's AwsSolutions rules to every stack under scope; a
// finding becomes an error annotation, which fails `cdk synth`/`cdk deploy`.
func Check(scope awscdk.App) {
	awscdk.Aspects_Of(scope).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(true)}), nil)
}

package main

import (
	"os"
	"os/exec"
	"testing"

	"github.com/peerj/memon/internal/mototest"
)

// srv is the moto server the integration tests share; nil when moto_server
// is missing outside CI, where only the unit tests run.
var srv *mototest.Server

func TestMain(m *testing.M) {
	// mototest.Main skips the whole package without moto_server, unit tests
	// included; outside CI run those anyway and let the integration tests
	// skip themselves. Under CI=true mototest.Main fails instead.
	if _, err := exec.LookPath("moto_server"); err != nil && os.Getenv("CI") != "true" {
		os.Exit(m.Run())
	}
	code := mototest.Main(m, &srv)
	removeBinaries()
	os.Exit(code)
}

package main

import (
	"os"
	"testing"

	"github.com/peerj/memon/internal/mototest"
)

// srv is the moto server the integration tests share; nil when moto_server
// is missing outside CI, where only the unit tests run.
var srv *mototest.Server

func TestMain(m *testing.M) {
	// mototest.Main starts moto unless -short or (outside CI) it is missing;
	// then srv stays nil and the integration tests skip themselves. Under
	// CI=true a missing moto_server fails the package.
	code := mototest.Main(m, &srv)
	removeBinaries()
	os.Exit(code)
}

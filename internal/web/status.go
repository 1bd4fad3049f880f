package web

import "github.com/peerj/memon/pkg/memon"

// Status is a chip's status: memon's one status model (memon.StatusOf),
// shown with its Label; colour is never the only signal.
type Status = memon.Status

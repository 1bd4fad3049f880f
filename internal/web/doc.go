// Package web renders MEMon's pages: the live application that
// `memon-config ui` serves (overview, event page, edit forms) and the static
// snapshot `memon-config html` prints, from one set of embedded templates.
//
// It reads events through small interfaces it declares (Store, Days) and
// changes them only through Editor, which memon-config implements with the
// very functions its CLI verbs run, so the web and the CLI validate alike.
// It must never import the AWS SDK: adapters are handed in.
package web

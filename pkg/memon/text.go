package memon

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// SingleLine makes untrusted text safe to show on one line of an e-mail, a
// terminal or a web page: every line break, control character (C0, DEL, C1,
// so no terminal escape sequence), format character (bidi overrides that
// disguise text) and line/paragraph separator is written as a visible Go
// escape (`\n`, `\x1b`, `\u202e`), and invalid UTF-8 as `\xff`. What a sender
// or an operator typed therefore stays visible but can never start a new line
// that looks like MEMon's own, nor drive the reader's terminal.
//
// It is the one sanitiser for text MEMon did not write itself: every CLI, alert
// and page passes host, run id, names, descriptions, reasons and each line of
// job output through it.
func SingleLine(s string) string {
	if isPlain(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case unsafeRune(r) && r < 0x100:
			fmt.Fprintf(&b, `\x%02x`, r)
		case unsafeRune(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
		i += size
	}
	return b.String()
}

func isPlain(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unsafeRune(r) {
			return false
		}
	}
	return true
}

func unsafeRune(r rune) bool {
	return unicode.In(r, unicode.Cc, unicode.Cf, unicode.Zl, unicode.Zp)
}

// quoteBlock renders multi-line untrusted text (a job's output) as a quoted
// block: each line is SingleLine'd and starts with "  | ", so nothing in it
// can pass for MEMon's own lines or signature. Tabs become spaces first, as
// a terminal would show them.
func quoteBlock(s string) string {
	s = strings.TrimRight(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = "  | " + SingleLine(strings.ReplaceAll(l, "\t", "    "))
	}
	return strings.Join(lines, "\n")
}

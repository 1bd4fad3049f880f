package pingurl

import "testing"

func TestParseRouteReadsEveryForm(t *testing.T) {
	const tok = "abcdefghijklmnopqrstuvwxyzABCD-_"
	for _, tc := range []struct {
		path string
		want route
	}{
		{"/ping/" + tok, route{form: tokenForm, id: tok}},
		{"/ping/" + tok + "/", route{form: tokenForm, id: tok}},
		{"/" + tok, route{form: tokenForm, id: tok}},
		{"/" + tok + "/", route{form: tokenForm, id: tok}},
		{"/ping/" + tok + "/start", route{form: tokenForm, id: tok, suffix: "start", orSlug: true}},
		{"/" + tok + "/log/", route{form: tokenForm, id: tok, suffix: "log", orSlug: true}},
		{"/" + tok + "/256", route{form: tokenForm, id: tok, suffix: "256", orSlug: true}},
		{"/ping/key/nightly-db", route{form: slugForm, id: "key", slug: "nightly-db"}},
		{"/key/nightly-db/", route{form: slugForm, id: "key", slug: "nightly-db"}},
		{"/key/nightly-db/fail", route{form: slugForm, id: "key", slug: "nightly-db", suffix: "fail"}},
		{"/ping/key/nightly-db/3/", route{form: slugForm, id: "key", slug: "nightly-db", suffix: "3"}},
		{"/ping/key/Nightly", route{form: slugForm, id: "key", slug: "Nightly"}},
		{"/api/push/" + tok, route{form: kumaForm, id: tok}},
		{"/api/push/" + tok + "/", route{form: kumaForm, id: tok}},
		{"/api/push/", route{}},
		{"/api/push/a/b", route{}},
		{"/", route{}},
		{"/ping/", route{}},
		{"/a/b/c/d", route{}},
	} {
		if got := parseRoute(tc.path); got != tc.want {
			t.Errorf("parseRoute(%q) = %+v, want %+v", tc.path, got, tc.want)
		}
	}
}

func TestSlugShapeIsHealthchecksSlug(t *testing.T) {
	for _, tc := range []struct {
		slug          string
		shaped, upper bool
	}{
		{"nightly-db_2", true, false},
		{"Nightly", true, true},
		{"back.up", false, false},
		{"", false, false},
		{"a/b", false, false},
	} {
		if shaped, upper := slugShape(tc.slug); shaped != tc.shaped || upper != tc.upper {
			t.Errorf("slugShape(%q) = %v, %v; want %v, %v", tc.slug, shaped, upper, tc.shaped, tc.upper)
		}
	}
}

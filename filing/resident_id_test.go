package filing

import (
	"errors"
	"strings"
	"testing"
	"time"
)

type residentIDCase struct {
	name  string
	in    string
	code  string // expected ParseError code; "" means success
	norm  string
	birth string // YYYY-MM-DD
	male  bool
}

func residentIDCases() []residentIDCase {
	return []residentIDCase{
		// The GB 11643 sample number. Check character by hand:
		// digits  1 1  0 1 0 5 1 9 4 9 1 2  3 1 0 0 2
		// weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2
		// 7+9+0+5+0+20+2+9+24+27+7+18+30+5+0+0+4 = 167; 167 mod 11 = 2 → "10X98765432"[2] = X.
		{name: "standard sample", in: "11010519491231002X", norm: "11010519491231002X", birth: "1949-12-31", male: false},
		{name: "lower-case x", in: "11010519491231002x", norm: "11010519491231002X", birth: "1949-12-31"},
		{name: "spaces inside and around", in: "  110105 19491231 002x\t", norm: "11010519491231002X", birth: "1949-12-31"},
		{name: "full-width digits", in: "１１０１０５１９４９１２３１００２Ｘ", norm: "11010519491231002X", birth: "1949-12-31"},
		{name: "ideographic space", in: "\u3000110105\u300019491231002X", norm: "11010519491231002X", birth: "1949-12-31"},
		// Sum 165 → 165 mod 11 = 0 → "1".
		{name: "male, check digit 1", in: "110105194912310011", norm: "110105194912310011", birth: "1949-12-31", male: true},
		// Sum 231 = 21×11 → check "1"; sequence 123 is odd, so male.
		{name: "Shenzhen", in: "440306199901011231", norm: "440306199901011231", birth: "1999-01-01", male: true},
		{name: "leap day 2000", in: "110105200002290056", norm: "110105200002290056", birth: "2000-02-29", male: true},
		{name: "earliest year 1900", in: "650102190001010016", norm: "650102190001010016", birth: "1900-01-01", male: true},
		{name: "Sichuan", in: "510107200811300477", norm: "510107200811300477", birth: "2008-11-30", male: true},
		{name: "Hong Kong residence permit", in: "810000199001011230", norm: "810000199001011230", birth: "1990-01-01", male: true},
		{name: "Taiwan residence permit", in: "710000198506150027", norm: "710000198506150027", birth: "1985-06-15"},
		// A date after the filing date still parses; AgeOn catches it.
		{name: "birth in 2026", in: "62010220260101001X", norm: "62010220260101001X", birth: "2026-01-01", male: true},

		{name: "empty", in: "", code: "id.empty"},
		{name: "only spaces", in: " \t\u3000 ", code: "id.empty"},
		{name: "old 15-digit", in: "110105491231002", code: "id.old15"},
		{name: "old 15-digit with spaces", in: "110105 491231 002", code: "id.old15"},
		{name: "17 characters", in: "11010519491231002", code: "id.length"},
		{name: "19 characters", in: "11010519491231002X1", code: "id.length"},
		{name: "15 with a letter", in: "11010549123100X", code: "id.length"},
		{name: "letter other than X", in: "11010519491231002Y", code: "id.chars"},
		{name: "X not last", in: "1101051949123100X2", code: "id.chars"},
		{name: "hyphenated", in: "110105-19491231002", code: "id.chars"},
		{name: "Roman numeral ten", in: "11010519491231002Ⅹ", code: "id.chars"},
		{name: "province 00", in: "000105194912310021", code: "id.province"},
		{name: "province 16", in: "160105194912310021", code: "id.province"},
		{name: "province 55", in: "550105194912310021", code: "id.province"},
		{name: "province 84", in: "840105194912310021", code: "id.province"},
		{name: "month 13", in: "110105194913310021", code: "id.birth"},
		{name: "day 32", in: "110105194912320021", code: "id.birth"},
		{name: "30 February", in: "110105200002300021", code: "id.birth"},
		{name: "29 February 1900", in: "110105190002290021", code: "id.birth"},
		{name: "29 February 2001", in: "110105200102290021", code: "id.birth"},
		{name: "before 1900", in: "110105189912310021", code: "id.birth"},
		{name: "zero date", in: "110105000000000021", code: "id.birth"},
		{name: "wrong check digit", in: "110105194912310021", code: "id.checksum"},
		// Year 9149 is a real calendar date; only the checksum (and AgeOn) catch it.
		{name: "transposed year digits", in: "11010591491231002X", code: "id.checksum"},
		{name: "transposed sequence", in: "11010519491231020X", code: "id.checksum"},
	}
}

func TestParseResidentID(t *testing.T) {
	for _, tc := range residentIDCases() {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseResidentID(tc.in)
			if tc.code != "" {
				wantParseError(t, err, tc.code, tc.in)
				if got != (ResidentID{}) {
					t.Errorf("on error got non-zero value %+v", got)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error %v", err)
			}
			if got.Normalised != tc.norm {
				t.Errorf("Normalised = %q, want %q", got.Normalised, tc.norm)
			}
			if got.ProvinceCode != tc.norm[:2] {
				t.Errorf("ProvinceCode = %q, want %q", got.ProvinceCode, tc.norm[:2])
			}
			if b := got.Birth.Format(time.DateOnly); b != tc.birth {
				t.Errorf("Birth = %s, want %s", b, tc.birth)
			}
			if got.Birth.Location() != time.UTC || got.Birth.Hour() != 0 {
				t.Errorf("Birth = %v, want UTC midnight", got.Birth)
			}
			if got.Male != tc.male {
				t.Errorf("Male = %v, want %v", got.Male, tc.male)
			}
		})
	}
}

func TestResidentIDAgeOn(t *testing.T) {
	cst := time.FixedZone("CST", 8*3600)
	sample, err := ParseResidentID("11010519491231002X")
	if err != nil {
		t.Fatal(err)
	}
	leap, err := ParseResidentID("110105200002290056")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		id   ResidentID
		on   time.Time
		want int
	}{
		{"day before birthday", sample, time.Date(2026, 12, 30, 23, 59, 0, 0, time.UTC), 76},
		{"on birthday", sample, time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC), 77},
		// 00:30 in Beijing is still the previous day in UTC; the caller's
		// calendar date is what counts.
		{"birthday in Beijing, eve in UTC", sample, time.Date(2026, 12, 31, 0, 30, 0, 0, cst), 77},
		{"on birth date", sample, time.Date(1949, 12, 31, 12, 0, 0, 0, time.UTC), 0},
		{"before birth", sample, time.Date(1949, 12, 30, 0, 0, 0, 0, time.UTC), -1},
		{"years before birth", sample, time.Date(1900, 6, 1, 0, 0, 0, 0, time.UTC), -50},
		{"leap day, 28 Feb of a common year", leap, time.Date(2018, 2, 28, 0, 0, 0, 0, time.UTC), 17},
		{"leap day, 1 Mar of a common year", leap, time.Date(2018, 3, 1, 0, 0, 0, 0, time.UTC), 18},
		{"leap day, 29 Feb of a leap year", leap, time.Date(2020, 2, 29, 0, 0, 0, 0, time.UTC), 20},
	}
	for _, tc := range cases {
		if got := tc.id.AgeOn(tc.on); got != tc.want {
			t.Errorf("%s: AgeOn(%v) = %d, want %d", tc.name, tc.on, got, tc.want)
		}
	}
}

func TestResidentIDLast6(t *testing.T) {
	id, err := ParseResidentID("11010519491231002x")
	if err != nil {
		t.Fatal(err)
	}
	if got := id.Last6(); got != "31002X" {
		t.Errorf("Last6 = %q, want 31002X", got)
	}
	if got := (ResidentID{}).Last6(); got != "" {
		t.Errorf("zero Last6 = %q, want empty", got)
	}
}

func FuzzParseResidentID(f *testing.F) {
	for _, tc := range residentIDCases() {
		f.Add(tc.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, err := ParseResidentID(s)
		if err != nil {
			checkParseErrorShape(t, err, "id.")
			return
		}
		if len(id.Normalised) != 18 || id.ProvinceCode != id.Normalised[:2] {
			t.Fatalf("malformed result %+v", id)
		}
		if id.AgeOn(id.Birth) != 0 || id.Birth.Year() < 1900 {
			t.Fatalf("birth %v inconsistent", id.Birth)
		}
		again, err := ParseResidentID(id.Normalised)
		if err != nil || again != id {
			t.Fatalf("re-parsing %q gave %+v, %v; want %+v", id.Normalised, again, err, id)
		}
	})
}

// wantParseError fails unless err is a *ParseError with the given code and
// complete messages that do not echo the rejected input.
func wantParseError(t *testing.T, err error, code, input string) {
	t.Helper()
	pe := checkParseErrorShape(t, err, code)
	if pe.Code != code {
		t.Errorf("code = %q, want %q (EN: %s)", pe.Code, code, pe.EN)
	}
	if in := strings.TrimSpace(input); len(in) >= 5 && (strings.Contains(pe.ZH, in) || strings.Contains(pe.EN, in)) {
		t.Errorf("message for %s repeats the input: %s", code, pe.EN)
	}
}

// checkParseErrorShape fails unless err is a *ParseError whose code starts
// with prefix and whose messages are full sentences in both languages.
func checkParseErrorShape(t *testing.T, err error, prefix string) *ParseError {
	t.Helper()
	var pe *ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("error %v (%T) is not a *ParseError", err, err)
	}
	if !strings.HasPrefix(pe.Code, prefix) {
		t.Errorf("code %q lacks prefix %q", pe.Code, prefix)
	}
	if !strings.HasSuffix(pe.ZH, "。") || !strings.HasSuffix(pe.EN, ".") {
		t.Errorf("%s: messages are not full sentences: %q / %q", pe.Code, pe.ZH, pe.EN)
	}
	if pe.Error() != pe.EN {
		t.Errorf("%s: Error() = %q, want EN", pe.Code, pe.Error())
	}
	return pe
}

// TestParserCodesCovered keeps the tables honest: every code a parser can
// return is exercised by at least one case.
func TestParserCodesCovered(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range residentIDCases() {
		seen[c.code] = true
	}
	for _, c := range creditCodeCases() {
		seen[c.code] = true
	}
	for _, c := range orgCodeCases() {
		seen[c.code] = true
	}
	for _, c := range icpCases() {
		seen[c.code] = true
	}
	for _, c := range mobileCases() {
		seen[c.code] = true
	}
	for _, c := range landlineCases() {
		seen[c.code] = true
	}
	for _, c := range emailCases() {
		seen[c.code] = true
	}
	for _, c := range domainCases() {
		seen[c.code] = true
	}
	for _, code := range []string{
		"id.empty", "id.old15", "id.length", "id.chars", "id.province", "id.birth", "id.checksum",
		"uscc.empty", "uscc.length", "uscc.chars",
		"orgcode.empty", "orgcode.length", "orgcode.chars", "orgcode.checksum",
		"icp.empty", "icp.licence", "icp.province", "icp.format",
		"mobile.empty", "mobile.format",
		"landline.empty", "landline.country", "landline.area", "landline.number",
		"email.empty", "email.format",
		"domain.empty", "domain.scheme", "domain.path", "domain.port", "domain.ip", "domain.wildcard",
		"domain.spaces", "domain.single-label", "domain.idna", "domain.length",
	} {
		if !seen[code] {
			t.Errorf("no table case produces %s", code)
		}
	}
}

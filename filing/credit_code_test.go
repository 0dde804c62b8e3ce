package filing

import (
	"strings"
	"testing"
)

type creditCodeCase struct {
	name       string
	in         string
	code       string
	norm       string
	checksumOK bool
	orgValid   bool
}

func creditCodeCases() []creditCodeCase {
	return []creditCodeCase{
		// Shenzhen Tencent Computer Systems, as printed on its licence.
		// Values (alphabet 0-9 A-H J-N P Q R T U W X Y; X = 29) times weights:
		// 9×1+1×3+4×9+4×27+0×19+3×26+0×16+0×17+7×20+1×29+5×25+2×13+6×8+7×24+2×10+6×30+29×28
		// = 9+3+36+108+0+78+0+0+140+29+125+26+48+168+20+180+812 = 1782;
		// 1782 mod 31 = 15; 31 − 15 = 16 → G.
		{name: "Tencent", in: "9144030071526726XG", norm: "9144030071526726XG", checksumOK: true, orgValid: true},
		{name: "Beijing Baidu Netcom", in: "91110108551385082Q", norm: "91110108551385082Q", checksumOK: true, orgValid: true},
		{name: "lower case and spaces", in: " 9144 0300 7152 6726 xg ", norm: "9144030071526726XG", checksumOK: true, orgValid: true},
		{name: "full width", in: "９１４４０３００７１５２６７２６ＸＧ", norm: "9144030071526726XG", checksumOK: true, orgValid: true},
		// Constructed so that sum mod 31 = 0, exercising 31 → 0:
		// 9×1+1×3+1×9+1×27+0×19+1×26+1×16+5×17+21×20+10×29+0×25+1×13+19×8+29×24+9×10+20×30+6×28
		// = 2604 = 84×31 → check 31 → 0. Org code MA01KX9L6: M=22, A=10, K=20, X=33, L=21;
		// 22×3+10×7+0×9+1×10+20×5+33×8+9×4+21×2 = 588; 588 mod 11 = 5; 11 − 5 = 6.
		{name: "check character 0", in: "91110115MA01KX9L60", norm: "91110115MA01KX9L60", checksumOK: true, orgValid: true},
		{name: "individual business", in: "92330106MA2H000008", norm: "92330106MA2H000008", checksumOK: true},
		// A genuine Fujian pilot code that fails GB 32100 (the check would be
		// 1) yet passes GB 11714 on M0001TGQX: must not be an error.
		{name: "Fujian pilot code", in: "91350100M0001TGQXM", norm: "91350100M0001TGQXM", checksumOK: false, orgValid: true},
		{name: "typo in body", in: "9144030071526727XG", norm: "9144030071526727XG", checksumOK: false, orgValid: false},

		{name: "empty", in: "", code: "uscc.empty"},
		{name: "blank", in: "\u3000 ", code: "uscc.empty"},
		{name: "17 characters", in: "9144030071526726X", code: "uscc.length"},
		{name: "old registration number", in: "440301103097413", code: "uscc.length"},
		{name: "hyphenated", in: "91440300-71526726XG", code: "uscc.length"},
		{name: "letter O for zero", in: "91440300715267O6XG", code: "uscc.chars"},
		{name: "letter I", in: "9I44030071526726XG", code: "uscc.chars"},
		{name: "letter S", in: "9144030071526726XS", code: "uscc.chars"},
		{name: "letter V", in: "9144030071526726XV", code: "uscc.chars"},
		{name: "letter Z", in: "9144030071526726XZ", code: "uscc.chars"},
		{name: "Chinese character", in: "9144030071526726X码", code: "uscc.chars"},
		{name: "punctuation", in: "9144030071526726X.", code: "uscc.chars"},
	}
}

func TestParseCreditCode(t *testing.T) {
	for _, tc := range creditCodeCases() {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseCreditCode(tc.in)
			if tc.code != "" {
				wantParseError(t, err, tc.code, tc.in)
				return
			}
			if err != nil {
				t.Fatalf("unexpected error %v", err)
			}
			want := CreditCode{
				Normalised: tc.norm,
				Category:   tc.norm[:2],
				Division:   tc.norm[2:8],
				OrgCode:    tc.norm[8:17],
				ChecksumOK: tc.checksumOK,
			}
			if got != want {
				t.Errorf("got %+v, want %+v", got, want)
			}
			if v := got.OrgCodeValid(); v != tc.orgValid {
				t.Errorf("OrgCodeValid = %v, want %v", v, tc.orgValid)
			}
		})
	}
	if (CreditCode{}).OrgCodeValid() {
		t.Error("zero CreditCode reports a valid org code")
	}
}

type orgCodeCase struct {
	name string
	in   string
	code string
	norm string
}

func orgCodeCases() []orgCodeCase {
	return []orgCodeCase{
		// 1×3+2×7+3×9+4×10+5×5+6×8+7×4+8×2 = 3+14+27+40+25+48+28+16 = 201;
		// 201 mod 11 = 3; 11 − 3 = 8.
		{name: "digits", in: "12345678-8", norm: "123456788"},
		{name: "no hyphen", in: "123456788", norm: "123456788"},
		// The example in GB 11714: D=13; 13×3+2×7+1×9+4×10+3×5+5×8+6×4+9×2 = 199;
		// 199 mod 11 = 1; 11 − 1 = 10 → X.
		{name: "GB 11714 example", in: "D2143569-X", norm: "D2143569X"},
		{name: "lower case", in: "d2143569-x", norm: "D2143569X"},
		{name: "Tencent", in: "71526726-X", norm: "71526726X"},
		// 1×3+4×2 = 11; 11 mod 11 = 0; 11 − 0 = 11 → 0.
		{name: "check 0", in: "10000004-0", norm: "100000040"},
		{name: "full-width hyphen and spaces", in: " 12345678 － 8 ", norm: "123456788"},

		{name: "empty", in: "", code: "orgcode.empty"},
		{name: "too short", in: "12345678", code: "orgcode.length"},
		{name: "too short with hyphen", in: "1234567-8", code: "orgcode.chars"},
		{name: "too long", in: "1234567898", code: "orgcode.length"},
		{name: "hyphen in the wrong place", in: "1234-56788", code: "orgcode.chars"},
		{name: "punctuation", in: "1234.5678", code: "orgcode.chars"},
		{name: "letter check other than X", in: "12345678-A", code: "orgcode.chars"},
		{name: "wrong check", in: "12345678-9", code: "orgcode.checksum"},
		{name: "X where 0 is due", in: "10000004-X", code: "orgcode.checksum"},
	}
}

func TestParseOrgCode(t *testing.T) {
	for _, tc := range orgCodeCases() {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseOrgCode(tc.in)
			if tc.code != "" {
				wantParseError(t, err, tc.code, tc.in)
				return
			}
			if err != nil {
				t.Fatalf("unexpected error %v", err)
			}
			if got.Normalised != tc.norm {
				t.Errorf("Normalised = %q, want %q", got.Normalised, tc.norm)
			}
		})
	}
}

func FuzzParseCreditCode(f *testing.F) {
	for _, tc := range creditCodeCases() {
		f.Add(tc.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseCreditCode(s)
		if err != nil {
			checkParseErrorShape(t, err, "uscc.")
			return
		}
		n := c.Normalised
		if len(n) != 18 || c.Category != n[:2] || c.Division != n[2:8] || c.OrgCode != n[8:17] {
			t.Fatalf("parts do not match %q: %+v", n, c)
		}
		if strings.ContainsAny(n, "IOSVZ") || strings.ToUpper(n) != n {
			t.Fatalf("normalised %q has characters outside the alphabet", n)
		}
		again, err := ParseCreditCode(n)
		if err != nil || again != c {
			t.Fatalf("re-parsing %q gave %+v, %v; want %+v", n, again, err, c)
		}
		// The org-code part is an org code of its own.
		_, orgErr := ParseOrgCode(c.OrgCode)
		if (orgErr == nil) != c.OrgCodeValid() {
			t.Fatalf("OrgCodeValid = %v but ParseOrgCode(%q) = %v", c.OrgCodeValid(), c.OrgCode, orgErr)
		}
	})
}

func FuzzParseOrgCode(f *testing.F) {
	for _, tc := range orgCodeCases() {
		f.Add(tc.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		o, err := ParseOrgCode(s)
		if err != nil {
			checkParseErrorShape(t, err, "orgcode.")
			return
		}
		n := o.Normalised
		if len(n) != 9 {
			t.Fatalf("normalised %q is not 9 characters", n)
		}
		for _, form := range []string{n, n[:8] + "-" + n[8:]} {
			again, err := ParseOrgCode(form)
			if err != nil || again != o {
				t.Fatalf("re-parsing %q gave %+v, %v; want %+v", form, again, err, o)
			}
		}
	})
}

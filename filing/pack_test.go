package filing

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestDefaultPackLoads(t *testing.T) {
	p, err := ParsePack(embeddedPack)
	if err != nil {
		t.Fatal(err)
	}
	if p.Revision < 1 || p.Checksum() == "" {
		t.Fatalf("revision %d checksum %q", p.Revision, p.Checksum())
	}
	for _, id := range p.RuleIDs() {
		r, _ := p.Rule(id)
		if r.Source == "" || r.From == 0 {
			t.Errorf("rule %s lacks a source or a date", id)
		}
	}
}

// mutatePack edits the embedded pack's content and reseals it, so that the
// schema checks (not the checksum) are what refuses it.
func mutatePack(t *testing.T, edit func(m map[string]any)) []byte {
	t.Helper()
	var sealed struct {
		Pack map[string]any `json:"pack"`
	}
	if err := json.Unmarshal(embeddedPack, &sealed); err != nil {
		t.Fatal(err)
	}
	edit(sealed.Pack)
	raw, err := json.Marshal(sealed.Pack)
	if err != nil {
		t.Fatal(err)
	}
	out, err := Seal(raw)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestParsePackRefuses(t *testing.T) {
	cases := []struct {
		name string
		data func(t *testing.T) []byte
		want string
	}{
		{"not JSON", func(t *testing.T) []byte { return []byte("{\"sha256\": ") }, "not valid JSON"},
		{"edited without resealing", func(t *testing.T) []byte {
			return bytes.Replace(embeddedPack, []byte(`"days": 180`), []byte(`"days": 18`), 1)
		}, "checksum does not match"},
		{"no content", func(t *testing.T) []byte { return []byte(`{"sha256":"00"}`) }, "no \"pack\""},
		{"unknown field", func(t *testing.T) []byte {
			return mutatePack(t, func(m map[string]any) { m["extra"] = 1 })
		}, "unknown field"},
		{"other schema", func(t *testing.T) []byte {
			return mutatePack(t, func(m map[string]any) { m["schema"] = 2 })
		}, "schema 2"},
		{"rule without date", func(t *testing.T) []byte {
			return mutatePack(t, func(m map[string]any) {
				delete(m["domain_remaining_days"].([]any)[0].(map[string]any), "from")
			})
		}, "no effective-from date"},
		{"rule ending before it starts", func(t *testing.T) []byte {
			return mutatePack(t, func(m map[string]any) {
				m["domain_remaining_days"].([]any)[0].(map[string]any)["until"] = "2001-01-01"
			})
		}, "ends before it starts"},
		{"unknown source", func(t *testing.T) []byte {
			return mutatePack(t, func(m map[string]any) {
				m["domain_remaining_days"].([]any)[0].(map[string]any)["source"] = "NOWHERE"
			})
		}, "unknown source"},
		{"unknown province", func(t *testing.T) []byte {
			return mutatePack(t, func(m map[string]any) {
				m["sites_per_order"].([]any)[0].(map[string]any)["provinces"] = []any{"99"}
			})
		}, "unknown province"},
		{"duplicate id", func(t *testing.T) []byte {
			return mutatePack(t, func(m map[string]any) {
				m["domain_remaining_days"].([]any)[1].(map[string]any)["id"] = "domain_days.default"
			})
		}, "defined twice"},
		{"missing check", func(t *testing.T) []byte {
			return mutatePack(t, func(m map[string]any) { m["checks"] = m["checks"].([]any)[1:] })
		}, "check format.resident_id is missing"},
		{"a province short", func(t *testing.T) []byte {
			return mutatePack(t, func(m map[string]any) { m["provinces"] = m["provinces"].([]any)[1:] })
		}, "30 provinces"},
		{"bad date", func(t *testing.T) []byte {
			return mutatePack(t, func(m map[string]any) { m["published"] = "2026-02-30" })
		}, "not a date"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParsePack(tc.data(t))
			var pe *PackError
			if !errors.As(err, &pe) {
				t.Fatalf("want a PackError, got %v", err)
			}
			if !strings.Contains(pe.EN, tc.want) {
				t.Errorf("message %q does not say %q", pe.EN, tc.want)
			}
			if pe.ZH == "" || pe.ZH == pe.EN {
				t.Errorf("no Chinese message: %q", pe.ZH)
			}
		})
	}
}

func TestReplacePack(t *testing.T) {
	cur := DefaultPack()
	load := func(rev int, published string) *Pack {
		p, err := ParsePack(mutatePack(t, func(m map[string]any) { m["revision"] = rev; m["published"] = published }))
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	if err := cur.CanReplace(load(cur.Revision+1, "2027-01-01")); err != nil {
		t.Errorf("newer pack refused: %v", err)
	}
	if err := cur.CanReplace(DefaultPack()); err != nil {
		t.Errorf("the same pack refused: %v", err)
	}
	older := load(cur.Revision+1, "2027-01-01")
	if err := older.CanReplace(cur); err == nil || !strings.Contains(err.Error(), "older") {
		t.Errorf("older pack accepted or wrong message: %v", err)
	}
	if err := cur.CanReplace(load(cur.Revision, "2027-01-01")); err == nil || !strings.Contains(err.Error(), "different content") {
		t.Errorf("same revision with other content accepted: %v", err)
	}
}

func TestResealRoundTrip(t *testing.T) {
	out, err := Reseal(embeddedPack)
	if err != nil {
		t.Fatal(err)
	}
	p, err := ParsePack(out)
	if err != nil {
		t.Fatal(err)
	}
	if p.Checksum() != DefaultPack().Checksum() {
		t.Error("resealing unchanged content changed the checksum")
	}
}

// The 31 provinces and their abbreviations, transcribed from icp-rules.md
// §3.2 (蜀 not 川, 陇 not 甘).
var provinceCases = []struct{ code, abbr, zh string }{
	{"11", "京", "北京"}, {"12", "津", "天津"}, {"13", "冀", "河北"}, {"14", "晋", "山西"}, {"15", "蒙", "内蒙古"},
	{"21", "辽", "辽宁"}, {"22", "吉", "吉林"}, {"23", "黑", "黑龙江"}, {"31", "沪", "上海"}, {"32", "苏", "江苏"},
	{"33", "浙", "浙江"}, {"34", "皖", "安徽"}, {"35", "闽", "福建"}, {"36", "赣", "江西"}, {"37", "鲁", "山东"},
	{"41", "豫", "河南"}, {"42", "鄂", "湖北"}, {"43", "湘", "湖南"}, {"44", "粤", "广东"}, {"45", "桂", "广西"},
	{"46", "琼", "海南"}, {"50", "渝", "重庆"}, {"51", "蜀", "四川"}, {"52", "黔", "贵州"}, {"53", "滇", "云南"},
	{"54", "藏", "西藏"}, {"61", "陕", "陕西"}, {"62", "陇", "甘肃"}, {"63", "青", "青海"}, {"64", "宁", "宁夏"},
	{"65", "新", "新疆"},
}

func TestProvinces(t *testing.T) {
	pack := DefaultPack()
	for _, tc := range provinceCases {
		p, ok := pack.Province(tc.code)
		if !ok || p.Abbr != tc.abbr || p.ZH != tc.zh || p.ID != "province."+tc.code {
			t.Errorf("province %s: got %+v", tc.code, p)
		}
		n, err := ParseICPNumber(tc.abbr+"ICP备2021003158号-1", pack.IsProvinceAbbr)
		if err != nil || n.Abbr != tc.abbr {
			t.Errorf("%s: ICP number not parsed: %v", tc.zh, err)
		}
	}
	for _, wrong := range []string{"川", "甘"} {
		if pack.IsProvinceAbbr(wrong) {
			t.Errorf("%s is not a province abbreviation", wrong)
		}
	}
}

// Subject types and the certificates each may use, from icp-rules.md §1.2.
var subjectCases = []struct {
	code       string
	personal   bool
	certs      []string
	categories []string
}{
	{"enterprise", false, []string{"business_licence", "uscc_certificate", "org_code_certificate"}, []string{"91", "92", "93"}},
	{"personal", true, []string{"resident_id", "hk_macao_permit", "hk_macao_residence", "taiwan_permit", "taiwan_residence", "passport"}, nil},
	{"government", false, []string{"uscc_certificate", "org_code_certificate"}, []string{"11"}},
	{"public_institution", false, []string{"public_institution_certificate", "uscc_certificate", "org_code_certificate"}, []string{"12"}},
	{"social_group", false, []string{"social_group_certificate", "uscc_certificate", "org_code_certificate"}, []string{"13", "51"}},
	{"private_non_enterprise", false, []string{"private_non_enterprise_certificate", "org_code_certificate", "uscc_certificate"}, []string{"52"}},
	{"foundation", false, []string{"foundation_certificate", "uscc_certificate"}, []string{"53"}},
	{"defence", false, []string{"military_unit_code", "uscc_certificate", "org_code_certificate"}, nil},
}

func TestSubjectTypes(t *testing.T) {
	pack := DefaultPack()
	for _, tc := range subjectCases {
		st, ok := pack.SubjectType(tc.code)
		if !ok || st.ID != "subject."+tc.code {
			t.Fatalf("subject type %s missing", tc.code)
		}
		if st.Personal != tc.personal || strings.Join(st.Certificates, ",") != strings.Join(tc.certs, ",") ||
			strings.Join(st.CreditCategories, ",") != strings.Join(tc.categories, ",") {
			t.Errorf("subject type %s: got %+v", tc.code, st)
		}
	}
}

// Certificate types and how their numbers are checked.
var certificateCases = []struct {
	code, number string
	person       bool
	valid        string // a number that passes the check
}{
	{"business_licence", "credit_code", false, "91330106MA27U8L9X1"},
	{"uscc_certificate", "credit_code", false, "91120101MA05ABCD9G"},
	{"org_code_certificate", "org_code", false, "MA27U8L9-X"},
	{"public_institution_certificate", "credit_code", false, "91330106MA27U8L9X1"},
	{"social_group_certificate", "credit_code", false, "91330106MA27U8L9X1"},
	{"private_non_enterprise_certificate", "credit_or_org", false, "MA27U8L9X"},
	{"foundation_certificate", "credit_code", false, "91330106MA27U8L9X1"},
	{"military_unit_code", "free", false, "anything"},
	{"resident_id", "resident_id", true, "11010519491231002X"},
	{"hk_macao_permit", "free", true, "H12345678"},
	{"hk_macao_residence", "resident_id", true, "11010519491231002X"},
	{"taiwan_permit", "free", true, "12345678"},
	{"taiwan_residence", "resident_id", true, "11010519491231002X"},
	{"passport", "free", true, "E12345678"},
	{"military_officer", "free", true, "军字第1234567号"},
}

func TestCertificateTypes(t *testing.T) {
	pack := DefaultPack()
	for _, tc := range certificateCases {
		ct, ok := pack.CertificateType(tc.code)
		if !ok || ct.ID != "certificate."+tc.code || ct.Number != tc.number || ct.PersonID != tc.person {
			t.Errorf("certificate %s: got %+v", tc.code, ct)
			continue
		}
		v := validator{app: completeApp(), pack: pack, day: DateOf(today)}
		v.certificateNumber("n", tc.code, tc.valid, nil)
		if Blocking(v.out) > 0 {
			t.Errorf("certificate %s: valid number refused: %s", tc.code, dump(v.out))
		}
	}
}

var contentCases = []struct {
	code     string
	personal bool
}{{"other", true}, {"blog", true}, {"unit_portal", false}, {"comprehensive_portal", false}}

func TestServiceContents(t *testing.T) {
	pack := DefaultPack()
	for _, tc := range contentCases {
		sc, ok := pack.ServiceContent(tc.code)
		if !ok || sc.ID != "content."+tc.code || sc.Personal != tc.personal {
			t.Errorf("service content %s: got %+v", tc.code, sc)
		}
	}
}

// packQueryCases ask the pack a question as of a day and name the rule
// that must answer it ("" when none must).
var packQueryCases = []struct {
	name string
	ask  func(p *Pack) string
	want string
}{
	{"SMS verifier of an access filing", func(p *Pack) string {
		v := p.SMSVerifierFor(ContinueAccess, DateOf(today))
		if v == nil || v.Who != "website_owner_mobile" {
			return ""
		}
		return v.ID
	}, "sms.verifier-access"},
	{"no SMS in Zhejiang before 2018-09-10", func(p *Pack) string {
		if r := p.SMSRuleFor("33", DateOf(day("2018-09-09"))); r != nil {
			return r.ID
		}
		return ""
	}, ""},
	{"Jiangsu asks a domain certificate for one domain", func(p *Pack) string {
		return domainCertID(p.DomainCertFor("32", false, 1, DateOf(today)))
	}, "domain_cert.all"},
	{"Guizhou: no certificate for 3 domains", func(p *Pack) string { return domainCertID(p.DomainCertFor("52", false, 3, DateOf(today))) }, ""},
	{"Guizhou: certificate for 4 domains", func(p *Pack) string { return domainCertID(p.DomainCertFor("52", false, 4, DateOf(today))) }, "domain_cert.guizhou"},
	{"Shaanxi: certificate for 5 domains", func(p *Pack) string { return domainCertID(p.DomainCertFor("61", false, 5, DateOf(today))) }, "domain_cert.shaanxi"},
	{"Inner Mongolia personal: certificate", func(p *Pack) string { return domainCertID(p.DomainCertFor("15", true, 1, DateOf(today))) }, "domain_cert.neimenggu-personal"},
	{"Inner Mongolia unit: no certificate", func(p *Pack) string { return domainCertID(p.DomainCertFor("15", false, 1, DateOf(today))) }, ""},
	{"initial review 1 working day", func(p *Pack) string { return reviewID(p, "initial", 1, 1) }, "review.initial"},
	{"photo review 1 working day", func(p *Pack) string { return reviewID(p, "photo", 1, 1) }, "review.photo"},
	{"bureau review 3–20 working days", func(p *Pack) string { return reviewID(p, "bureau", 3, 20) }, "review.bureau"},
	{"Shanghai domains need 180 days", func(p *Pack) string {
		d := p.DomainDaysFor("31", DateOf(today))
		if d == nil || d.Days != 180 {
			return ""
		}
		return d.ID
	}, "domain_days.shanghai"},
	{"SMS code valid 48 h in 2018", func(p *Pack) string {
		v := p.SMSValidityOn(DateOf(day("2018-06-01")))
		if v == nil || v.Hours != 48 {
			return ""
		}
		return v.ID
	}, "sms.validity-48h"},
	{"blue backdrop for the backdrop photo", func(p *Pack) string {
		if b := p.BackgroundFor("backdrop", DateOf(today)); b != nil && b.HueMin == 195 && b.HueMax == 255 {
			return b.ID
		}
		return ""
	}, "background.backdrop-blue"},
	{"white background for a face photo", func(p *Pack) string {
		if b := p.BackgroundFor("face_white", DateOf(today)); b != nil && b.SatMax == 0.12 && b.ValMin == 0.75 {
			return b.ID
		}
		return ""
	}, "background.face-white"},
	{"domain certificate 200 KB – 4 MB", func(p *Pack) string {
		u := p.UploadFor("domain_certificate", DateOf(today))
		if u == nil || u.MinBytes != 200<<10 || u.MaxBytes != 4<<20 {
			return ""
		}
		return u.ID
	}, "upload.domain-certificate"},
	// The batch-level rules (filing/batch) live in the checks section; their
	// logic is in that package, so here only their presence and source.
	{"batch: same mobile under different subjects", func(p *Pack) string { return batchRuleID(p, "batch.mobile_shared") }, "batch.mobile_shared"},
	{"batch: same certificate in two open filings", func(p *Pack) string { return batchRuleID(p, "batch.certificate_open_twice") }, "batch.certificate_open_twice"},
	{"batch: several orders for one subject", func(p *Pack) string { return batchRuleID(p, "batch.subject_orders") }, "batch.subject_orders"},
}

// batchRuleID answers with id when the pack has it, citing ALI19's list of
// rejection reasons (TOP 9) and in force today.
func batchRuleID(p *Pack, id string) string {
	r, ok := p.Rule(id)
	if !ok || r.Source != "ALI19" || !strings.Contains(r.Ref, "TOP 9") || !r.ActiveOn(DateOf(today)) {
		return ""
	}
	return r.ID
}

func domainCertID(r *DomainCertRule) string {
	if r == nil {
		return ""
	}
	return r.ID
}

func reviewID(p *Pack, stage string, lo, hi int) string {
	r := p.ReviewFor(stage, DateOf(today))
	if r == nil || r.MinDays != lo || r.MaxDays != hi {
		return ""
	}
	return r.ID
}

func TestPackQueries(t *testing.T) {
	pack := DefaultPack()
	for _, tc := range packQueryCases {
		if got := tc.ask(pack); got != tc.want {
			t.Errorf("%s: answered by %q, want %q", tc.name, got, tc.want)
		}
	}
}

// TestEveryRuleIsExercised: every rule of the pack is asserted by at least
// one test case above, so a rule added to the pack without a test fails here.
func TestEveryRuleIsExercised(t *testing.T) {
	pack := DefaultPack()
	seen := map[string]bool{}
	for _, tc := range validateCases {
		for _, w := range tc.want {
			seen[w.rule] = true
		}
	}
	for _, tc := range packQueryCases {
		seen[tc.want] = true
	}
	for _, tc := range provinceCases {
		seen["province."+tc.code] = true
	}
	for _, tc := range subjectCases {
		seen["subject."+tc.code] = true
	}
	for _, tc := range certificateCases {
		seen["certificate."+tc.code] = true
	}
	for _, tc := range contentCases {
		seen["content."+tc.code] = true
	}
	for _, tc := range nameWordCases {
		seen[tc.rule] = true
	}
	for _, id := range pack.RuleIDs() {
		if !seen[id] {
			t.Errorf("rule %s is not exercised by any test case", id)
		}
	}
}

// A newer pack can switch a province to a face photo on a white
// background; the photo step then asks for that photo and cites the new rule.
func TestPackSwitchesProvinceToFacePhoto(t *testing.T) {
	p, err := ParsePack(mutatePack(t, func(m map[string]any) {
		m["revision"] = 3
		m["photo_methods"] = append(m["photo_methods"].([]any), map[string]any{
			"id": "photo.hainan-face-2027", "source": "ALI19", "ref": "test", "confidence": "M", "from": "2027-01-01",
			"provinces": []any{"46"}, "method": "face_white", "zh": "白色背景正面照", "en": "Face photo on white",
		})
	}))
	if err != nil {
		t.Fatal(err)
	}
	before, _ := p.PhotoMethodFor("46", DateOf(day("2026-12-31")))
	after, _ := p.PhotoMethodFor("46", DateOf(day("2027-01-01")))
	if before.ID != "photo.backdrop-default" || after.ID != "photo.hainan-face-2027" || after.Method != "face_white" {
		t.Fatalf("before %s, after %s", before.ID, after.ID)
	}
	a := completeApp()
	inProvince(a, "46")
	a.Photo.Attachment = nil
	if got := Validate(a, p, day("2027-01-02")); !hasFinding(got, want{"photo.hainan-face-2027", "photo", Block}) {
		t.Errorf("the face-photo rule is not applied:\n%s", dump(got))
	}
}

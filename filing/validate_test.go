package filing

import (
	"strings"
	"testing"
	"time"
)

// today is the default "as of" of the tests: fixed, so dated rules give the
// same answer every day the tests run.
var today = day("2026-11-26")

func day(s string) time.Time {
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d.Time()
}

func attach(name, media string, size int64) *Attachment {
	return &Attachment{SHA256: strings.Repeat("ab", 32), Size: size, MediaType: media, OriginalName: name}
}

// completeApp is a complete, correct new-access filing of a Zhejiang
// enterprise: Validate finds nothing that blocks it.
func completeApp() *Application {
	addr := Address{Province: "33", City: "杭州市", District: "西湖区", Detail: "文三路 90 号 1 幢 501 室"}
	return &Application{
		SchemaVersion:   SchemaVersion,
		Kind:            NewAccess,
		Province:        "33",
		PreparationRead: true,
		Subject: Subject{
			Type: "enterprise", CertificateType: "business_licence",
			CertificateNumber: "91330106MA27U8L9X1", Name: "杭州示例科技有限公司",
			Domicile: addr, MailingAddress: addr,
			Owner: Person{Name: "张三", IDType: "resident_id", IDNumber: "330106198503152417",
				IDValidUntil: "2035-03-15", Mobile: "13800138000", Phone2: "086-0571-88158388",
				Email: "zhangsan@example.com", LegalRepresentative: true},
		},
		Websites: []Website{{
			Domain: "example.com", DomainExpires: "2028-06-30", Name: "示例科技官方网站",
			ICPNumber: "浙ICP备2021003158号-1", ServiceContent: "unit_portal", Languages: []string{"zh-Hans"},
			Owner: Person{Name: "李四", IDType: "resident_id", IDNumber: "330106199007125238",
				IDValidUntil: "长期", Mobile: "13900139000", Emergency: "13700137000", Email: "lisi@example.com"},
		}},
		Product: Product{Type: "aliyun", Product: "ecs", ServiceNumber: "32a43232-a888-88e8-b9ec-00888be8a1b2",
			Months: 12, PublicBandwidth: true, MainlandRegion: true},
		FilingPassword: NewSecret("example-password"),
		Documents: []Document{
			{Slot: "subject_certificate", Attachment: attach("licence.jpg", "image/jpeg", 1<<20)},
			{Slot: "subject_owner_id", Attachment: attach("owner.jpg", "image/jpeg", 700<<10)},
			{Slot: "website_owner_id", Website: 0, Attachment: attach("site-owner.png", "image/png", 800<<10)},
			{Slot: "verification_form", Website: 0, Attachment: attach("form.jpg", "image/jpeg", 1500<<10)},
		},
		Photo: Photo{Attachment: attach("photo.jpg", "image/jpeg", 2<<20)},
	}
}

// personal turns the complete app into a personal filing by the subject
// owner, in a province, with an ID issued there.
func personal(a *Application, province, id string) {
	a.Province = province
	a.Subject.Type = "personal"
	a.Subject.CertificateType = "resident_id"
	a.Subject.CertificateNumber = id
	a.Subject.Name = "张三"
	a.Subject.Domicile.Province, a.Subject.MailingAddress.Province = province, province
	a.Subject.Owner.IDNumber = id
	a.Subject.Owner.LegalRepresentative = false
	w := &a.Websites[0]
	w.Owner = a.Subject.Owner
	w.Owner.Emergency = "13700137000"
	w.Name = "张三的读书笔记"
	w.ServiceContent = "other"
	if p, ok := DefaultPack().Province(province); ok {
		w.ICPNumber = p.Abbr + "ICP备2021003158号-1"
	}
	a.Documents = []Document{
		{Slot: "subject_owner_id", Attachment: attach("id.jpg", "image/jpeg", 700<<10)},
		{Slot: "verification_form", Website: 0, Attachment: attach("form.jpg", "image/jpeg", 1500<<10)},
	}
}

// inProvince moves the unit filing to another province.
func inProvince(a *Application, province string) {
	a.Province = province
	a.Subject.Domicile.Province, a.Subject.MailingAddress.Province = province, province
	if p, ok := DefaultPack().Province(province); ok {
		a.Websites[0].ICPNumber = p.Abbr + "ICP备2021003158号-1"
	}
}

func addSite(a *Application, n int) {
	for i := 0; i < n; i++ {
		w := a.Websites[0]
		w.Domain = "site" + string(rune('a'+i)) + ".example.cn"
		a.Websites = append(a.Websites, w)
	}
}

type want struct {
	rule  string
	field string
	sev   Severity
}

type validateCase struct {
	name   string
	asOf   time.Time // zero: today
	edit   func(a *Application)
	want   []want
	absent []string // rules that must not fire
}

var validateCases = []validateCase{
	{name: "complete application", edit: func(a *Application) {},
		want:   []want{{"access.data_matches", "kind", Info}, {"access.sms_mobile", "websites[0].owner.mobile", Info}, {"sms.nationwide", "sms", Info}, {"sms.validity-24h", "sms", Info}, {"photo.face-check-2019", "photo", Info}},
		absent: []string{"photo.backdrop-default", "required.field"}},
	{name: "notes not read", edit: func(a *Application) { a.PreparationRead = false },
		want: []want{{"preparation.read", "preparation_read", Block}}},
	{name: "no province", edit: func(a *Application) { a.Province = "" },
		want: []want{{"required.field", "province", Block}}},
	{name: "continue access with an order in progress", edit: func(a *Application) { a.Kind = ContinueAccess; a.OtherOrderInProgress = true },
		want: []want{{"access.continue_blocked", "other_order_in_progress", Block}}},
	{name: "no filing password", edit: func(a *Application) { a.FilingPassword = Secret{} },
		want: []want{{"access.password", "filing_password", Block}}},

	// subject certificate
	{name: "ID card for an enterprise", edit: func(a *Application) { a.Subject.CertificateType = "resident_id" },
		want: []want{{"format.certificate_type", "subject.certificate_type", Block}}},
	{name: "credit code too short", edit: func(a *Application) { a.Subject.CertificateNumber = "91330106MA27U8L9X" },
		want: []want{{"format.credit_code", "subject.certificate_number", Block}}},
	{name: "real early credit code failing its checksum warns", edit: func(a *Application) { a.Subject.CertificateNumber = "91350100M0001TGQXM" },
		want: []want{{"format.credit_code_checksum", "subject.certificate_number", Warn}}, absent: []string{"format.credit_code"}},
	{name: "enterprise credit code for a public institution", edit: func(a *Application) {
		a.Subject.Type = "public_institution"
		a.Subject.CertificateType = "uscc_certificate"
	}, want: []want{{"format.credit_category", "subject.certificate_number", Warn}}},
	{name: "organisation code with a wrong check character", edit: func(a *Application) {
		a.Subject.CertificateType = "org_code_certificate"
		a.Subject.CertificateNumber = "MA27U8L9-Y"
	}, want: []want{{"format.org_code", "subject.certificate_number", Block}}},
	{name: "valid organisation code", edit: func(a *Application) {
		a.Subject.CertificateType = "org_code_certificate"
		a.Subject.CertificateNumber = "MA27U8L9-X"
	}, absent: []string{"format.org_code"}},

	// people
	{name: "resident ID with a wrong check digit", edit: func(a *Application) { a.Subject.Owner.IDNumber = "330106198503152418" },
		want: []want{{"format.resident_id", "subject.owner.id_number", Block}}},
	{name: "birth date in the future", edit: func(a *Application) { a.Subject.Owner.IDNumber = "330106203001010017" },
		want: []want{{"format.resident_id", "subject.owner.id_number", Block}}, absent: []string{"age.18"}},
	{name: "Taiwan resident's residence permit", edit: func(a *Application) {
		a.Websites[0].Owner.IDType = "taiwan_residence"
		a.Websites[0].Owner.IDNumber = "830000199001011234"
	}, absent: []string{"format.resident_id"}},
	{name: "minor owner in Zhejiang", edit: func(a *Application) { a.Subject.Owner.IDNumber = "330106201001010018" },
		want: []want{{"age.18", "subject.owner.id_number", Block}}},
	{name: "ID expiring within 3 months", edit: func(a *Application) { a.Subject.Owner.IDValidUntil = "2027-01-01" },
		want: []want{{"format.id_validity", "subject.owner.id_valid_until", Block}}},
	{name: "ID valid for 4 more months", edit: func(a *Application) { a.Subject.Owner.IDValidUntil = "2027-03-27" },
		absent: []string{"format.id_validity"}},
	{name: "a licence as a person's ID", edit: func(a *Application) { a.Websites[0].Owner.IDType = "business_licence" },
		want: []want{{"format.person_id", "websites[0].owner.id_type", Block}}},
	{name: "mobile with 10 digits", edit: func(a *Application) { a.Subject.Owner.Mobile = "1380013800" },
		want: []want{{"format.mobile", "subject.owner.mobile", Block}}},
	{name: "virtual-operator mobile", edit: func(a *Application) { a.Websites[0].Owner.Mobile = "17012345678" },
		want: []want{{"format.mobile_virtual", "websites[0].owner.mobile", Warn}}},
	{name: "landline number too short", edit: func(a *Application) { a.Subject.Owner.Phone2 = "086-0571-123" },
		want: []want{{"format.landline", "subject.owner.phone2", Block}}},
	{name: "e-mail without domain", edit: func(a *Application) { a.Subject.Owner.Email = "zhangsan@" },
		want: []want{{"format.email", "subject.owner.email", Block}}},
	{name: "two owners share a mobile and an e-mail", edit: func(a *Application) {
		a.Websites[0].Owner.Mobile = a.Subject.Owner.Mobile
		a.Websites[0].Owner.Email = a.Subject.Owner.Email
	}, want: []want{{"person.distinct_contacts", "websites[0].owner.mobile", Warn}, {"person.distinct_contacts", "websites[0].owner.email", Warn}}},
	{name: "emergency phone equals contact 1", edit: func(a *Application) { a.Websites[0].Owner.Emergency = a.Websites[0].Owner.Mobile },
		want: []want{{"person.distinct_contacts", "websites[0].owner.emergency", Warn}}},
	{name: "address without house number", edit: func(a *Application) { a.Subject.MailingAddress.Detail = "文三路" },
		want: []want{{"address.house_number", "subject.mailing_address.detail", Warn}}},
	{name: "address without house number, declared most detailed", edit: func(a *Application) {
		a.Subject.MailingAddress.Detail = "文三路"
		a.Subject.MailingAddress.MostDetailed = true
	}, absent: []string{"address.house_number"}},
	{name: "city not in the division list of its province", edit: func(a *Application) { a.Subject.Domicile.City = "杭州" },
		want:   []want{{"address.division_unknown", "subject.domicile.city", Warn}},
		absent: []string{"required.field"}},
	{name: "county not in the division list of its city", edit: func(a *Application) { a.Subject.MailingAddress.District = "新设区" },
		want: []want{{"address.division_unknown", "subject.mailing_address.district", Warn}}},
	{name: "municipality city under either name", edit: func(a *Application) {
		personal(a, "12", "120101199001011232")
		a.Subject.Domicile.City, a.Subject.Domicile.District = "天津市", "和平区"
		a.Subject.MailingAddress.City, a.Subject.MailingAddress.District = "市辖区", "河西区"
	}, absent: []string{"address.division_unknown"}},
	{name: "mailing address in another province", edit: func(a *Application) { a.Subject.MailingAddress.Province = "11" },
		want: []want{{"address.same_province", "subject.mailing_address.province", Block}}},
	{name: "unit registered in Beijing filing in Zhejiang", edit: func(a *Application) {
		a.Subject.Domicile.Province, a.Subject.MailingAddress.Province = "11", "11"
	}, want: []want{{"subject.cross_province", "subject.domicile.province", Block}}},
	{name: "personal filing with another website owner", edit: func(a *Application) {
		personal(a, "33", "330106198503152417")
		a.Websites[0].Owner.Name = "李四"
		a.Websites[0].Owner.IDNumber = "330106199007125238"
	}, want: []want{{"person.personal_same_owner", "websites[0].owner", Block}}},
	{name: "Tianjin unit with one owner for both roles", edit: func(a *Application) {
		inProvince(a, "12")
		a.Websites[0].Owner = a.Subject.Owner
	}, want: []want{{"person.owners_differ", "websites[0].owner", Block}}},
	{name: "personal filer with an ID from another province, no provincial rule", edit: func(a *Application) { personal(a, "44", "330106198503152417") },
		want: []want{{"person.id_province", "subject.owner.id_number", Warn}}},
	{name: "personal filer from another province in Shanxi", edit: func(a *Application) { personal(a, "14", "330106198503152417") },
		want: []want{{"non_local.forbidden", "subject.owner.id_number", Block}}},
	{name: "personal filer from another province in Shanghai without a permit", edit: func(a *Application) { personal(a, "31", "330106198503152417") },
		want: []want{{"non_local.residence-permit", "subject.owner.id_number", Block}, {"doc.residence-permit", "documents.residence_permit", Block}}},
	{name: "personal filer from another province in Shanghai with a permit", edit: func(a *Application) {
		personal(a, "31", "330106198503152417")
		a.Subject.ResidencePermit = true
		a.Documents = append(a.Documents, Document{Slot: "residence_permit", Attachment: attach("permit.jpg", "image/jpeg", 500<<10)})
	}, want: []want{{"non_local.residence-permit", "subject.owner.id_number", Info}}, absent: []string{"doc.residence-permit"}},
	{name: "Jiangxi 2020: no cross-province persons", asOf: day("2020-01-01"), edit: func(a *Application) { personal(a, "36", "330106198503152417") },
		want: []want{{"non_local.jiangxi-2019", "subject.owner.id_number", Block}}},
	{name: "Jiangxi 2026: residence permit", edit: func(a *Application) { personal(a, "36", "330106198503152417") },
		want: []want{{"non_local.jiangxi-2025", "subject.owner.id_number", Block}}},
	{name: "Inner Mongolia 2020: residence permit", asOf: day("2020-01-01"), edit: func(a *Application) { personal(a, "15", "330106198503152417") },
		want: []want{{"non_local.neimenggu-2019", "subject.owner.id_number", Block}}},
	{name: "Inner Mongolia 2026: no cross-province persons", edit: func(a *Application) { personal(a, "15", "330106198503152417") },
		want: []want{{"non_local.neimenggu-2025", "subject.owner.id_number", Block}}},
	{name: "Guangxi 2026: no cross-province persons", edit: func(a *Application) { personal(a, "45", "330106198503152417") },
		want: []want{{"non_local.guangxi-2025", "subject.owner.id_number", Block}}},
	{name: "Shandong 2026: residence permit", edit: func(a *Application) { personal(a, "37", "330106198503152417") },
		want: []want{{"non_local.residence-permit-2025", "subject.owner.id_number", Block}}},

	// legal representative
	{name: "Zhejiang owner not the legal representative", edit: func(a *Application) { a.Subject.Owner.LegalRepresentative = false },
		want: []want{{"legal_rep.required", "subject.owner.legal_representative", Block}}},
	{name: "Anhui 2020 owner not the legal representative", asOf: day("2020-01-01"), edit: func(a *Application) {
		inProvince(a, "34")
		a.Subject.Owner.LegalRepresentative = false
	}, want: []want{{"legal_rep.anhui-2019", "subject.owner.legal_representative", Block}}},
	{name: "Anhui 2026 owner not the legal representative", edit: func(a *Application) {
		inProvince(a, "34")
		a.Subject.Owner.LegalRepresentative = false
	}, want: []want{{"legal_rep.anhui-2025", "subject.owner.legal_representative", Warn}, {"doc.authorisation", "documents.authorisation_letter", Block}}},
	{name: "Beijing owner not the legal representative", edit: func(a *Application) {
		inProvince(a, "11")
		a.Subject.Owner.LegalRepresentative = false
	}, want: []want{{"legal_rep.authorisable", "subject.owner.legal_representative", Warn}, {"doc.authorisation", "documents.authorisation_letter", Block}}},
	{name: "Shanghai website owner not the legal representative", edit: func(a *Application) { inProvince(a, "31") },
		want: []want{{"legal_rep.website-owner-too", "websites[0].owner.legal_representative", Warn}}},

	// documents
	{name: "licence scan missing", edit: func(a *Application) { a.Documents = a.Documents[1:] },
		want: []want{{"doc.subject-certificate", "documents.subject_certificate", Block}}},
	{name: "owner ID missing", edit: func(a *Application) { a.Documents = append(a.Documents[:1], a.Documents[2:]...) },
		want: []want{{"doc.subject-owner-id", "documents.subject_owner_id", Block}}},
	{name: "website owner ID missing", edit: func(a *Application) { a.Documents = append(a.Documents[:2], a.Documents[3]) },
		want: []want{{"doc.website-owner-id", "documents.website_owner_id[0]", Block}}},
	{name: "verification form missing", edit: func(a *Application) { a.Documents = a.Documents[:3] },
		want: []want{{"doc.verification-form", "documents.verification_form[0]", Block}}},
	{name: "personal verification form missing", edit: func(a *Application) { personal(a, "33", "330106198503152417"); a.Documents = a.Documents[:1] },
		want: []want{{"doc.verification-form-personal", "documents.verification_form[0]", Block}}},
	{name: "Jiangxi personal verification form missing", edit: func(a *Application) { personal(a, "36", "330106198503152417"); a.Documents = a.Documents[:1] },
		want: []want{{"doc.verification-form-fingerprint", "documents.verification_form[0]", Block}}},
	{name: "Guangdong personal verification form missing", edit: func(a *Application) { personal(a, "44", "440305198808081234"); a.Documents = a.Documents[:1] },
		want: []want{{"doc.verification-form-guangdong-personal", "documents.verification_form[0]", Block}}},
	{name: "Beijing hand-held photo", edit: func(a *Application) { inProvince(a, "11") },
		want: []want{{"doc.beijing-handheld", "documents.handheld_id", Block}}},
	{name: "Guangdong pledge in 2026", edit: func(a *Application) { inProvince(a, "44") },
		want: []want{{"doc.guangdong-pledge", "documents.pledge", Block}}},
	{name: "no Guangdong pledge before 2021-06-21", asOf: day("2021-06-20"), edit: func(a *Application) { inProvince(a, "44") },
		absent: []string{"doc.guangdong-pledge"}},
	{name: "Tibet party confirmation", edit: func(a *Application) { inProvince(a, "54") },
		want: []want{{"doc.tibet-party-confirmation", "documents.party_confirmation", Block}}},
	{name: "Yunnan public institution needs the establishment approval", edit: func(a *Application) {
		inProvince(a, "53")
		a.Subject.Type = "public_institution"
		a.Subject.CertificateType = "public_institution_certificate"
	}, want: []want{{"doc.bianban", "documents.bianban_certificate", Block}}},
	{name: "Jiangsu domain certificate", edit: func(a *Application) { inProvince(a, "32") },
		want: []want{{"doc.domain-certificate", "documents.domain_certificate[0]", Block}}},
	{name: "domain certificate under 200 KB", edit: func(a *Application) {
		inProvince(a, "32")
		a.Documents = append(a.Documents, Document{Slot: "domain_certificate", Attachment: attach("d.jpg", "image/jpeg", 100<<10)})
	}, want: []want{{"upload.domain-certificate", "documents.domain_certificate[0]", Block}}},
	{name: "WebP scan", edit: func(a *Application) { a.Documents[0].Attachment.MediaType = "image/webp" },
		want: []want{{"upload.default", "documents.subject_certificate", Block}}},
	{name: "GIF scan", edit: func(a *Application) { a.Documents[0].Attachment.MediaType = "image/gif" },
		want: []want{{"upload.default", "documents.subject_certificate", Warn}}},
	{name: "scan of exactly 4 MB", edit: func(a *Application) { a.Documents[0].Attachment.Size = 4 << 20 },
		want: []want{{"upload.default", "documents.subject_certificate", Block}}},

	// photo
	{name: "no photo", edit: func(a *Application) { a.Photo.Attachment = nil },
		want: []want{{"photo.backdrop-default", "photo", Block}}},
	{name: "Shanghai uses its app", edit: func(a *Application) { inProvince(a, "31"); a.Photo.Attachment = nil },
		want: []want{{"photo.shanghai-app", "photo", Info}}, absent: []string{"photo.backdrop-default"}},
	{name: "Guangdong app or backdrop", edit: func(a *Application) { inProvince(a, "44"); a.Photo.Attachment = nil },
		want: []want{{"photo.app-provinces", "photo", Block}}},
	{name: "no face-check note before 2019-07-29", asOf: day("2019-07-28"), edit: func(a *Application) {},
		absent: []string{"photo.face-check-2019"}},
	{name: "backdrop mailed abroad", edit: func(a *Application) {
		a.Backdrop = BackdropRequest{Requested: true, Recipient: "李四", Phone: "13900139000", Address: Address{Abroad: true, Detail: "1 Queen's Road"}}
	}, want: []want{{"backdrop.mainland", "backdrop.address.province", Block}}},

	// SMS by date
	{name: "Tianjin pilot 2018", asOf: day("2018-01-01"), edit: func(a *Application) { inProvince(a, "12") },
		want: []want{{"sms.pilot-2017", "sms", Info}, {"sms.validity-48h", "sms", Info}}},
	{name: "Zhejiang joins 2018-09-10", asOf: day("2018-10-01"), edit: func(a *Application) {},
		want: []want{{"sms.pilot-2018-09-10", "sms", Info}}},
	{name: "Shandong joins 2018-09-24", asOf: day("2018-10-01"), edit: func(a *Application) { inProvince(a, "37") },
		want: []want{{"sms.pilot-2018-09-24", "sms", Info}}},
	{name: "no SMS in Zhejiang early 2018", asOf: day("2018-09-01"), edit: func(a *Application) {},
		absent: []string{"sms.nationwide", "sms.pilot-2018-09-10", "access.sms_mobile"}},

	// websites and domains
	{name: "no websites", edit: func(a *Application) { a.Websites = nil },
		want: []want{{"required.field", "websites", Block}}},
	{name: "two domains in one website", edit: func(a *Application) { a.Websites[0].Domain = "example.com, example.net" },
		want: []want{{"domain.one_per_site", "websites[0].domain", Block}}},
	{name: "two domains before 2019-04-22", asOf: day("2019-04-21"), edit: func(a *Application) { a.Websites[0].Domain = "example.com, example.net" },
		want: []want{{"format.domain", "websites[0].domain", Block}}, absent: []string{"domain.one_per_site"}},
	{name: "domain with scheme", edit: func(a *Application) { a.Websites[0].Domain = "http://example.com" },
		want: []want{{"format.domain", "websites[0].domain", Block}}},
	{name: "same domain twice", edit: func(a *Application) { addSite(a, 1); a.Websites[1].Domain = "EXAMPLE.com" },
		want: []want{{"domain.duplicate", "websites[1].domain", Block}}},
	{name: "domain expires in 60 days", edit: func(a *Application) { a.Websites[0].DomainExpires = "2027-01-25" },
		want: []want{{"domain_days.default", "websites[0].domain_expires", Block}}},
	{name: "Shanghai domain expires in 150 days", edit: func(a *Application) { inProvince(a, "31"); a.Websites[0].DomainExpires = "2027-04-25" },
		want: []want{{"domain_days.shanghai", "websites[0].domain_expires", Block}}},
	{name: "ICP serial too short", edit: func(a *Application) { a.Websites[0].ICPNumber = "浙ICP备123号" },
		want: []want{{"format.icp_number", "websites[0].icp_number", Block}}},
	{name: "subject number without site suffix", edit: func(a *Application) { a.Websites[0].ICPNumber = "浙ICP备2021003158号" },
		want: []want{{"format.icp_number", "websites[0].icp_number", Warn}}},
	{name: "operating licence instead of filing number", edit: func(a *Application) { a.Websites[0].ICPNumber = "京ICP证030173号" },
		want: []want{{"format.icp_licence", "websites[0].icp_number", Block}}},
	{name: "ICP number of another province", edit: func(a *Application) { a.Websites[0].ICPNumber = "粤ICP备2021003158号-1" },
		want: []want{{"icp.province_matches", "websites[0].icp_number", Warn}}},
	{name: "Henan personal: 4 sites", edit: func(a *Application) { personal(a, "41", "330106198503152417"); addSite(a, 3) },
		want: []want{{"sites.henan-personal", "websites", Block}}},
	{name: "Henan unit: 6 sites", edit: func(a *Application) { inProvince(a, "41"); addSite(a, 5) },
		want: []want{{"sites.henan-unit", "websites", Block}}},
	{name: "Henan unit: 5 sites", edit: func(a *Application) { inProvince(a, "41"); addSite(a, 4) },
		absent: []string{"sites.henan-unit"}},
	{name: "Hubei: 2 sites", edit: func(a *Application) { inProvince(a, "42"); addSite(a, 1) },
		want: []want{{"sites.hubei", "websites", Block}}},
	{name: "Hunan 2026: 2 sites", edit: func(a *Application) { inProvince(a, "43"); addSite(a, 1) },
		want: []want{{"sites.hunan-2025", "websites", Block}}},
	{name: "Hunan 2024: 2 sites", asOf: day("2024-06-01"), edit: func(a *Application) { inProvince(a, "43"); addSite(a, 1) },
		absent: []string{"sites.hunan-2025"}},
	{name: "Shanxi 2026: 4 sites", edit: func(a *Application) { inProvince(a, "14"); addSite(a, 3) },
		want: []want{{"sites.shanxi-2025", "websites", Block}}},
	{name: "Jiangsu unit phone", edit: func(a *Application) { inProvince(a, "32") },
		want: []want{{"local_phone.all", "subject.owner.mobile", Warn}}},
	{name: "Tianjin personal phone", edit: func(a *Application) { personal(a, "12", "120101198001011234") },
		want: []want{{"local_phone.tianjin-personal", "subject.owner.mobile", Warn}}},

	// site names
	{name: "name of two Han characters", edit: func(a *Application) { a.Websites[0].Name = "示例" },
		want: []want{{"name.min_han", "websites[0].name", Block}}},
	{name: "name of Latin letters", edit: func(a *Application) { a.Websites[0].Name = "example" },
		want: []want{{"name.letters_digits_only", "websites[0].name", Block}}},
	{name: "name with a symbol", edit: func(a *Application) { a.Websites[0].Name = "示例科技！官网" },
		want: []want{{"name.symbols", "websites[0].name", Block}}},
	{name: "name is the domain", edit: func(a *Application) { a.Websites[0].Name = "Example.com" },
		want: []want{{"name.not_domain", "websites[0].name", Block}}},
	{name: "name starts with 中国", edit: func(a *Application) { a.Websites[0].Name = "中国示例科技官网" },
		want: []want{{"name.prefix", "websites[0].name", Block}}},
	{name: "national body may start with 中国", edit: func(a *Application) {
		a.Subject.Type = "defence"
		a.Subject.CertificateType = "uscc_certificate"
		a.Websites[0].Name = "中国示例科技官网"
	}, absent: []string{"name.prefix"}},
	{name: "name starts with 投诉 (2025)", edit: func(a *Application) { a.Websites[0].Name = "投诉示例科技官网" },
		want: []want{{"name.prefix-2025", "websites[0].name", Block}}},
	{name: "sensitive word", edit: func(a *Application) { a.Websites[0].Name = "示例赌博科技" },
		want: []want{{"name.sensitive", "websites[0].name", Block}}},
	{name: "personal name with 网站", edit: func(a *Application) {
		personal(a, "33", "330106198503152417")
		a.Websites[0].Name = "张三的读书网站"
	},
		want: []want{{"name.personal", "websites[0].name", Block}}},
	{name: "personal name needing pre-approval", edit: func(a *Application) {
		personal(a, "44", "440305198808081234")
		a.Websites[0].Name = "读书交流笔记"
	},
		want: []want{{"name.personal-preapproval", "websites[0].name", Warn}}},
	{name: "banned word also in the remark", edit: func(a *Application) { a.Websites[0].Remark = "本站不涉及赌博内容" },
		want: []want{{"name.sensitive", "websites[0].remark", Warn}}},
	{name: "Jiangsu personal name format", edit: func(a *Application) { personal(a, "32", "330106198503152417") },
		want: []want{{"name.jiangsu-personal", "websites[0].name", Block}}},
	{name: "Jiangsu personal name in the fixed format", edit: func(a *Application) {
		personal(a, "32", "330106198503152417")
		a.Websites[0].Name = "张三的个人主页"
	}, absent: []string{"name.jiangsu-personal"}},
	{name: "personal site with unit content", edit: func(a *Application) {
		personal(a, "33", "330106198503152417")
		a.Websites[0].ServiceContent = "unit_portal"
	},
		want: []want{{"content.personal", "websites[0].service_content", Warn}}},
	{name: "no language", edit: func(a *Application) { a.Websites[0].Languages = nil },
		want: []want{{"required.field", "websites[0].languages", Block}}},

	// product
	{name: "ECS bought for 2 months", edit: func(a *Application) { a.Product.Months = 2 },
		want: []want{{"product.ecs", "product.months", Block}}},
	{name: "ECS without public bandwidth", edit: func(a *Application) { a.Product.PublicBandwidth = false },
		want: []want{{"product.ecs", "product.public_bandwidth", Block}}},
	{name: "web hosting for 3 months", edit: func(a *Application) { a.Product.Product = "web_hosting"; a.Product.Months = 3 },
		want: []want{{"product.web_hosting", "product.months", Block}}},
	{name: "light server for 1 month", edit: func(a *Application) { a.Product.Product = "light_server"; a.Product.Months = 1 },
		want: []want{{"product.light_server", "product.months", Block}}},
	{name: "virtual host for 1 month", edit: func(a *Application) {
		a.Product = Product{Type: "wanwang", Product: "virtual_host", ConsoleUser: "hostuser", ConsolePassword: NewSecret("p"), Months: 1, MainlandRegion: true}
	}, want: []want{{"product.virtual_host", "product.months", Block}}},
	{name: "virtual host without console password", edit: func(a *Application) {
		a.Product = Product{Type: "wanwang", Product: "virtual_host", ConsoleUser: "hostuser", Months: 12, MainlandRegion: true}
	}, want: []want{{"product.type", "product.console_password", Block}}},
	{name: "marketplace order of 50 yuan", edit: func(a *Application) { a.Product.Product = "marketplace"; a.Product.AmountYuan = 50 },
		want: []want{{"product.marketplace", "product.amount_yuan", Block}}},
	{name: "NAT gateway not bought", edit: func(a *Application) { a.Product.Product = "nat_gateway"; a.Product.Months = 0 },
		want: []want{{"product.nat_gateway", "product.months", Block}}},
	{name: "IPv6 translation not bought", edit: func(a *Application) { a.Product.Product = "ipv6_translation"; a.Product.Months = 0 },
		want: []want{{"product.ipv6_translation", "product.months", Block}}},
	{name: "ENS for 2 months", edit: func(a *Application) { a.Product.Product = "ens"; a.Product.Months = 2 },
		want: []want{{"product.ens", "product.months", Block}}},
	{name: "virtual host as Alibaba Cloud type", edit: func(a *Application) { a.Product.Product = "virtual_host" },
		want: []want{{"product.type", "product.type", Block}}},
	{name: "ineligible product", edit: func(a *Application) { a.Product.Product = "oss" },
		want: []want{{"product.eligibility", "product.product", Block}}},
	{name: "Hong Kong region", edit: func(a *Application) { a.Product.MainlandRegion = false },
		want: []want{{"product.region", "product.mainland_region", Block}}},
	{name: "service number not UUID-shaped", edit: func(a *Application) { a.Product.ServiceNumber = "ABC123" },
		want: []want{{"format.service_number", "product.service_number", Warn}}},
}

func hasFinding(fs []Finding, w want) bool {
	for _, f := range fs {
		if f.Rule == w.rule && f.Field == w.field && f.Severity == w.sev {
			return true
		}
	}
	return false
}

func TestValidate(t *testing.T) {
	pack := DefaultPack()
	for _, tc := range validateCases {
		t.Run(tc.name, func(t *testing.T) {
			a := completeApp()
			tc.edit(a)
			asOf := tc.asOf
			if asOf.IsZero() {
				asOf = today
			}
			got := Validate(a, pack, asOf)
			for _, w := range tc.want {
				if !hasFinding(got, w) {
					t.Errorf("missing %s %s on %s; got:\n%s", w.sev, w.rule, w.field, dump(got))
				}
			}
			for _, r := range tc.absent {
				for _, f := range got {
					if f.Rule == r {
						t.Errorf("rule %s should not fire, got %s on %s", r, f.Severity, f.Field)
					}
				}
			}
			for _, f := range got {
				if f.ZH == "" || f.EN == "" || f.Source == "" {
					t.Errorf("finding %s on %s lacks a message or source: %+v", f.Rule, f.Field, f)
				}
				if _, ok := pack.Rule(f.Rule); !ok {
					t.Errorf("finding cites unknown rule %s", f.Rule)
				}
				if f.Step != StepOf(f.Field, a.Kind) {
					t.Errorf("finding on %s has step %d, want %d", f.Field, f.Step, StepOf(f.Field, a.Kind))
				}
			}
		})
	}
}

func TestValidateCompleteAppHasNoBlockers(t *testing.T) {
	got := Validate(completeApp(), DefaultPack(), today)
	if n := Blocking(got); n != 0 {
		t.Fatalf("%d blocking findings on the complete application:\n%s", n, dump(got))
	}
	for _, f := range got {
		if f.Severity != Info {
			t.Errorf("unexpected %s: %s %s", f.Severity, f.Rule, f.Field)
		}
	}
}

func TestValidateIsDeterministic(t *testing.T) {
	a := completeApp()
	a.Websites[0].Name = "示例"
	a.Subject.Owner.Email = "x"
	a.Documents = nil
	pack := DefaultPack()
	first := dump(Validate(a, pack, today))
	for i := 0; i < 20; i++ {
		if got := dump(Validate(a, pack, today)); got != first {
			t.Fatalf("run %d differs:\n%s\nvs\n%s", i, got, first)
		}
	}
}

// Findings never carry the personal data they are about.
func TestFindingsCarryNoPersonalData(t *testing.T) {
	a := completeApp()
	a.Subject.Owner.IDNumber = "330106198503152418"
	a.Subject.Owner.Mobile = "1380013800"
	a.Websites[0].Owner.Email = "lisi@@example.com"
	for _, f := range Validate(a, DefaultPack(), today) {
		all := f.ZH + f.EN + f.Measured + f.Limit
		for _, secret := range []string{"330106198503152418", "1380013800", "lisi@@example.com", "example-password"} {
			if strings.Contains(all, secret) {
				t.Errorf("finding %s on %s contains personal data %q", f.Rule, f.Field, secret)
			}
		}
	}
}

func dump(fs []Finding) string {
	var b strings.Builder
	for _, f := range fs {
		b.WriteString(f.Severity.String() + " " + f.Rule + " " + f.Field + ": " + f.EN + "\n")
	}
	return b.String()
}

func BenchmarkValidate(b *testing.B) {
	pack := DefaultPack()
	a := completeApp()
	b.ReportAllocs()
	for b.Loop() {
		Validate(a, pack, today)
	}
}

// BenchmarkValidateEmpty is the baseline in the same run: an empty
// application, where Validate stops early on most fields.
func BenchmarkValidateEmpty(b *testing.B) {
	pack := DefaultPack()
	a := &Application{}
	b.ReportAllocs()
	for b.Loop() {
		Validate(a, pack, today)
	}
}

// nameWordCases: one word of each province's list of words banned in
// personal site names (icp-rules.md §3.8), each not in the general list.
var nameWordCases = []struct{ province, rule, name string }{
	{"11", "name.personal-11", "张三的评论笔记"},
	{"13", "name.personal-13", "张三的学院笔记"},
	{"15", "name.personal-15", "张三的证券笔记"},
	{"21", "name.personal-21", "张三的沙龙笔记"},
	{"33", "name.personal-33", "张三的养殖笔记"},
	{"41", "name.personal-41", "张三的维修笔记"},
	{"42", "name.personal-42", "张三的官网笔记"},
	{"43", "name.personal-43", "张三的报价笔记"},
	{"44", "name.personal-44", "张三的股票笔记"},
	{"52", "name.personal-52", "张三的信息笔记"},
	{"64", "name.personal-64", "张三的技术笔记"},
}

func TestProvincialNameWords(t *testing.T) {
	pack := DefaultPack()
	for _, tc := range nameWordCases {
		a := completeApp()
		personal(a, tc.province, "330106198503152417")
		a.Websites[0].Name = tc.name
		if got := Validate(a, pack, today); !hasFinding(got, want{tc.rule, "websites[0].name", Block}) {
			t.Errorf("%s: %s not refused by %s:\n%s", tc.province, tc.name, tc.rule, dump(got))
		}
		// The same name is fine for a unit in that province and for a person elsewhere.
		b := completeApp()
		personal(b, "46", "460100198503152418")
		b.Websites[0].Name = tc.name
		for _, f := range Validate(b, pack, today) {
			if f.Rule == tc.rule {
				t.Errorf("%s fired in Hainan", tc.rule)
			}
		}
	}
}

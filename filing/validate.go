package filing

import (
	"cmp"
	"errors"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/icpfiling/icpfiling/filing/divisions"
)

// Validate checks an application against the rule pack as of a day and
// returns its findings, sorted by step and field. It is pure and
// deterministic: the same inputs give the same findings. One Validate
// serves the wizard, the batch report, the CLI and the pre-submit gate.
func Validate(app *Application, pack *Pack, asOf time.Time) []Finding {
	v := validator{app: app, pack: pack, day: DateOf(asOf)}
	v.personal = isPersonal(app, pack)
	v.prepare()
	v.controlCharacters()
	v.subject()
	v.websites()
	v.product()
	v.documents()
	v.photo()
	v.sms()
	slices.SortStableFunc(v.out, func(a, b Finding) int {
		return cmp.Or(cmp.Compare(a.Step, b.Step), strings.Compare(a.Field, b.Field),
			cmp.Compare(a.Severity, b.Severity), strings.Compare(a.Rule, b.Rule))
	})
	return v.out
}

type validator struct {
	app      *Application
	pack     *Pack
	day      Date
	personal bool
	out      []Finding
}

// finding is a finding before the rule's source and the field's step are added.
type finding struct {
	rule, field     string
	sev             Severity
	missing         bool
	zh, en          string
	measured, limit string
}

func (v *validator) add(f finding) {
	v.out = append(v.out, Finding{
		Rule: f.rule, Severity: f.sev, Field: f.field, Step: StepOf(f.field, v.app.Kind),
		ZH: f.zh, EN: f.en, Measured: f.measured, Limit: f.limit, Source: v.pack.citation[f.rule], Missing: f.missing,
	})
}

// parseFailed turns a parser's error into a finding of the format rule.
func (v *validator) parseFailed(rule, field string, sev Severity, err error) {
	var pe *ParseError
	if errors.As(err, &pe) {
		v.add(finding{rule: rule, field: field, sev: sev, zh: pe.ZH, en: pe.EN})
		return
	}
	v.add(finding{rule: rule, field: field, sev: sev, zh: "格式不正确。", en: "The format is not valid."})
}

// required reports an empty field and says whether it was present.
func (v *validator) required(field, value, zhName, enName string) bool {
	if strings.TrimSpace(value) != "" {
		return true
	}
	v.add(finding{rule: "required.field", field: field, sev: Block, missing: true,
		zh: "请填写" + zhName + "。", en: "Enter the " + enName + "."})
	return false
}

func (v *validator) prepare() {
	a := v.app
	if !a.PreparationRead {
		c := v.pack.check("preparation.read")
		v.add(finding{rule: c.ID, field: "preparation_read", sev: Block, missing: true,
			zh: "请先阅读接入须知：接入只增加服务商，接入期间不能变更信息，填写的信息须与原备案一致。",
			en: "Read the access notes first: access only adds a provider, nothing can be changed during access, and the data must equal the original filing."})
	}
	if v.required("province", a.Province, "备案省份", "filing province") {
		if _, ok := v.pack.Province(a.Province); !ok {
			v.add(finding{rule: "required.field", field: "province", sev: Block,
				zh: "备案省份不在 31 个大陆省份之中，请从列表中选择。", en: "The filing province is not one of the 31 mainland provinces; choose it from the list."})
		}
	}
	switch a.Kind {
	case NewAccess:
	case ContinueAccess:
		if a.OtherOrderInProgress {
			v.add(finding{rule: "access.continue_blocked", field: "other_order_in_progress", sev: Block,
				zh: "该主体有进行中的备案订单，暂不能继续接入：请放弃该订单或等其通过管局审核后再办理。",
				en: "The subject has an order in progress, so continue-access is unavailable: abandon that order or wait until the bureau approves it."})
		}
	default:
		v.add(finding{rule: "required.field", field: "kind", sev: Block,
			zh: "请选择接入类型：新增接入或继续接入。", en: "Choose the access kind: new access or continue access."})
	}
	v.add(finding{rule: "access.data_matches", field: "kind", sev: Info,
		zh: "接入期间无法变更信息：主体和网站信息须与原备案完全一致（名称、证件类型和号码、地区、域名）。",
		en: "Nothing can be changed during access: subject and website data must equal the original filing exactly (name, certificate type and number, region, domain)."})
	if !a.FilingPassword.IsSet() {
		v.add(finding{rule: "access.password", field: "filing_password", sev: Block, missing: true,
			zh: "请填写工信部备案密码；忘记时可在管局网站或工信部网站找回（用不带 -序号 的主体备案号）。",
			en: "Enter the MIIT filing password; if forgotten, recover it on the bureau's or MIIT's site with the subject number (without -n)."})
	}
}

func (v *validator) subject() {
	s := &v.app.Subject
	st, stOK := v.pack.SubjectType(s.Type)
	if v.required("subject.type", s.Type, "主办单位性质", "subject type") && !stOK {
		v.add(finding{rule: "format.certificate_type", field: "subject.type", sev: Block,
			zh: "主办单位性质不在规则包的列表中，请从列表中选择。", en: "The subject type is not in the rule pack's list; choose it from the list."})
	}
	if v.required("subject.certificate_type", s.CertificateType, "主办单位证件类型", "certificate type") && stOK {
		allowed := false
		for _, c := range st.Certificates {
			if c == s.CertificateType {
				allowed = true
				break
			}
		}
		if !allowed {
			v.add(finding{rule: "format.certificate_type", field: "subject.certificate_type", sev: Block,
				zh: "该证件类型不适用于“" + st.ZH + "”，请按主办单位性质选择证件类型。",
				en: "This certificate type does not fit \"" + st.EN + "\"; choose one that matches the subject type."})
		}
	}
	if v.required("subject.certificate_number", s.CertificateNumber, "主办单位证件号码", "certificate number") {
		v.certificateNumber("subject.certificate_number", s.CertificateType, s.CertificateNumber, st)
	}
	v.required("subject.name", s.Name, "主办单位或主办人名称", "subject name")
	v.address("subject.domicile", &s.Domicile, "证件住所", "certificate domicile")
	v.address("subject.mailing_address", &s.MailingAddress, "通讯地址", "mailing address")
	if d, m := s.Domicile.Province, s.MailingAddress.Province; d != "" && m != "" && d != m {
		v.add(finding{rule: "address.same_province", field: "subject.mailing_address.province", sev: Block,
			zh: "证件住所与通讯地址须在同一省份。", en: "The certificate domicile and the mailing address must be in the same province."})
	}
	if !v.personal && s.Domicile.Province != "" && v.app.Province != "" && s.Domicile.Province != v.app.Province {
		v.add(finding{rule: "subject.cross_province", field: "subject.domicile.province", sev: Block,
			zh: "单位须在证件签发地（证件住所所在省份）备案，跨省备案会被驳回。",
			en: "A unit files in the province of its certificate domicile; a cross-province filing is rejected."})
	}
	v.person("subject.owner", &s.Owner, "主体负责人", "subject owner")
	if v.personal {
		o := &s.Owner
		if o.Name != "" && s.Name != "" && o.Name != s.Name ||
			o.IDNumber != "" && s.CertificateNumber != "" && !sameID(o.IDNumber, s.CertificateNumber) {
			v.add(finding{rule: "person.personal_same_owner", field: "subject.owner", sev: Block,
				zh: "个人备案的主体负责人须为主办人本人（姓名和证件号码一致）。",
				en: "For a personal filing the subject owner is the filer (same name and ID number)."})
		}
		v.nonLocal()
	} else {
		v.legalRep("subject.owner", &s.Owner, false)
	}
}

func sameID(a, b string) bool {
	return strings.EqualFold(strings.ReplaceAll(a, " ", ""), strings.ReplaceAll(b, " ", ""))
}

// certificateNumber checks a number by the check its certificate type names.
func (v *validator) certificateNumber(field, certType, number string, st *SubjectType) {
	ct, ok := v.pack.CertificateType(certType)
	if !ok {
		return
	}
	kind := ct.Number
	if kind == "credit_or_org" {
		kind = "org_code"
		if len(strings.TrimSpace(number)) == 18 {
			kind = "credit_code"
		}
	}
	switch kind {
	case "resident_id":
		if _, err := ParseResidentID(number); err != nil {
			v.parseFailed("format.resident_id", field, Block, err)
		}
	case "org_code":
		if _, err := ParseOrgCode(number); err != nil {
			v.parseFailed("format.org_code", field, Block, err)
		}
	case "credit_code":
		c, err := ParseCreditCode(number)
		if err != nil {
			v.parseFailed("format.credit_code", field, Block, err)
			return
		}
		if !c.ChecksumOK {
			v.add(finding{rule: "format.credit_code_checksum", field: field, sev: Warn,
				zh: "统一社会信用代码的校验位不符。部分早期真实代码也不符，请对照执照逐位核对后再继续。",
				en: "The credit code's check character does not match. Some genuine early codes fail this too: compare it with the licence character by character before going on."})
		}
		if st != nil && len(st.CreditCategories) > 0 {
			fits := false
			for _, cat := range st.CreditCategories {
				if cat == c.Category {
					fits = true
					break
				}
			}
			if !fits {
				v.add(finding{rule: "format.credit_category", field: field, sev: Warn,
					zh:       "统一社会信用代码前两位（机构类别）与所选主办单位性质“" + st.ZH + "”不符，请确认主办单位性质。",
					en:       "The credit code's first two characters (organisation category) do not fit the chosen subject type \"" + st.EN + "\"; check the subject type.",
					measured: c.Category, limit: strings.Join(st.CreditCategories, "/")})
			}
		}
	}
}

// houseNumberMarks are what the end of a detailed address contains.
var houseNumberMarks = []string{"号", "室", "栋", "幢", "楼", "弄", "巷", "组", "村", "#"}

func (v *validator) address(field string, a *Address, zhName, enName string) {
	if a.Abroad {
		return
	}
	v.required(field+".province", a.Province, zhName+"所在省份", enName+" province")
	v.division(field, a)
	if !v.required(field+".detail", a.Detail, zhName+"的详细地址", enName+" (street and number)") || a.MostDetailed {
		return
	}
	hasDigit, hasMark := false, false
	for _, r := range a.Detail {
		if r >= '0' && r <= '9' || r >= '０' && r <= '９' || strings.ContainsRune("一二三四五六七八九十百", r) {
			hasDigit = true
			break
		}
	}
	for _, m := range houseNumberMarks {
		if strings.Contains(a.Detail, m) {
			hasMark = true
			break
		}
	}
	if !hasDigit || !hasMark {
		v.add(finding{rule: "address.house_number", field: field + ".detail", sev: Warn,
			zh: "地址须详细到门牌号；如确无门牌号，请勾选“此地址已是最详细地址”。",
			en: "The address must reach the house number; if there is none, tick \"this address is already the most detailed\"."})
	}
}

// division warns about a city or county the dated division list lacks:
// the list may be out of date, so it never blocks.
func (v *validator) division(field string, a *Address) {
	if !divisions.Has(a.Province) {
		return
	}
	unknown := func(sub, name string) {
		v.add(finding{rule: "address.division_unknown", field: field + "." + sub, sev: Warn, measured: name,
			zh: "“" + name + "”不在行政区划表（" + divisions.AsOf + "）中，请核对；如确为新设或更名的地方，可继续。",
			en: "\"" + name + "\" is not in the list of divisions (as of " + divisions.AsOf + "); check it, and go on if the place is new or renamed."})
	}
	switch {
	case a.City == "":
	case !divisions.CityKnown(a.Province, a.City):
		unknown("city", a.City)
	case a.District != "" && !divisions.CountyKnown(a.Province, a.City, a.District):
		unknown("district", a.District)
	}
}

// person checks one 负责人.
func (v *validator) person(field string, p *Person, zhRole, enRole string) {
	v.required(field+".name", p.Name, zhRole+"姓名", enRole+"'s name")
	if v.required(field+".id_type", p.IDType, zhRole+"证件类型", enRole+"'s ID type") {
		if ct, ok := v.pack.CertificateType(p.IDType); !ok || !ct.PersonID {
			v.add(finding{rule: "format.person_id", field: field + ".id_type", sev: Block,
				zh: zhRole + "的证件类型须为个人证件（身份证、港澳台通行证或居住证、护照等）。",
				en: "The " + enRole + "'s ID type must be a personal ID (resident ID card, HK/Macao/Taiwan permit or residence permit, passport…)."})
		}
	}
	if v.required(field+".id_number", p.IDNumber, zhRole+"证件号码", enRole+"'s ID number") {
		if ct, ok := v.pack.CertificateType(p.IDType); ok && ct.Number == "resident_id" {
			id, err := ParseResidentID(p.IDNumber)
			if err != nil {
				v.parseFailed("format.resident_id", field+".id_number", Block, err)
			} else if DateOf(id.Birth) > v.day {
				v.add(finding{rule: "format.resident_id", field: field + ".id_number", sev: Block,
					zh: "证件号码中的出生日期晚于今天，请逐位核对。", en: "The birth date in the ID number is in the future; check it digit by digit."})
			} else if r := v.pack.MinimumAgeFor(v.app.Province, v.personal, v.day); r != nil {
				if age := id.AgeOn(v.day.Time()); age < r.Age {
					v.add(finding{rule: r.ID, field: field + ".id_number", sev: Block,
						zh:       "本省不受理未满 " + strconv.Itoa(r.Age) + " 周岁的" + zhRole + "。",
						en:       "This province does not accept a " + enRole + " under " + strconv.Itoa(r.Age) + ".",
						measured: strconv.Itoa(age), limit: strconv.Itoa(r.Age)})
				}
			}
		}
	}
	v.idValidity(field+".id_valid_until", p.IDValidUntil)
	if v.required(field+".mobile", p.Mobile, zhRole+"手机号码（联系方式1）", enRole+"'s mobile (contact 1)") {
		v.mobile(field+".mobile", p.Mobile)
	}
	if strings.TrimSpace(p.Phone2) != "" {
		v.phone(field+".phone2", p.Phone2)
	}
	if strings.TrimSpace(p.Emergency) != "" {
		v.phone(field+".emergency", p.Emergency)
		if a, err := ParseMobile(p.Emergency); err == nil {
			if b, err := ParseMobile(p.Mobile); err == nil && a == b {
				v.add(finding{rule: "person.distinct_contacts", field: field + ".emergency", sev: Warn,
					zh: "应急联系电话不应与联系方式1相同。", en: "The emergency phone should differ from contact 1."})
			}
		}
	}
	if v.required(field+".email", p.Email, zhRole+"电子邮箱", enRole+"'s e-mail") {
		if _, err := ParseEmail(p.Email); err != nil {
			v.parseFailed("format.email", field+".email", Block, err)
		}
	}
	if r := v.pack.LocalPhoneFor(v.app.Province, v.personal, v.day); r != nil && p.Mobile != "" {
		v.add(finding{rule: r.ID, field: field + ".mobile", sev: Warn,
			zh: "本省要求负责人手机号为本省号码，请确认该号码在备案省份登记。",
			en: "This province wants the owner's mobile to be registered in the province; make sure this one is."})
	}
}

func (v *validator) idValidity(field, until string) {
	until = strings.TrimSpace(until)
	if until == "" || until == "长期" || strings.EqualFold(until, "long-term") {
		return
	}
	c := v.pack.check("format.id_validity")
	d, err := ParseDate(until)
	if err != nil {
		v.add(finding{rule: c.ID, field: field, sev: Block,
			zh: "证件有效期请写成 YYYY-MM-DD，长期有效的写“长期”。", en: "Write the ID's expiry as YYYY-MM-DD, or 长期 for long-term IDs."})
		return
	}
	limit := DateOf(v.day.Time().AddDate(0, c.Value, 0))
	if d <= limit {
		v.add(finding{rule: c.ID, field: field, sev: Block,
			zh:       "证件有效期须大于 " + strconv.Itoa(c.Value) + " 个月，请先换领证件。",
			en:       "The ID must stay valid for more than " + countOf(c.Value, "month", "months") + "; renew it first.",
			measured: d.String(), limit: "> " + limit.String()})
	}
}

func (v *validator) mobile(field, s string) {
	m, err := ParseMobile(s)
	if err != nil {
		v.parseFailed("format.mobile", field, Block, err)
		return
	}
	c := v.pack.check("format.mobile_virtual")
	for _, pre := range c.List {
		if strings.HasPrefix(m, pre) {
			v.add(finding{rule: c.ID, field: field, sev: Warn,
				zh:       "这是虚拟运营商号段，部分管局不接受，建议换用三大运营商的手机号。",
				en:       "This is a virtual-operator number, which some bureaus refuse; a number from a major carrier is safer.",
				measured: pre})
			return
		}
	}
}

// phone checks a field that takes a mobile or a landline 086-区号-号码.
func (v *validator) phone(field, s string) {
	t := strings.TrimSpace(s)
	if strings.HasPrefix(t, "086") || strings.HasPrefix(t, "0") && strings.ContainsAny(t, "-－") {
		if _, err := ParseLandline(t); err != nil {
			v.parseFailed("format.landline", field, Block, err)
		}
		return
	}
	v.mobile(field, t)
}

func (v *validator) nonLocal() {
	o := &v.app.Subject.Owner
	home, ok := personIDProvince(o, v.pack)
	if !ok || v.app.Province == "" || home == v.app.Province {
		return
	}
	field := "subject.owner.id_number"
	r := v.pack.NonLocalFor(v.app.Province, v.day)
	switch {
	case r != nil && r.Policy == "forbidden":
		v.add(finding{rule: r.ID, field: field, sev: Block,
			zh: "本省不受理外省身份证的个人备案（证件签发地须为备案省份）。",
			en: "This province does not accept personal filings with an ID from another province."})
	case r != nil && r.Policy == "residence_permit":
		sev := Info
		if !v.app.Subject.ResidencePermit {
			sev = Block
		}
		v.add(finding{rule: r.ID, field: field, sev: sev,
			zh: "身份证为外省签发：本省要求提供本省居住证（或暂住证），并上传该证件。",
			en: "The ID is from another province: this province requires a residence permit of the province, uploaded with the documents."})
	default:
		c := v.pack.check("person.id_province")
		v.add(finding{rule: c.ID, field: field, sev: Warn,
			zh: "身份证前两位与备案省份不一致，跨省个人备案常被驳回，请确认本省是否受理。",
			en: "The ID's first two digits do not match the filing province; cross-province personal filings are often rejected, so check that the province accepts it."})
	}
}

// legalRep applies the province's legal-representative rule to a unit's owner.
func (v *validator) legalRep(field string, p *Person, websiteOwner bool) {
	r := v.pack.LegalRepFor(v.app.Province, v.day)
	if r == nil || p.LegalRepresentative || websiteOwner && !r.WebsiteOwnerToo {
		return
	}
	if r.Authorisation {
		v.add(finding{rule: r.ID, field: field + ".legal_representative", sev: Warn,
			zh: "本省要求负责人为法定代表人；不是时须上传法定代表人授权书（已加入上传清单）。",
			en: "This province wants the owner to be the legal representative; otherwise upload the legal representative's authorisation letter (added to the uploads)."})
		return
	}
	v.add(finding{rule: r.ID, field: field + ".legal_representative", sev: Block,
		zh: "本省要求单位的主体负责人为法定代表人。", en: "This province requires a unit's subject owner to be its legal representative."})
}

func (v *validator) websites() {
	a := v.app
	if len(a.Websites) == 0 {
		v.add(finding{rule: "required.field", field: "websites", sev: Block,
			zh: "请至少填写一个网站。", en: "Add at least one website."})
		return
	}
	if r := v.pack.SiteLimitFor(a.Province, v.personal, v.day); r != nil && len(a.Websites) > r.Max {
		v.add(finding{rule: r.ID, field: "websites", sev: Block,
			zh:       "本省每个订单最多 " + strconv.Itoa(r.Max) + " 个网站，请拆分为多个订单。",
			en:       "This province allows at most " + strconv.Itoa(r.Max) + " websites per order; split the order.",
			measured: strconv.Itoa(len(a.Websites)), limit: strconv.Itoa(r.Max)})
	}
	domains := make([]string, len(a.Websites))
	for i := range a.Websites {
		domains[i] = v.website(i, &a.Websites[i])
		for j := 0; j < i; j++ {
			if domains[i] != "" && domains[i] == domains[j] {
				v.add(finding{rule: "domain.duplicate", field: websiteField(i, "domain"), sev: Block,
					zh: "该域名已在另一个网站中填写。", en: "This domain is already used by another website of the order."})
			}
		}
	}
	v.distinctOwners()
}

func websiteField(i int, name string) string {
	return "websites[" + strconv.Itoa(i) + "]." + name
}

// website checks one site and returns its domain in ASCII form, or "".
func (v *validator) website(i int, w *Website) string {
	ascii := ""
	f := func(name string) string { return websiteField(i, name) }
	if v.required(f("domain"), w.Domain, "网站域名", "domain") {
		c := v.pack.check("domain.one_per_site")
		if c.ActiveOn(v.day) && strings.ContainsAny(strings.TrimSpace(w.Domain), " ,;，；、\n\t") {
			v.add(finding{rule: c.ID, field: f("domain"), sev: Block,
				zh: "自 2019-04-22 起每个网站只能填写一个域名；其他域名请作为单独的网站添加。",
				en: "Since 2019-04-22 each website has exactly one domain; add other domains as separate websites."})
		} else if d, err := ParseDomain(w.Domain); err != nil {
			v.parseFailed("format.domain", f("domain"), Block, err)
		} else {
			ascii = d.ASCII
			v.siteName(i, w, d)
		}
	} else {
		v.siteName(i, w, DomainName{})
	}
	v.domainExpiry(f("domain_expires"), w.DomainExpires)
	if v.required(f("icp_number"), w.ICPNumber, "已有的网站备案号", "existing ICP number") {
		n, err := ParseICPNumber(w.ICPNumber, v.pack.IsProvinceAbbr)
		var pe *ParseError
		switch {
		case errors.As(err, &pe) && pe.Code == "icp.licence":
			v.parseFailed("format.icp_licence", f("icp_number"), Block, err)
		case err != nil:
			v.parseFailed("format.icp_number", f("icp_number"), Block, err)
		default:
			if p, ok := v.pack.Province(v.app.Province); ok && p.Abbr != n.Abbr {
				v.add(finding{rule: "icp.province_matches", field: f("icp_number"), sev: Warn,
					zh:       "备案号的省份简称“" + n.Abbr + "”与备案省份“" + p.ZH + "”（" + p.Abbr + "）不一致，接入须在原备案省份办理。",
					en:       "The ICP number's province \"" + n.Abbr + "\" differs from the filing province " + p.EN + " (" + p.Abbr + "); access is filed in the original province.",
					measured: n.Abbr, limit: p.Abbr})
			}
			if n.Site == 0 {
				v.add(finding{rule: "format.icp_number", field: f("icp_number"), sev: Warn,
					zh: "请填写网站备案号（主体备案号后加 -序号，如 …号-1）。",
					en: "Enter the website's number (the subject number plus -n, e.g. …号-1)."})
			}
		}
	}
	if v.required(f("service_content"), w.ServiceContent, "服务内容", "service content") {
		sc, ok := v.pack.ServiceContent(w.ServiceContent)
		switch {
		case !ok:
			v.add(finding{rule: "required.field", field: f("service_content"), sev: Block,
				zh: "服务内容不在列表中，请从列表中选择。", en: "The service content is not in the list; choose it from the list."})
		case v.personal && !sc.Personal:
			v.add(finding{rule: "content.personal", field: f("service_content"), sev: Warn,
				zh: "个人网站的服务内容应选择“其他”；涉及行业或企业内容须以单位备案。",
				en: "A personal site's service content should be 其他 (other); industry or company content needs a unit filing."})
		}
	}
	if len(w.Languages) == 0 {
		v.add(finding{rule: "required.field", field: f("languages"), sev: Block,
			zh: "请选择网站语言。", en: "Choose the site's language."})
	}
	v.person(f("owner"), &w.Owner, "网站负责人", "website owner")
	s := &v.app.Subject.Owner
	same := w.Owner.IDNumber != "" && sameID(w.Owner.IDNumber, s.IDNumber)
	if v.personal {
		if !same || w.Owner.Name != s.Name {
			v.add(finding{rule: "person.personal_same_owner", field: f("owner"), sev: Block,
				zh: "个人备案的网站负责人须为主体负责人本人。", en: "For a personal filing the website owner must be the subject owner."})
		}
	} else {
		c := v.pack.check("person.owners_differ")
		if same && c.Covers(v.app.Province, false) {
			v.add(finding{rule: c.ID, field: f("owner"), sev: Block,
				zh: "天津单位备案：主体负责人与网站负责人不能为同一人。",
				en: "Tianjin units: the subject owner and the website owner cannot be the same person."})
		}
		v.legalRep(f("owner"), &w.Owner, true)
	}
	if rule := v.pack.SMSRuleFor(v.app.Province, v.day); rule != nil && v.pack.SMSVerifierFor(v.app.Kind, v.day) != nil {
		v.add(finding{rule: "access.sms_mobile", field: f("owner.mobile"), sev: Info,
			zh: "接入备案的工信部短信发送到网站负责人的联系方式1，该号码须与原服务商处登记的一致；不一致请先在原服务商处变更。",
			en: "The MIIT SMS for an access filing goes to the website owner's contact 1, which must equal the number at the previous provider; change it there first if it differs."})
	}
	v.remark(f("remark"), w.Remark)
	return ascii
}

func (v *validator) domainExpiry(field, expires string) {
	if strings.TrimSpace(expires) == "" {
		return
	}
	r := v.pack.DomainDaysFor(v.app.Province, v.day)
	if r == nil {
		return
	}
	d, err := ParseDate(strings.TrimSpace(expires))
	if err != nil {
		v.add(finding{rule: r.ID, field: field, sev: Block,
			zh: "域名到期日请写成 YYYY-MM-DD。", en: "Write the domain's expiry date as YYYY-MM-DD."})
		return
	}
	if left := v.day.DaysUntil(d); left <= r.Days {
		v.add(finding{rule: r.ID, field: field, sev: Block,
			zh:       "域名剩余有效期须大于 " + strconv.Itoa(r.Days) + " 天，请先续费域名。",
			en:       "The domain needs more than " + countOf(r.Days, "day", "days") + " of registration left; renew it first.",
			measured: strconv.Itoa(left), limit: "> " + strconv.Itoa(r.Days)})
	}
}

// distinctOwners: different people must not share a mobile or an e-mail.
func (v *validator) distinctOwners() {
	type who struct {
		field string
		p     *Person
	}
	people := []who{{"subject.owner", &v.app.Subject.Owner}}
	for i := range v.app.Websites {
		people = append(people, who{websiteField(i, "owner"), &v.app.Websites[i].Owner})
	}
	for i := 1; i < len(people); i++ {
		for j := 0; j < i; j++ {
			a, b := people[i].p, people[j].p
			if a.IDNumber == "" || b.IDNumber == "" || sameID(a.IDNumber, b.IDNumber) {
				continue
			}
			if a.Mobile != "" && normalisedMobile(a.Mobile) == normalisedMobile(b.Mobile) {
				v.add(finding{rule: "person.distinct_contacts", field: people[i].field + ".mobile", sev: Warn,
					zh: "不同负责人的手机号码不能相同。", en: "Different owners cannot share a mobile number."})
			}
			if a.Email != "" && strings.EqualFold(strings.TrimSpace(a.Email), strings.TrimSpace(b.Email)) {
				v.add(finding{rule: "person.distinct_contacts", field: people[i].field + ".email", sev: Warn,
					zh: "不同负责人的电子邮箱不能相同。", en: "Different owners cannot share an e-mail address."})
			}
		}
	}
}

func normalisedMobile(s string) string {
	if m, err := ParseMobile(s); err == nil {
		return m
	}
	return strings.TrimSpace(s)
}

// siteName applies the name rules: at least 3 Han characters, not only
// letters or digits, no symbols, not the domain, and the word lists.
func (v *validator) siteName(i int, w *Website, d DomainName) {
	field := websiteField(i, "name")
	name := strings.TrimSpace(w.Name)
	if !v.required(field, name, "网站名称", "site name") {
		return
	}
	han, alnum, symbols := 0, 0, 0
	for _, r := range name {
		switch {
		case unicode.Is(unicode.Han, r):
			han++
		case r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			alnum++
		case unicode.IsPunct(r) || unicode.IsSymbol(r):
			symbols++
		}
	}
	if han == 0 && alnum > 0 && symbols == 0 {
		c := v.pack.check("name.letters_digits_only")
		v.add(finding{rule: c.ID, field: field, sev: Block,
			zh: "网站名称不能为纯数字或纯字母，请用能说明网站内容的中文名称。",
			en: "A site name cannot be only digits or letters; use a Chinese name that describes the site."})
	} else if c := v.pack.check("name.min_han"); han < c.Value {
		v.add(finding{rule: c.ID, field: field, sev: Block,
			zh: "网站名称至少需要 " + strconv.Itoa(c.Value) + " 个汉字。", en: "A site name needs at least " + countOf(c.Value, "Chinese character", "Chinese characters") + ".",
			measured: strconv.Itoa(han), limit: strconv.Itoa(c.Value)})
	}
	if symbols > 0 {
		v.add(finding{rule: "name.symbols", field: field, sev: Block,
			zh: "网站名称不能包含特殊符号。", en: "A site name cannot contain symbols."})
	}
	if d.ASCII != "" {
		lower := strings.ToLower(name)
		label, _, _ := strings.Cut(d.Unicode, ".")
		if lower == d.Unicode || lower == d.ASCII || lower == label {
			v.add(finding{rule: "name.not_domain", field: field, sev: Block,
				zh: "网站名称不能是域名本身。", en: "A site name cannot be the domain itself."})
		}
	}
	st, _ := v.pack.SubjectType(v.app.Subject.Type)
	national := st != nil && st.NationalBody
	// A province that prescribes the form of the name wins over the word
	// lists: the words of its prescribed suffix ("的个人主页" holds 主页,
	// "的个人博客" 博客) are what it requires, so the lists look only at the
	// rest of the name, the owner's own name.
	listed := name
	if owner, ok := v.prescribedName(name, w); ok {
		listed = owner
	}
	for k := range v.pack.NameWords {
		list := &v.pack.NameWords[k]
		if !list.ActiveOn(v.day) || !list.Covers(v.app.Province, v.personal) || list.ExceptNational && national {
			continue
		}
		for _, word := range list.Words {
			hit := strings.Contains(listed, word)
			if list.Prefix {
				hit = strings.HasPrefix(listed, word)
			}
			if !hit {
				continue
			}
			sev, zh, en := Block, "网站名称不能包含“"+word+"”。", "The site name cannot contain \""+word+"\"."
			switch {
			case list.Prefix:
				zh, en = "网站名称不能以“"+word+"”开头。", "The site name cannot begin with \""+word+"\"."
			case list.Warn:
				sev = Warn
				zh, en = "网站名称含“"+word+"”，这类内容需要前置审批，请确认或改名。", "The site name contains \""+word+"\", which needs a pre-approval; confirm or rename."
			}
			v.add(finding{rule: list.ID, field: field, sev: sev, zh: zh, en: en, measured: word})
			break
		}
	}
	for k := range v.pack.NameFormats {
		nf := &v.pack.NameFormats[k]
		if !nf.ActiveOn(v.day) || !nf.Covers(v.app.Province, v.personal) {
			continue
		}
		ok := false
		for _, suffix := range nf.Suffixes {
			if owner := strings.TrimSpace(w.Owner.Name); owner != "" && name == owner+suffix {
				ok = true
			}
		}
		if !ok {
			v.add(finding{rule: nf.ID, field: field, sev: Block,
				zh: "本省个人网站名称须为“姓名" + strings.Join(nf.Suffixes, "”或“姓名") + "”。",
				en: "In this province a personal site is named \"<name>" + strings.Join(nf.Suffixes, "\" or \"<name>") + "\"."})
		}
	}
}

// prescribedName says whether name has a form a province's name rule
// prescribes for this filing (owner's name + a suffix), and returns the
// owner's part.
func (v *validator) prescribedName(name string, w *Website) (string, bool) {
	owner := strings.TrimSpace(w.Owner.Name)
	if owner == "" {
		return "", false
	}
	for k := range v.pack.NameFormats {
		nf := &v.pack.NameFormats[k]
		if !nf.ActiveOn(v.day) || !nf.Covers(v.app.Province, v.personal) {
			continue
		}
		for _, suffix := range nf.Suffixes {
			if name == owner+suffix {
				return owner, true
			}
		}
	}
	return "", false
}

// remark: words banned in the name are also refused in the remark.
func (v *validator) remark(field, remark string) {
	if strings.TrimSpace(remark) == "" {
		return
	}
	for k := range v.pack.NameWords {
		list := &v.pack.NameWords[k]
		if list.Prefix || list.Warn || !list.ActiveOn(v.day) || !list.Covers(v.app.Province, v.personal) {
			continue
		}
		for _, word := range list.Words {
			if strings.Contains(remark, word) {
				v.add(finding{rule: list.ID, field: field, sev: Warn,
					zh: "备注含网站名称禁用词“" + word + "”，可能被驳回。",
					en: "The remark contains \"" + word + "\", a word banned in site names; it may be rejected.", measured: word})
				return
			}
		}
	}
}

func (v *validator) product() {
	p := &v.app.Product
	if !v.required("product.type", p.Type, "产品类型", "product type") {
		return
	}
	if p.Type != "aliyun" && p.Type != "wanwang" {
		v.add(finding{rule: "product.type", field: "product.type", sev: Block,
			zh: "产品类型只能是“阿里云”或“万网主机”。", en: "The product type is either Alibaba Cloud (阿里云) or Wanwang host (万网主机)."})
		return
	}
	if v.required("product.product", p.Product, "产品", "product") {
		r, ok := v.pack.ProductRule(p.Product)
		switch {
		case !ok || !r.ActiveOn(v.day):
			v.add(finding{rule: "product.eligibility", field: "product.product", sev: Block,
				zh: "该产品不能用于备案，请从列表中选择可备案的产品。", en: "This product cannot be used for a filing; choose an eligible product from the list."})
		case r.Type != p.Type:
			v.add(finding{rule: "product.type", field: "product.type", sev: Block,
				zh: "“" + r.ZH + "”须选择对应的产品类型。", en: "\"" + r.EN + "\" needs the matching product type."})
		default:
			if p.Months < r.MinMonths {
				v.add(finding{rule: r.ID, field: "product.months", sev: Block,
					zh:       "“" + r.ZH + "”须购买 " + strconv.Itoa(r.MinMonths) + " 个月及以上（含续费）才能备案。",
					en:       "\"" + r.EN + "\" must be bought for " + countOf(r.MinMonths, "month", "months") + " or more (renewals count).",
					measured: strconv.Itoa(p.Months), limit: ">= " + strconv.Itoa(r.MinMonths)})
			}
			if r.MinAmountYuan > 0 && p.AmountYuan < r.MinAmountYuan {
				v.add(finding{rule: r.ID, field: "product.amount_yuan", sev: Block,
					zh:       "“" + r.ZH + "”的订单金额须不低于 " + strconv.FormatFloat(r.MinAmountYuan, 'f', -1, 64) + " 元。",
					en:       "\"" + r.EN + "\" needs an order of at least ¥" + strconv.FormatFloat(r.MinAmountYuan, 'f', -1, 64) + ".",
					measured: strconv.FormatFloat(p.AmountYuan, 'f', -1, 64), limit: ">= " + strconv.FormatFloat(r.MinAmountYuan, 'f', -1, 64)})
			}
			if r.PublicBandwidth && !p.PublicBandwidth {
				v.add(finding{rule: r.ID, field: "product.public_bandwidth", sev: Block,
					zh: "“" + r.ZH + "”须购买公网带宽才能备案。", en: "\"" + r.EN + "\" needs public bandwidth for a filing."})
			}
		}
	}
	if !p.MainlandRegion {
		v.add(finding{rule: "product.region", field: "product.mainland_region", sev: Block,
			zh: "服务器须位于中国大陆地域；中国香港等地域无需也无法备案。",
			en: "The server must be in a mainland China region; Hong Kong and other regions need no filing and cannot be used."})
	}
	if p.Type == "aliyun" {
		if v.required("product.service_number", p.ServiceNumber, "备案服务号", "service number") && !looksLikeUUID(strings.TrimSpace(p.ServiceNumber)) {
			v.add(finding{rule: "format.service_number", field: "product.service_number", sev: Warn,
				zh: "备案服务号通常形如 8-4-4-4-12 位十六进制（如 32a43232-a888-88e8-b9ec-00888be8xxxx），请从控制台复制。",
				en: "A service number usually looks like 8-4-4-4-12 hex digits (e.g. 32a43232-a888-88e8-b9ec-00888be8xxxx); copy it from the console."})
		}
		return
	}
	v.required("product.console_user", p.ConsoleUser, "主机管理控制台用户名", "host console user name")
	if !p.ConsolePassword.IsSet() {
		v.add(finding{rule: "product.type", field: "product.console_password", sev: Block, missing: true,
			zh: "请填写主机管理控制台密码。", en: "Enter the host console password."})
	}
}

func looksLikeUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
				return false
			}
		}
	}
	return true
}

func (v *validator) documents() {
	for _, need := range RequiredDocuments(v.app, v.pack, v.day) {
		field := "documents." + need.Slot
		if need.Website >= 0 {
			field += "[" + strconv.Itoa(need.Website) + "]"
		}
		doc := v.findDocument(need.Slot, need.Website)
		if doc == nil || doc.Attachment == nil {
			v.add(finding{rule: need.Rule, field: field, sev: Block, missing: true,
				zh: "缺少资料：" + need.ZH + "。", en: "Missing document: " + need.EN + "."})
			continue
		}
		v.attachment(field, need.Slot, doc.Attachment)
	}
}

func (v *validator) findDocument(slot string, website int) *Document {
	for i := range v.app.Documents {
		d := &v.app.Documents[i]
		if d.Slot == slot && (website < 0 || d.Website == website) {
			return d
		}
	}
	return nil
}

// attachment checks a file's recorded type and size against its slot's rule.
func (v *validator) attachment(field, slot string, a *Attachment) {
	u := v.pack.UploadFor(slot, v.day)
	if u == nil {
		return
	}
	allowed, discouraged := false, false
	for _, f := range u.Formats {
		allowed = allowed || f == a.MediaType
	}
	for _, f := range u.Discouraged {
		discouraged = discouraged || f == a.MediaType
	}
	switch {
	case !allowed:
		v.add(finding{rule: u.ID, field: field, sev: Block,
			zh: "文件格式不被接受，请另存为 JPG 或 PNG。", en: "The file format is not accepted; save it as JPG or PNG.",
			measured: formatName(a.MediaType), limit: formatNames(u.Formats)})
	case discouraged:
		v.add(finding{rule: u.ID, field: field, sev: Warn,
			zh: "GIF 虽可上传，但部分页面只接受 JPG/PNG，建议另存为 JPG。", en: "GIF is accepted, but some pages take only JPG/PNG; saving it as JPG is safer.",
			measured: formatName(a.MediaType)})
	}
	if a.Size >= u.MaxBytes {
		v.add(finding{rule: u.ID, field: field, sev: Block,
			zh: "文件须小于 " + humanBytes(u.MaxBytes) + "，请压缩或降低分辨率。", en: "The file must be under " + humanBytes(u.MaxBytes) + "; compress it or lower the resolution.",
			measured: humanBytes(a.Size), limit: "< " + humanBytes(u.MaxBytes)})
	}
	if zh, en := a.PartsProblem(); zh != "" {
		v.add(finding{rule: u.ID, field: field, sev: Block, zh: zh + "请重新拼接。", en: en + " Stitch it again."})
	}
	if u.MinBytes > 0 && a.Size < u.MinBytes {
		v.add(finding{rule: u.ID, field: field, sev: Block,
			zh: "文件须不小于 " + humanBytes(u.MinBytes) + "：请彩色打印后拍照或扫描。", en: "The file must be at least " + humanBytes(u.MinBytes) + ": print it in colour and photograph or scan it.",
			measured: humanBytes(a.Size), limit: ">= " + humanBytes(u.MinBytes)})
	}
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return strconv.FormatInt(n>>20, 10) + " MB"
	case n >= 1<<20:
		return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MB"
	case n >= 1<<10:
		return strconv.FormatInt(n>>10, 10) + " KB"
	}
	return strconv.FormatInt(n, 10) + " B"
}

func (v *validator) photo() {
	m, info := v.pack.PhotoMethodFor(v.app.Province, v.day)
	for _, r := range info {
		v.add(finding{rule: r.ID, field: "photo", sev: Info, zh: r.ZH, en: r.EN})
	}
	if m == nil {
		return
	}
	if m.Method == "shanghai_app" {
		v.add(finding{rule: m.ID, field: "photo", sev: Info, zh: m.ZH, en: m.EN})
	} else if v.app.Photo.Attachment == nil {
		v.add(finding{rule: m.ID, field: "photo", sev: Block, missing: true,
			zh: "请上传网站负责人的核验照片。" + m.ZH, en: "Upload the website owner's verification photo. " + m.EN})
	} else {
		v.attachment("photo", "photo", v.app.Photo.Attachment)
	}
	b := &v.app.Backdrop
	if !b.Requested {
		return
	}
	v.required("backdrop.recipient", b.Recipient, "收件人", "recipient")
	if v.required("backdrop.phone", b.Phone, "收件人电话", "recipient's phone") {
		v.phone("backdrop.phone", b.Phone)
	}
	if _, ok := v.pack.Province(b.Address.Province); b.Address.Abroad || !ok {
		v.add(finding{rule: "backdrop.mainland", field: "backdrop.address.province", sev: Block,
			zh: "幕布只能邮寄到中国大陆地址。", en: "Backdrops are mailed only to addresses in mainland China."})
		return
	}
	v.address("backdrop.address", &b.Address, "邮寄地址", "mailing address")
}

func (v *validator) sms() {
	r := v.pack.SMSRuleFor(v.app.Province, v.day)
	if r == nil {
		return
	}
	val := v.pack.SMSValidityOn(v.day)
	if val == nil {
		return
	}
	h := strconv.Itoa(val.Hours)
	sinceZH, sinceEN := smsValiditySince(v.pack, val)
	v.add(finding{rule: val.ID, field: "sms", sev: Info,
		zh:    "提交管局后约 5 分钟内会收到工信部短信验证码，须在 " + h + " 小时内完成核验" + sinceZH + "，否则订单被退回。",
		en:    "About 5 minutes after the order reaches the bureau, MIIT texts a code; verify within " + h + " hours" + sinceEN + " or the order is returned.",
		limit: h + " h"})
	from := r.From.String()
	v.add(finding{rule: r.ID, field: "sms", sev: Info,
		zh: "本省自 " + from + " 起须进行短信核验。", en: "SMS verification has applied in this province since " + from + "."})
}

// ControlRule is the rule of a name or an address that carries control
// characters. It is the app's own rule, not the filing system's: such a
// character is invisible in the form, acts on a terminal that prints it
// (retitling it, clearing the screen) and can make a name read backwards
// (a bidi override), so it is never sent.
const ControlRule = "text.control_characters"

// IsControl says whether r acts instead of being read: C0 and C1 control
// characters, DEL, and the bidirectional marks, embeddings, overrides and
// isolates (U+200E/F, U+061C, U+202A–202E, U+2066–2069).
func IsControl(r rune) bool {
	switch {
	case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f:
		return true
	case r == 0x200e, r == 0x200f, r == 0x061c, r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}

// firstControl is the first control character of s as "U+001B", or "".
func firstControl(s string) string {
	for _, r := range s {
		if IsControl(r) {
			return "U+" + strings.ToUpper(strconv.FormatInt(int64(r)|0x10000, 16)[1:])
		}
	}
	return ""
}

// namesAndAddresses are the fields of app that hold a name or an address,
// by field path.
func namesAndAddresses(app *Application) [][2]string {
	s := &app.Subject
	out := [][2]string{{"subject.name", s.Name}, {"subject.investor", s.Investor}, {"subject.owner.name", s.Owner.Name}}
	for _, a := range []struct {
		field string
		addr  *Address
	}{{"subject.domicile", &s.Domicile}, {"subject.mailing_address", &s.MailingAddress}} {
		out = append(out, [2]string{a.field + ".city", a.addr.City}, [2]string{a.field + ".district", a.addr.District},
			[2]string{a.field + ".detail", a.addr.Detail})
	}
	for i := range app.Websites {
		w := &app.Websites[i]
		out = append(out, [2]string{websiteField(i, "name"), w.Name}, [2]string{websiteField(i, "owner.name"), w.Owner.Name})
	}
	return out
}

// controlCharacters refuses a name or an address that carries a control
// character (ControlRule).
func (v *validator) controlCharacters() {
	for _, nf := range namesAndAddresses(v.app) {
		if c := firstControl(nf[1]); c != "" {
			v.add(finding{rule: ControlRule, field: nf[0], sev: Block, measured: c,
				zh: "含有看不见的控制字符（" + c + "，如换行、终端控制码或文字方向控制符），请删除后重新输入。",
				en: "It contains an invisible control character (" + c + ": a line break, a terminal control code or a text-direction override); delete it and type the text again."})
		}
	}
}

// controlPack is the built-in pack ControlCharacters cites from, parsed
// once: parsing it for every filing made a 3,000-row batch import take
// 16 s instead of 2. It is only read (the rule sources).
var controlPack = sync.OnceValue(DefaultPack)

// ControlCharacters is the ControlRule findings of app alone, for an
// import to refuse such a filing before it is kept.
func ControlCharacters(app *Application) []Finding {
	v := validator{app: app, pack: controlPack()}
	v.controlCharacters()
	return v.out
}

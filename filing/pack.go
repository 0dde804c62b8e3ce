package filing

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// PackSchema is the rule-pack format this build reads.
const PackSchema = 1

// Rule is what every entry of the pack carries: an id findings point to,
// the source the fact was taken from, and the dates it holds between.
type Rule struct {
	ID string `json:"id"`
	// Source is a key of Pack.Sources, Ref the place inside it.
	Source     string `json:"source"`
	Ref        string `json:"ref,omitempty"`
	Confidence string `json:"confidence"`
	From       Date   `json:"from"`
	// Until is the first day the rule no longer applies; 0 means still in force.
	Until Date `json:"until,omitempty"`
}

// ActiveOn says whether the rule applies on day d.
func (r *Rule) ActiveOn(d Date) bool { return r.From <= d && (r.Until == 0 || d < r.Until) }

// Source is a document the pack's facts come from.
type Source struct {
	Title string `json:"title"`
	Date  string `json:"date"`
	Where string `json:"where"`
}

// Scope limits a rule to provinces and to personal or unit filings.
type Scope struct {
	// Provinces are GB/T 2260 codes; "*" means all.
	Provinces []string `json:"provinces"`
	// Subjects is "personal", "unit" or "" (both).
	Subjects string `json:"subjects,omitempty"`
}

// Covers says whether the scope includes a province and subject kind.
func (s *Scope) Covers(province string, personal bool) bool {
	switch s.Subjects {
	case "personal":
		if !personal {
			return false
		}
	case "unit":
		if personal {
			return false
		}
	}
	for _, p := range s.Provinces {
		if p == "*" || p == province {
			return true
		}
	}
	return false
}

// Province is one of the 31 mainland provincial-level divisions.
type Province struct {
	Rule
	Code string `json:"code"`
	Abbr string `json:"abbr"`
	ZH   string `json:"zh"`
	EN   string `json:"en"`
}

// SubjectType is a 主办单位性质.
type SubjectType struct {
	Rule
	Code     string `json:"code"`
	ZH       string `json:"zh"`
	EN       string `json:"en"`
	Personal bool   `json:"personal,omitempty"`
	// NationalBody may start a site name with 中国/中华/国家….
	NationalBody bool `json:"national_body,omitempty"`
	// Certificates are the certificate types this subject may file with.
	Certificates []string `json:"certificates"`
	// CreditCategories are the first two characters of a unified social
	// credit code that fit this subject type.
	CreditCategories []string `json:"credit_categories,omitempty"`
}

// CertificateType is a kind of certificate or personal ID.
type CertificateType struct {
	Rule
	Code string `json:"code"`
	ZH   string `json:"zh"`
	EN   string `json:"en"`
	// Number says how the number is checked: "resident_id", "credit_code",
	// "org_code", "credit_or_org" or "free".
	Number string `json:"number"`
	// PersonID marks certificates that identify a person (负责人 ID types).
	PersonID bool `json:"person_id,omitempty"`
}

// SMSRule lists the provinces where SMS verification applies from a date.
type SMSRule struct {
	Rule
	Scope
}

// SMSValidity is how long an SMS code stays valid.
type SMSValidity struct {
	Rule
	Hours int `json:"hours"`
}

// SMSVerifier says who receives the code for a filing kind.
type SMSVerifier struct {
	Rule
	Kinds []AccessKind `json:"kinds"`
	// Who is "website_owner_mobile" for access filings.
	Who string `json:"who"`
}

// PhotoMethod is how the 网站负责人 is verified in a province.
type PhotoMethod struct {
	Rule
	Scope
	// Method is "backdrop", "face_white", "shanghai_app" or "app_or_backdrop".
	Method string `json:"method"`
	// Info rules are shown to the user but do not change the step.
	Info bool   `json:"info,omitempty"`
	ZH   string `json:"zh"`
	EN   string `json:"en"`
}

// PhotoBackground is the background a verification photo must show, by
// photo method: the image checks measure the backdrop against it.
type PhotoBackground struct {
	Rule
	// Methods are the photo methods (PhotoMethod.Method) this background serves.
	Methods []string `json:"methods"`
	ZH      string   `json:"zh"`
	EN      string   `json:"en"`
	// RGB is the reference colour, "#rrggbb", for colour-distance checks.
	RGB string `json:"rgb"`
	// A pixel belongs to the background when its HSV values fall in these
	// ranges (hue in degrees; saturation and value 0–1). HueMin > HueMax
	// means no hue condition (white, grey).
	HueMin float64 `json:"hue_min"`
	HueMax float64 `json:"hue_max"`
	SatMin float64 `json:"sat_min"`
	SatMax float64 `json:"sat_max"`
	ValMin float64 `json:"val_min"`
}

// LegalRepRule requires the 主体负责人 (and maybe the 网站负责人) of a unit
// to be the legal representative.
type LegalRepRule struct {
	Rule
	Scope
	WebsiteOwnerToo bool `json:"website_owner_too,omitempty"`
	// Authorisation allows another person with a 授权书 from the legal representative.
	Authorisation bool `json:"authorisation,omitempty"`
}

// NonLocalRule says what a personal filer whose ID is from another province may do.
type NonLocalRule struct {
	Rule
	Scope
	// Policy is "forbidden" or "residence_permit".
	Policy string `json:"policy"`
}

// MinimumAge bars younger 负责人.
type MinimumAge struct {
	Rule
	Scope
	Age int `json:"age"`
}

// LocalPhoneRule requires mobiles registered in the filing province.
type LocalPhoneRule struct {
	Rule
	Scope
}

// DomainCertRule requires a domain certificate from a number of domains.
type DomainCertRule struct {
	Rule
	Scope
	MinDomains int `json:"min_domains"`
}

// SiteLimit caps the websites of one order.
type SiteLimit struct {
	Rule
	Scope
	Max int `json:"max"`
}

// DomainDays is the registration time a domain must have left.
type DomainDays struct {
	Rule
	Scope
	Days int `json:"days"`
}

// WordList is a list of words a site name (and its remark) may not contain.
type WordList struct {
	Rule
	Scope
	Words []string `json:"words"`
	// Prefix means the words are banned only at the start of the name.
	Prefix bool `json:"prefix,omitempty"`
	// ExceptNational exempts national bodies (for the 中国/国家… prefixes).
	ExceptNational bool `json:"except_national,omitempty"`
	// Warn lists words that need attention (e.g. a pre-approval) rather
	// than words that are refused.
	Warn bool `json:"warn,omitempty"`
}

// NameFormat fixes the form of a personal site's name in a province.
type NameFormat struct {
	Rule
	Scope
	// Suffixes are what the name must end with after the owner's name,
	// e.g. "的个人博客".
	Suffixes []string `json:"suffixes"`
}

// Upload is the format and size a document type must have.
type Upload struct {
	Rule
	// Slots are document slot codes; "*" is the default for all slots.
	Slots []string `json:"slots"`
	// Formats are allowed media types; Discouraged ones are allowed with a warning.
	Formats     []string `json:"formats"`
	Discouraged []string `json:"discouraged,omitempty"`
	// MaxBytes is exclusive ("under 4 MB"); MinBytes inclusive.
	MaxBytes int64 `json:"max_bytes"`
	MinBytes int64 `json:"min_bytes,omitempty"`
}

// DocumentRule says which document slot a filing needs.
type DocumentRule struct {
	Rule
	Scope
	Slot string `json:"slot"`
	ZH   string `json:"zh"`
	EN   string `json:"en"`
	// PerWebsite documents are needed once per website.
	PerWebsite bool `json:"per_website,omitempty"`
	// SubjectTypes narrows the rule to some subject types.
	SubjectTypes []string `json:"subject_types,omitempty"`
	// When makes the document conditional on another rule firing:
	// "domain_certificate", "authorisation" or "residence_permit".
	When string `json:"when,omitempty"`
}

// ProductRule is an eligible hosting product.
type ProductRule struct {
	Rule
	Code            string  `json:"code"`
	Type            string  `json:"type"`
	ZH              string  `json:"zh"`
	EN              string  `json:"en"`
	MinMonths       int     `json:"min_months"`
	MinAmountYuan   float64 `json:"min_amount_yuan,omitempty"`
	PublicBandwidth bool    `json:"public_bandwidth,omitempty"`
	ServiceNumbers  int     `json:"service_numbers"`
}

// ReviewDuration is how long a review stage takes, in working days.
type ReviewDuration struct {
	Rule
	Stage   string `json:"stage"`
	MinDays int    `json:"min_days"`
	MaxDays int    `json:"max_days"`
}

// Check is a rule whose logic lives in Validate and whose numbers, if any,
// live here: format standards and cross-field rules.
type Check struct {
	Rule
	Scope
	// Value is the rule's number where it has one (e.g. 3 Han characters).
	Value int      `json:"value,omitempty"`
	List  []string `json:"list,omitempty"`
	ZH    string   `json:"zh"`
	EN    string   `json:"en"`
}

// ServiceContent is a code for the 服务内容 field.
type ServiceContent struct {
	Rule
	Code string `json:"code"`
	ZH   string `json:"zh"`
	EN   string `json:"en"`
	// Personal says the code is the one personal sites must choose.
	Personal bool `json:"personal,omitempty"`
}

// StitchRule names an upload slot whose image carries supporting documents
// stitched in with the main certificate, because the filing system has no
// slot of their own for them (icp-rules 1.1.8, 1.5.1, 1.4.6).
type StitchRule struct {
	Rule
	Scope
	// Slot is the main certificate's slot the parts are composed into.
	Slot string `json:"slot"`
	// Adds are what may be stitched in: document slot codes (e.g.
	// "authorisation_letter"), "domain_list" (the separate domain list
	// page) or "other" (any supporting document of the same party).
	Adds []string `json:"adds"`
	// SubjectTypes narrows the rule to some subject types.
	SubjectTypes []string `json:"subject_types,omitempty"`
	ZH           string   `json:"zh"`
	EN           string   `json:"en"`
}

// Where a filing's domains go when they do not fit the verification
// form's domain field (DomainListRule.Place).
const (
	DomainListSeparatePage = "separate_page" // a blank A4 page, sealed or signed, stitched with the form
	DomainListOnForm       = "on_form"       // the blank space of the form itself
	DomainListDomainField  = "domain_field"  // the form's domain field, widened if needed
)

// DomainListRule says where a province wants a filing's domains written
// when they do not fit the verification form (icp-rules 1.4.5, 1.4.6).
type DomainListRule struct {
	Rule
	Scope
	// Place is one of the DomainList… constants.
	Place string `json:"place"`
	// Registrar: each domain is written with its registrar's short Chinese
	// name, e.g. "aliyun.xin 阿里云".
	Registrar bool   `json:"registrar,omitempty"`
	ZH        string `json:"zh"`
	EN        string `json:"en"`
}

// Pack is the versioned, dated rule data of the filing process.
type Pack struct {
	Schema    int               `json:"schema"`
	Revision  int               `json:"revision"`
	Published Date              `json:"published"`
	Sources   map[string]Source `json:"sources"`

	Provinces        []Province        `json:"provinces"`
	SubjectTypes     []SubjectType     `json:"subject_types"`
	CertificateTypes []CertificateType `json:"certificate_types"`
	ServiceContents  []ServiceContent  `json:"service_contents"`
	SMS              []SMSRule         `json:"sms"`
	SMSValidity      []SMSValidity     `json:"sms_validity"`
	SMSVerifiers     []SMSVerifier     `json:"sms_verifiers"`
	PhotoMethods     []PhotoMethod     `json:"photo_methods"`
	Backgrounds      []PhotoBackground `json:"photo_backgrounds"`
	LegalReps        []LegalRepRule    `json:"legal_representative"`
	NonLocal         []NonLocalRule    `json:"non_local_personal"`
	MinimumAges      []MinimumAge      `json:"minimum_age"`
	LocalPhones      []LocalPhoneRule  `json:"local_phone"`
	DomainCerts      []DomainCertRule  `json:"domain_certificate"`
	SiteLimits       []SiteLimit       `json:"sites_per_order"`
	DomainDays       []DomainDays      `json:"domain_remaining_days"`
	NameWords        []WordList        `json:"site_name_words"`
	NameFormats      []NameFormat      `json:"site_name_formats"`
	Uploads          []Upload          `json:"uploads"`
	Documents        []DocumentRule    `json:"documents"`
	Products         []ProductRule     `json:"products"`
	Reviews          []ReviewDuration  `json:"review_durations"`
	Checks           []Check           `json:"checks"`
	Stitching        []StitchRule      `json:"stitching"`
	DomainLists      []DomainListRule  `json:"domain_list"`

	// Built at load so that Validate does no allocation-heavy lookups.
	rules      map[string]*Rule
	citation   map[string]string // rule id → "SOURCE (date): ref", what a finding cites
	checks     map[string]*Check
	provByCode map[string]*Province
	provByAbbr map[string]*Province
	subjects   map[string]*SubjectType
	certs      map[string]*CertificateType
	products   map[string]*ProductRule
	contents   map[string]*ServiceContent
	checksum   string
	// signature is the publisher's signature from the sealed file, if any;
	// VerifySignature checks it against the keys the caller trusts.
	signature *PackSignature
}

// sealedPack is the file format: the pack and the SHA-256 of its exact bytes,
// so that a pack edited by hand (or damaged) is noticed.
// A pack published as an update also carries the signature of its
// publisher (pack_sign.go); the built-in pack needs none.
type sealedPack struct {
	SHA256    string          `json:"sha256"`
	Signature *PackSignature  `json:"signature,omitempty"`
	Pack      json.RawMessage `json:"pack"`
}

//go:embed rules/pack.json
var embeddedPack []byte

// DefaultPack is the pack built into this binary. It is checked by the
// tests, so failing to load it is a build defect.
func DefaultPack() *Pack {
	p, err := ParsePack(embeddedPack)
	if err != nil {
		panic("embedded rule pack: " + err.Error())
	}
	return p
}

// DefaultPackBytes is the sealed file of the built-in pack, as a backend
// serves it and as ParsePack reads it.
func DefaultPackBytes() []byte { return append([]byte(nil), embeddedPack...) }

// PackError is a pack that cannot be used, with a message for each language.
type PackError struct {
	ZH, EN string
	// Untrusted is the fingerprint of the key that signed a pack refused
	// for its signer alone, so that each caller can say how to trust it
	// where it is (the CLI, the backend's flags, Settings).
	Untrusted string
}

func (e *PackError) Error() string { return e.EN }

// Message picks the text for "zh" or "en".
func (e *PackError) Message(lang string) string {
	if lang == "en" {
		return e.EN
	}
	return e.ZH
}

func packErr(zh, en string, args ...any) *PackError {
	return &PackError{ZH: fmt.Sprintf(zh, args...), EN: fmt.Sprintf(en, args...)}
}

// ParsePack reads a sealed pack, checks its checksum and its schema.
func ParsePack(data []byte) (*Pack, error) {
	var sealed sealedPack
	if err := strictDecode(data, &sealed); err != nil {
		return nil, packErr("规则包不是有效的 JSON：%v", "the rule pack is not valid JSON: %v", err)
	}
	if len(sealed.Pack) == 0 {
		return nil, packErr("规则包缺少 pack 内容。", "the rule pack has no \"pack\" content")
	}
	if got, err := packSum(sealed.Pack); err != nil || !strings.EqualFold(got, sealed.SHA256) {
		return nil, packErr("规则包的校验和与内容不符（可能被改动或损坏），已拒绝使用。",
			"the rule pack's checksum does not match its content (edited or damaged); it was refused")
	}
	// The schema is read first, so that a pack of a later format is named
	// as such instead of failing on the first field this build lacks.
	var head struct {
		Schema int `json:"schema"`
	}
	if err := json.Unmarshal(sealed.Pack, &head); err == nil && head.Schema != PackSchema {
		return nil, packErr("规则包格式为第 %d 版，本程序只能读取第 %d 版；请更新本程序。",
			"the rule pack is in schema %d; this build reads schema %d: update the app",
			head.Schema, PackSchema)
	}
	var p Pack
	if err := strictDecode(sealed.Pack, &p); err != nil {
		return nil, packErr("规则包格式错误：%v", "the rule pack does not follow the schema: %v", err)
	}
	p.checksum = strings.ToLower(sealed.SHA256)
	p.signature = sealed.Signature
	if err := p.index(); err != nil {
		return nil, packErr("规则包内容错误：%v", "the rule pack is inconsistent: %v", err)
	}
	return &p, nil
}

// packSum hashes the compact form of the pack, so re-indenting the file
// keeps it valid while any change of content does not.
func packSum(pack json.RawMessage) (string, error) {
	var compact bytes.Buffer
	if err := json.Compact(&compact, pack); err != nil {
		return "", err
	}
	sum := sha256.Sum256(compact.Bytes())
	return hex.EncodeToString(sum[:]), nil
}

// Seal writes a pack with its checksum, ready to ship.
func Seal(pack json.RawMessage) ([]byte, error) {
	sum, err := packSum(pack)
	if err != nil {
		return nil, err
	}
	out, err := json.MarshalIndent(sealedPack{SHA256: sum, Pack: pack}, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(out, '\n'), nil
}

// Reseal recomputes the checksum of a sealed pack file after an edit.
func Reseal(data []byte) ([]byte, error) {
	var sealed sealedPack
	if err := json.Unmarshal(data, &sealed); err != nil {
		return nil, err
	}
	return Seal(sealed.Pack)
}

// Checksum is the pack's SHA-256, which names this exact content.
func (p *Pack) Checksum() string { return p.checksum }

// CanReplace says whether the newer pack may replace p: it must not be
// older, and the same revision must mean the same content.
func (p *Pack) CanReplace(newer *Pack) error {
	switch {
	case newer.Revision < p.Revision:
		return packErr("该规则包（第 %d 版）比正在使用的（第 %d 版）旧，已拒绝。",
			"the rule pack (revision %d) is older than the one in use (revision %d); it was refused",
			newer.Revision, p.Revision)
	case newer.Revision == p.Revision && newer.checksum != p.checksum:
		return packErr("该规则包与正在使用的版本号相同（第 %d 版）但内容不同，已拒绝。",
			"the rule pack has the same revision as the one in use (%d) but different content; it was refused",
			newer.Revision)
	}
	return nil
}

func strictDecode(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return describeJSONError(data, err)
	}
	if dec.More() {
		l, c := position(data, dec.InputOffset())
		return &InputError{Line: l, Column: c, ZH: "JSON 值之后还有多余的内容。", EN: "extra data after the JSON value"}
	}
	return nil
}

// RuleIDs lists every rule of the pack, sorted.
func (p *Pack) RuleIDs() []string {
	ids := make([]string, 0, len(p.rules))
	for id := range p.rules {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// Rule finds a rule by id.
func (p *Pack) Rule(id string) (*Rule, bool) {
	r, ok := p.rules[id]
	return r, ok
}

// Province finds a province by its code.
func (p *Pack) Province(code string) (*Province, bool) {
	v, ok := p.provByCode[code]
	return v, ok
}

// IsProvinceAbbr says whether s is the one-character abbreviation of a province.
func (p *Pack) IsProvinceAbbr(s string) bool {
	_, ok := p.provByAbbr[s]
	return ok
}

// ProvinceByAbbr finds a province by its abbreviation, e.g. "蜀".
func (p *Pack) ProvinceByAbbr(abbr string) (*Province, bool) {
	v, ok := p.provByAbbr[abbr]
	return v, ok
}

// SubjectType finds a subject type by its code.
func (p *Pack) SubjectType(code string) (*SubjectType, bool) {
	v, ok := p.subjects[code]
	return v, ok
}

// CertificateType finds a certificate type by its code.
func (p *Pack) CertificateType(code string) (*CertificateType, bool) {
	v, ok := p.certs[code]
	return v, ok
}

// ProductRule finds a product by its code.
func (p *Pack) ProductRule(code string) (*ProductRule, bool) {
	v, ok := p.products[code]
	return v, ok
}

// ServiceContent finds a service-content code.
func (p *Pack) ServiceContent(code string) (*ServiceContent, bool) {
	v, ok := p.contents[code]
	return v, ok
}

// check returns a Check rule by id. Validate refers to checks by fixed ids;
// a pack without one of them fails to load (see index), so this never fails
// for a loaded pack.
func (p *Pack) check(id string) *Check { return p.checks[id] }

// requiredChecks are the rules whose logic is in Validate; a pack must
// define each, with its source, so every finding can cite one.
var requiredChecks = []string{
	"format.resident_id", "format.credit_code", "format.credit_code_checksum", "format.credit_category",
	"format.org_code", "format.icp_number", "format.icp_licence", "format.service_number",
	"format.mobile", "format.mobile_virtual", "format.landline", "format.email", "format.domain",
	"format.person_id", "format.certificate_type", "format.id_validity",
	"required.field", "domain.one_per_site", "domain.duplicate",
	"name.min_han", "name.letters_digits_only", "name.symbols", "name.not_domain",
	"address.house_number", "address.same_province",
	"person.personal_same_owner", "person.owners_differ", "person.distinct_contacts", "person.id_province",
	"access.sms_mobile", "access.data_matches", "access.continue_blocked", "access.password",
	"product.type", "product.eligibility", "product.region",
	"backdrop.mainland", "preparation.read", "icp.province_matches",
	"content.personal", "subject.cross_province",
}

func documentSlot(docs []DocumentRule, slot string) bool {
	for i := range docs {
		if docs[i].Slot == slot {
			return true
		}
	}
	return false
}

func (p *Pack) index() error {
	if p.Schema != PackSchema {
		return fmt.Errorf("schema %d, this build reads schema %d", p.Schema, PackSchema)
	}
	if p.Revision < 1 || p.Published == 0 {
		return errors.New("revision and published date are required")
	}
	p.rules = map[string]*Rule{}
	p.citation = map[string]string{}
	p.checks = map[string]*Check{}
	p.provByCode = map[string]*Province{}
	p.provByAbbr = map[string]*Province{}
	p.subjects = map[string]*SubjectType{}
	p.certs = map[string]*CertificateType{}
	p.products = map[string]*ProductRule{}
	p.contents = map[string]*ServiceContent{}

	var errs []error
	add := func(r *Rule) {
		switch {
		case r.ID == "":
			errs = append(errs, errors.New("a rule has no id"))
			return
		case p.rules[r.ID] != nil:
			errs = append(errs, fmt.Errorf("rule %s is defined twice", r.ID))
		case r.From == 0:
			errs = append(errs, fmt.Errorf("rule %s has no effective-from date", r.ID))
		case r.Until != 0 && r.Until <= r.From:
			errs = append(errs, fmt.Errorf("rule %s ends before it starts", r.ID))
		}
		if _, ok := p.Sources[r.Source]; !ok {
			errs = append(errs, fmt.Errorf("rule %s cites unknown source %q", r.ID, r.Source))
		}
		switch r.Confidence {
		case "H", "M", "L":
		default:
			errs = append(errs, fmt.Errorf("rule %s: confidence must be H, M or L", r.ID))
		}
		p.rules[r.ID] = r
		cite := r.Source + " (" + p.Sources[r.Source].Date + ")"
		if r.Ref != "" {
			cite += ": " + r.Ref
		}
		p.citation[r.ID] = cite
	}
	for i := range p.Provinces {
		v := &p.Provinces[i]
		add(&v.Rule)
		if len(v.Code) != 2 || v.Abbr == "" || v.ZH == "" || v.EN == "" {
			errs = append(errs, fmt.Errorf("province %s needs a 2-digit code, an abbreviation and names", v.ID))
		}
		p.provByCode[v.Code] = v
		p.provByAbbr[v.Abbr] = v
	}
	scopes := func(id string, s *Scope) {
		if len(s.Provinces) == 0 {
			errs = append(errs, fmt.Errorf("rule %s has no provinces", id))
		}
		for _, c := range s.Provinces {
			if _, ok := p.provByCode[c]; !ok && c != "*" {
				errs = append(errs, fmt.Errorf("rule %s names unknown province %q", id, c))
			}
		}
		switch s.Subjects {
		case "", "personal", "unit":
		default:
			errs = append(errs, fmt.Errorf("rule %s: subjects must be personal, unit or empty", id))
		}
	}
	for i := range p.CertificateTypes {
		v := &p.CertificateTypes[i]
		add(&v.Rule)
		p.certs[v.Code] = v
		switch v.Number {
		case "resident_id", "credit_code", "org_code", "credit_or_org", "free":
		default:
			errs = append(errs, fmt.Errorf("certificate %s: unknown number check %q", v.ID, v.Number))
		}
	}
	for i := range p.SubjectTypes {
		v := &p.SubjectTypes[i]
		add(&v.Rule)
		p.subjects[v.Code] = v
		for _, c := range v.Certificates {
			if _, ok := p.certs[c]; !ok {
				errs = append(errs, fmt.Errorf("subject type %s names unknown certificate %q", v.ID, c))
			}
		}
	}
	for i := range p.ServiceContents {
		add(&p.ServiceContents[i].Rule)
		p.contents[p.ServiceContents[i].Code] = &p.ServiceContents[i]
	}
	for i := range p.SMS {
		add(&p.SMS[i].Rule)
		scopes(p.SMS[i].ID, &p.SMS[i].Scope)
	}
	for i := range p.SMSValidity {
		add(&p.SMSValidity[i].Rule)
	}
	for i := range p.SMSVerifiers {
		add(&p.SMSVerifiers[i].Rule)
	}
	for i := range p.PhotoMethods {
		v := &p.PhotoMethods[i]
		add(&v.Rule)
		scopes(v.ID, &v.Scope)
		switch v.Method {
		case "backdrop", "face_white", "shanghai_app", "app_or_backdrop":
		default:
			errs = append(errs, fmt.Errorf("photo method %s: unknown method %q", v.ID, v.Method))
		}
	}
	for i := range p.Backgrounds {
		v := &p.Backgrounds[i]
		add(&v.Rule)
		if len(v.RGB) != 7 || v.RGB[0] != '#' || len(v.Methods) == 0 || v.SatMax < v.SatMin || v.ValMin < 0 || v.ValMin > 1 {
			errs = append(errs, fmt.Errorf("photo background %s needs methods, an #rrggbb colour and valid ranges", v.ID))
		}
	}
	for i := range p.LegalReps {
		add(&p.LegalReps[i].Rule)
		scopes(p.LegalReps[i].ID, &p.LegalReps[i].Scope)
	}
	for i := range p.NonLocal {
		v := &p.NonLocal[i]
		add(&v.Rule)
		scopes(v.ID, &v.Scope)
		if v.Policy != "forbidden" && v.Policy != "residence_permit" {
			errs = append(errs, fmt.Errorf("rule %s: policy must be forbidden or residence_permit", v.ID))
		}
	}
	for i := range p.MinimumAges {
		add(&p.MinimumAges[i].Rule)
		scopes(p.MinimumAges[i].ID, &p.MinimumAges[i].Scope)
	}
	for i := range p.LocalPhones {
		add(&p.LocalPhones[i].Rule)
		scopes(p.LocalPhones[i].ID, &p.LocalPhones[i].Scope)
	}
	for i := range p.DomainCerts {
		add(&p.DomainCerts[i].Rule)
		scopes(p.DomainCerts[i].ID, &p.DomainCerts[i].Scope)
	}
	for i := range p.SiteLimits {
		add(&p.SiteLimits[i].Rule)
		scopes(p.SiteLimits[i].ID, &p.SiteLimits[i].Scope)
	}
	for i := range p.DomainDays {
		add(&p.DomainDays[i].Rule)
		scopes(p.DomainDays[i].ID, &p.DomainDays[i].Scope)
	}
	for i := range p.NameWords {
		add(&p.NameWords[i].Rule)
		scopes(p.NameWords[i].ID, &p.NameWords[i].Scope)
	}
	for i := range p.NameFormats {
		add(&p.NameFormats[i].Rule)
		scopes(p.NameFormats[i].ID, &p.NameFormats[i].Scope)
	}
	for i := range p.Uploads {
		v := &p.Uploads[i]
		add(&v.Rule)
		if v.MaxBytes <= 0 || len(v.Formats) == 0 {
			errs = append(errs, fmt.Errorf("upload rule %s needs formats and a size limit", v.ID))
		}
	}
	for i := range p.Documents {
		v := &p.Documents[i]
		add(&v.Rule)
		scopes(v.ID, &v.Scope)
		switch v.When {
		case "", "domain_certificate", "authorisation", "residence_permit":
		default:
			errs = append(errs, fmt.Errorf("document rule %s: unknown condition %q", v.ID, v.When))
		}
	}
	for i := range p.Products {
		add(&p.Products[i].Rule)
		p.products[p.Products[i].Code] = &p.Products[i]
	}
	for i := range p.Reviews {
		add(&p.Reviews[i].Rule)
	}
	for i := range p.Stitching {
		v := &p.Stitching[i]
		add(&v.Rule)
		scopes(v.ID, &v.Scope)
		if v.Slot == "" || len(v.Adds) == 0 {
			errs = append(errs, fmt.Errorf("stitch rule %s needs a slot and what it adds", v.ID))
		}
		// The slot and the documents added are slots of the documents list,
		// or the domain list page, or any other supporting document.
		for _, slot := range append([]string{v.Slot}, v.Adds...) {
			if slot != "domain_list" && slot != "other" && !documentSlot(p.Documents, slot) {
				errs = append(errs, fmt.Errorf("stitch rule %s names unknown slot %q", v.ID, slot))
			}
		}
	}
	for i := range p.DomainLists {
		v := &p.DomainLists[i]
		add(&v.Rule)
		scopes(v.ID, &v.Scope)
		switch v.Place {
		case DomainListSeparatePage, DomainListOnForm, DomainListDomainField:
		default:
			errs = append(errs, fmt.Errorf("domain list rule %s: unknown place %q", v.ID, v.Place))
		}
	}
	for i := range p.Checks {
		v := &p.Checks[i]
		add(&v.Rule)
		if len(v.Provinces) > 0 {
			scopes(v.ID, &v.Scope)
		}
		p.checks[v.ID] = v
	}
	for _, id := range requiredChecks {
		if p.checks[id] == nil {
			errs = append(errs, fmt.Errorf("check %s is missing", id))
		}
	}
	if len(p.Provinces) != 31 {
		errs = append(errs, fmt.Errorf("%d provinces, expected the 31 mainland provinces", len(p.Provinces)))
	}
	return errors.Join(errs...)
}

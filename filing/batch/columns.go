// Package batch is the agency batch mode: a spreadsheet template, import of
// many filings from XLSX or CSV (with scans matched from a folder), a batch
// check that adds batch-level rules to each filing's own Validate, a report
// of every finding to XLSX or CSV, and a bulk-submit driver over the outbox.
//
// It holds no GUI code; the window and the CLI call it.
package batch

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/icpfiling/icpfiling/filing"
)

// level says whether a column belongs to the whole filing (the same on
// every row of a key) or to one website (its own row).
type level int

const (
	filingLevel level = iota
	websiteLevel
)

// Column is one column of the template.
type Column struct {
	Key     string // the English code, also the second header row
	ZH, EN  string // what a person reads
	Example string // the example row's value
	// Required columns must be non-empty on a row that starts a filing
	// (filing level) or on every row (website level).
	Required bool
	// Text columns hold long digit strings (ID numbers, mobiles) that
	// Excel would turn into numbers and round; the template formats them as
	// text.
	Text  bool
	level level
	// isBool columns take 是/否 (or yes/no, true/false, 1/0); their codes
	// are only for the notes.
	isBool bool
	// codes lists the allowed values, from the rule pack, with their labels.
	codes func(p *filing.Pack) []Code
	set   func(t *target, v string) error
}

// Code is one allowed value of a coded column.
type Code struct{ Value, ZH, EN string }

// target is where one row's cells go.
type target struct {
	app  *filing.Application
	site *filing.Website
	// siteOwnerSame copies the subject owner to the website owner.
	siteOwnerSame bool
}

// cellError is a cell's value that cannot be used; never echoes the value.
type cellError struct{ zh, en string }

func (e *cellError) Error() string { return e.en }

func badCell(zh, en string) error { return &cellError{zh, en} }

var boolCodes = []Code{{"是", "是", "yes"}, {"否", "否", "no"}}

func parseBool(v string) (bool, error) {
	switch strings.ToLower(v) {
	case "是", "y", "yes", "true", "1", "√":
		return true, nil
	case "否", "n", "no", "false", "0", "":
		return false, nil
	}
	return false, badCell("应填“是”或“否”。", "must be 是 (yes) or 否 (no)")
}

func parseInt(v string) (int, error) {
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, badCell("应为非负整数。", "must be a whole number ≥ 0")
	}
	return n, nil
}

// digits refuses a long number Excel stored as a number: "3.30106E+17"
// lost its last digits and cannot be repaired here.
func digits(v string) (string, error) {
	if strings.ContainsAny(v, "Ee") && strings.Contains(v, "+") {
		if _, err := strconv.ParseFloat(v, 64); err == nil {
			return "", badCell("被 Excel 存成了数字（科学计数法），末几位已丢失：请把该列设为“文本”后重新填写。",
				"Excel stored it as a number (scientific notation) and lost the last digits: format the column as Text and type it again")
		}
	}
	return v, nil
}

// coded matches v against the codes by value, Chinese or English label,
// so a person may type either the code or what the notes sheet shows.
func coded(codes []Code, v string) (string, error) {
	for _, c := range codes {
		if strings.EqualFold(v, c.Value) || v == c.ZH || strings.EqualFold(v, c.EN) {
			return c.Value, nil
		}
	}
	return "", badCell("不是允许的取值，请见“取值说明”。", "is not an allowed value; see the notes sheet")
}

// fromPack turns one of the pack's coded lists into template codes.
func fromPack(list func(*filing.Pack) []filing.Named) func(*filing.Pack) []Code {
	return func(p *filing.Pack) []Code {
		names := list(p)
		out := make([]Code, len(names))
		for i, n := range names {
			out[i] = Code{n.Code, n.ZH, n.EN}
		}
		return out
	}
}

var (
	provinceCodes = fromPack((*filing.Pack).ProvinceNames)
	subjectCodes  = fromPack((*filing.Pack).SubjectTypeNames)
	serviceCodes  = fromPack((*filing.Pack).ServiceContentNames)
	productCodes  = fromPack((*filing.Pack).ProductNames)
)

func certificateCodes(person bool) func(p *filing.Pack) []Code {
	return fromPack(func(p *filing.Pack) []filing.Named { return p.CertificateNames(person) })
}

func fixed(cs ...Code) func(*filing.Pack) []Code { return func(*filing.Pack) []Code { return cs } }

// str sets a plain text field.
func str(get func(t *target) *string) func(t *target, v string) error {
	return func(t *target, v string) error { *get(t) = v; return nil }
}

// num sets a text field that holds digits (IDs, mobiles).
func num(get func(t *target) *string) func(t *target, v string) error {
	return func(t *target, v string) error {
		d, err := digits(v)
		*get(t) = d
		return err
	}
}

func boolean(get func(t *target) *bool) func(t *target, v string) error {
	return func(t *target, v string) error {
		b, err := parseBool(v)
		*get(t) = b
		return err
	}
}

// The key column comes first: rows with the same key are one filing
// (one order), each row adding one website.
const keyColumn = "key"

// Columns are the template's columns, in order. Filing-level columns need
// be filled only on a key's first row; when repeated they must agree.
var Columns = []Column{
	{Key: keyColumn, ZH: "备案键", EN: "filing key", Example: "C001", Required: true, level: filingLevel,
		set: func(*target, string) error { return nil }},
	{Key: "kind", ZH: "接入类型", EN: "access kind", Example: "new_access", Required: true, level: filingLevel,
		codes: fixed(Code{"new_access", "新增接入", "new access"}, Code{"continue_access", "继续接入", "continue access"}),
		set:   func(t *target, v string) error { t.app.Kind = filing.AccessKind(v); return nil }},
	{Key: "province", ZH: "备案省份", EN: "filing province", Example: "33", Required: true, level: filingLevel, codes: provinceCodes,
		set: str(func(t *target) *string { return &t.app.Province })},
	{Key: "preparation_read", ZH: "已阅读接入须知", EN: "access notes read", Example: "是", level: filingLevel,
		isBool: true, codes: fixed(boolCodes...), set: boolean(func(t *target) *bool { return &t.app.PreparationRead })},
	{Key: "subject_type", ZH: "主办单位性质", EN: "subject type", Example: "enterprise", Required: true, level: filingLevel, codes: subjectCodes,
		set: str(func(t *target) *string { return &t.app.Subject.Type })},
	{Key: "certificate_type", ZH: "主办单位证件类型", EN: "certificate type", Example: "business_licence", Required: true, level: filingLevel,
		codes: certificateCodes(false), set: str(func(t *target) *string { return &t.app.Subject.CertificateType })},
	{Key: "certificate_number", ZH: "主办单位证件号码", EN: "certificate number", Example: "91330106MA27U8L9X1", Required: true, Text: true, level: filingLevel,
		set: num(func(t *target) *string { return &t.app.Subject.CertificateNumber })},
	{Key: "subject_name", ZH: "主办单位名称", EN: "subject name", Example: "杭州示例科技有限公司", Required: true, level: filingLevel,
		set: str(func(t *target) *string { return &t.app.Subject.Name })},
	{Key: "domicile_province", ZH: "证件住所省份", EN: "domicile province", Example: "33", level: filingLevel, codes: provinceCodes,
		set: str(func(t *target) *string { return &t.app.Subject.Domicile.Province })},
	{Key: "domicile_city", ZH: "证件住所城市", EN: "domicile city", Example: "杭州市", level: filingLevel,
		set: str(func(t *target) *string { return &t.app.Subject.Domicile.City })},
	{Key: "domicile_district", ZH: "证件住所区县", EN: "domicile district", Example: "西湖区", level: filingLevel,
		set: str(func(t *target) *string { return &t.app.Subject.Domicile.District })},
	{Key: "domicile_detail", ZH: "证件住所详细地址", EN: "domicile street address", Example: "文三路 90 号 1 幢 501 室", level: filingLevel,
		set: str(func(t *target) *string { return &t.app.Subject.Domicile.Detail })},
	{Key: "mailing_detail", ZH: "通讯地址（空则同证件住所）", EN: "mailing street address (empty: as domicile)", Example: "", level: filingLevel,
		set: str(func(t *target) *string { return &t.app.Subject.MailingAddress.Detail })},
	{Key: "investor", ZH: "投资人或主管单位", EN: "investor or supervising body", Example: "张三", level: filingLevel,
		set: str(func(t *target) *string { return &t.app.Subject.Investor })},
	{Key: "owner_name", ZH: "主体负责人姓名", EN: "subject owner name", Example: "张三", Required: true, level: filingLevel,
		set: str(func(t *target) *string { return &t.app.Subject.Owner.Name })},
	{Key: "owner_id_type", ZH: "主体负责人证件类型", EN: "subject owner ID type", Example: "resident_id", Required: true, level: filingLevel,
		codes: certificateCodes(true), set: str(func(t *target) *string { return &t.app.Subject.Owner.IDType })},
	{Key: "owner_id_number", ZH: "主体负责人证件号码", EN: "subject owner ID number", Example: "330106198503152417", Required: true, Text: true, level: filingLevel,
		set: num(func(t *target) *string { return &t.app.Subject.Owner.IDNumber })},
	{Key: "owner_id_valid_until", ZH: "主体负责人证件有效期至", EN: "subject owner ID valid until", Example: "2035-03-15", Text: true, level: filingLevel,
		set: str(func(t *target) *string { return &t.app.Subject.Owner.IDValidUntil })},
	{Key: "owner_mobile", ZH: "主体负责人手机", EN: "subject owner mobile", Example: "13800138000", Required: true, Text: true, level: filingLevel,
		set: num(func(t *target) *string { return &t.app.Subject.Owner.Mobile })},
	{Key: "owner_phone2", ZH: "主体负责人联系方式2", EN: "subject owner phone 2", Example: "086-0571-88158388", Text: true, level: filingLevel,
		set: num(func(t *target) *string { return &t.app.Subject.Owner.Phone2 })},
	{Key: "owner_email", ZH: "主体负责人邮箱", EN: "subject owner email", Example: "zhangsan@example.com", level: filingLevel,
		set: str(func(t *target) *string { return &t.app.Subject.Owner.Email })},
	{Key: "owner_legal_rep", ZH: "主体负责人为法定代表人", EN: "subject owner is legal representative", Example: "是", level: filingLevel,
		isBool: true, codes: fixed(boolCodes...), set: boolean(func(t *target) *bool { return &t.app.Subject.Owner.LegalRepresentative })},
	{Key: "product_type", ZH: "产品类型", EN: "product type", Example: "aliyun", Required: true, level: filingLevel,
		codes: fixed(Code{"aliyun", "阿里云", "Alibaba Cloud"}, Code{"wanwang", "万网主机", "Wanwang host"}),
		set:   str(func(t *target) *string { return &t.app.Product.Type })},
	{Key: "product", ZH: "产品", EN: "product", Example: "ecs", Required: true, level: filingLevel, codes: productCodes,
		set: str(func(t *target) *string { return &t.app.Product.Product })},
	{Key: "service_number", ZH: "备案服务号", EN: "service number", Example: "32a43232-a888-88e8-b9ec-00888be8a1b2", Text: true, level: filingLevel,
		set: str(func(t *target) *string { return &t.app.Product.ServiceNumber })},
	{Key: "console_user", ZH: "万网主机控制台用户名", EN: "Wanwang console user", Example: "", level: filingLevel,
		set: str(func(t *target) *string { return &t.app.Product.ConsoleUser })},
	{Key: "months", ZH: "购买时长（月）", EN: "months purchased", Example: "12", level: filingLevel,
		set: func(t *target, v string) error {
			n, err := parseInt(v)
			t.app.Product.Months = n
			return err
		}},
	{Key: "public_bandwidth", ZH: "有公网带宽", EN: "public bandwidth", Example: "是", level: filingLevel,
		isBool: true, codes: fixed(boolCodes...), set: boolean(func(t *target) *bool { return &t.app.Product.PublicBandwidth })},
	{Key: "mainland_region", ZH: "大陆地域", EN: "mainland region", Example: "是", level: filingLevel,
		isBool: true, codes: fixed(boolCodes...), set: boolean(func(t *target) *bool { return &t.app.Product.MainlandRegion })},
	{Key: "filing_password", ZH: "工信部备案密码", EN: "MIIT filing password", Example: "", Text: true, level: filingLevel,
		set: func(t *target, v string) error {
			if v != "" {
				t.app.FilingPassword = filing.NewSecret(v)
			}
			return nil
		}},
	{Key: "domain", ZH: "网站域名", EN: "domain", Example: "example.com", Required: true, level: websiteLevel,
		set: str(func(t *target) *string { return &t.site.Domain })},
	{Key: "domain_expires", ZH: "域名到期日", EN: "domain expires", Example: "2028-06-30", Text: true, level: websiteLevel,
		set: str(func(t *target) *string { return &t.site.DomainExpires })},
	{Key: "site_name", ZH: "网站名称", EN: "website name", Example: "示例科技官方网站", Required: true, level: websiteLevel,
		set: str(func(t *target) *string { return &t.site.Name })},
	{Key: "icp_number", ZH: "网站备案号", EN: "ICP number", Example: "浙ICP备2021003158号-1", Required: true, level: websiteLevel,
		set: str(func(t *target) *string { return &t.site.ICPNumber })},
	{Key: "service_content", ZH: "网站服务内容", EN: "service content", Example: "unit_portal", Required: true, level: websiteLevel, codes: serviceCodes,
		set: str(func(t *target) *string { return &t.site.ServiceContent })},
	{Key: "languages", ZH: "网站语言（逗号分隔）", EN: "languages (comma-separated)", Example: "zh-Hans", level: websiteLevel,
		set: func(t *target, v string) error {
			t.site.Languages = nil
			for _, l := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == '，' || r == ';' }) {
				if l = strings.TrimSpace(l); l != "" {
					t.site.Languages = append(t.site.Languages, l)
				}
			}
			return nil
		}},
	{Key: "site_owner_same", ZH: "网站负责人同主体负责人", EN: "website owner is the subject owner", Example: "否", level: websiteLevel,
		isBool: true, codes: fixed(boolCodes...), set: boolean(func(t *target) *bool { return &t.siteOwnerSame })},
	{Key: "site_owner_name", ZH: "网站负责人姓名", EN: "website owner name", Example: "李四", level: websiteLevel,
		set: str(func(t *target) *string { return &t.site.Owner.Name })},
	{Key: "site_owner_id_type", ZH: "网站负责人证件类型", EN: "website owner ID type", Example: "resident_id", level: websiteLevel,
		codes: certificateCodes(true), set: str(func(t *target) *string { return &t.site.Owner.IDType })},
	{Key: "site_owner_id_number", ZH: "网站负责人证件号码", EN: "website owner ID number", Example: "330106199007125238", Text: true, level: websiteLevel,
		set: num(func(t *target) *string { return &t.site.Owner.IDNumber })},
	{Key: "site_owner_id_valid_until", ZH: "网站负责人证件有效期至", EN: "website owner ID valid until", Example: "长期", Text: true, level: websiteLevel,
		set: str(func(t *target) *string { return &t.site.Owner.IDValidUntil })},
	{Key: "site_owner_mobile", ZH: "网站负责人手机", EN: "website owner mobile", Example: "13900139000", Text: true, level: websiteLevel,
		set: num(func(t *target) *string { return &t.site.Owner.Mobile })},
	{Key: "site_owner_emergency", ZH: "网站负责人应急电话", EN: "website owner emergency phone", Example: "13700137000", Text: true, level: websiteLevel,
		set: num(func(t *target) *string { return &t.site.Owner.Emergency })},
	{Key: "site_owner_email", ZH: "网站负责人邮箱", EN: "website owner email", Example: "lisi@example.com", level: websiteLevel,
		set: str(func(t *target) *string { return &t.site.Owner.Email })},
}

// Codes lists the allowed values of a coded column, nil for a free one.
func (c *Column) Codes(p *filing.Pack) []Code {
	if c.codes == nil {
		return nil
	}
	return c.codes(p)
}

// Header is the column's Chinese header, with its English code in a second row.
func (c *Column) Header(lang string) string {
	if lang == "en" {
		return c.EN
	}
	return c.ZH
}

func columnIndex(key string) int {
	for i, c := range Columns {
		if c.Key == key {
			return i
		}
	}
	panic(fmt.Sprintf("batch: no column %q", key))
}

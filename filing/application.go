// Package filing is the domain of an ICP 接入备案 (access filing): the
// application a person fills in, the dated rule pack it is checked against,
// the steps of the filing flow and Validate, which turns the two into
// findings. It is pure: no GUI, no disk, no network.
package filing

import (
	"encoding/json"
	"fmt"
	"time"
)

// SchemaVersion is the version of the Application JSON format written by
// this build. Readers of older versions migrate on load (see the store).
const SchemaVersion = 1

// AccessKind is the kind of access filing the backend will detect.
type AccessKind string

const (
	// NewAccess (新增接入): the subject has never filed through Alibaba Cloud.
	NewAccess AccessKind = "new_access"
	// ContinueAccess (继续接入): the subject already has a successful
	// filing at Alibaba Cloud; unavailable while another order of the same
	// subject is in progress.
	ContinueAccess AccessKind = "continue_access"
)

// Application is one 接入备案: everything the applicant supplies for one
// order, plus what happened to it after submission.
type Application struct {
	SchemaVersion int        `json:"schema_version"`
	ID            string     `json:"id,omitempty"`
	Kind          AccessKind `json:"kind"`
	// Province is the GB/T 2260 code of the filing province, e.g. "33".
	Province string `json:"province"`
	// PreparationRead records that the applicant read the 接入须知
	// (nothing can be changed during access; data must equal the original
	// filing), which step 0 asks for.
	PreparationRead bool `json:"preparation_read"`
	// OtherOrderInProgress is true when another order of this subject is
	// still open, which makes 继续接入 unavailable.
	OtherOrderInProgress bool `json:"other_order_in_progress,omitempty"`

	Subject  Subject   `json:"subject"`
	Websites []Website `json:"websites"`
	Product  Product   `json:"product"`
	// FilingPassword is the 工信部备案密码 issued by MIIT for the ICP number.
	FilingPassword Secret `json:"filing_password"`

	Documents []Document      `json:"documents,omitempty"`
	Photo     Photo           `json:"photo"`
	Backdrop  BackdropRequest `json:"backdrop"`
	SMS       SMSVerification `json:"sms"`
	Timeline  []StatusEvent   `json:"timeline,omitempty"`
	// Acknowledgements are the scans' warnings the applicant chose to send
	// anyway (readiness.go), kept with the filing.
	Acknowledgements []Acknowledgement `json:"acknowledgements,omitempty"`
	// CheckedUnder is the revision of the rule pack the filing was last
	// checked under (MarkChecked), so that a newer pack that changes its
	// findings is told, not applied silently (NewFindings). 0: not known.
	CheckedUnder int `json:"checked_under,omitempty"`
}

// Subject is the 主办单位 (or the person, for a personal filing).
type Subject struct {
	// Type is the 主办单位性质, a code from the rule pack's subject types.
	Type string `json:"type"`
	// CertificateType is a code from the rule pack's certificate types.
	CertificateType   string `json:"certificate_type"`
	CertificateNumber string `json:"certificate_number"`
	Name              string `json:"name"`
	// Domicile is the 证件住所, the address printed on the certificate.
	Domicile Address `json:"domicile"`
	// MailingAddress is the 通讯地址.
	MailingAddress Address `json:"mailing_address"`
	// Investor is the 投资人或主管单位.
	Investor string `json:"investor,omitempty"`
	// Owner is the 主体负责人.
	Owner Person `json:"owner"`
	// ResidencePermit is true when a personal filer whose ID was issued in
	// another province holds a residence permit of the filing province.
	ResidencePermit bool   `json:"residence_permit,omitempty"`
	Remark          string `json:"remark,omitempty"`
}

// Person is a 负责人: the 主体负责人 or a 网站负责人.
type Person struct {
	Name     string `json:"name"`
	IDType   string `json:"id_type"`
	IDNumber string `json:"id_number"`
	// IDValidUntil is the certificate's expiry, "YYYY-MM-DD", or "长期".
	IDValidUntil string `json:"id_valid_until,omitempty"`
	// Mobile is 联系方式1: a mobile that reaches the person.
	Mobile string `json:"mobile"`
	// Phone2 is 联系方式2: a mobile or a landline 086-区号-号码.
	Phone2 string `json:"phone2,omitempty"`
	// Emergency is the 应急联系电话.
	Emergency string `json:"emergency,omitempty"`
	Email     string `json:"email"`
	// LegalRepresentative is true when the person is the unit's 法定代表人.
	LegalRepresentative bool `json:"legal_representative,omitempty"`
}

// Address is a postal address in mainland China or elsewhere.
type Address struct {
	// Province is the GB/T 2260 province code; empty outside the mainland.
	Province string `json:"province"`
	City     string `json:"city,omitempty"`
	District string `json:"district,omitempty"`
	// Detail is the street and house number.
	Detail string `json:"detail"`
	// MostDetailed states that there is no house number, which the filing
	// system accepts with the remark "此地址已是最详细地址".
	MostDetailed bool `json:"most_detailed,omitempty"`
	// Abroad marks an address outside the mainland.
	Abroad bool `json:"abroad,omitempty"`
}

// Website is one site of the order.
type Website struct {
	Domain string `json:"domain"`
	// DomainExpires is the domain's registration expiry, "YYYY-MM-DD".
	DomainExpires string `json:"domain_expires,omitempty"`
	Name          string `json:"name"`
	// ICPNumber is the site's existing 网站备案号, e.g. 浙ICP备2021003158号-1.
	ICPNumber string `json:"icp_number"`
	// ServiceContent is a code from the rule pack, e.g. "other".
	ServiceContent string   `json:"service_content"`
	Languages      []string `json:"languages"`
	Remark         string   `json:"remark,omitempty"`
	// Owner is the 网站负责人; for a personal filing it is the 主体负责人.
	Owner Person `json:"owner"`
}

// Product is the 产品验证 step: which Alibaba Cloud product hosts the site.
type Product struct {
	// Type is "aliyun" (阿里云, verified by a 备案服务号) or "wanwang"
	// (万网主机, a virtual host verified by its console user and password).
	Type string `json:"type"`
	// Product is a code from the rule pack's products, e.g. "ecs".
	Product         string `json:"product"`
	ServiceNumber   string `json:"service_number,omitempty"`
	ConsoleUser     string `json:"console_user,omitempty"`
	ConsolePassword Secret `json:"console_password"`
	// Months is the purchased period including renewals.
	Months int `json:"months"`
	// AmountYuan is the order amount, for marketplace products.
	AmountYuan float64 `json:"amount_yuan,omitempty"`
	// PublicBandwidth is true when an ECS instance has public bandwidth.
	PublicBandwidth bool `json:"public_bandwidth,omitempty"`
	// MainlandRegion is true when the instance is in a mainland region.
	MainlandRegion bool `json:"mainland_region"`
}

// Document is one upload slot and what fills it.
type Document struct {
	// Slot is a code from the rule pack's documents, e.g. "subject_certificate".
	Slot string `json:"slot"`
	// Website is the index of the website the document belongs to, for
	// per-site documents; -1 or absent for the subject.
	Website    int         `json:"website,omitempty"`
	Attachment *Attachment `json:"attachment,omitempty"`
}

// Attachment names a file kept in the attachment store by content hash.
type Attachment struct {
	SHA256       string `json:"sha256"`
	Size         int64  `json:"size"`
	MediaType    string `json:"media_type"`
	OriginalName string `json:"original_name"`
	// Parts are the pictures the file was stitched from, in their order in
	// it (icp-rules.md 1.1.8: a supporting document with no upload slot of
	// its own goes into one image with its main certificate), each kept in
	// the attachment store as chosen. The file itself is what is uploaded;
	// the parts are kept so that the stitching can be changed or undone.
	// Empty for a file taken as it is.
	Parts []Attachment `json:"parts,omitempty"`
}

// The number of parts a stitched file has: a main certificate and up to
// five supporting documents (imaging.MinComposeParts, MaxComposeParts).
const (
	MinAttachmentParts = 2
	MaxAttachmentParts = 6
)

// Files are the attachment and its parts: every file of the store it
// needs (what a bundle carries, what must exist for it to be changed).
func (a Attachment) Files() []Attachment {
	out := []Attachment{a}
	for _, p := range a.Parts {
		p.Parts = nil // parts are not nested (PartsProblem)
		out = append(out, p)
	}
	return out
}

// PartsProblem says, in "zh" and "en", what is wrong with the recorded
// parts of a stitched file: too few or too many, a part without its hash,
// or a part that is itself stitched. Empty strings: nothing. Whether each
// part is in the attachment store is for the store's holder to verify.
func (a Attachment) PartsProblem() (zh, en string) {
	n := len(a.Parts)
	if n == 0 {
		return "", ""
	}
	if n < MinAttachmentParts || n > MaxAttachmentParts {
		return fmt.Sprintf("拼接图记录了 %d 个部分，应为 %d–%d 个。", n, MinAttachmentParts, MaxAttachmentParts),
			fmt.Sprintf("The stitched image records %d parts; it must have %d to %d.", n, MinAttachmentParts, MaxAttachmentParts)
	}
	for i, p := range a.Parts {
		if len(p.SHA256) != 64 {
			return fmt.Sprintf("拼接图的第 %d 部分没有记录文件。", i+1), fmt.Sprintf("Part %d of the stitched image names no file.", i+1)
		}
		if len(p.Parts) > 0 {
			return fmt.Sprintf("拼接图的第 %d 部分本身也是拼接图。", i+1), fmt.Sprintf("Part %d of the stitched image is itself stitched.", i+1)
		}
	}
	return "", ""
}

// Photo is the 网站负责人 verification photo (backdrop or face photo).
type Photo struct {
	Attachment *Attachment `json:"attachment,omitempty"`
	// Website is the index of the website whose owner is in the photo.
	Website int `json:"website,omitempty"`
}

// BackdropRequest is the address a backdrop (幕布) is mailed to.
type BackdropRequest struct {
	Requested bool    `json:"requested"`
	Recipient string  `json:"recipient,omitempty"`
	Phone     string  `json:"phone,omitempty"`
	Address   Address `json:"address"`
}

// SMSVerification is the MIIT SMS check (短信核验) after the order reaches
// the provincial bureau.
type SMSVerification struct {
	// SentAt is when the code arrived; the deadline counts from it.
	SentAt   *time.Time `json:"sent_at,omitempty"`
	Verified bool       `json:"verified,omitempty"`
}

// Status is where an order stands in review.
type Status string

// The order states named in the provider's documentation.
const (
	StatusDraft           Status = "draft"
	StatusSubmitted       Status = "submitted"
	StatusInitialReview   Status = "initial_review"   // 初审中
	StatusInitialRejected Status = "initial_rejected" // 初审驳回
	StatusPhotoReview     Status = "photo_review"     // 照片审核
	StatusPendingBureau   Status = "pending_bureau"   // 待提交管局
	StatusSMS             Status = "sms_verification" // 短信核验
	StatusBureauReview    Status = "bureau_review"    // 管局审核
	StatusBureauRejected  Status = "bureau_rejected"  // 管局驳回
	StatusApproved        Status = "approved"         // 正常
	StatusWithdrawn       Status = "withdrawn"
)

var statusNames = map[Status][2]string{
	StatusDraft:           {"草稿", "Draft"},
	StatusSubmitted:       {"已提交", "Submitted"},
	StatusInitialReview:   {"初审中", "Initial review"},
	StatusInitialRejected: {"初审驳回", "Rejected at the initial review"},
	StatusPhotoReview:     {"照片审核", "Photo review"},
	StatusPendingBureau:   {"待提交管局", "Waiting for the bureau"},
	StatusSMS:             {"短信核验", "SMS verification"},
	StatusBureauReview:    {"管局审核中", "Bureau review"},
	StatusBureauRejected:  {"管局驳回", "Rejected by the bureau"},
	StatusApproved:        {"审核通过", "Approved"},
	StatusWithdrawn:       {"已撤回", "Withdrawn"},
}

// Label is the status as a person reads it, in "zh" or "en"; an unknown
// status (from a newer backend) shows as its code.
func (s Status) Label(lang string) string {
	n, ok := statusNames[s]
	if !ok {
		return string(s)
	}
	if lang == "en" {
		return n[1]
	}
	return n[0]
}

// StatusEvent is one entry of an order's timeline.
type StatusEvent struct {
	At     time.Time `json:"at"`
	Status Status    `json:"status"`
	// Reasons are a rejection's reasons, kept verbatim as the reviewer wrote them.
	Reasons []string `json:"reasons,omitempty"`
	Note    string   `json:"note,omitempty"`
}

// CurrentStatus is the latest status of the timeline, or draft.
func (a *Application) CurrentStatus() Status {
	if len(a.Timeline) == 0 {
		return StatusDraft
	}
	return a.Timeline[len(a.Timeline)-1].Status
}

// ApplyTimeline takes the backend's timeline for this order. The MIIT SMS
// arrives when the order reaches the SMS step, so that event's time starts
// the code's deadline.
func (a *Application) ApplyTimeline(events []StatusEvent) {
	a.Timeline = append([]StatusEvent(nil), events...)
	for _, e := range events {
		if e.Status == StatusSMS && a.SMS.SentAt == nil {
			at := e.At
			a.SMS.SentAt = &at
		}
		if e.Status == StatusBureauReview || e.Status == StatusApproved {
			// Past the SMS step: the code was entered in time.
			if a.SMS.SentAt != nil {
				a.SMS.Verified = true
			}
		}
	}
}

// Clone is a deep copy of a, secrets included: what a worker reads off the
// goroutine that keeps editing a.
func (a *Application) Clone() *Application {
	data, err := json.Marshal(a)
	if err != nil {
		panic("filing: an Application that cannot be encoded: " + err.Error())
	}
	out := &Application{}
	if err := json.Unmarshal(data, out); err != nil {
		panic("filing: an Application that cannot be decoded: " + err.Error())
	}
	// JSON masks the secrets; copy them as they are.
	out.FilingPassword = a.FilingPassword
	out.Product.ConsolePassword = a.Product.ConsolePassword
	return out
}

package filing

import (
	"strconv"
	"strings"
	"time"
)

// Step is one step of Alibaba Cloud's documented 接入备案 flow.
type Step int

// The steps, in order (DESIGN.md "The flow").
const (
	StepPrepare        Step = iota // 0 接入须知 / 准备
	StepVerifyType                 // 1 验证备案类型
	StepProduct                    // 2 产品验证
	StepFilingPassword             // 3 工信部备案密码
	StepAccessInfo                 // 4 填写接入信息
	StepUpload                     // 5 上传资料
	StepPhoto                      // 6 网站负责人拍照核验
	StepSMS                        // 7 短信核验
	StepSubmit                     // 8 提交与进度
	stepCount
)

var stepNames = [stepCount][2]string{
	{"接入须知与准备", "Notes and preparation"},
	{"验证备案类型", "Verify the filing type"},
	{"产品验证", "Product verification"},
	{"工信部备案密码", "MIIT filing password"},
	{"填写接入信息", "Access information"},
	{"上传资料", "Upload documents"},
	{"网站负责人拍照核验", "Website owner photo"},
	{"短信核验", "SMS verification"},
	{"提交与进度", "Submit and progress"},
}

// AllSteps lists the steps in order.
func AllSteps() []Step {
	s := make([]Step, stepCount)
	for i := range s {
		s[i] = Step(i)
	}
	return s
}

// Name is the step's title in "zh" or "en".
func (s Step) Name(lang string) string {
	if s < 0 || s >= stepCount {
		return ""
	}
	if lang == "en" {
		return stepNames[s][1]
	}
	return stepNames[s][0]
}

// identityFields are asked in step 1 of a 新增接入, where the backend
// detects the filing type from the domain and the subject's certificate.
var identityFields = []string{"subject.type", "subject.certificate_type", "subject.certificate_number", "subject.name"}

// StepOf says which step asks for a field, so a finding can be shown there.
func StepOf(field string, kind AccessKind) Step {
	head, rest, _ := strings.Cut(field, ".")
	if i := strings.IndexByte(head, '['); i >= 0 {
		head = head[:i]
	}
	switch head {
	case "province", "preparation_read", "kind", "other_order_in_progress":
		return StepPrepare
	case "product":
		return StepProduct
	case "filing_password":
		return StepFilingPassword
	case "documents":
		return StepUpload
	case "photo", "backdrop":
		return StepPhoto
	case "sms":
		return StepSMS
	case "timeline":
		return StepSubmit
	}
	if kind == NewAccess {
		if head == "websites" && rest == "domain" {
			return StepVerifyType
		}
		for _, f := range identityFields {
			if field == f {
				return StepVerifyType
			}
		}
	}
	return StepAccessInfo
}

// StepStatus is what a step's mark in the sidebar says.
type StepStatus int

const (
	// StepNotStarted: only missing values or files stop the step.
	StepNotStarted StepStatus = iota
	// StepChecking: a file of the step is still being checked.
	StepChecking
	// StepBlocked: a finding other than a missing value stops the step.
	StepBlocked
	// StepToConfirm: nothing blocks, but a scan's warning awaits the
	// applicant's acknowledgement.
	StepToConfirm
	// StepDone: nothing blocks and nothing awaits confirmation.
	StepDone
	// StepNotNeeded: the province and kind skip the step.
	StepNotNeeded
)

// Label is the status as the sidebar says it.
func (s StepStatus) Label(lang string) string {
	zh := [...]string{"未开始", "检查中…", "有问题", "待确认", "已完成", "无需此步"}
	en := [...]string{"not started", "checking…", "blocked", "to confirm", "done", "not needed here"}
	if s < 0 || int(s) >= len(zh) {
		return ""
	}
	if lang == "en" {
		return en[s]
	}
	return zh[s]
}

// StepState is where one step stands.
type StepState struct {
	Step Step
	// Applies is false for a step this province and kind skip.
	Applies  bool
	Complete bool
	Status   StepStatus
	Blocking []Finding
	Warnings []Finding
	// ToConfirm are the step's scan warnings not yet acknowledged, and
	// Checking its files without a report yet (Assess only).
	ToConfirm []Finding
	Checking  []Finding
	// NoteZH/NoteEN explain why a step is skipped or how it is done here.
	NoteZH, NoteEN string
}

// Note is the step's note in "zh" or "en".
func (s StepState) Note(lang string) string {
	if lang == "en" {
		return s.NoteEN
	}
	return s.NoteZH
}

// Flow is the state machine of the filing's steps.
type Flow struct {
	Steps []StepState
	// Current is the first applicable step that is not complete.
	Current Step
}

// Plan works out which steps apply, which are complete and what blocks each,
// from the application and its findings (from Validate with the same pack
// and date). Assess plans with the scans' state too.
func Plan(app *Application, pack *Pack, asOf time.Time, findings []Finding) Flow {
	return plan(app, pack, asOf, findings, nil)
}

func plan(app *Application, pack *Pack, asOf time.Time, findings, checking []Finding) Flow {
	day := DateOf(asOf)
	f := Flow{Steps: make([]StepState, stepCount), Current: StepSubmit}
	for i := range f.Steps {
		f.Steps[i] = StepState{Step: Step(i), Applies: true}
	}
	if app.Kind == ContinueAccess {
		st := &f.Steps[StepVerifyType]
		st.Applies = false
		st.NoteZH = "继续接入从已备案主体的“继续接入备案”按钮开始，无需验证备案类型。"
		st.NoteEN = "A continue-access filing starts from the filed subject's \"继续接入备案\" button; the type is not verified again."
	}
	if m, _ := pack.PhotoMethodFor(app.Province, day); m != nil {
		st := &f.Steps[StepPhoto]
		st.NoteZH, st.NoteEN = m.ZH, m.EN
		if m.Method == "shanghai_app" {
			st.Applies = false
		}
	}
	if r := pack.SMSRuleFor(app.Province, day); r == nil {
		st := &f.Steps[StepSMS]
		st.Applies = false
		st.NoteZH = "该省在此日期无短信核验要求。"
		st.NoteEN = "The province has no SMS verification on this date."
	} else if v := pack.SMSValidityOn(day); v != nil {
		st := &f.Steps[StepSMS]
		sinceZH, sinceEN := smsValiditySince(pack, v)
		st.NoteZH = "本省自 " + r.From.String() + " 起须进行短信核验：工信部短信发送至网站负责人联系方式 1，收到后须在 " + strconv.Itoa(v.Hours) + " 小时内完成核验" + sinceZH + "。"
		st.NoteEN = "SMS verification has applied in this province since " + r.From.String() + ": MIIT texts the website owner's mobile (联系方式 1); enter the code within " + strconv.Itoa(v.Hours) + " hours" + sinceEN + "."
	}
	// Until the province is known, nothing says what the photo and SMS
	// steps ask: they are neither done nor skipped.
	unknownProvince := strings.TrimSpace(app.Province) == ""
	if unknownProvince {
		for _, s := range []Step{StepUpload, StepPhoto, StepSMS} {
			st := &f.Steps[s]
			st.Applies = true
			st.NoteZH, st.NoteEN = "请先在第 0 步选择备案省份：本步骤的要求因省而异。", "Choose the filing province in step 0 first: what this step asks depends on it."
		}
	}
	for _, fd := range findings {
		st := &f.Steps[fd.Step]
		switch fd.Severity {
		case Block:
			st.Blocking = append(st.Blocking, fd)
		case Warn:
			st.Warnings = append(st.Warnings, fd)
			if fd.File != "" && !app.Acknowledged(fd) {
				st.ToConfirm = append(st.ToConfirm, fd)
			}
		}
	}
	for _, fd := range checking {
		st := &f.Steps[fd.Step]
		st.Checking = append(st.Checking, fd)
	}
	for i := range f.Steps {
		st := &f.Steps[i]
		st.Complete = st.Applies && len(st.Blocking) == 0 && len(st.Checking) == 0 && len(st.ToConfirm) == 0
		if unknownProvince && (st.Step == StepUpload || st.Step == StepPhoto || st.Step == StepSMS) {
			st.Complete = false
		}
		st.Status = stepStatus(st, unknownProvince)
	}
	// The last step is complete once the order has left the draft state.
	f.Steps[StepSubmit].Complete = app.CurrentStatus() != StatusDraft
	if f.Steps[StepSubmit].Complete {
		f.Steps[StepSubmit].Status = StepDone
	} else {
		f.Steps[StepSubmit].Status = StepNotStarted
	}
	for i := range f.Steps {
		if f.Steps[i].Applies && !f.Steps[i].Complete {
			f.Current = Step(i)
			break
		}
	}
	return f
}

func stepStatus(st *StepState, unknownProvince bool) StepStatus {
	missingOnly := true
	for _, b := range st.Blocking {
		missingOnly = missingOnly && b.Missing
	}
	switch {
	case !st.Applies:
		return StepNotNeeded
	case len(st.Blocking) > 0 && !missingOnly:
		return StepBlocked
	case len(st.Checking) > 0:
		return StepChecking
	case len(st.Blocking) > 0:
		return StepNotStarted
	case unknownProvince && (st.Step == StepUpload || st.Step == StepPhoto || st.Step == StepSMS):
		return StepNotStarted
	case len(st.ToConfirm) > 0:
		return StepToConfirm
	}
	return StepDone
}

// Next is the step after from that applies, and the findings that stop the
// user from going there: a step is passed only when it has no blocking finding.
func (f Flow) Next(from Step) (Step, []Finding) {
	if from >= 0 && from < stepCount {
		if b := f.Steps[from].Blocking; len(b) > 0 {
			return from, b
		}
	}
	for s := from + 1; s < stepCount; s++ {
		if f.Steps[s].Applies {
			return s, nil
		}
	}
	return from, nil
}

// Previous is the applicable step before from.
func (f Flow) Previous(from Step) Step {
	for s := from - 1; s >= 0; s-- {
		if f.Steps[s].Applies {
			return s
		}
	}
	return from
}

// ReadyToSubmit says whether every applicable step before submission is complete.
func (f Flow) ReadyToSubmit() bool {
	for _, st := range f.Steps[:StepSubmit] {
		if st.Applies && !st.Complete {
			return false
		}
	}
	return true
}

package filing

import (
	"testing"
	"time"
)

func TestPlan(t *testing.T) {
	pack := DefaultPack()
	cases := []struct {
		name        string
		asOf        time.Time
		edit        func(a *Application)
		skipped     []Step
		current     Step
		blockedStep Step // a step that must be blocked, -1 for none
	}{
		{name: "complete Zhejiang new access", edit: func(a *Application) {}, current: StepSubmit, blockedStep: -1},
		{name: "continue access skips type verification", edit: func(a *Application) { a.Kind = ContinueAccess },
			skipped: []Step{StepVerifyType}, current: StepSubmit, blockedStep: -1},
		{name: "Shanghai verifies in its app", edit: func(a *Application) {
			inProvince(a, "31")
			a.Subject.Owner.LegalRepresentative = true
			a.Websites[0].Owner.LegalRepresentative = true
			a.Photo.Attachment = nil
		}, skipped: []Step{StepPhoto}, current: StepSubmit, blockedStep: -1},
		{name: "no SMS in Zhejiang in August 2018", asOf: day("2018-08-15"), edit: func(a *Application) {},
			skipped: []Step{StepSMS}, current: StepSubmit, blockedStep: -1},
		{name: "missing password blocks step 3", edit: func(a *Application) { a.FilingPassword = Secret{} },
			current: StepFilingPassword, blockedStep: StepFilingPassword},
		{name: "bad domain blocks step 1 of a new access", edit: func(a *Application) { a.Websites[0].Domain = "1.2.3.4" },
			current: StepVerifyType, blockedStep: StepVerifyType},
		{name: "bad domain blocks step 4 of a continue access", edit: func(a *Application) {
			a.Kind = ContinueAccess
			a.Websites[0].Domain = "1.2.3.4"
		}, skipped: []Step{StepVerifyType}, current: StepAccessInfo, blockedStep: StepAccessInfo},
		{name: "missing scan blocks step 5", edit: func(a *Application) { a.Documents = nil }, current: StepUpload, blockedStep: StepUpload},
		{name: "notes unread block step 0", edit: func(a *Application) { a.PreparationRead = false }, current: StepPrepare, blockedStep: StepPrepare},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := completeApp()
			tc.edit(a)
			asOf := tc.asOf
			if asOf.IsZero() {
				asOf = today
			}
			flow := Plan(a, pack, asOf, Validate(a, pack, asOf))
			skipped := map[Step]bool{}
			for _, s := range tc.skipped {
				skipped[s] = true
			}
			for _, st := range flow.Steps {
				if st.Applies == skipped[st.Step] {
					t.Errorf("step %d applies=%v", st.Step, st.Applies)
				}
				if !st.Applies && st.NoteZH == "" {
					t.Errorf("skipped step %d has no explanation", st.Step)
				}
				if blocked := len(st.Blocking) > 0; blocked != (st.Step == tc.blockedStep) {
					t.Errorf("step %d blocked=%v: %s", st.Step, blocked, dump(st.Blocking))
				}
			}
			if flow.Current != tc.current {
				t.Errorf("current step %d, want %d", flow.Current, tc.current)
			}
			if tc.blockedStep >= 0 {
				if to, why := flow.Next(tc.blockedStep); to != tc.blockedStep || len(why) == 0 {
					t.Errorf("Next from blocked step %d went to %d", tc.blockedStep, to)
				}
				if flow.ReadyToSubmit() {
					t.Error("ready to submit with a blocked step")
				}
			} else if !flow.ReadyToSubmit() {
				t.Error("not ready to submit")
			}
			for _, s := range tc.skipped {
				if to, _ := flow.Next(s - 1); to == s {
					t.Errorf("Next entered skipped step %d", s)
				}
				if back := flow.Previous(s + 1); back == s {
					t.Errorf("Previous entered skipped step %d", s)
				}
			}
		})
	}
}

func TestWarningsDoNotBlockNext(t *testing.T) {
	a := completeApp()
	a.Websites[0].Owner.Mobile = "17012345678"
	pack := DefaultPack()
	flow := Plan(a, pack, today, Validate(a, pack, today))
	if len(flow.Steps[StepAccessInfo].Warnings) == 0 {
		t.Fatal("expected a warning in step 4")
	}
	if to, why := flow.Next(StepAccessInfo); to != StepUpload || why != nil {
		t.Errorf("a warning stopped Next: %d %v", to, why)
	}
}

func TestSubmittedCompletesLastStep(t *testing.T) {
	a := completeApp()
	a.Timeline = []StatusEvent{{At: today, Status: StatusSubmitted}, {At: today.Add(time.Hour), Status: StatusInitialReview}}
	pack := DefaultPack()
	flow := Plan(a, pack, today, Validate(a, pack, today))
	if !flow.Steps[StepSubmit].Complete || a.CurrentStatus() != StatusInitialReview {
		t.Errorf("submit step not complete after submission, status %s", a.CurrentStatus())
	}
}

func TestStepNames(t *testing.T) {
	want := []string{"接入须知与准备", "验证备案类型", "产品验证", "工信部备案密码", "填写接入信息", "上传资料", "网站负责人拍照核验", "短信核验", "提交与进度"}
	for i, s := range AllSteps() {
		if s.Name("zh") != want[i] || s.Name("en") == "" {
			t.Errorf("step %d: %q / %q", i, s.Name("zh"), s.Name("en"))
		}
	}
}

func TestStepOf(t *testing.T) {
	cases := []struct {
		field string
		kind  AccessKind
		want  Step
	}{
		{"province", NewAccess, StepPrepare},
		{"subject.certificate_number", NewAccess, StepVerifyType},
		{"subject.certificate_number", ContinueAccess, StepAccessInfo},
		{"websites[3].domain", NewAccess, StepVerifyType},
		{"websites[3].domain_expires", NewAccess, StepAccessInfo},
		{"websites[0].owner.mobile", NewAccess, StepAccessInfo},
		{"product.months", NewAccess, StepProduct},
		{"filing_password", NewAccess, StepFilingPassword},
		{"documents.website_owner_id[1]", NewAccess, StepUpload},
		{"backdrop.address.province", NewAccess, StepPhoto},
		{"sms", NewAccess, StepSMS},
	}
	for _, tc := range cases {
		if got := StepOf(tc.field, tc.kind); got != tc.want {
			t.Errorf("StepOf(%s, %s) = %d, want %d", tc.field, tc.kind, got, tc.want)
		}
	}
}

func TestApplyTimelineStartsTheSMSDeadline(t *testing.T) {
	a := completeApp()
	sms := today.Add(2 * time.Hour)
	a.ApplyTimeline([]StatusEvent{{At: today, Status: StatusSubmitted}, {At: sms, Status: StatusSMS}})
	if a.SMS.SentAt == nil || !a.SMS.SentAt.Equal(sms) || a.SMS.Verified {
		t.Fatalf("SMS state %+v", a.SMS)
	}
	a.ApplyTimeline([]StatusEvent{{At: today, Status: StatusSubmitted}, {At: sms, Status: StatusSMS}, {At: sms.Add(time.Hour), Status: StatusBureauReview}})
	if !a.SMS.Verified || a.CurrentStatus() != StatusBureauReview {
		t.Errorf("after the bureau review started: %+v, %s", a.SMS, a.CurrentStatus())
	}
}

package gui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/icpfiling/icpfiling/filing"
)

// viewOf is the field view of a path on the step on screen.
func viewOf(t *testing.T, wz *Wizard, path string) *fieldView {
	t.Helper()
	for _, v := range wz.fields.views {
		if v.path == path {
			return v
		}
	}
	t.Fatalf("no field %s on step %d", path, wz.Current())
	return nil
}

func hasView(wz *Wizard, path string) bool {
	for _, v := range wz.fields.views {
		if v.path == path {
			return true
		}
	}
	return false
}

// personalTestApp is the complete test filing turned into a personal one,
// with the subject owner not yet filled in.
func personalTestApp() *filing.Application {
	app := completeTestApp()
	app.Subject.Type = "personal"
	app.Subject.CertificateType = "resident_id"
	app.Subject.CertificateNumber = "330106198503152417"
	app.Subject.Name = "张三"
	app.Subject.Investor = ""
	app.Subject.Owner = filing.Person{}
	return app
}

// A finding appearing under a field, changing or going away never moves
// the fields below it: the next click lands where the user aimed.
func TestFindingDoesNotMoveTheNextField(t *testing.T) {
	app := completeTestApp()
	app.Websites[0].Name = ""
	wz, w, _ := newTestWizard(t, app)
	wz.show(filing.StepAccessInfo)
	name := viewOf(t, wz, "websites[0].name")
	next := viewOf(t, wz, "websites[0].icp_number")
	nameEntry := name.target.(*fieldEntry)
	// Measured within the step's body: the footer below may change the
	// window's split, which is not the form's doing.
	where := func() (fyne.Position, fyne.Size) {
		w.Canvas().Content().Refresh()
		d := fyne.CurrentApp().Driver()
		return d.AbsolutePositionForObject(next.target).Subtract(d.AbsolutePositionForObject(wz.body)), wz.body.MinSize()
	}
	pos0, size0 := where()
	if pos0.Y <= 0 {
		t.Fatalf("the next field is not laid out: %v", pos0)
	}

	test.Type(nameEntry, "示例")
	nameEntry.FocusLost()
	if !name.hint.Visible() || !strings.Contains(name.hint.Text, "网站名称至少需要 3 个汉字") {
		t.Fatalf("no finding shown: %q", name.hint.Text)
	}
	if h := (oneLine{}).MinSize(nil).Height; h < name.hint.MinSize().Height {
		t.Errorf("the reserved line (%v) is lower than the finding (%v)", h, name.hint.MinSize().Height)
	}
	if pos, size := where(); pos != pos0 || size != size0 {
		t.Errorf("the finding moved the next field from %v to %v (form %v → %v)", pos0, pos, size0, size)
	}

	// A longer message stays on its one line.
	wz.ctl.SetBackendFindings([]filing.Finding{{Rule: "backend", Severity: filing.Block, Field: "websites[0].name",
		ZH: strings.Repeat("很长的后端说明", 40), EN: strings.Repeat("a long message from the backend ", 40)}}, wz.ctl.App(), testDay())
	if !strings.Contains(name.hint.Text, "很长的后端说明") {
		t.Fatalf("the second finding is not shown: %q", name.hint.Text)
	}
	if pos, size := where(); pos != pos0 || size != size0 {
		t.Errorf("a long finding moved the next field from %v to %v (form %v → %v)", pos0, pos, size0, size)
	}
	// The line is cut short; a tap shows it whole.
	for _, o := range test.LaidOutObjects(w.Canvas().Content()) {
		if tap, ok := o.(*hintTap); ok && tap.hint == name.hint {
			test.Tap(tap)
		}
	}
	pop, ok := w.Canvas().Overlays().Top().(*widget.PopUp)
	if !ok || !strings.Contains(pop.Content.(*Paragraph).Text, strings.Repeat("很长的后端说明", 40)) {
		t.Error("tapping a finding does not show its full text")
	} else {
		pop.Hide()
	}
	wz.ctl.SetBackendFindings(nil, wz.ctl.App(), testDay())

	test.Type(nameEntry, "科技官网")
	if name.hint.Visible() {
		t.Fatalf("the finding stays: %q", name.hint.Text)
	}
	if pos, size := where(); pos != pos0 || size != size0 {
		t.Errorf("the finding going away moved the next field from %v to %v", pos0, pos)
	}
}

func TestFocusGoesToTheFieldOfAFinding(t *testing.T) {
	app := completeTestApp()
	wz, w, _ := newTestWizard(t, app)
	wz.show(filing.StepAccessInfo)
	cases := []struct {
		path    string
		onStep  bool
		focused bool
	}{
		{"websites[0].name", true, true},
		{"subject.owner.id_type", true, true},  // a select
		{"subject.domicile.city", true, true},  // a place picker
		{"websites[0].languages", true, false}, // a check group cannot take focus
		{"product.months", false, false},       // on another step
	}
	for _, tc := range cases {
		w.Canvas().Unfocus()
		if got := wz.fields.focus(tc.path, w.Canvas()); got != tc.onStep {
			t.Errorf("%s: focus says %v, want %v", tc.path, got, tc.onStep)
			continue
		}
		if !tc.onStep {
			continue
		}
		f := w.Canvas().Focused()
		target := viewOf(t, wz, tc.path).target
		if got := f != nil && fyne.CanvasObject(f.(fyne.CanvasObject)) == target; got != tc.focused {
			t.Errorf("%s: focused %T, target %T", tc.path, f, target)
		}
	}
	for _, v := range wz.fields.views {
		if v.target == nil {
			t.Errorf("field %s has no target", v.path)
		}
	}
}

// A personal filing is labelled for a person, and its 主体负责人 is the
// filer from step 1.
func TestPersonalFilingIsLabelledForAPerson(t *testing.T) {
	wz, w, _ := newTestWizard(t, personalTestApp())
	wz.show(filing.StepVerifyType)
	markup := shownText(w.Canvas())
	if strings.Contains(markup, "主办单位名称") || !strings.Contains(markup, ">姓名<") {
		t.Error("step 1 of a personal filing asks for a unit's name")
	}
	wz.show(filing.StepAccessInfo)
	o := wz.ctl.App().Subject.Owner
	if o.Name != "张三" || o.IDType != "resident_id" || o.IDNumber != "330106198503152417" {
		t.Errorf("the subject owner is not filled in from step 1: %+v", o)
	}
	if e := viewOf(t, wz, "subject.owner.name").target.(*fieldEntry); e.Text != "张三" {
		t.Errorf("the owner's name field shows %q", e.Text)
	}
	markup = shownText(w.Canvas())
	if strings.Contains(markup, "投资人或主管单位") || !strings.Contains(markup, "个人信息（备案人本人）") {
		t.Error("the access-info step of a personal filing is labelled for a unit")
	}
	// The review page says what the form said.
	wz.show(filing.StepSubmit)
	if markup = shownText(w.Canvas()); strings.Contains(markup, "主办单位名称") || !strings.Contains(markup, ">姓名<") {
		t.Error("the review page of a personal filing names a unit")
	}

	// An owner already given is kept.
	app := personalTestApp()
	app.Subject.Owner.Name = "李四"
	wz, _, _ = newTestWizard(t, app)
	wz.show(filing.StepAccessInfo)
	if got := wz.ctl.App().Subject.Owner; got.Name != "李四" || got.IDNumber != "" {
		t.Errorf("an owner being typed was overwritten: %+v", got)
	}
}

func TestMailingAddressSameAsDomicileIsOneClick(t *testing.T) {
	app := completeTestApp()
	app.Subject.MailingAddress.Detail = "文二路 1 号"
	wz, w, _ := newTestWizard(t, app)
	wz.show(filing.StepAccessInfo)
	sameCheck := func() *widget.Check {
		for _, o := range test.LaidOutObjects(w.Canvas().Content()) {
			if c, ok := o.(*widget.Check); ok && c.Text == "通讯地址同证件住所" {
				return c
			}
		}
		t.Fatal("no 通讯地址同证件住所 check")
		return nil
	}
	if sameCheck().Checked || !hasView(wz, "subject.mailing_address.detail") {
		t.Fatal("a different mailing address is shown as the domicile")
	}
	test.Tap(sameCheck())
	s := wz.ctl.App().Subject
	if s.MailingAddress != s.Domicile || !sameCheck().Checked || hasView(wz, "subject.mailing_address.detail") {
		t.Fatalf("one click did not copy the domicile: %+v", s.MailingAddress)
	}
	// While ticked, the mailing address follows the domicile.
	detail := viewOf(t, wz, "subject.domicile.detail").target.(*fieldEntry)
	detail.SetText(detail.Text + "A")
	if got := wz.ctl.App().Subject.MailingAddress.Detail; got != s.Domicile.Detail+"A" {
		t.Errorf("the mailing address did not follow the domicile: %q", got)
	}
	test.Tap(sameCheck())
	if m := wz.ctl.App().Subject.MailingAddress; m.Detail != "" || m.Province != "33" || !hasView(wz, "subject.mailing_address.detail") {
		t.Errorf("unticking does not ask for the mailing address: %+v", m)
	}
}

func TestCityAndCountyArePickedFromTheDivisions(t *testing.T) {
	app := completeTestApp()
	app.Subject.MailingAddress.Detail = "文二路 1 号" // not the domicile: its fields show
	wz, _, _ := newTestWizard(t, app)
	wz.show(filing.StepAccessInfo)
	city := viewOf(t, wz, "subject.mailing_address.city").target.(*widget.Select)
	district := func() *widget.Select {
		return viewOf(t, wz, "subject.mailing_address.district").target.(*widget.Select)
	}
	if city.Selected != "杭州市" || district().Selected != "西湖区" {
		t.Fatalf("the stored names are not selected: %q %q", city.Selected, district().Selected)
	}
	if n := len(city.Options); n != 12 || city.Options[n-1] != "其他（手动填写）" {
		t.Fatalf("Zhejiang's cities: %v", city.Options)
	}
	city.SetSelected("宁波市")
	a := wz.ctl.App().Subject.MailingAddress
	if a.City != "宁波市" || a.District != "" || !strings.Contains(strings.Join(district().Options, " "), "海曙区") {
		t.Fatalf("the counties do not follow the city: %+v, %v", a, district().Options)
	}
	district().SetSelected("海曙区")
	if len(wz.ctl.FieldFindings("subject.mailing_address.district")) != 0 {
		t.Error("a listed county has a finding")
	}

	// A county the list lacks is typed beside the list, with a warning.
	district().SetSelected("其他（手动填写）")
	v := viewOf(t, wz, "subject.mailing_address.district")
	entry, ok := v.target.(*fieldEntry)
	if !ok || !entry.Visible() {
		t.Fatalf("choosing 其他 does not reveal an entry: %T", v.target)
	}
	test.Type(entry, "新设区")
	if got := wz.ctl.App().Subject.MailingAddress.District; got != "新设区" {
		t.Fatalf("typed county %q", got)
	}
	found := wz.ctl.FieldFindings("subject.mailing_address.district")
	if len(found) != 1 || found[0].Rule != "address.division_unknown" || found[0].Severity != filing.Warn {
		t.Errorf("a typed county: %+v", found)
	}

	wz.show(filing.StepAccessInfo)
	if e := viewOf(t, wz, "subject.mailing_address.district").target.(*fieldEntry); e.Text != "新设区" {
		t.Errorf("a typed county is not shown when the step is reopened: %q", e.Text)
	}
}

// The verification form's wording and the product conditions follow the
// pack: a seal for units only; every condition of a product, not just its months.
func TestPrepareStepWording(t *testing.T) {
	cases := []struct {
		name         string
		app          *filing.Application
		want, absent []string
	}{
		{"unit", completeTestApp(), []string{"加盖单位公章"}, []string{"无需盖章"}},
		{"person", personalTestApp(), []string{"本人签字，无需盖章"}, []string{"公章"}},
	}
	for _, tc := range cases {
		wz, w, _ := newTestWizard(t, tc.app)
		wz.show(filing.StepPrepare)
		markup := shownText(w.Canvas())
		for _, s := range append(tc.want, "云服务器 ECS — 购买 3 个月及以上，且购买公网带宽", "建站市场（云市场）产品 — 购买 12 个月及以上，且订单金额 99 元及以上") {
			if !strings.Contains(markup, s) {
				t.Errorf("%s: the prepare step lacks %q", tc.name, s)
			}
		}
		for _, s := range tc.absent {
			if strings.Contains(markup, s) {
				t.Errorf("%s: the prepare step says %q", tc.name, s)
			}
		}
	}
}

// A marketplace product asks for its order amount, which Validate checks.
func TestMarketplaceAsksForTheOrderAmount(t *testing.T) {
	app := completeTestApp()
	app.Product.Product = "marketplace"
	wz, _, _ := newTestWizard(t, app)
	wz.show(filing.StepProduct)
	e := viewOf(t, wz, "product.amount_yuan").target.(*fieldEntry)
	test.Type(e, "120")
	if got := wz.ctl.App().Product.AmountYuan; got != 120 {
		t.Errorf("amount %v", got)
	}
}

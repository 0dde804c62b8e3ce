package gui

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/icpfiling/icpfiling/filing"
	"github.com/icpfiling/icpfiling/imaging"
	"github.com/icpfiling/icpfiling/imaging/testgen"
	"github.com/icpfiling/icpfiling/internal/textcheck"
)

// placeholderRE finds a template action of a translation, "{{.N}}".
var placeholderRE = regexp.MustCompile(`\{\{[^}]*\}\}|%[-+# 0-9.]*[a-zA-Z]`)

// shownText is the canvas as test.RenderToMarkup draws it, then the
// whole text of every visible paragraph on it and on its overlays, which
// the markup shows broken into lines.
func shownText(c fyne.Canvas) string {
	var b strings.Builder
	b.WriteString(test.RenderToMarkup(c))
	for _, root := range append([]fyne.CanvasObject{c.Content()}, c.Overlays().List()...) {
		for _, o := range test.LaidOutObjects(root) {
			if p, ok := o.(*Paragraph); ok && p.Visible() {
				b.WriteString("\n" + p.Text)
			}
		}
	}
	return b.String()
}

// loadTranslations reads one of the translation files, key → text.
func loadTranslations(t *testing.T, name string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("translations", name))
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// Every Chinese translation is Chinese (format names, units and the
// abbreviations of textcheck.Allowed aside), and each translation keeps
// exactly the placeholders of its key, so that none is left unfilled or
// shows as "{{.N}}".
func TestTranslationTexts(t *testing.T) {
	zh, en := loadTranslations(t, "zh_Hans.json"), loadTranslations(t, "en.json")
	holes := func(s string) []string {
		h := placeholderRE.FindAllString(s, -1)
		slices.Sort(h)
		return h
	}
	for key, z := range zh {
		if key == "app.language" { // the language's code, not a text
			continue
		}
		if w := textcheck.LatinWords(placeholderRE.ReplaceAllString(z, " ")); len(w) > 0 {
			t.Errorf("%q: the Chinese text holds English %q: %q", key, w, z)
		}
		for lng, v := range map[string]string{"zh": z, "en": en[key]} {
			if !slices.Equal(holes(v), holes(key)) {
				t.Errorf("%q: the %s text has placeholders %q, the key %q", key, lng, holes(v), holes(key))
			}
		}
	}
}

// An upload slot's headline says what is wrong and what to do; the
// numbers, each in the user's language, and the source of the limits sit
// behind a closed Details disclosure.
func TestUploadSlotDetailsText(t *testing.T) {
	wz, _, _ := newTestWizard(t, completeTestApp())
	wz.show(filing.StepUpload)
	var sv *slotView
	for _, s := range wz.slots {
		if attachmentOf(wz.ctl.App(), s.slot, s.website) != nil {
			sv = s
			break
		}
	}
	if sv == nil {
		t.Fatal("no filled slot on the upload step")
	}
	img := testgen.Document(testgen.DocSpec{Shape: testgen.IDCard, W: 1600, H: 1200, Angle: -4, Blur: 4})
	rep := &imaging.Report{Kind: imaging.KindIDFront, Checks: imaging.CheckDocument(imaging.FromImage(img, 1), imaging.KindIDFront)}
	rep.Verdict = imaging.Worst(rep.Checks)
	wz.showSlot(sv, rep)

	if !sv.details.Visible() || sv.details.Items[0].Open {
		t.Errorf("the details are not there, closed: visible %v", sv.details.Visible())
	}
	if !strings.Contains(sv.checks.Text, "图像模糊") || strings.Contains(sv.checks.Text, "实测") {
		t.Errorf("the headline should say what is wrong, without numbers: %q", sv.checks.Text)
	}
	d := sv.detailsText.Text
	for _, want := range []string{"实测 清晰度", "限值 ≥", "来源：", "（2026）"} {
		if !strings.Contains(d, want) {
			t.Errorf("the details do not say %q:\n%s", want, d)
		}
	}
	for _, line := range strings.Split(d, "\n") {
		if strings.HasPrefix(line, "来源：") {
			continue // a source's title is as its authors wrote it
		}
		if w := textcheck.LatinWords(line); len(w) > 0 || textcheck.Unfilled(line) {
			t.Errorf("a details line holds English %q or a placeholder: %q", w, line)
		}
	}
}

// The SMS step's notes say since when their rules apply and where they
// come from, with the source's date: the built-in rules differ from the
// seed's 2018 page (seven pilot provinces, 48 hours).
func TestSMSNotesShowSourceText(t *testing.T) {
	wz, w, _ := newTestWizard(t, completeTestApp())
	wz.show(filing.StepSMS)
	var texts []string
	for _, o := range test.LaidOutObjects(w.Canvas().Content()) {
		switch l := o.(type) {
		case *widget.Label:
			texts = append(texts, l.Text)
		case *Paragraph: // its Label holds the text with line breaks
			texts = append(texts, l.Text)
		}
	}
	all := strings.Join(texts, "\n")
	for _, want := range []string{"本省自 2020-08-17 起须进行短信核验", "此前为 48 小时", "来源：华为云 ICP 备案知识库（2025-12-31）", "自 2020-08-17 起适用"} {
		if !strings.Contains(all, want) {
			t.Errorf("the SMS step does not say %q:\n%s", want, all)
		}
	}
	if strings.Contains(all, "ℹ") || strings.Contains(all, "于此日期") {
		t.Errorf("a note starts with a letter or names no date:\n%s", all)
	}
}

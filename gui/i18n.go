package gui

import (
	"embed"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"github.com/jeandeaual/go-locale"
	"golang.org/x/text/language"

	// Before Fyne reads the locale: see the package.
	_ "github.com/icpfiling/icpfiling/internal/earlylocale"
)

//go:embed translations
var translations embed.FS

// LanguagePreference is the app preference that keeps the language chosen
// in Settings: "zh", "en", or empty to follow the system.
const LanguagePreference = "ui.language"

// translationFiles are the app's strings per language, Fyne's own dialog
// words included.
var translationFiles = map[string]string{"zh": "translations/zh_Hans.json", "en": "translations/en.json"}

// LoadTranslations registers the app's strings with Fyne's lang package.
// The Chinese file must be named zh_Hans.json: Fyne ignores zh.json for
// zh_CN users.
//
// pref "zh" or "en" shows that language whatever the system's locale.
// Fyne matches the system's locales against the languages it holds and
// cannot be told otherwise (on Windows and macOS it asks the OS, not the
// environment), so the chosen file is also registered under each locale
// the system reports, and under English, Fyne's fallback for a locale it
// cannot parse: whichever one Fyne matches, it finds the chosen strings.
func LoadTranslations(pref string) error {
	if err := lang.AddTranslationsFS(translations, "translations"); err != nil {
		return err
	}
	file, ok := translationFiles[pref]
	if !ok {
		return nil
	}
	data, err := translations.ReadFile(file)
	if err != nil {
		return err
	}
	for _, tag := range localeTags() {
		if err := lang.AddTranslationsForLocale(data, fyne.Locale(tag)); err != nil {
			return err
		}
	}
	return nil
}

// localeTags are the system's locales as Fyne may name them, and English.
func localeTags() []string {
	tags := []string{"en"}
	sys, _ := locale.GetLocales()
	for _, s := range sys {
		t, err := language.Parse(s)
		if err != nil {
			continue
		}
		tags = append(tags, t.String())
		// Fyne looks up base-region, dropping a script (zh-Hans-CN → zh-CN).
		b, _ := t.Base()
		if r, conf := t.Region(); conf == language.Exact {
			tags = append(tags, b.String()+"-"+r.String())
		}
	}
	return slices.Compact(slices.Sorted(slices.Values(tags)))
}

// Language is "zh" or "en": the language the domain's own texts (findings,
// step names) are shown in. It asks the translation Fyne picked, so the
// domain's texts always match the UI's, whatever the locale list was.
func Language() string {
	if lang.X("app.language", "en") == "zh" {
		return "zh"
	}
	return "en"
}

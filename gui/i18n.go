package gui

import (
	"embed"
	"os"
	"strings"

	"fyne.io/fyne/v2/lang"
)

//go:embed translations
var translations embed.FS

// PrepareLanguage chooses the UI language before the app starts. pref is
// "zh", "en" or "" (follow the system). Chinese comes first: a system
// without a usable locale (unset, C, POSIX — common on servers and in
// containers) gets Chinese rather than Fyne's English fallback. Fyne reads
// the locale from the environment on Linux; on Windows and macOS it asks the
// OS, where pref has no effect yet.
func PrepareLanguage(pref string) {
	switch pref {
	case "zh":
		setLocaleEnv("zh_CN.UTF-8")
	case "en":
		setLocaleEnv("en_US.UTF-8")
	default:
		if !hasUsableLocale() {
			setLocaleEnv("zh_CN.UTF-8")
		}
	}
}

func setLocaleEnv(loc string) {
	if v := os.Getenv("LC_ALL"); v != "" {
		_ = os.Unsetenv("LC_ALL")
	}
	_ = os.Unsetenv("LC_MESSAGES")
	_ = os.Setenv("LANG", loc)
	_ = os.Setenv("LANGUAGE", strings.SplitN(loc, ".", 2)[0])
}

func hasUsableLocale() bool {
	for _, k := range []string{"LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"} {
		v := os.Getenv(k)
		if v == "" {
			continue
		}
		return v != "C" && v != "POSIX" && !strings.HasPrefix(v, "C.")
	}
	return false
}

// LoadTranslations registers the app's strings with Fyne's lang package.
// The Chinese file must be named zh_Hans.json: Fyne ignores zh.json for
// zh_CN users.
func LoadTranslations() error {
	return lang.AddTranslationsFS(translations, "translations")
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

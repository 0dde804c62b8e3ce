package filing

// ParseError says why a value does not have the shape its standard requires.
// Code is stable (tests and the rule pack refer to it); ZH and EN are what a
// person reads, each a full sentence that names the fix where there is one.
type ParseError struct {
	Code string
	ZH   string
	EN   string
}

func (e *ParseError) Error() string { return e.EN }

// Message picks the text for a language tag ("zh" or "en"); Chinese is the default.
func (e *ParseError) Message(lang string) string {
	if lang == "en" {
		return e.EN
	}
	return e.ZH
}

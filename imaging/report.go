package imaging

import (
	"fmt"
	"image"
)

// Verdict is the outcome of one check, or of a whole file (its worst check).
type Verdict int

const (
	Pass Verdict = iota
	Warn
	// Doubtful means the check could not be trusted (e.g. the document's
	// outline is lost in a cluttered background): re-shoot rather than guess.
	Doubtful
	Fail
)

var verdictNames = [...]string{"pass", "warn", "doubtful", "fail"}

func (v Verdict) String() string {
	if int(v) < len(verdictNames) {
		return verdictNames[v]
	}
	return "unknown"
}

// MarshalText writes the verdict as its name in JSON reports.
func (v Verdict) MarshalText() ([]byte, error) { return []byte(v.String()), nil }

// UnmarshalText reads a verdict's name back, so that a kept report can be
// read again.
func (v *Verdict) UnmarshalText(b []byte) error {
	for i, n := range verdictNames {
		if n == string(b) {
			*v = Verdict(i)
			return nil
		}
	}
	return fmt.Errorf("unknown verdict %q", b)
}

// Kind is what a file is meant to be; it picks the checks and the limits.
type Kind string

// The kinds of file the filing uploads.
const (
	KindIDFront             Kind = "id_front"             // 身份证人像面
	KindIDBack              Kind = "id_back"              // 身份证国徽面
	KindBusinessLicence     Kind = "business_licence"     // 营业执照
	KindCertificate         Kind = "certificate"          // other unit certificates
	KindVerificationForm    Kind = "verification_form"    // 核验单
	KindDomainCertificate   Kind = "domain_certificate"   // 域名证书
	KindAuthorisationLetter Kind = "authorisation_letter" // 授权书
	KindPhoto               Kind = "photo"                // 网站负责人幕布照片
)

// Limits are the format and size rules of the filing's rule pack for one
// document type; the caller looks them up (filing.Pack.UploadFor) so that
// this package stays free of the rule pack's schema.
type Limits struct {
	RuleID string
	// Formats and Discouraged are media types, e.g. "image/jpeg".
	Formats     []string
	Discouraged []string
	// MaxBytes is exclusive ("under 4 MB"); MinBytes inclusive; 0 = none.
	MaxBytes int64
	MinBytes int64
}

// Background is the reference background of a verification photo, from the
// rule pack (filing.PhotoBackground): a pixel belongs to it when its HSV
// values fall in the ranges. HueMin > HueMax means no hue condition.
type Background struct {
	RuleID         string
	RGB            [3]uint8
	HueMin, HueMax float64
	SatMin, SatMax float64
	ValMin         float64
}

// Check is the result of one check on one file.
type Check struct {
	// ID names the check, e.g. "photo.clothing"; stable, for tests and the GUI.
	ID      string  `json:"id"`
	Verdict Verdict `json:"verdict"`
	// Measured and Threshold are as an English reader reads them
	// ("red 90 %", "< 10 %"); MeasuredZH and ThresholdZH as a Chinese one
	// does ("红色 90 %"). The Chinese ones are empty where the text is
	// numbers and units alone, which read the same in both: MeasuredIn and
	// ThresholdIn pick. The English fields keep their JSON names, so that a
	// report kept before the Chinese ones existed still reads.
	Measured    string `json:"measured,omitempty"`
	Threshold   string `json:"threshold,omitempty"`
	MeasuredZH  string `json:"measured_zh,omitempty"`
	ThresholdZH string `json:"threshold_zh,omitempty"`
	ZH          string `json:"zh"`
	EN          string `json:"en"`
	// Region is what the check is about ("face", "torso", "document",
	// "backdrop"), and Box its place in the original image's coordinates
	// (after EXIF orientation); empty when the check is about the whole file.
	Region string          `json:"region,omitempty"`
	Box    image.Rectangle `json:"box,omitzero"`
	// Fix names a one-click fix that addresses the problem ("fit_size",
	// "to_jpeg", "rotate"), if any.
	Fix string `json:"fix,omitempty"`
	// Mask marks the pixels the check is about (e.g. red or blue clothing)
	// in the working image's coordinates (Working.Img's bounds); the
	// annotated preview tints them in the verdict's colour. Optional.
	Mask *image.Alpha `json:"-"`
}

// Message is the check's text in "zh" or "en".
func (c Check) Message(lang string) string {
	if lang == "en" {
		return c.EN
	}
	return c.ZH
}

// MeasuredIn is what the check measured, in "zh" or "en".
func (c Check) MeasuredIn(lang string) string {
	if lang != "en" && c.MeasuredZH != "" {
		return c.MeasuredZH
	}
	return c.Measured
}

// ThresholdIn is the check's limit, in "zh" or "en".
func (c Check) ThresholdIn(lang string) string {
	if lang != "en" && c.ThresholdZH != "" {
		return c.ThresholdZH
	}
	return c.Threshold
}

// bilingual is a measure's or a limit's text in both languages.
type bilingual struct{ zh, en string }

// numeric is a text of numbers and units alone, the same in both languages.
func numeric(s string) bilingual { return bilingual{s, s} }

// bi is a text in Chinese and English.
func bi(zh, en string) bilingual { return bilingual{zh, en} }

// measured sets the check's measure in both languages.
func (c *Check) measured(t bilingual) {
	c.Measured, c.MeasuredZH = t.en, ""
	if t.zh != t.en {
		c.MeasuredZH = t.zh
	}
}

// threshold sets the check's limit in both languages.
func (c *Check) threshold(t bilingual) {
	c.Threshold, c.ThresholdZH = t.en, ""
	if t.zh != t.en {
		c.ThresholdZH = t.zh
	}
}

// Report is everything the checks found in one file.
type Report struct {
	Path      string  `json:"path"`
	Kind      Kind    `json:"kind"`
	MediaType string  `json:"media_type"`
	Size      int64   `json:"size"`
	Width     int     `json:"width"`
	Height    int     `json:"height"`
	Verdict   Verdict `json:"verdict"`
	Checks    []Check `json:"checks"`
	// Preview is a small copy of the image with each problem marked (boxes,
	// and a mask over red or blue clothing), for the GUI to show.
	Preview image.Image `json:"-"`
}

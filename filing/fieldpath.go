package filing

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
)

// A finding's Field is a path into the application's JSON ("subject.name",
// "websites[1].owner.mobile", "documents.domain_certificate[0]", "photo").
// This file reads those paths: what value a field holds (so that a
// backend's finding can be dropped once its field is edited) and whom or
// which website it concerns (so that two equal messages about two people
// say which is which).

var pathPart = regexp.MustCompile(`^([a-z0-9_]+)(?:\[(\d+)\])?$`)

// FieldValue is the value at path in app, as JSON text: what a finding's
// field held. A document slot's value is its file's SHA-256, the photo's
// the photo's; a secret is compared by whether it is set. ok is false for
// a path that does not lead to a value.
func FieldValue(app *Application, path string) (value string, ok bool) {
	switch {
	case path == "photo":
		if app.Photo.Attachment == nil {
			return "", true
		}
		return app.Photo.Attachment.SHA256, true
	case strings.HasPrefix(path, "documents."):
		m := pathPart.FindStringSubmatch(strings.TrimPrefix(path, "documents."))
		if m == nil {
			return "", false
		}
		website := -1
		if m[2] != "" {
			website, _ = strconv.Atoi(m[2])
		}
		for _, d := range app.Documents {
			if d.Slot == m[1] && (website < 0 || d.Website == website) && d.Attachment != nil {
				return d.Attachment.SHA256, true
			}
		}
		return "", true
	}
	data, err := json.Marshal(app)
	if err != nil {
		return "", false
	}
	var cur any
	if err := json.Unmarshal(data, &cur); err != nil {
		return "", false
	}
	for _, part := range strings.Split(path, ".") {
		m := pathPart.FindStringSubmatch(part)
		if m == nil {
			return "", false
		}
		obj, isObj := cur.(map[string]any)
		if !isObj {
			return "", false
		}
		cur = obj[m[1]]
		if m[2] != "" {
			list, isList := cur.([]any)
			i, _ := strconv.Atoi(m[2])
			if !isList || i >= len(list) {
				return "", false
			}
			cur = list[i]
		}
	}
	out, err := json.Marshal(cur)
	if err != nil {
		return "", false
	}
	return string(out), true
}

// Concerns names whom or which website the field at path belongs to, in
// lang ("zh" or "en"): "网站 1（example.com）的负责人 张三", "the subject
// owner 张三". It is empty for a field of the filing as a whole.
func Concerns(app *Application, path, lang string) string {
	pick := func(zh, en string) string {
		if lang == "en" {
			return en
		}
		return zh
	}
	named := func(n string) string {
		if n = strings.TrimSpace(n); n == "" {
			return ""
		}
		return " " + n
	}
	site := func(i int) string {
		s := pick("网站 "+strconv.Itoa(i+1), "website "+strconv.Itoa(i+1))
		if i < len(app.Websites) && strings.TrimSpace(app.Websites[i].Domain) != "" {
			s += pick("（"+app.Websites[i].Domain+"）", " ("+app.Websites[i].Domain+")")
		}
		return s
	}
	switch {
	case strings.HasPrefix(path, "subject.owner"):
		return pick("主体负责人", "the subject owner") + named(app.Subject.Owner.Name)
	case strings.HasPrefix(path, "subject."):
		return pick("主办者", "the subject") + named(app.Subject.Name)
	case strings.HasPrefix(path, "websites[") && strings.IndexByte(path, ']') > 0:
		end := strings.IndexByte(path, ']')
		i, err := strconv.Atoi(path[len("websites["):end])
		if err != nil {
			return ""
		}
		if strings.HasPrefix(path[end+1:], ".owner") {
			name := ""
			if i < len(app.Websites) {
				name = app.Websites[i].Owner.Name
			}
			return pick(site(i)+"的负责人", "the owner of "+site(i)) + named(name)
		}
		return site(i)
	case strings.HasPrefix(path, "documents.") && strings.HasSuffix(path, "]"):
		i, err := strconv.Atoi(path[strings.LastIndexByte(path, '[')+1 : len(path)-1])
		if err != nil {
			return ""
		}
		return site(i)
	}
	return ""
}

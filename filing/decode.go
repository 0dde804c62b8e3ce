package filing

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// InputError is an application file that cannot be read, with where the
// problem is, in both languages.
type InputError struct {
	Line, Column int
	ZH, EN       string
}

func (e *InputError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("line %d, column %d: %s", e.Line, e.Column, e.EN)
	}
	return e.EN
}

// Message is the text in "zh" or "en", with the position.
func (e *InputError) Message(lang string) string {
	if lang == "en" {
		return e.Error()
	}
	if e.Line > 0 {
		return fmt.Sprintf("第 %d 行第 %d 列：%s", e.Line, e.Column, e.ZH)
	}
	return e.ZH
}

// DecodeApplication reads an application from JSON. Unknown fields are
// refused, so a misspelt field name is reported instead of silently dropped.
func DecodeApplication(data []byte) (*Application, error) {
	var app Application
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, &InputError{ZH: "文件是空的。", EN: "the file is empty"}
	}
	if err := strictDecode(data, &app); err != nil {
		return nil, err
	}
	if app.SchemaVersion > SchemaVersion {
		return nil, &InputError{
			ZH: fmt.Sprintf("文件格式版本 %d 比本程序支持的 %d 新，请升级程序。", app.SchemaVersion, SchemaVersion),
			EN: fmt.Sprintf("format version %d is newer than this build reads (%d); update the app", app.SchemaVersion, SchemaVersion),
		}
	}
	return &app, nil
}

// describeJSONError turns a decoder error into an InputError that names
// the line and column and, for type errors, the field.
func describeJSONError(data []byte, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var ie *InputError
	switch {
	case errors.As(err, &ie):
		return ie
	case errors.As(err, &syn):
		l, c := position(data, syn.Offset-1)
		return &InputError{Line: l, Column: c, ZH: "JSON 语法错误：" + syn.Error(), EN: "JSON syntax error: " + syn.Error()}
	case errors.As(err, &typ):
		l, c := position(data, typ.Offset)
		return &InputError{Line: l, Column: c,
			ZH: fmt.Sprintf("字段 %s 应为 %s，实际是 %s。", typ.Field, typ.Type, typ.Value),
			EN: fmt.Sprintf("field %s must be %s, not %s", typ.Field, typ.Type, typ.Value)}
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		l, c := position(data, int64(len(data)))
		return &InputError{Line: l, Column: c, ZH: "文件在 JSON 结束前就结束了（可能被截断）。", EN: "the file ends before the JSON does (truncated?)"}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.TrimPrefix(err.Error(), "json: unknown field ")
		l, c := position(data, int64(bytes.Index(data, []byte(strings.Trim(name, `"`)))))
		return &InputError{Line: l, Column: c, ZH: "未知字段 " + name + "（拼写错误？）。", EN: "unknown field " + name + " (misspelt?)"}
	}
	return &InputError{ZH: err.Error(), EN: err.Error()}
}

// position converts a byte offset into a 1-based line and column (in runes).
func position(data []byte, offset int64) (line, col int) {
	if offset < 0 {
		return 0, 0
	}
	if offset > int64(len(data)) {
		offset = int64(len(data))
	}
	before := data[:offset]
	line = bytes.Count(before, []byte("\n")) + 1
	start := bytes.LastIndexByte(before, '\n') + 1
	col = len([]rune(string(before[start:]))) + 1
	return line, col
}

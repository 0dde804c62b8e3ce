// Package applog is the app's log: a size-rotated file in the data
// directory's log folder, written through a handler that removes personal
// data first, and a crash file written when the process dies of a panic.
//
// Logs are sent along with bug reports, so nothing that identifies a
// person or opens an account may reach them: resident ID numbers, unified
// social credit codes, mobile numbers, e-mail addresses, passwords and
// tokens are replaced before a line is formatted.
package applog

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
)

// Redacted replaces what is removed.
const Redacted = "[REDACTED]"

var (
	// 18-character resident ID (17 digits and a digit or X) and the
	// 18-character unified social credit code (GB 32100, letters without
	// I O Z S V). Word boundaries are ASCII-only in Go, which is what we
	// want: a Han character next to the number is a boundary.
	residentID = regexp.MustCompile(`\b\d{17}[\dXx]\b`)
	creditCode = regexp.MustCompile(`\b[0-9A-HJ-NP-RTUW-Y]{2}\d{6}[0-9A-HJ-NP-RTUW-Y]{10}\b`)
	// Mainland mobile numbers, with or without +86 / 86.
	mobile = regexp.MustCompile(`(?:\+86[- ]?|\b86[- ]?|\b)1[3-9]\d[- ]?\d{4}[- ]?\d{4}\b`)
	email  = regexp.MustCompile(`[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}`)
	// key=value or "key": "value" pairs whose key names a secret.
	secretPair = regexp.MustCompile(`(?i)((?:password|passwd|pwd|passphrase|token|secret|api[_-]?key|authorization)["']?\s*[:=]\s*["']?)([^\s"'&,;}]+)`)
	bearer     = regexp.MustCompile(`(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]+`)
)

// Redact removes personal data and secrets from s.
func Redact(s string) string {
	// The scheme first: "Authorization: Bearer X" must lose X, not "Bearer".
	s = bearer.ReplaceAllString(s, "${1} "+Redacted)
	s = secretPair.ReplaceAllString(s, "${1}"+Redacted)
	s = residentID.ReplaceAllString(s, Redacted)
	s = creditCode.ReplaceAllString(s, Redacted)
	s = mobile.ReplaceAllString(s, Redacted)
	s = email.ReplaceAllString(s, Redacted)
	return s
}

// secretKey says whether an attribute's name says its value is a secret:
// then the value goes whatever it looks like.
func secretKey(k string) bool {
	k = strings.ToLower(k)
	for _, w := range []string{"password", "passwd", "passphrase", "token", "secret", "authorization", "apikey", "api_key", "cookie"} {
		if strings.Contains(k, w) {
			return true
		}
	}
	return false
}

// RedactingHandler passes records to Next with personal data removed from
// the message and from every attribute, in groups too.
type RedactingHandler struct {
	Next slog.Handler
}

// Enabled implements slog.Handler.
func (h RedactingHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.Next.Enabled(ctx, l)
}

// Handle implements slog.Handler.
func (h RedactingHandler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, Redact(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(redactAttr(a))
		return true
	})
	return h.Next.Handle(ctx, out)
}

// WithAttrs implements slog.Handler.
func (h RedactingHandler) WithAttrs(as []slog.Attr) slog.Handler {
	red := make([]slog.Attr, len(as))
	for i, a := range as {
		red[i] = redactAttr(a)
	}
	return RedactingHandler{Next: h.Next.WithAttrs(red)}
}

// WithGroup implements slog.Handler.
func (h RedactingHandler) WithGroup(name string) slog.Handler {
	return RedactingHandler{Next: h.Next.WithGroup(name)}
}

func redactAttr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	if secretKey(a.Key) && v.Kind() != slog.KindGroup {
		return slog.String(a.Key, Redacted)
	}
	switch v.Kind() {
	case slog.KindGroup:
		g := v.Group()
		red := make([]any, len(g))
		for i, ga := range g {
			red[i] = redactAttr(ga)
		}
		return slog.Group(a.Key, red...)
	case slog.KindString:
		return slog.String(a.Key, Redact(v.String()))
	case slog.KindInt64, slog.KindUint64:
		// A phone number logged as a number is still a phone number.
		s := v.String()
		if r := Redact(s); r != s {
			return slog.String(a.Key, r)
		}
		return slog.Attr{Key: a.Key, Value: v}
	case slog.KindAny:
		return slog.String(a.Key, Redact(fmt.Sprint(v.Any())))
	default:
		return slog.Attr{Key: a.Key, Value: v}
	}
}

// Package api holds what the backend contract (docs/backend-api.yaml) puts
// on the wire: the error body, the filing status, the part and header names
// and the error codes. The reference backend and the submission client both
// use it, so the two cannot drift apart without the compiler noticing.
package api

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/icpfiling/icpfiling/filing"
)

// Paths of the contract's version 1.
const (
	PathHealth  = "/v1/health"
	PathFilings = "/v1/filings"
	PathRules   = "/v1/rules"
)

// Headers the contract defines beyond HTTP's own.
const (
	HeaderIdempotencyKey = "Idempotency-Key"
	// HeaderReplayed is "true" on a 200 that answers a repeated key with
	// the filing stored the first time.
	HeaderReplayed = "Idempotent-Replayed"
)

// Multipart part names of POST /v1/filings, in the order they must come.
const (
	PartApplication = "application" // application/json, the Application with its attachment manifest
	PartSecrets     = "secrets"     // application/json, Secrets
	PartFile        = "file"        // one per distinct attachment; filename = its SHA-256 in hex
)

// Secrets is the secrets part. The application JSON never carries them
// (filing.Secret writes a mask), so they travel here, once, in plain text
// inside the TLS connection.
type Secrets struct {
	FilingPassword  string `json:"filing_password"`
	ConsolePassword string `json:"console_password,omitempty"`
}

// Problem is the one error body of the contract, on every non-2xx answer.
// Details carries one Problem per field when several fields are at fault
// (422 validation_failed).
type Problem struct {
	Code    string    `json:"code"`
	ZH      string    `json:"zh"`
	EN      string    `json:"en"`
	Field   string    `json:"field,omitempty"`
	Details []Problem `json:"details,omitempty"`
}

func (p *Problem) Error() string {
	if p.Field != "" {
		return fmt.Sprintf("%s (%s): %s", p.Code, p.Field, p.EN)
	}
	return p.Code + ": " + p.EN
}

// Message is the text in "zh" or "en".
func (p *Problem) Message(lang string) string {
	if lang == "en" {
		return p.EN
	}
	return p.ZH
}

// Filing is what the backend says about one stored filing: the receipt of
// POST /v1/filings and the body of GET /v1/filings/{id}.
type Filing struct {
	ID             string    `json:"id"`
	IdempotencyKey string    `json:"idempotency_key"`
	ReceivedAt     time.Time `json:"received_at"`
	// Status is the latest entry of Timeline.
	Status   filing.Status        `json:"status"`
	Timeline []filing.StatusEvent `json:"timeline"`
	Files    []File               `json:"files"`
}

// Rejected says whether the review ended in a 驳回; the reasons are on the
// last timeline entry, verbatim.
func (f *Filing) Rejected() bool {
	return f.Status == filing.StatusInitialRejected || f.Status == filing.StatusBureauRejected
}

// Final says whether the review has ended, so polling can stop.
func (f *Filing) Final() bool {
	return f.Rejected() || f.Status == filing.StatusApproved || f.Status == filing.StatusWithdrawn
}

// File is one stored attachment as the backend verified it.
type File struct {
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
}

// Health is the body of GET /v1/health.
type Health struct {
	Status string    `json:"status"`
	Time   time.Time `json:"time"`
	// PackRevision and PackSHA256 name the rule pack GET /v1/rules serves.
	PackRevision int    `json:"pack_revision"`
	PackSHA256   string `json:"pack_sha256"`
}

// ValidKey says whether s may be an Idempotency-Key: 16 to 128 characters
// from [A-Za-z0-9._:-], enough for a UUID or 128 random bits in hex and
// safe to use in a file name.
func ValidKey(s string) bool {
	if len(s) < 16 || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '.', c == '_', c == ':', c == '-':
		default:
			return false
		}
	}
	return true
}

// ValidSHA256 says whether s is a lowercase hex SHA-256.
func ValidSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// Manifest lists the attachments an application names, each once, with
// the field path of its first use, in the order they appear. The backend
// checks the file parts against it; the client sends exactly these files.
func Manifest(app *filing.Application) []ManifestEntry {
	var out []ManifestEntry
	seen := map[string]bool{}
	add := func(a *filing.Attachment, field string) {
		if a == nil || seen[a.SHA256] {
			return
		}
		seen[a.SHA256] = true
		out = append(out, ManifestEntry{Attachment: *a, Field: field})
	}
	for i := range app.Documents {
		add(app.Documents[i].Attachment, fmt.Sprintf("documents[%d].attachment", i))
	}
	add(app.Photo.Attachment, "photo.attachment")
	return out
}

// ManifestEntry is one attachment of the manifest.
type ManifestEntry struct {
	filing.Attachment
	Field string `json:"field"`
}

// Error codes of the contract. docs/backend.md explains each.
const (
	CodeUnauthorized       = "unauthorized"
	CodeNotFound           = "not_found"
	CodeMethodNotAllowed   = "method_not_allowed"
	CodeMalformed          = "malformed_request"
	CodeUnsupportedType    = "unsupported_media_type"
	CodeKeyMissing         = "idempotency_key_missing"
	CodeKeyInvalid         = "idempotency_key_invalid"
	CodeKeyReused          = "idempotency_key_reused"
	CodePartMissing        = "part_missing"
	CodePartOrder          = "part_out_of_order"
	CodeApplicationInvalid = "application_invalid"
	CodeSecretMissing      = "secret_missing"
	CodeFileUnexpected     = "file_unexpected"
	CodeFileDuplicate      = "file_duplicate"
	CodeFileMissing        = "file_missing"
	CodeFileEmpty          = "file_empty"
	CodeFileSizeMismatch   = "file_size_mismatch"
	CodeFileHashMismatch   = "file_hash_mismatch"
	CodeTooLarge           = "too_large"
	CodeValidationFailed   = "validation_failed"
	CodeRateLimited        = "rate_limited"
	CodeUnavailable        = "unavailable"
	CodeInternal           = "internal_error"
)

// DecodeProblem reads an error body; a body that is not a Problem (a proxy's
// HTML page, say) becomes one that names the HTTP status.
func DecodeProblem(status int, body []byte) *Problem {
	var p Problem
	if err := json.Unmarshal(body, &p); err == nil && p.Code != "" {
		return &p
	}
	return &Problem{
		Code: fmt.Sprintf("http_%d", status),
		ZH:   fmt.Sprintf("备案后台返回了 HTTP %d，且不是约定的错误格式（可能是代理或网关的页面）。", status),
		EN:   fmt.Sprintf("the backend answered HTTP %d without the contract's error body (a proxy or gateway page?)", status),
	}
}

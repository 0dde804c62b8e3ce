// Package bundle writes and reads .icpf export bundles: a zip that carries
// one filing or many from one machine to another (or to an agency), with a
// manifest that names every entry with its size and SHA-256.
//
// Layout:
//
//	manifest.json         format, format version, app version, filings, entries
//	filings/<id>.json     one application each, in the application file format
//	scans/<sha256>        each scan or photo the filings reference, once
//	secrets.sealed        only when asked for: the filings' passwords, sealed
//	                      with a passphrase (scrypt + AES-256-GCM)
//
// Reading verifies everything before anything is imported: a bundle with
// one bad entry imports nothing.
package bundle

import (
	"fmt"
	"time"
)

// Ext is the file extension of a bundle.
const Ext = ".icpf"

// FormatName and FormatVersion identify the manifest this build writes and
// reads. A reader refuses a higher version rather than guessing.
const (
	FormatName    = "icpfiling-bundle"
	FormatVersion = 1
)

const (
	manifestName = "manifest.json"
	filingsDir   = "filings/"
	scansDir     = "scans/"
	secretsName  = "secrets.sealed"
)

// secretsAAD binds the sealed secrets to their role in a bundle.
var secretsAAD = []byte("icpfiling bundle secrets v1")

// Manifest is manifest.json.
type Manifest struct {
	Format        string    `json:"format"`
	FormatVersion int       `json:"format_version"`
	AppVersion    string    `json:"app_version"`
	Created       time.Time `json:"created"`
	Filings       []Filing  `json:"filings"`
	Entries       []Entry   `json:"entries"`
	// Secrets names the sealed secrets entry when the bundle carries them.
	Secrets string `json:"secrets,omitempty"`
}

// Filing is one application in the bundle.
type Filing struct {
	ID      string    `json:"id"`
	Entry   string    `json:"entry"`
	Created time.Time `json:"created"`
	Edited  time.Time `json:"edited"`
}

// Entry is one file of the zip other than the manifest.
type Entry struct {
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// Error is a bundle that cannot be written or read, in both languages.
// Code is stable for tests and scripts; Entry names the zip entry when
// there is one.
type Error struct {
	Code   string
	Entry  string
	ZH, EN string
	Err    error
}

func (e *Error) Error() string {
	msg := e.EN
	if e.Entry != "" {
		msg = fmt.Sprintf("%s: %s", e.Entry, msg)
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Message is the text in "zh" or "en"; Chinese is the default.
func (e *Error) Message(lang string) string {
	if lang == "en" {
		if e.Entry != "" {
			return fmt.Sprintf("%s: %s", e.Entry, e.EN)
		}
		return e.EN
	}
	if e.Entry != "" {
		return fmt.Sprintf("%s：%s", e.Entry, e.ZH)
	}
	return e.ZH
}

func (e *Error) Unwrap() error { return e.Err }

// Error codes.
const (
	CodeNotZip        = "not_zip"
	CodeNoManifest    = "no_manifest"
	CodeBadManifest   = "bad_manifest"
	CodeNewerVersion  = "newer_version"
	CodeBadVersion    = "bad_version"
	CodeTraversal     = "path_traversal"
	CodeAbsolutePath  = "absolute_path"
	CodeBadName       = "bad_name"
	CodeDuplicate     = "duplicate_name"
	CodeTooManyFiles  = "too_many_entries"
	CodeOversized     = "oversized_entry"
	CodeZipBomb       = "zip_bomb"
	CodeUnlisted      = "unlisted_entry"
	CodeMissing       = "missing_entry"
	CodeHashMismatch  = "hash_mismatch"
	CodeSizeMismatch  = "size_mismatch"
	CodeBadFiling     = "bad_filing"
	CodeMissingScan   = "missing_scan"
	CodeSecrets       = "secrets"
	CodeUnsupported   = "unsupported_entry"
	CodeExportFailure = "export_failed"
)

func bundleErr(code, entry, zh, en string, args ...any) *Error {
	return &Error{Code: code, Entry: shortName(entry), ZH: fmt.Sprintf(zh, args...), EN: fmt.Sprintf(en, args...)}
}

// shortName keeps a hostile entry name from flooding a dialog.
func shortName(name string) string {
	r := []rune(name)
	if len(r) > 80 {
		return fmt.Sprintf("%q…", string(r[:80]))
	}
	if name == "" {
		return ""
	}
	return fmt.Sprintf("%q", name)
}

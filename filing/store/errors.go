package store

import (
	"errors"
	"fmt"
)

// Kinds of failure callers branch on with errors.Is. Each returned error is
// an *Error that carries one of these plus a message in both languages.
var (
	// ErrAlreadyOpen: another process (another window of the app, or a
	// script) holds the data directory.
	ErrAlreadyOpen = errors.New("store: the data directory is in use by another process")
	// ErrNotFound: no record, draft or snapshot under that name.
	ErrNotFound = errors.New("store: not found")
	// ErrAttachmentMissing: the file of an attachment is gone.
	ErrAttachmentMissing = errors.New("store: attachment file missing")
	// ErrAttachmentAltered: the file no longer has the size or hash the
	// draft recorded.
	ErrAttachmentAltered = errors.New("store: attachment file altered")
	// ErrDiskFull: a write failed for lack of space; what was there before
	// is unchanged.
	ErrDiskFull = errors.New("store: disk full")
	// ErrDamaged: the store exists but will not open; snapshots may help.
	ErrDamaged = errors.New("store: damaged")
	// ErrPassphraseRequired: the store is encrypted and no passphrase was given.
	ErrPassphraseRequired = errors.New("store: passphrase required")
	// ErrWrongPassphrase: the passphrase does not unlock this store.
	ErrWrongPassphrase = errors.New("store: wrong passphrase")
	// ErrLocked: secrets cannot be read or written until the store is
	// unlocked with the passphrase.
	ErrLocked = errors.New("store: locked")
	// ErrInvalid: a caller passed a name, key or value the store refuses.
	ErrInvalid = errors.New("store: invalid argument")
	// ErrKeyMissing: the store is encrypted with a data key that is in
	// neither the credential store nor the key file.
	ErrKeyMissing = errors.New("store: data key missing")
	// ErrClosed: the store was used after Close.
	ErrClosed = errors.New("store: closed")
	// ErrIO: the disk or the database engine failed for another reason.
	ErrIO = errors.New("store: input/output failure")
)

// Error is a store failure a person may read: Kind for errors.Is, ZH and EN
// for the message, Err for the cause (never shown by Message, because causes
// from the OS or Badger can carry paths or, in Badger's case, value dumps).
type Error struct {
	Kind   error
	ZH, EN string
	Err    error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.EN + ": " + e.Err.Error()
	}
	return e.EN
}

// Detail is the cause in one line for a "details" line and the log:
// Badger's value dumps cut off, personal data redacted. "" without a cause.
func (e *Error) Detail() string {
	if e.Err == nil {
		return ""
	}
	return redactCause(e.Err.Error())
}

// Message is the text in "zh" or "en"; Chinese is the default.
func (e *Error) Message(lang string) string {
	if lang == "en" {
		return e.EN
	}
	return e.ZH
}

// Unwrap exposes both the kind and the cause to errors.Is and errors.As.
func (e *Error) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Kind}
	}
	return []error{e.Kind, e.Err}
}

func newError(kind error, cause error, zh, en string) *Error {
	return &Error{Kind: kind, ZH: zh, EN: en, Err: cause}
}

func invalid(zh, en string, args ...any) *Error {
	return &Error{Kind: ErrInvalid, ZH: fmt.Sprintf(zh, args...), EN: fmt.Sprintf(en, args...)}
}

func notFound(what, whatZH, name string) *Error {
	return &Error{Kind: ErrNotFound,
		ZH: fmt.Sprintf("找不到%s %q。", whatZH, name),
		EN: fmt.Sprintf("%s %q not found", what, name)}
}

var errClosed = &Error{Kind: ErrClosed, ZH: "数据存储已关闭。", EN: "the store is closed"}

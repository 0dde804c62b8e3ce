package filing

import (
	"encoding/json"
	"fmt"
	"log/slog"
)

// Secret holds a password or token. Its value leaves the type only through
// Reveal, so a Secret that ends up in a log line, a %v, a panic message or
// a JSON document shows a mask instead of the value.
type Secret struct{ value string }

const secretMask = "******"

// NewSecret wraps a value.
func NewSecret(v string) Secret { return Secret{value: v} }

// Reveal returns the value; call it only where the value is sent or checked.
func (s Secret) Reveal() string { return s.value }

// IsSet says whether a value is present.
func (s Secret) IsSet() bool { return s.value != "" }

func (s Secret) String() string {
	if s.value == "" {
		return ""
	}
	return secretMask
}

// GoString covers %#v, which would otherwise print the struct field.
func (s Secret) GoString() string { return `filing.Secret("` + s.String() + `")` }

// Format covers every verb, including %x and %q, which bypass String for
// some types.
func (s Secret) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(s.String())) }

// LogValue keeps slog from reflecting into the struct.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalJSON never writes the value: an application serialised for export,
// a log or a bug report carries only whether a secret was given. Persisting
// secrets is the store's job, which encrypts them itself.
func (s Secret) MarshalJSON() ([]byte, error) {
	if s.value == "" {
		return []byte(`""`), nil
	}
	return json.Marshal(secretMask)
}

// UnmarshalJSON accepts a plain value, as a person writes it in an input
// file. The mask itself is not a value: reading back what MarshalJSON wrote
// leaves the secret unset rather than set to the mask.
func (s *Secret) UnmarshalJSON(b []byte) error {
	var v string
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	if v == secretMask {
		v = ""
	}
	s.value = v
	return nil
}

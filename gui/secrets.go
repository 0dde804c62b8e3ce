package gui

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/json"
	"sync"

	"github.com/icpfiling/icpfiling/filing"
)

// sessionSecrets keeps the MIIT filing password and the console password
// typed in this run of the app, per draft, so that leaving the wizard (to
// the drafts list, another draft, Settings) does not lose them. They are
// sealed with a key made at start and never written anywhere: a memory
// dump or a swapped page shows ciphertext, and quitting forgets them.
type sessionSecrets struct {
	mu   sync.Mutex
	aead cipher.AEAD
	kept map[string][]byte
}

func newSessionSecrets() *sessionSecrets {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		panic("gui: no randomness for the session key: " + err.Error())
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		panic(err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		panic(err)
	}
	return &sessionSecrets{aead: aead, kept: map[string][]byte{}}
}

type sealedPasswords struct {
	Filing  string `json:"f,omitempty"`
	Console string `json:"c,omitempty"`
}

// keep seals the passwords of app under draftID (or forgets them when the
// applicant cleared both).
func (s *sessionSecrets) keep(draftID string, app *filing.Application) {
	if s == nil {
		return
	}
	p := sealedPasswords{Filing: app.FilingPassword.Reveal(), Console: app.Product.ConsolePassword.Reveal()}
	s.mu.Lock()
	defer s.mu.Unlock()
	if p.Filing == "" && p.Console == "" {
		delete(s.kept, draftID)
		return
	}
	plain, _ := json.Marshal(p)
	nonce := make([]byte, s.aead.NonceSize())
	_, _ = rand.Read(nonce)
	s.kept[draftID] = s.aead.Seal(nonce, nonce, plain, []byte(draftID))
	clear(plain)
}

// restore puts the kept passwords into app where app has none.
func (s *sessionSecrets) restore(draftID string, app *filing.Application) {
	if s == nil {
		return
	}
	s.mu.Lock()
	sealed := s.kept[draftID]
	s.mu.Unlock()
	n := s.aead.NonceSize()
	if len(sealed) < n {
		return
	}
	plain, err := s.aead.Open(nil, sealed[:n], sealed[n:], []byte(draftID))
	if err != nil {
		return
	}
	var p sealedPasswords
	_ = json.Unmarshal(plain, &p)
	clear(plain)
	if !app.FilingPassword.IsSet() && p.Filing != "" {
		app.FilingPassword = filing.NewSecret(p.Filing)
	}
	if !app.Product.ConsolePassword.IsSet() && p.Console != "" {
		app.Product.ConsolePassword = filing.NewSecret(p.Console)
	}
}

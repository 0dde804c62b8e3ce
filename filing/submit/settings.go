package submit

import (
	"encoding/json"
	"errors"
	"os"
	"strings"

	"github.com/icpfiling/icpfiling/filing"
	"github.com/icpfiling/icpfiling/filing/backend/api"
	"github.com/icpfiling/icpfiling/filing/store"
)

// Settings are the backend settings a person edits: where filings go and
// how to reach it. Kept in the store; the token as a store secret.
type Settings struct {
	URL    string        `json:"url"`
	Token  filing.Secret `json:"-"`
	CAFile string        `json:"ca_file,omitempty"`
	Proxy  string        `json:"proxy,omitempty"`
}

// Configured says whether a backend address is set.
func (s Settings) Configured() bool { return strings.TrimSpace(s.URL) != "" }

// Config turns the settings into a client configuration, reading the CA file.
func (s Settings) Config() (Config, error) {
	cfg := Config{BaseURL: s.URL, Token: s.Token, Proxy: s.Proxy}
	if s.CAFile != "" {
		pem, err := os.ReadFile(s.CAFile)
		if err != nil {
			return cfg, &ConfigError{Field: "ca_file",
				ZH: "无法读取自定义根证书文件：" + s.CAFile, EN: "cannot read the custom CA file: " + s.CAFile}
		}
		cfg.CAPEM = pem
	}
	return cfg, nil
}

// SettingsStore is the part of the store that keeps settings.
type SettingsStore interface {
	PutRecord(ns, key string, value []byte) error
	GetRecord(ns, key string) ([]byte, error)
	PutSecret(name string, v filing.Secret) error
	GetSecret(name string) (filing.Secret, error)
	DeleteSecret(name string) error
}

const (
	settingsNS    = "settings"
	settingsKey   = "backend"
	tokenSecretID = "backend_token"
)

// ErrTokenNotKept: the settings were saved but the token could not be,
// because the store has no passphrase (or is locked); it works for this
// session only.
var ErrTokenNotKept = &api.Problem{Code: "token_not_kept",
	ZH: "设置已保存，但访问令牌只在本次运行中有效：要保存令牌，请先设置存储口令。",
	EN: "the settings were saved, but the token lasts only for this session: set a store passphrase to keep it"}

// LoadSettings reads the backend settings; a store that never had any
// gives the zero Settings. A token that cannot be read (locked store)
// is left unset.
func LoadSettings(st SettingsStore) (Settings, error) {
	var s Settings
	b, err := st.GetRecord(settingsNS, settingsKey)
	if errors.Is(err, store.ErrNotFound) {
		return s, nil
	}
	if err != nil {
		return s, err
	}
	if err := json.Unmarshal(b, &s); err != nil {
		return Settings{}, err
	}
	if tok, err := st.GetSecret(tokenSecretID); err == nil {
		s.Token = tok
	}
	return s, nil
}

// SaveSettings checks and keeps the settings. It refuses settings the
// client would refuse (plain http to another machine, a bad proxy, a CA
// file without a certificate). It returns ErrTokenNotKept when everything
// but the token was saved.
func SaveSettings(st SettingsStore, s Settings) error {
	s.URL = strings.TrimSpace(s.URL)
	if s.Configured() {
		cfg, err := s.Config()
		if err != nil {
			return err
		}
		if _, err := NewClient(cfg); err != nil {
			return err
		}
	}
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	if err := st.PutRecord(settingsNS, settingsKey, b); err != nil {
		return err
	}
	if !s.Token.IsSet() {
		return st.DeleteSecret(tokenSecretID)
	}
	if err := st.PutSecret(tokenSecretID, s.Token); err != nil {
		return ErrTokenNotKept
	}
	return nil
}

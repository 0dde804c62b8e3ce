package filing

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io/fs"
	"sort"
	"strings"
)

// A rule pack that reaches the app after its release (from a backend or a
// file) is signed by its publisher with Ed25519. The checksum says the
// content is whole; the signature says who made it. The signature covers
// the checksum, which covers the compact form of the pack, so re-indenting
// a signed file keeps it valid while any change of content does not.
//
// Key files are small JSON documents (docs: README "Rule packs"):
//
//	{"icpfiling_key": "rule-pack-public", "name": "…", "ed25519": "<base64 32 bytes>"}
//	{"icpfiling_key": "rule-pack-signing", "name": "…", "ed25519_seed": "<base64 32 bytes>"}

// PackSignature is what a signed pack carries next to its checksum: the
// fingerprint of the key that signed and the signature itself. The name of
// the signer is not taken from the pack: it is the name of the trusted key
// the fingerprint finds.
type PackSignature struct {
	Key     string `json:"key"`
	Ed25519 string `json:"ed25519"`
}

const (
	publicKeyKind  = "rule-pack-public"
	signingKeyKind = "rule-pack-signing"
	// signedPrefix keeps a pack signature from being valid for any other
	// message a key might sign.
	signedPrefix = "icpfiling rule pack sha256:"
)

// PublicKey is a publisher's key that verifies packs.
type PublicKey struct {
	Name string
	Key  ed25519.PublicKey
}

// Fingerprint is the short name of the key: the first 16 hex digits of
// the SHA-256 of its 32 bytes.
func (k PublicKey) Fingerprint() string {
	sum := sha256.Sum256(k.Key)
	return hex.EncodeToString(sum[:8])
}

// Label is "name (fingerprint)", how a signer is shown.
func (k PublicKey) Label() string { return k.Name + " (" + k.Fingerprint() + ")" }

// SigningKey is a publisher's private key.
type SigningKey struct {
	Name string
	Key  ed25519.PrivateKey
}

// Public is the key that verifies what k signs.
func (k SigningKey) Public() PublicKey {
	return PublicKey{Name: k.Name, Key: k.Key.Public().(ed25519.PublicKey)}
}

type keyFile struct {
	Kind    string `json:"icpfiling_key"`
	Name    string `json:"name"`
	Public  string `json:"ed25519,omitempty"`
	Private string `json:"ed25519_seed,omitempty"`
}

// GenerateSigningKey makes a new publisher key named name.
func GenerateSigningKey(name string) (SigningKey, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return SigningKey{}, err
	}
	return SigningKey{Name: name, Key: priv}, nil
}

// MarshalSigningKey is the private key file.
func MarshalSigningKey(k SigningKey) []byte {
	return marshalKey(keyFile{Kind: signingKeyKind, Name: k.Name, Private: base64.StdEncoding.EncodeToString(k.Key.Seed())})
}

// MarshalPublicKey is the public key file, the one given to those who
// trust the publisher.
func MarshalPublicKey(k PublicKey) []byte {
	return marshalKey(keyFile{Kind: publicKeyKind, Name: k.Name, Public: base64.StdEncoding.EncodeToString(k.Key)})
}

func marshalKey(f keyFile) []byte {
	out, _ := json.MarshalIndent(f, "", "  ")
	return append(out, '\n')
}

// ParseSigningKey reads a private key file.
func ParseSigningKey(data []byte) (SigningKey, error) {
	var f keyFile
	if err := strictDecode(data, &f); err != nil || f.Kind != signingKeyKind {
		return SigningKey{}, packErr("不是规则包签名私钥文件（应由 icpfiling rules keygen 生成）。",
			"not a rule-pack signing key file (made by icpfiling rules keygen)")
	}
	seed, err := base64.StdEncoding.DecodeString(f.Private)
	if err != nil || len(seed) != ed25519.SeedSize {
		return SigningKey{}, packErr("签名私钥文件已损坏。", "the signing key file is damaged")
	}
	return SigningKey{Name: f.Name, Key: ed25519.NewKeyFromSeed(seed)}, nil
}

// ParsePublicKey reads a public key file.
func ParsePublicKey(data []byte) (PublicKey, error) {
	var f keyFile
	if err := strictDecode(data, &f); err != nil || f.Kind != publicKeyKind {
		return PublicKey{}, packErr("不是规则包公钥文件（应为 icpfiling rules keygen 生成的 .pub 文件）。",
			"not a rule-pack public key file (the .pub file icpfiling rules keygen makes)")
	}
	key, err := base64.StdEncoding.DecodeString(f.Public)
	if err != nil || len(key) != ed25519.PublicKeySize {
		return PublicKey{}, packErr("公钥文件已损坏。", "the public key file is damaged")
	}
	if strings.TrimSpace(f.Name) == "" {
		return PublicKey{}, packErr("公钥文件没有名称。", "the public key file has no name")
	}
	return PublicKey{Name: f.Name, Key: key}, nil
}

//go:embed rules/publishers/*.pub
var publisherFiles embed.FS

// PublisherKeys are the project's publisher keys built into this binary:
// packs they sign are accepted without the user trusting anything. The
// tests load them, so a bad file is a build defect.
func PublisherKeys() []PublicKey {
	names, _ := fs.Glob(publisherFiles, "rules/publishers/*.pub")
	sort.Strings(names)
	keys := make([]PublicKey, 0, len(names))
	for _, n := range names {
		data, _ := publisherFiles.ReadFile(n)
		k, err := ParsePublicKey(data)
		if err != nil {
			panic("embedded publisher key " + n + ": " + err.Error())
		}
		keys = append(keys, k)
	}
	return keys
}

func signedMessage(checksum string) []byte {
	return []byte(signedPrefix + strings.ToLower(checksum))
}

// SignPack seals a pack file (recomputing its checksum after an edit)
// and signs it with key. The result is what ParsePack and VerifyPack read.
func SignPack(data []byte, key SigningKey) ([]byte, error) {
	var sealed sealedPack
	if err := json.Unmarshal(data, &sealed); err != nil {
		return nil, packErr("规则包不是有效的 JSON：%v", "the rule pack is not valid JSON: %v", err)
	}
	sum, err := packSum(sealed.Pack)
	if err != nil {
		return nil, packErr("规则包缺少 pack 内容或其不是有效的 JSON。", "the rule pack has no valid \"pack\" content")
	}
	sig := ed25519.Sign(key.Key, signedMessage(sum))
	out, err := json.MarshalIndent(sealedPack{SHA256: sum, Pack: sealed.Pack, Signature: &PackSignature{
		Key: key.Public().Fingerprint(), Ed25519: base64.StdEncoding.EncodeToString(sig)}}, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(out, '\n'), nil
}

// Signed says whether the pack file carried a signature.
func (p *Pack) Signed() bool { return p.signature != nil }

// SignedBy is the fingerprint the pack's signature names, "" when unsigned.
// It is a claim until VerifySignature confirms it.
func (p *Pack) SignedBy() string {
	if p.signature == nil {
		return ""
	}
	return p.signature.Key
}

// VerifySignature checks the pack's signature against the keys the caller
// trusts and returns the one that signed. An unsigned pack, a key not in
// keys and a signature that does not match are each refused with their
// own reason.
func (p *Pack) VerifySignature(keys []PublicKey) (PublicKey, error) {
	if p.signature == nil {
		return PublicKey{}, packErr("规则包没有签名（只有内置规则包可以不签名），已拒绝。",
			"the rule pack is not signed (only the built-in pack may be unsigned); it was refused")
	}
	for _, k := range keys {
		if k.Fingerprint() != strings.ToLower(p.signature.Key) {
			continue
		}
		sig, err := base64.StdEncoding.DecodeString(p.signature.Ed25519)
		if err != nil || !ed25519.Verify(k.Key, signedMessage(p.checksum), sig) {
			return PublicKey{}, packErr("规则包的签名与内容不符（签名后被改动，或签名无效），已拒绝。",
				"the rule pack's signature does not match its content (changed after signing, or a bad signature); it was refused")
		}
		return k, nil
	}
	e := packErr("规则包由不受信任的密钥 %s 签名，已拒绝。",
		"the rule pack is signed by key %s, which is not trusted; it was refused",
		p.signature.Key)
	e.Untrusted = p.signature.Key
	return PublicKey{}, e
}

// VerifyPack reads a sealed pack (checksum, schema, content: everything
// ParsePack checks) and verifies its signature against keys.
func VerifyPack(data []byte, keys []PublicKey) (*Pack, PublicKey, error) {
	p, err := ParsePack(data)
	if err != nil {
		return nil, PublicKey{}, err
	}
	k, err := p.VerifySignature(keys)
	if err != nil {
		return nil, PublicKey{}, err
	}
	return p, k, nil
}

// IsDefault says whether p is the pack built into this binary (same
// content), which is trusted without a signature.
func (p *Pack) IsDefault() bool {
	var s sealedPack
	return json.Unmarshal(embeddedPack, &s) == nil && strings.EqualFold(s.SHA256, p.checksum)
}

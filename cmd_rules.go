package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/icpfiling/icpfiling/filing"
	"github.com/icpfiling/icpfiling/filing/packs"
	"github.com/icpfiling/icpfiling/filing/store"
)

const rulesUsage = `usage: icpfiling rules keygen --out FILE [--name NAME]      (FILE: private key, mode 0600; FILE.pub: public key)
       icpfiling rules seal PACK.json [--key FILE]             (recompute the checksum; with --key also sign)
       icpfiling rules check PACK.json [--data-dir DIR]        (every check an update must pass; names the signer)
       icpfiling rules trust KEY.pub | --list | --remove FINGERPRINT [--data-dir DIR]
       icpfiling rules update [--from PACK.json | --backend URL [--token-file F]] [--data-dir DIR]
common flags: --passphrase-file FILE  --lang zh|en
Without --data-dir, check trusts only the publisher keys built into this version and compares with the built-in pack;
trust and update use the per-user data directory.`

// cmdRules makes and checks rule packs (keygen, seal, check) and manages
// the ones this data directory accepts (trust, update): filing/packs
// decides, this prints.
func cmdRules(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, rulesUsage)
		return exitUnreadable
	}
	sub, args := args[0], args[1:]
	fs := flag.NewFlagSet("icpfiling rules "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	var f submitFlags
	f.register(fs, stderr)
	out := fs.String("out", "", "keygen: the private key file to write (the public key goes to FILE.pub)")
	name := fs.String("name", "", "keygen: the publisher's name shown with its packs (default: the file name)")
	keyFile := fs.String("key", "", "seal: sign with this private key file")
	list := fs.Bool("list", false, "trust: list the trusted keys")
	remove := fs.String("remove", "", "trust: remove the trusted key with this fingerprint")
	from := fs.String("from", "", "update: read the pack from this file instead of the backend")
	fs.Usage = func() {
		fmt.Fprintln(stderr, rulesUsage)
		fs.PrintDefaults()
	}
	operands, code, ok := parseArgs(fs, args, &f.lang, stderr)
	if !ok {
		return code
	}
	l := f.lang
	switch {
	case sub == "keygen" && len(operands) == 0 && *out != "":
		return rulesKeygen(*out, *name, l, stdout, stderr)
	case sub == "seal" && len(operands) == 1:
		return rulesSeal(operands[0], *keyFile, l, stdout, stderr)
	case sub == "check" && len(operands) == 1:
		return rulesCheck(&f, operands[0], stdout, stderr)
	case sub == "trust" && (len(operands) == 1) != (*list || *remove != "") && !(*list && *remove != ""):
		return rulesTrust(&f, operands, *list, *remove, stdout, stderr)
	case sub == "update" && len(operands) == 0:
		return rulesUpdate(&f, *from, stdout, stderr)
	}
	fs.Usage()
	return exitUnreadable
}

func rulesKeygen(out, name, l string, stdout, stderr io.Writer) int {
	if name == "" {
		name = strings.TrimSuffix(filepath.Base(out), filepath.Ext(out))
	}
	key, err := filing.GenerateSigningKey(name)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitBlocked
	}
	// O_EXCL: a key is never overwritten by accident; losing one means
	// every user must trust a new one.
	for _, p := range []string{out, out + ".pub"} {
		if _, err := os.Lstat(p); err == nil {
			fmt.Fprintln(stderr, pick(l, p+" 已存在，未覆盖。", p+" exists; not overwritten."))
			return exitUnreadable
		}
	}
	if err := writeNewFile(out, filing.MarshalSigningKey(key), 0o600); err != nil {
		fmt.Fprintln(stderr, err)
		return exitUnreadable
	}
	pub := key.Public()
	if err := writeNewFile(out+".pub", filing.MarshalPublicKey(pub), 0o644); err != nil {
		fmt.Fprintln(stderr, err)
		return exitUnreadable
	}
	fmt.Fprintln(stdout, pick(l,
		fmt.Sprintf("已生成签名密钥 %s（私钥 %s，请妥善保管；公钥 %s.pub）", pub.Label(), out, out),
		fmt.Sprintf("made signing key %s (private key %s: keep it safe; public key %s.pub)", pub.Label(), out, out)))
	return exitClean
}

func writeNewFile(path string, data []byte, mode os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func rulesSeal(path, keyFile, l string, stdout, stderr io.Writer) int {
	data, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitUnreadable
	}
	var sealed []byte
	var signer filing.PublicKey
	if keyFile != "" {
		var kd []byte
		var key filing.SigningKey
		if kd, err = os.ReadFile(keyFile); err == nil {
			if key, err = filing.ParseSigningKey(kd); err == nil {
				signer = key.Public()
				sealed, err = filing.SignPack(data, key)
			}
		}
	} else {
		sealed, err = filing.Reseal(data)
	}
	if err == nil {
		// Nothing is written that the app would refuse to read.
		_, err = filing.ParsePack(sealed)
	}
	if err == nil {
		err = writeFileAtomic(path, sealed)
	}
	if err != nil {
		fmt.Fprintf(stderr, "%s: %s\n", path, message(err, l))
		return exitUnreadable
	}
	if keyFile != "" {
		fmt.Fprintf(stdout, "%s: %s %s\n", path, pick(l, "已封装并签名：", "sealed and signed by"), signer.Label())
	} else {
		fmt.Fprintf(stdout, "%s: sealed\n", path)
	}
	return exitClean
}

// rulesCheck makes every check a pack must pass to be accepted: seal,
// schema, content, a signature by a trusted key (the built-in pack needs
// none) and not older than the pack in use.
func rulesCheck(f *submitFlags, path string, stdout, stderr io.Writer) int {
	l := f.lang
	data, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitUnreadable
	}
	cur, keys := filing.DefaultPack(), filing.PublisherKeys()
	if f.dataDir != "" {
		st, m, code := f.openPacks(stderr)
		if st == nil {
			return code
		}
		defer st.Close()
		cur = m.Current()
		user, err := m.Trusted()
		if err != nil {
			fmt.Fprintln(stderr, message(err, l))
			return exitBlocked
		}
		keys = append(keys, user...)
	}
	pack, err := filing.ParsePack(data)
	signer := pick(l, "未签名（本程序内置的规则包）", "unsigned (the pack built into this version)")
	if err == nil && !(pack.IsDefault() && !pack.Signed()) {
		var k filing.PublicKey
		if k, err = pack.VerifySignature(keys); err == nil {
			signer = pick(l, "签名者 ", "signed by ") + k.Label()
		}
	}
	if err == nil {
		err = cur.CanReplace(pack)
	}
	if err != nil {
		fmt.Fprintf(stderr, "%s: %s\n", path, packRefusal(err, l))
		return exitBlocked
	}
	fmt.Fprintf(stdout, "%s: revision %d, published %s, %d rules, sha256 %s, %s\n",
		path, pack.Revision, pack.Published, len(pack.RuleIDs()), pack.Checksum(), signer)
	return exitClean
}

// openPacks opens the data directory and its pack manager.
func (f *submitFlags) openPacks(stderr io.Writer) (*store.Store, *packs.Manager, int) {
	st, code := (&draftsFlags{dataDir: f.dataDir, passFile: f.passFile, lang: f.lang}).open(stderr)
	if st == nil {
		return nil, nil, code
	}
	m, err := packs.New(st)
	if err != nil {
		st.Close()
		fmt.Fprintln(stderr, message(err, f.lang))
		return nil, nil, exitBlocked
	}
	return st, m, exitClean
}

func rulesTrust(f *submitFlags, operands []string, list bool, remove string, stdout, stderr io.Writer) int {
	l := f.lang
	var keyData []byte
	if len(operands) == 1 {
		var err error
		if keyData, err = os.ReadFile(operands[0]); err != nil {
			fmt.Fprintln(stderr, err)
			return exitUnreadable
		}
	}
	st, m, code := f.openPacks(stderr)
	if st == nil {
		return code
	}
	defer st.Close()
	switch {
	case list:
		for _, k := range m.Publishers() {
			fmt.Fprintf(stdout, "%s  %s  %s\n", k.Fingerprint(), pick(l, "内置发布者", "built-in publisher"), k.Name)
		}
		user, err := m.Trusted()
		if err != nil {
			fmt.Fprintln(stderr, message(err, l))
			return exitBlocked
		}
		for _, k := range user {
			fmt.Fprintf(stdout, "%s  %s  %s\n", k.Fingerprint(), pick(l, "用户信任", "trusted"), k.Name)
		}
		return exitClean
	case remove != "":
		if err := m.Untrust(remove); err != nil {
			fmt.Fprintln(stderr, message(err, l))
			return exitBlocked
		}
		fmt.Fprintln(stdout, pick(l, "已移除公钥 "+remove+"。", "removed key "+remove+"."))
	default:
		k, err := m.Trust(keyData)
		if err != nil {
			fmt.Fprintf(stderr, "%s: %s\n", operands[0], message(err, l))
			return exitUnreadable
		}
		fmt.Fprintln(stdout, pick(l, "已信任公钥 "+k.Label()+"。", "trusted key "+k.Label()+"."))
	}
	printPackInUse(stdout, m.Info(), l)
	return exitClean
}

func printPackInUse(w io.Writer, in packs.Info, l string) {
	fmt.Fprintln(w, pick(l,
		fmt.Sprintf("正在使用的规则包：第 %d 版，发布于 %s，%s", in.Revision, in.Published, in.SignerLabel(l)),
		fmt.Sprintf("rule pack in use: revision %d, published %s, %s", in.Revision, in.Published, in.SignerLabel(l))))
}

func rulesUpdate(f *submitFlags, from string, stdout, stderr io.Writer) int {
	l := f.lang
	var data []byte
	if from != "" {
		var err error
		if data, err = os.ReadFile(from); err != nil {
			fmt.Fprintln(stderr, err)
			return exitUnreadable
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	st, client, code := f.open(stderr)
	if st == nil {
		return code
	}
	defer st.Close()
	m, err := packs.New(st)
	if err != nil {
		fmt.Fprintln(stderr, message(err, l))
		return exitBlocked
	}
	var diff filing.PackDiff
	switch {
	case from != "":
		diff, err = m.Apply(data)
	case client == nil:
		fmt.Fprintln(stderr, pick(l, "没有配置后台：请用 --backend 指定，或用 --from 从文件读取规则包。",
			"no backend is configured: give one with --backend, or read a pack with --from"))
		return exitUnreadable
	default:
		diff, _, err = m.Check(ctx, client)
	}
	if err != nil {
		fmt.Fprintln(stderr, pick(l, "规则包未更新：", "the rule pack was not updated: ")+packRefusal(err, l))
		printPackInUse(stderr, m.Info(), l)
		return exitBlocked
	}
	if diff.FromRevision == diff.ToRevision {
		fmt.Fprintln(stdout, pick(l, fmt.Sprintf("规则包已是最新（第 %d 版）。", diff.ToRevision),
			fmt.Sprintf("the rule pack is up to date (revision %d).", diff.ToRevision)))
		printPackInUse(stdout, m.Info(), l)
		return exitClean
	}
	fmt.Fprintln(stdout, diff.Title(l))
	writePackDiff(stdout, diff, l)
	printPackInUse(stdout, m.Info(), l)
	return exitClean
}

// writePackDiff lists what changed, one rule id a line.
func writePackDiff(w io.Writer, d filing.PackDiff, l string) {
	for _, line := range d.Lines(l) {
		fmt.Fprintln(w, "  "+line)
	}
}

// writeFileAtomic replaces a file without leaving half of it behind.
func writeFileAtomic(path string, data []byte) error {
	return writeFileStreamed(path, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// writeFileStreamed is writeFileAtomic for content written as it is
// made (a batch report), so it is never held in memory whole.
func writeFileStreamed(path string, fill func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".seal-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := fill(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// packRefusal is why a pack was refused, and, for a pack signed by a key
// not trusted here, how to trust it.
func packRefusal(err error, l string) string {
	text := message(err, l)
	var pe *filing.PackError
	if errors.As(err, &pe) && pe.Untrusted != "" {
		text += pick(l, "如信任该发布者，可用 icpfiling rules trust 发布者.pub 加入其公钥。",
			"; to trust its publisher, add their public key with icpfiling rules trust PUBLISHER.pub")
	}
	return text
}

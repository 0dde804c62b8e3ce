package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/icpfiling/icpfiling/filing"
	"github.com/icpfiling/icpfiling/filing/backend"
)

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, "; ") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

// cmdBackend runs the reference backend (docs/backend.md) until SIGINT or
// SIGTERM. ready, when not nil, gets the bound address (tests use :0).
func cmdBackend(args []string, stdout, stderr io.Writer) int {
	return runBackend(context.Background(), args, stdout, stderr, nil)
}

func runBackend(ctx context.Context, args []string, stdout, stderr io.Writer, ready func(net.Addr)) int {
	fs := flag.NewFlagSet("icpfiling backend", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8787", "address to listen on; loopback unless --public")
	var dataDir string
	// --data-dir, as in every command; here it is the backend's own
	// storage, not the app's data directory. --data is the old spelling.
	dataDirFlag(fs, &dataDir, "the backend's own directory for the filings it stores (required; not the app's data directory)", stderr)
	token := fs.String("token", "", "bearer token clients must send (visible in the process list: prefer --token-file)")
	tokenFile := fs.String("token-file", "", "file holding the bearer token")
	public := fs.Bool("public", false, "allow a non-loopback --addr (put TLS in front of it); needs a token")
	insecure := fs.Bool("insecure-no-auth", false, "with --public, serve without a token (anyone who reaches it can submit and read)")
	speed := fs.Float64("speed", 1, "review clock speed: 1 is real time, 86400 makes a review day pass per second (dates, such as the domain's expiry, are still checked on today's real date)")
	var reject stringList
	fs.Var(&reject, "reject", "reject every filing at 管局审核 with this reason (repeatable), to try the rejection flow")
	maxBody := fs.Int64("max-body", 64<<20, "largest submission accepted, in bytes")
	lng := fs.String("lang", "zh", "language of the messages: zh or en")
	rulesFile := fs.String("rules", "", "serve this signed rule pack at /v1/rules and check filings with it (default: the built-in pack)")
	var trust stringList
	fs.Var(&trust, "trust", "with --rules: a public key (.pub) the pack may be signed by, besides the built-in publisher keys (repeatable)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: icpfiling backend --data-dir DIR [--addr 127.0.0.1:8787] [--token T | --token-file F] [--rules PACK.json [--trust KEY.pub]...] [--speed N] [--reject REASON]... [--public [--insecure-no-auth]]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return exitClean
		}
		return exitUnreadable
	}
	if *lng != "zh" && *lng != "en" {
		fmt.Fprintf(stderr, "--lang must be zh or en, not %q\n", *lng)
		return exitUnreadable
	}
	if fs.NArg() > 0 || dataDir == "" {
		fmt.Fprintln(stderr, pick(*lng, "须用 --data-dir 指定存放备案的目录。", "--data-dir DIR is required."))
		fs.Usage()
		return exitUnreadable
	}
	if *speed <= 0 {
		fmt.Fprintln(stderr, pick(*lng, "--speed 须大于 0。", "--speed must be greater than 0."))
		return exitUnreadable
	}
	// Fail closed: a token that was asked for but is empty is an error,
	// never "no authentication".
	tok := *token
	tokenGiven := false
	fs.Visit(func(fl *flag.Flag) { tokenGiven = tokenGiven || fl.Name == "token" || fl.Name == "token-file" })
	if *tokenFile != "" {
		b, err := os.ReadFile(*tokenFile)
		if err != nil {
			fmt.Fprintln(stderr, pick(*lng, "无法读取令牌文件：", "cannot read the token file: ")+err.Error())
			return exitUnreadable
		}
		tok = string(b)
	}
	tok = strings.TrimSpace(tok)
	if tokenGiven && tok == "" {
		fmt.Fprintln(stderr, pick(*lng, "令牌为空（文件为空或只有空白）：拒绝在无认证的情况下启动。",
			"the token is empty (an empty or whitespace-only file): refusing to start without authentication."))
		return exitUnreadable
	}
	if tokenGiven && strings.ContainsFunc(tok, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		fmt.Fprintln(stderr, pick(*lng, "令牌中含有空白或控制字符：请只在文件中写一行令牌。",
			"the token contains white space or control characters: put the token alone on one line."))
		return exitUnreadable
	}
	if !backend.IsLoopback(*addr) {
		if !*public {
			fmt.Fprintln(stderr, pick(*lng,
				"拒绝监听非本机地址 "+*addr+"：参考后台只用于试用和测试。确需对外提供时加 --public，并在前面配置 HTTPS。",
				"refusing to listen on "+*addr+", which is not loopback: the reference backend is for trying and testing. Add --public if you mean it, and put HTTPS in front."))
			return exitUnreadable
		}
		fmt.Fprintln(stderr, pick(*lng,
			"警告：参考后台正在监听非本机地址 "+*addr+"，它本身不提供 HTTPS。",
			"warning: the reference backend listens on "+*addr+", beyond this machine, and serves no HTTPS itself."))
		switch {
		case tok == "" && !*insecure:
			fmt.Fprintln(stderr, pick(*lng,
				"拒绝对外提供无认证的服务：请用 --token-file 指定令牌（确需无认证时另加 --insecure-no-auth）。",
				"refusing to serve beyond this machine without authentication: give a token with --token-file (or add --insecure-no-auth if you really mean it)."))
			return exitUnreadable
		case tok == "":
			fmt.Fprintln(stderr, pick(*lng, "警告：--insecure-no-auth：任何能访问此地址的人都能提交和查询。",
				"warning: --insecure-no-auth: anyone who reaches this address can submit and read."))
		}
	}
	// A chosen pack is checked before anything listens: damaged, unsigned
	// or signed by a key not given is refused, never served.
	var packData []byte
	served := filing.DefaultPack()
	if *rulesFile != "" {
		var err error
		if packData, served, err = loadServedPack(*rulesFile, trust); err != nil {
			fmt.Fprintln(stderr, pick(*lng, "拒绝启动：", "refusing to start: ")+message(err, *lng))
			return exitUnreadable
		}
	} else if len(trust) > 0 {
		fmt.Fprintln(stderr, pick(*lng, "--trust 须与 --rules 一起使用。", "--trust goes with --rules."))
		return exitUnreadable
	}
	// Without a token only on loopback, or beyond it with --insecure-no-auth
	// (both checked above).
	opt := backend.Options{Dir: dataDir, Token: tok, NoAuth: tok == "", MaxBodyBytes: *maxBody, Pack: packData,
		Logf: func(format string, a ...any) {
			fmt.Fprintf(stderr, "%s %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, a...))
		}}
	// The speed moves only the review timeline; receipt times and the date
	// rules checked on every incoming filing stay on the real clock.
	opt.Speed = *speed
	if len(reject) > 0 {
		opt.Decide = backend.RejectAtBureau(reject...)
	}
	srv, err := backend.New(opt)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitUnreadable
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	err = srv.ListenAndServe(ctx, *addr, 10*time.Second, func(a net.Addr) {
		fmt.Fprintf(stdout, "%s http://%s  (%s %d)\n", pick(*lng, "参考后台已启动：", "reference backend listening on"), a, pick(*lng, "规则包版本", "rule pack revision"), served.Revision)
		if ready != nil {
			ready(a)
		}
	})
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitBlocked
	}
	return exitClean
}

// loadServedPack reads the pack "backend --rules" serves and verifies it
// against the built-in publisher keys and the --trust files.
func loadServedPack(path string, trust []string) ([]byte, *filing.Pack, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	keys := filing.PublisherKeys()
	for _, t := range trust {
		kd, err := os.ReadFile(t)
		if err != nil {
			return nil, nil, err
		}
		k, err := filing.ParsePublicKey(kd)
		if err != nil {
			pe := err.(*filing.PackError)
			return nil, nil, &filing.PackError{ZH: t + "：" + pe.ZH, EN: t + ": " + pe.EN}
		}
		keys = append(keys, k)
	}
	p, _, err := filing.VerifyPack(data, keys)
	var pe *filing.PackError
	if errors.As(err, &pe) && pe.Untrusted != "" {
		return nil, nil, &filing.PackError{ZH: pe.ZH + "用 --trust 给出该发布者的公钥（.pub 文件）即可使用。",
			EN: pe.EN + "; give its publisher's public key (.pub file) with --trust to serve it", Untrusted: pe.Untrusted}
	}
	if err != nil {
		return nil, nil, err
	}
	return data, p, nil
}

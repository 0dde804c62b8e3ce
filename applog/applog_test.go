package applog

import (
	"bytes"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestRedact(t *testing.T) {
	cases := []struct{ in, secret string }{
		{"负责人身份证 110101199003071234 已填写", "110101199003071234"},
		{"id=11010119900307123X", "11010119900307123X"},
		{"统一社会信用代码91110000MA01ABCD2X无误", "91110000MA01ABCD2X"},
		{"mobile 13812345678", "13812345678"},
		{"tel +8613812345678", "13812345678"},
		{"tel 86-138-1234-5678 ok", "1234-5678"},
		{"mail zhang.san@example.com.cn", "zhang.san@example.com.cn"},
		{"password=hunter2&x=1", "hunter2"},
		{`{"token": "s3cr3t-tok"}`, "s3cr3t-tok"},
		{"Authorization: Bearer abc.def.ghi", "abc.def.ghi"},
		{"passphrase:letmein", "letmein"},
	}
	for _, c := range cases {
		got := Redact(c.in)
		if strings.Contains(got, c.secret) || !strings.Contains(got, Redacted) {
			t.Errorf("Redact(%q) = %q: %q not removed", c.in, got, c.secret)
		}
	}
	// What is not personal stays readable.
	for _, keep := range []string{"draft 3f2a saved in 120ms", "rule R-0042 block", "step 5 of 8", "HTTP 503 from 127.0.0.1:8787", "size 1048576 bytes"} {
		if got := Redact(keep); got != keep {
			t.Errorf("Redact(%q) = %q, want unchanged", keep, got)
		}
	}
}

func TestHandlerRedactsMessageAndAttrs(t *testing.T) {
	var buf bytes.Buffer
	l := slog.New(RedactingHandler{Next: slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})})
	l = l.With("user_mobile", "13912345678")
	l.Info("saved draft of 110101199003071234",
		"password", "p@ss word with spaces",
		"backendToken", "abc",
		slog.Group("contact", "email", "a@b.example", "phone", int64(13700001111)),
		"err", errors.New("upload for 91110000MA01ABCD2X failed"),
		"count", 3)
	out := buf.String()
	for _, secret := range []string{"13912345678", "110101199003071234", "p@ss", "abc", "a@b.example", "13700001111", "91110000MA01ABCD2X"} {
		if strings.Contains(out, secret) {
			t.Errorf("log line contains %q:\n%s", secret, out)
		}
	}
	if !strings.Contains(out, "count=3") || !strings.Contains(out, "saved draft of") {
		t.Errorf("ordinary content lost:\n%s", out)
	}
}

func TestOpenRoutesStdLogThroughRedaction(t *testing.T) {
	dir := t.TempDir()
	old := slog.Default()
	defer slog.SetDefault(old)
	l, err := Open(dir, slog.LevelInfo, nil)
	if err != nil {
		t.Fatal(err)
	}
	log.Printf("Fyne error: cannot open %s", "13812345678")
	l.Logger.Debug("not at info level")
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, LogFile))
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	if !strings.Contains(s, "level=WARN") {
		t.Errorf("standard log lines not logged as warnings:\n%s", s)
	}
	if !strings.Contains(s, "Fyne error: cannot open "+Redacted) || strings.Contains(s, "13812345678") {
		t.Errorf("standard log not redacted into the file:\n%s", s)
	}
	if strings.Contains(s, "not at info level") {
		t.Errorf("debug line written at info level:\n%s", s)
	}
	if _, err := ParseLevel("loud"); err == nil {
		t.Error("ParseLevel accepted loud")
	}
	if lv, err := ParseLevel("warn"); err != nil || lv != slog.LevelWarn {
		t.Errorf("ParseLevel(warn) = %v, %v", lv, err)
	}
}

func TestRotation(t *testing.T) {
	dir := t.TempDir()
	w := &RotatingFile{Path: filepath.Join(dir, "x.log"), MaxBytes: 100, Keep: 3}
	line := strings.Repeat("a", 39) + "\n" // 40 bytes: two lines per file
	for i := 0; i < 20; i++ {
		if _, err := fmt.Fprint(w, line); err != nil {
			t.Fatal(err)
		}
	}
	w.Close()
	ents, _ := os.ReadDir(dir)
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
		st, _ := e.Info()
		if st.Size() > 100 {
			t.Errorf("%s is %d bytes, limit 100", e.Name(), st.Size())
		}
	}
	if strings.Join(names, ",") != "x.log,x.log.1,x.log.2" {
		t.Errorf("files %v, want x.log, x.log.1, x.log.2", names)
	}
	// After Close (all data deleted) a late line must not re-create the file.
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := fmt.Fprint(w, line); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a write after Close re-created the log: %v", err)
	}
}

// The crash test runs this binary again as a process that panics in a
// goroutine, the case no recover can catch.
const crashEnv = "ICPFILING_APPLOG_CRASH_DIR"

func TestMain(m *testing.M) {
	if dir := os.Getenv(crashEnv); dir != "" {
		l, err := Open(dir, slog.LevelInfo, nil)
		if err != nil {
			os.Exit(5)
		}
		if err := l.StartCrashFile(); err != nil {
			os.Exit(6)
		}
		done := make(chan struct{})
		go func() {
			panic("cannot save draft for 13812345678, id 110101199003071234")
		}()
		<-done
	}
	os.Exit(m.Run())
}

func TestCrashFileFromRealPanic(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), crashEnv+"="+dir)
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("the crashing process exited 0:\n%s", out)
	}
	text, err := TakePreviousCrash(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text, "panic: cannot save draft for") || !strings.Contains(text, "goroutine") {
		t.Fatalf("crash report lacks the panic and stack:\n%s", text)
	}
	if strings.Contains(text, "13812345678") || strings.Contains(text, "110101199003071234") {
		t.Fatalf("crash report not redacted:\n%s", text)
	}
	kept, err := os.ReadFile(filepath.Join(dir, PreviousCrashFile))
	if err != nil || string(kept) != text {
		t.Fatalf("kept report differs: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, CrashFile)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("raw crash file (unredacted) still there: %v", err)
	}
	// Taken once: the next start finds nothing new.
	if again, err := TakePreviousCrash(dir); err != nil || again != "" {
		t.Fatalf("second take = %q, %v", again, err)
	}
	if err := DeletePreviousCrash(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, PreviousCrashFile)); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("kept report not deleted")
	}
}

func TestCleanRunLeavesNoCrash(t *testing.T) {
	dir := t.TempDir()
	old := slog.Default()
	defer slog.SetDefault(old)
	l, err := Open(dir, slog.LevelInfo, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.StartCrashFile(); err != nil {
		t.Fatal(err)
	}
	l.WriteCrash("boom for a@b.example", []byte("main.f()\n"))
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	text, err := TakePreviousCrash(dir)
	if err != nil || !strings.Contains(text, "panic: boom for "+Redacted) {
		t.Fatalf("recovered panic not kept: %q, %v", text, err)
	}
	// A run that ends cleanly leaves nothing to show.
	l, _ = Open(dir, slog.LevelInfo, nil)
	l.StartCrashFile()
	l.Close()
	if text, err := TakePreviousCrash(dir); err != nil || text != "" {
		t.Fatalf("clean run reported a crash: %q, %v", text, err)
	}
}

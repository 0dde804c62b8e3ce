package store

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"github.com/icpfiling/icpfiling/internal/testconfig"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The tests below run this test binary again as a child process: the
// child is chosen by STORE_HELPER and works on STORE_DIR.
const helperEnv = "STORE_HELPER"

func TestMain(m *testing.M) {
	// No test touches the user's real config directory or credential
	// store: key files go to a temporary config directory, and the
	// credential store fails as on a headless machine (CI), so the key
	// file is what most tests exercise; tests of the credential store
	// switch to go-keyring's in-memory backend.
	cleanup := testconfig.Isolate()
	if role := os.Getenv(helperEnv); role != "" {
		// A child inherits the parent's temporary config directory.
		os.Exit(runHelper(role, os.Getenv("STORE_DIR")))
	}
	code := m.Run()
	cleanup()
	os.Exit(code)
}

func runHelper(role, dir string) int {
	switch role {
	case "open":
		// Try to open a store another process holds; report what happened.
		s, err := Open(Options{Dir: dir})
		if err == nil {
			s.Close()
			fmt.Println("opened")
			return 0
		}
		var se *Error
		errors.As(err, &se)
		fmt.Printf("already_open=%v\nzh=%s\nen=%s\n", errors.Is(err, ErrAlreadyOpen), se.Message("zh"), se.Message("en"))
		fmt.Printf("delete_all_refused=%v\n", errors.Is(DeleteAllData(dir), ErrAlreadyOpen))
		return 0
	case "migrate":
		// Open a plain store, reporting the encryption's progress.
		s, err := Open(Options{Dir: dir, SnapshotInterval: -1, Progress: func(done, total int) {
			fmt.Printf("progress %d %d\n", done, total)
			os.Stdout.Sync()
		}})
		if err != nil {
			fmt.Println("open:", err)
			return 3
		}
		s.Close()
		fmt.Println("done")
		return 0
	case "kill-loop":
		return killLoopChild(dir, os.Getenv("STORE_ITER"))
	case "writer":
		return saveStream(dir)
	case "passphrase-cycle":
		return passphraseCycleChild(dir)
	case "save-on-full-disk":
		s, err := Open(Options{Dir: dir, SnapshotInterval: -1})
		if err != nil {
			fmt.Println("open:", err)
			return 3
		}
		if os.Getenv("STORE_GUARD") == "off" {
			s.freeSpace = nil
		}
		fmt.Println("ready")
		bufio.NewReader(os.Stdin).ReadString('\n') // the parent fills the disk meanwhile
		app := sampleApp(1)
		app.ID = "the-draft"
		app.Subject.Remark = "version 2 " + strings.Repeat("x", 4000)
		_, err = s.SaveDraft(app)
		fmt.Printf("disk_full=%v\nerr=%v\n", errors.Is(err, ErrDiskFull), err)
		_, err = s.PutAttachment(bytes.NewReader(bytes.Repeat([]byte("new scan "), 100_000)), "new.jpg", "image/jpeg")
		fmt.Printf("attachment_disk_full=%v\nerr=%v\n", errors.Is(err, ErrDiskFull), err)
		s.db.Close() // no snapshot: the disk is full
		return 0
	}
	return 2
}

// saveStream saves drafts as fast as it can and prints "ack N" after each
// save returns, until it is killed. Every save rewrites the draft
// "autosaved" (the GUI's pattern) and creates draft "d-N" and record N (an
// agency import and the outbox), so the parent can check each kind.
func saveStream(dir string) int {
	s, err := Open(Options{Dir: dir, SnapshotInterval: -1})
	if err != nil {
		fmt.Println("open:", err)
		return 3
	}
	out := bufio.NewWriter(os.Stdout)
	for n := 1; ; n++ {
		app := sampleApp(n)
		app.ID = "autosaved"
		app.Subject.Remark = strconv.Itoa(n) + strings.Repeat(" ", 4000) // ~5 KB like a real draft
		if _, err := s.SaveDraft(app); err != nil {
			fmt.Println("save:", err)
			return 4
		}
		app.ID = fmt.Sprintf("d-%d", n)
		if _, err := s.SaveDraft(app); err != nil {
			fmt.Println("save:", err)
			return 4
		}
		if err := s.PutRecord("outbox", strconv.Itoa(n), []byte(strconv.Itoa(n))); err != nil {
			fmt.Println("record:", err)
			return 4
		}
		fmt.Fprintf(out, "ack %d\n", n)
		out.Flush()
	}
}

func helper(t *testing.T, role, dir string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"="+role, "STORE_DIR="+dir)
	return cmd
}

func TestSecondProcessIsToldAppAlreadyOpen(t *testing.T) {
	dir := t.TempDir()
	s := openTemp(t, Options{Dir: dir})
	var ids []string
	for i := 0; i < 10; i++ {
		info, err := s.NewDraft(sampleApp(i))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, info.ID)
	}
	out, err := helper(t, "open", dir).CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	got := string(out)
	for _, want := range []string{"already_open=true", "zh=程序已经打开了这份数据", "en=the app is already open", "delete_all_refused=true"} {
		if !strings.Contains(got, want) {
			t.Errorf("child output lacks %q:\n%s", want, got)
		}
	}
	// The first process goes on working, and nothing was damaged.
	if _, err := s.NewDraft(sampleApp(99)); err != nil {
		t.Fatalf("writing after the refused open: %v", err)
	}
	s.Close()
	s = openTemp(t, Options{Dir: dir})
	list, err := s.ListDrafts()
	if err != nil || len(list) != 11 {
		t.Fatalf("after reopen: %d drafts, %v", len(list), err)
	}
	for i, id := range ids {
		app, _, err := s.LoadDraft(id)
		if err != nil || app.Subject.Name != sampleApp(i).Subject.Name {
			t.Errorf("draft %d: %v", i, err)
		}
	}
	// Once closed, the directory can be opened by another process again.
	s.Close()
	out, _ = helper(t, "open", dir).CombinedOutput()
	if !strings.Contains(string(out), "opened") {
		t.Errorf("child could not open a closed store:\n%s", out)
	}
}

func TestKilledWriterLosesNoAcknowledgedSave(t *testing.T) {
	// Kill at different points of the stream: early (first memtable), and
	// later, after memtable flushes have happened.
	for _, killAfter := range []int{20, 1500} {
		t.Run(strconv.Itoa(killAfter), func(t *testing.T) {
			if testing.Short() && killAfter > 300 {
				t.Skip("long stream skipped in -short")
			}
			dir := t.TempDir()
			cmd := helper(t, "writer", dir)
			stdout, _ := cmd.StdoutPipe()
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			acked := 0
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				line := sc.Text()
				n, err := strconv.Atoi(strings.TrimPrefix(line, "ack "))
				if err != nil {
					t.Fatalf("child said %q; stderr %s", line, stderr.String())
				}
				acked = n
				if acked >= killAfter {
					cmd.Process.Kill() // SIGKILL: no deferred code, no Close
					break
				}
			}
			// Drain what the child wrote before it died.
			for sc.Scan() {
				if n, err := strconv.Atoi(strings.TrimPrefix(sc.Text(), "ack ")); err == nil {
					acked = n
				}
			}
			cmd.Wait()
			if acked < killAfter {
				t.Fatalf("child stopped at %d acks; stderr %s", acked, stderr.String())
			}

			s := openTemp(t, Options{Dir: dir})
			app, _, err := s.LoadDraft("autosaved")
			if err != nil {
				t.Fatal(err)
			}
			last, _ := strconv.Atoi(strings.TrimSpace(app.Subject.Remark))
			// The kill may land after a save and before its ack is printed.
			if last < acked || last > acked+1 {
				t.Errorf("autosaved draft is at save %d, acknowledged %d", last, acked)
			}
			for n := 1; n <= acked; n++ {
				d, _, err := s.LoadDraft(fmt.Sprintf("d-%d", n))
				if err != nil || d.Subject.Name != sampleApp(n).Subject.Name {
					t.Fatalf("acknowledged draft d-%d: %v", n, err)
				}
				if v, err := s.GetRecord("outbox", strconv.Itoa(n)); err != nil || string(v) != strconv.Itoa(n) {
					t.Fatalf("acknowledged record %d: %q %v", n, v, err)
				}
			}
			list, _ := s.ListDrafts()
			t.Logf("killed after %d acknowledged saves; %d drafts present", acked, len(list))
		})
	}
}

// fullFS is a file layer whose disk fills up after budget bytes.
type fullFS struct {
	osFS
	budget int64
}

type fullFile struct {
	*os.File
	fs *fullFS
}

func (f *fullFS) CreateTemp(dir, pattern string) (tempFile, error) {
	file, err := os.CreateTemp(dir, pattern)
	if err != nil {
		return nil, err
	}
	return &fullFile{file, f}, nil
}

func (f *fullFile) Write(p []byte) (int, error) {
	if int64(len(p)) > f.fs.budget {
		n, _ := f.File.Write(p[:f.fs.budget])
		f.fs.budget = 0
		return n, &os.PathError{Op: "write", Path: f.Name(), Err: syscall.ENOSPC}
	}
	f.fs.budget -= int64(len(p))
	return f.File.Write(p)
}

func TestFullDiskAtTheFileLayer(t *testing.T) {
	s := openTemp(t, Options{})
	old, err := s.PutAttachment(bytes.NewReader(jpegish), "scan.jpg", "image/jpeg")
	if err != nil {
		t.Fatal(err)
	}
	first, err := s.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	s.fs = &fullFS{budget: 1000}

	bigger := append(bytes.Repeat([]byte("y"), 100_000), jpegish...)
	_, err = s.PutAttachment(bytes.NewReader(bigger), "second.jpg", "image/jpeg")
	if !errors.Is(err, ErrDiskFull) {
		t.Fatalf("PutAttachment on a full disk: %v", err)
	}
	var se *Error
	errors.As(err, &se)
	if !strings.Contains(se.Message("zh"), "磁盘空间已满") || !strings.Contains(se.Message("en"), "disk is full") {
		t.Errorf("message: %q / %q", se.Message("zh"), se.Message("en"))
	}
	if err := s.VerifyAttachment(old); err != nil {
		t.Errorf("earlier attachment damaged: %v", err)
	}
	if n := countFiles(t, filepath.Join(s.Dir(), attachmentDirName)); n != 1 {
		t.Errorf("%d files in attachments, want only the earlier one", n)
	}

	s.PutRecord("ns", "k", []byte("change"))
	if _, err := s.Snapshot(); !errors.Is(err, ErrDiskFull) {
		t.Errorf("Snapshot on a full disk: %v", err)
	}
	snaps, _ := ListSnapshots(s.Dir())
	if len(snaps) != 1 || snaps[0].Name != first.Name {
		t.Errorf("snapshots after a failed one: %+v", snaps)
	}
	if _, err := readSnapshot(filepath.Join(s.Dir(), snapshotDirName, first.Name), func() ([]byte, error) { return s.snapKey, nil }); err != nil {
		t.Errorf("earlier snapshot damaged: %v", err)
	}
}

func TestFullDiskRefusesDraftSaveAndKeepsPreviousVersion(t *testing.T) {
	s := openTemp(t, Options{})
	app := sampleApp(1)
	app.Subject.Remark = "version 1"
	if _, err := s.NewDraft(app); err != nil {
		t.Fatal(err)
	}
	s.freeSpace = func(string) (uint64, error) { return 1 << 20, nil }
	app.Subject.Remark = "version 2"
	_, err := s.SaveDraft(app)
	if !errors.Is(err, ErrDiskFull) {
		t.Fatalf("save with 1 MiB free: %v", err)
	}
	if err := s.PutRecord("outbox", "k", []byte("v")); !errors.Is(err, ErrDiskFull) {
		t.Errorf("PutRecord with 1 MiB free: %v", err)
	}
	got, _, err := s.LoadDraft(app.ID)
	if err != nil || got.Subject.Remark != "version 1" {
		t.Errorf("previous version: %q, %v", got.Subject.Remark, err)
	}
	s.freeSpace = func(string) (uint64, error) { return 10 << 30, nil }
	if _, err := s.SaveDraft(app); err != nil {
		t.Errorf("save once space is back: %v", err)
	}
}

// TestFullDiskOnTmpfs fills a real, small filesystem. It needs root to
// mount one and runs only on Linux; elsewhere the injected tests above
// cover the same paths.
func TestFullDiskOnTmpfs(t *testing.T) {
	if runtime.GOOS != "linux" || os.Geteuid() != 0 {
		t.Skip("needs root on Linux to mount a small tmpfs")
	}
	mnt := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=96m", "tmpfs", mnt).CombinedOutput(); err != nil {
		t.Skipf("cannot mount tmpfs: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", "-l", mnt).Run() })
	dir := filepath.Join(mnt, "data")

	s, err := Open(Options{Dir: dir, SnapshotInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	app := sampleApp(1)
	app.ID = "the-draft"
	app.Subject.Remark = "version 1"
	if _, err := s.SaveDraft(app); err != nil {
		t.Fatal(err)
	}
	scan, err := s.PutAttachment(bytes.NewReader(jpegish), "scan.jpg", "image/jpeg")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	// The child opens the store, then the disk fills up under it.
	child := helper(t, "save-on-full-disk", dir)
	child.Env = append(child.Env, "STORE_GUARD="+os.Getenv("STORE_GUARD"))
	stdin, _ := child.StdinPipe()
	stdout, _ := child.StdoutPipe()
	var stderr bytes.Buffer
	child.Stderr = &stderr
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	rd := bufio.NewReader(stdout)
	if line, _ := rd.ReadString('\n'); line != "ready\n" {
		t.Fatalf("child: %q %s", line, stderr.String())
	}

	// Fill the filesystem to the last byte.
	filler := filepath.Join(mnt, "filler")
	f, _ := os.Create(filler)
	buf := make([]byte, 1<<20)
	for {
		if _, err := f.Write(buf); err != nil {
			break
		}
	}
	for {
		if _, err := f.Write(buf[:512]); err != nil {
			break
		}
	}
	f.Close()

	// The draft save runs in the child: if the engine died on the full
	// disk (SIGBUS from a memory-mapped log), the test sees it instead of dying.
	stdin.Write([]byte("go\n"))
	rest, _ := io.ReadAll(rd)
	err = child.Wait()
	t.Logf("child: %v\n%s%s", err, rest, stderr.String())
	for _, want := range []string{"\ndisk_full=true", "attachment_disk_full=true"} {
		if err != nil || !strings.Contains("\n"+string(rest), want) {
			t.Errorf("on a full disk, child output lacks %q: %v", want, err)
		}
	}
	if n := countFiles(t, filepath.Join(dir, attachmentDirName)); n != 1 {
		t.Errorf("%d attachment files after the failed put, want 1", n)
	}

	// Opening on the full disk is refused, not a crash.
	_, err = Open(Options{Dir: dir, SnapshotInterval: -1})
	if !errors.Is(err, ErrDiskFull) {
		t.Errorf("open on a full disk: %v", err)
	}
	os.Remove(filler)
	s, err = Open(Options{Dir: dir, SnapshotInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, _, err := s.LoadDraft("the-draft")
	if err != nil || got.Subject.Remark != "version 1" {
		t.Errorf("previous version after the full disk: %q, %v", got.Subject.Remark, err)
	}
	if err := s.VerifyAttachment(scan); err != nil {
		t.Errorf("earlier scan: %v", err)
	}
	if _, err := s.SaveDraft(got); err != nil {
		t.Errorf("save after freeing space: %v", err)
	}
}

// killLoopChild does what a start of the window does (the recovery check,
// then Open) and then saves until it is killed, printing "opened", and
// "ack KEY" after each save returns; any refusal is printed.
func killLoopChild(dir, iter string) int {
	if err := RecoveryNeeded(dir, false); err != nil {
		fmt.Printf("damaged before open: %v\n", err)
		return 5
	}
	s, err := Open(Options{Dir: dir, SnapshotInterval: -1})
	if err != nil {
		fmt.Printf("open failed (damaged=%v): %v\n", errors.Is(err, ErrDamaged), err)
		return 3
	}
	fmt.Println("opened")
	os.Stdout.Sync()
	for n := 1; ; n++ {
		app := sampleApp(n)
		app.ID = "autosaved"
		if _, err := s.SaveDraft(app); err != nil {
			fmt.Println("save:", err)
			return 4
		}
		key := iter + "-" + strconv.Itoa(n)
		if err := s.PutRecord("kill", key, []byte(key)); err != nil {
			fmt.Println("record:", err)
			return 4
		}
		fmt.Println("ack " + key)
		os.Stdout.Sync()
	}
}

// TestKillLoopNeverCriesWolf kills a process that opens the store and
// saves, again and again (STORE_KILLS times, 200 by default, 20 with
// -short), at every point: before Open, during it, and between saves. No
// start may call the store damaged, and no acknowledged save may be lost.
// More kills: STORE_KILLS=2000 go test ./filing/store -run KillLoop -timeout 30m
func TestKillLoopNeverCriesWolf(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("SIGKILL")
	}
	kills := 200
	if testing.Short() {
		kills = 20
	}
	if v, err := strconv.Atoi(os.Getenv("STORE_KILLS")); err == nil && v > 0 {
		kills = v
	}
	dir := t.TempDir()
	var acked []string
	duringOpen := 0
	for i := 0; i < kills; i++ {
		cmd := helper(t, "kill-loop", dir)
		cmd.Env = append(cmd.Env, "STORE_ITER="+strconv.Itoa(i))
		stdout, _ := cmd.StdoutPipe()
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := make(chan string)
		go func() {
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				lines <- sc.Text()
			}
			close(lines)
		}()
		// Every fourth run is killed after a short wait that may land in
		// the exec, the recovery check or Open; the others after "opened"
		// and 0-4 saves.
		killed := false
		var timer <-chan time.Time
		if i%4 == 0 {
			timer = time.After(time.Duration(i%25) * time.Millisecond)
		}
		opened, acks := false, 0
	read:
		for {
			select {
			case <-timer:
				cmd.Process.Kill()
				killed, timer = true, nil
				if !opened {
					duringOpen++
				}
			case line, ok := <-lines:
				if !ok {
					break read
				}
				switch {
				case line == "opened":
					opened = true
				case strings.HasPrefix(line, "ack "):
					if !killed {
						acked = append(acked, strings.TrimPrefix(line, "ack "))
					}
					acks++
				default:
					t.Fatalf("run %d: %s\nstderr: %s", i, line, stderr.String())
				}
				if !killed && timer == nil && opened && acks >= i%5 {
					cmd.Process.Kill() // SIGKILL: no deferred code, no Close
					killed = true
				}
			}
		}
		cmd.Wait()
		if !killed {
			t.Fatalf("run %d ended by itself; stderr: %s", i, stderr.String())
		}
	}
	s := openTemp(t, Options{Dir: dir})
	for _, key := range acked {
		if v, err := s.GetRecord("kill", key); err != nil || string(v) != key {
			t.Fatalf("acknowledged save %s lost: %v", key, err)
		}
	}
	t.Logf("%d kills (%d before the store was open), %d acknowledged saves kept, unfinished opens now %d",
		kills, duringOpen, len(acked), UnfinishedOpens(dir))
}

package main

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/icpfiling/icpfiling/filing/batch"
	"github.com/icpfiling/icpfiling/internal/testconfig"
)

// batchPeakChild is the environment variable that makes the test binary a
// child running one batch command, as the CLI runs it, and printing its
// peak RSS (VmHWM) last.
const batchPeakChild = "ICPFILING_BATCH_PEAK_CHILD"

// The child runs before TestMain: it only needs the parent's isolated
// config directory (for the data key) and the batch command.
func init() {
	args := os.Getenv(batchPeakChild)
	if args == "" {
		return
	}
	cleanup := testconfig.Isolate()
	code := cmdBatch(strings.Split(args, "\x1f"), io.Discard, os.Stderr)
	testconfig.PrintPeakRSS()
	cleanup()
	os.Exit(code)
}

// batchPeakMB runs one batch command in a child and returns its peak RSS
// in MB; env is added to the child's environment.
func batchPeakMB(b testing.TB, env []string, args ...string) float64 {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(append(os.Environ(), batchPeakChild+"="+strings.Join(args, "\x1f")), env...)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output() // check and report exit 1: the rows share a certificate
	if ee, ok := err.(*exec.ExitError); err != nil && (!ok || ee.ExitCode() > 1) {
		b.Fatalf("batch %s: %v", strings.Join(args, " "), err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	var kb float64
	if _, err := fmt.Sscanf(lines[len(lines)-1], "%f kB", &kb); err != nil {
		b.Skipf("no VmHWM from the child (%q): not Linux?", out)
	}
	return kb / 1024
}

// writeBatchSheet writes a CSV of n filings from the template's example
// row, each with its own key and domain; shared keeps the example's
// certificate number on every row (the report then has a message naming
// other rows for each), else each gets its own.
func writeBatchSheet(b testing.TB, path string, n int, shared bool) {
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	bw := bufio.NewWriterSize(f, 1<<20)
	w := csv.NewWriter(bw)
	var zh, en, example []string
	for _, c := range batch.Columns {
		zh, en, example = append(zh, c.ZH), append(en, c.Key), append(example, c.Example)
	}
	_ = w.Write(zh)
	_ = w.Write(en)
	row := make([]string, len(example))
	for i := range n {
		for k, c := range batch.Columns {
			row[k] = example[k]
			switch c.Key {
			case "key":
				row[k] = fmt.Sprintf("K%06d", i)
			case "domain":
				row[k] = fmt.Sprintf("site%d.example.com", i)
			case "certificate_number":
				if !shared {
					row[k] = fmt.Sprintf("9133%014d", i)
				}
			}
		}
		_ = w.Write(row)
	}
	w.Flush()
	if err := w.Error(); err != nil {
		b.Fatal(err)
	}
	if err := bw.Flush(); err != nil {
		b.Fatal(err)
	}
}

// batchPeakLimitMB is issue 15's bound on the peak RSS of batch import,
// check and report, whatever the sheet.
const batchPeakLimitMB = 300

// TestBatchPeakRSS (make faults): batch import, check and report of
// 10,000 filings sharing one certificate number (each report row then
// names other rows) and the import of 20,000 (the row cap) stay under
// 300 MB of peak RSS, as the CLI runs them. About a minute.
func TestBatchPeakRSS(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("peak RSS is read from /proc (Linux)")
	}
	dir := t.TempDir()
	shared := filepath.Join(dir, "shared10000.csv")
	writeBatchSheet(t, shared, 10_000, true)
	atCap := filepath.Join(dir, "cap20000.csv")
	writeBatchSheet(t, atCap, 20_000, false)
	data := filepath.Join(dir, "data")
	for _, c := range batchPeakCommands(dir, data, shared, atCap) {
		peak := batchPeakMB(t, nil, c.args...)
		if peak > batchPeakLimitMB {
			t.Errorf("%s: peak RSS %.0f MB, over %d MB", c.name, peak, batchPeakLimitMB)
		}
		t.Logf("%s: peak RSS %.0f MB (limit %d MB)", c.name, peak, batchPeakLimitMB)
	}
	for _, name := range []string{"r.csv", "r.xlsx"} {
		if fi, err := os.Stat(filepath.Join(dir, name)); err != nil || fi.Size() == 0 {
			t.Errorf("the report %s was not written: %v", name, err)
		}
	}
}

type batchPeakCommand struct {
	name string
	args []string
}

// batchPeakCommands are the commands measured, in order: the check and
// the reports read the 10,000 filings the first import stored.
func batchPeakCommands(dir, data, shared, atCap string) []batchPeakCommand {
	asOf := "2026-03-02"
	return []batchPeakCommand{
		{"import-10000", []string{"import", shared, "--data-dir", data}},
		{"check-10000", []string{"check", "--data-dir", data, "--as-of", asOf}},
		{"report-10000-csv", []string{"report", "--out", filepath.Join(dir, "r.csv"), "--data-dir", data, "--as-of", asOf}},
		{"report-10000-xlsx", []string{"report", "--out", filepath.Join(dir, "r.xlsx"), "--data-dir", data, "--as-of", asOf}},
		{"import-20000-at-cap", []string{"import", atCap, "--data-dir", data + "-cap"}},
	}
}

// BenchmarkBatchPeakRSS: the peak RSS of batch import, check and report
// as the CLI runs them (issue 15 point 3: at most 300 MB), each next to
// the baseline of the same command without the batch commands' soft
// memory limit (GOMEMLIMIT=off). 10,000 filings share one certificate
// number (the report's worst case); 20,000 distinct ones are the row cap.
// Minutes: run it alone, go test -run '^$' -bench BatchPeakRSS -benchtime 1x.
func BenchmarkBatchPeakRSS(b *testing.B) {
	dir := b.TempDir()
	shared := filepath.Join(dir, "shared10000.csv")
	writeBatchSheet(b, shared, 10_000, true)
	atCap := filepath.Join(dir, "cap20000.csv")
	writeBatchSheet(b, atCap, 20_000, false)
	for _, mode := range []struct {
		name string
		env  []string
	}{{"", nil}, {"baseline-no-memory-limit/", []string{"GOMEMLIMIT=off"}}} {
		data := filepath.Join(dir, "data-"+fmt.Sprint(len(mode.env)))
		for _, c := range batchPeakCommands(dir, data, shared, atCap) {
			b.Run(mode.name+c.name, func(b *testing.B) {
				var peak float64
				for b.Loop() {
					peak = max(peak, batchPeakMB(b, mode.env, c.args...))
				}
				b.ReportMetric(peak, "peak-MB")
			})
		}
	}
}

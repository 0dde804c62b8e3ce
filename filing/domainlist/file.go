package domainlist

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/icpfiling/icpfiling/filing"
)

// FormatError is an output path whose extension is neither .pdf nor .png.
type FormatError struct{ Path string }

func (e *FormatError) Error() string { return e.Message("en") }

// Message says what is wrong in "zh" or "en".
func (e *FormatError) Message(lang string) string {
	if lang == "en" {
		return fmt.Sprintf("%s: the output must end in .pdf or .png", e.Path)
	}
	return fmt.Sprintf("%s：输出文件须以 .pdf 或 .png 结尾", e.Path)
}

// SheetPath is where sheet n (from 1) of a PNG list goes: the path itself
// for the first, "name-2.png", "name-3.png"… for the ones after it.
func SheetPath(path string, n int) string {
	if n <= 1 {
		return path
	}
	ext := filepath.Ext(path)
	return fmt.Sprintf("%s-%d%s", strings.TrimSuffix(path, ext), n, ext)
}

// WriteFile writes the page to path as PDF (all sheets in one file) or
// PNG (one file per sheet, named by SheetPath) by its extension, with the
// font given as the bytes of an OpenType or TrueType face (the bundled
// one: gui.ChineseFont). It returns the files written. Each file is
// written beside its place and renamed into it, so a failure leaves no
// half-written page.
func WriteFile(path string, pg Page, fontData []byte) ([]string, error) {
	ext := strings.ToLower(filepath.Ext(path))
	if ext != ".pdf" && ext != ".png" {
		return nil, &FormatError{path}
	}
	f, err := ParseFont(fontData)
	if err != nil {
		return nil, fmt.Errorf("font: %w", err)
	}
	var written []string
	var cur *os.File
	finish := func() error {
		if cur == nil {
			return nil
		}
		tmp := cur.Name()
		err := cur.Close()
		cur = nil
		if err == nil {
			err = os.Rename(tmp, strings.TrimSuffix(tmp, ".part"))
		}
		if err != nil {
			os.Remove(tmp)
			return err
		}
		written = append(written, strings.TrimSuffix(tmp, ".part"))
		return nil
	}
	open := func(n int) (io.Writer, error) {
		if err := finish(); err != nil {
			return nil, err
		}
		c, err := os.Create(SheetPath(path, n) + ".part")
		cur = c
		return c, err
	}
	if ext == ".pdf" {
		var w io.Writer
		if w, err = open(1); err == nil {
			err = WritePDF(w, pg, f)
		}
	} else {
		err = WritePNG(pg, f, open)
	}
	if err == nil {
		err = finish()
	}
	if err != nil {
		if cur != nil {
			cur.Close()
			os.Remove(cur.Name())
		}
		return written, err
	}
	return written, nil
}

// WriteFor writes the domain list page of a filing as of a day, what the
// window's "print" does before opening the file with the system viewer.
func WriteFor(path string, app *filing.Application, pack *filing.Pack, day filing.Date, fontData []byte) ([]string, error) {
	return WriteFile(path, PageFor(app, pack, day), fontData)
}

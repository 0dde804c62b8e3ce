package batch

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/icpfiling/icpfiling/filing"
	"github.com/icpfiling/icpfiling/imaging"
)

// A slot's image may be stitched from parts (issue 18 point 5;
// icp-rules.md 1.1.8: a supporting document with no slot of its own goes
// into one image with the main certificate): <key>_<slot>[_<n>].jpg is
// part 1, <key>_<slot>[_<n>]_part2.jpg … the others, composed in their
// numbers' order on import.

// ComposedScan is a slot's image stitched from parts on import.
type ComposedScan struct {
	// File is the name the composite is stored under (part 1's, as .jpg).
	File  string             `json:"file"`
	Key   string             `json:"key"`
	Slot  string             `json:"slot"`
	Bytes int                `json:"bytes,omitempty"`
	Parts []ComposedScanPart `json:"parts"`
	// ZH and EN say why the parts were not composed (part 1 was then
	// attached alone); empty when they were.
	ZH string `json:"zh,omitempty"`
	EN string `json:"en,omitempty"`

	jpeg []byte
}

// ComposedScanPart is one part of a composed scan, with its own check.
type ComposedScanPart struct {
	File    string          `json:"file"`
	Verdict imaging.Verdict `json:"verdict"`
	// Problems are the part's warnings from composing and its failed
	// legibility checks (imaging.Composition.Problems).
	Problems []imaging.Check `json:"problems,omitempty"`
}

// Message is the composed scan in "zh" or "en": one line, then one per
// part.
func (c ComposedScan) Message(lang string) string {
	var b strings.Builder
	switch {
	case c.EN != "" && lang == "en":
		fmt.Fprintf(&b, "%s: not composed: %s", c.File, c.EN)
	case c.EN != "":
		fmt.Fprintf(&b, "%s：未拼接：%s", c.File, c.ZH)
	case lang == "en":
		fmt.Fprintf(&b, "%s: composed from %d parts (%d KB)", c.File, len(c.Parts), c.Bytes>>10)
	default:
		fmt.Fprintf(&b, "%s：由 %d 个部分拼接而成（%d KB）", c.File, len(c.Parts), c.Bytes>>10)
	}
	for i, p := range c.Parts {
		verdict := p.Verdict.String()
		if lang == "en" {
			fmt.Fprintf(&b, "\n  part %d %s: %s", i+1, p.File, verdict)
		} else {
			fmt.Fprintf(&b, "\n  第 %d 部分 %s：%s", i+1, p.File, verdict)
		}
		for _, pr := range p.Problems {
			b.WriteString("\n    " + pr.Message(lang))
		}
	}
	return b.String()
}

// ParsePartName splits a part's file name <base>_part<n>.<ext> (n ≥ 2;
// "part" in any case) into part 1's base name and n.
func ParsePartName(name string) (base string, n int, ok bool) {
	stem := strings.TrimSuffix(name, filepath.Ext(name))
	i := strings.LastIndexByte(stem, '_')
	if i <= 0 || len(stem) < i+6 || !strings.EqualFold(stem[i+1:i+5], "part") {
		return "", 0, false
	}
	n, err := strconv.Atoi(stem[i+5:])
	if err != nil || n < 2 || stem[i+5] == '+' || stem[i+5] == '-' {
		return "", 0, false
	}
	return stem[:i], n, true
}

func isPart(name string) bool {
	_, _, ok := ParsePartName(name)
	return ok && scanTypes[strings.ToLower(filepath.Ext(name))] != ""
}

// scanParts finds the parts of the scan folder: for each part 1 (by its
// file name), its other parts' file names in their numbers' order. Parts
// without a part 1, beyond imaging.MaxComposeParts or numbered twice are
// listed as unused.
func scanParts(entries []os.DirEntry, slots []string) (map[string][]string, []ScanProblem) {
	mains := map[string]string{} // base name → part 1's file name
	type part struct {
		n    int
		name string
	}
	byMain := map[string][]part{}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || strings.HasPrefix(name, ".") || scanTypes[strings.ToLower(filepath.Ext(name))] == "" {
			continue
		}
		if base, n, ok := ParsePartName(name); ok {
			byMain[base] = append(byMain[base], part{n, name})
			continue
		}
		if _, _, _, ok := ParseScanName(name, slots); ok {
			mains[strings.TrimSuffix(name, filepath.Ext(name))] = name
		}
	}
	out := map[string][]string{}
	var unused []ScanProblem
	for base, ps := range byMain {
		main, ok := mains[base]
		if !ok {
			for _, p := range ps {
				unused = append(unused, ScanProblem{p.name, "缺少第 1 部分（去掉 _partN 的同名文件）。", "part 1 (the same name without _partN) is missing"})
			}
			continue
		}
		slices.SortFunc(ps, func(a, b part) int { return a.n - b.n })
		for i, p := range ps {
			switch {
			case i > 0 && ps[i-1].n == p.n:
				unused = append(unused, ScanProblem{p.name, fmt.Sprintf("第 %d 部分重复。", p.n), fmt.Sprintf("part %d is there twice", p.n)})
			case len(out[main])+1 >= imaging.MaxComposeParts:
				unused = append(unused, ScanProblem{p.name, fmt.Sprintf("一张图最多拼接 %d 个部分。", imaging.MaxComposeParts),
					fmt.Sprintf("at most %d parts go into one image", imaging.MaxComposeParts)})
			default:
				out[main] = append(out[main], p.name)
			}
		}
	}
	slices.SortFunc(unused, func(a, b ScanProblem) int { return strings.Compare(a.File, b.File) })
	return out, unused
}

// composeScan stitches part 1 (main) and its other parts into the slot's
// image under the pack's upload limit for the slot. When they cannot be
// composed, the result says why (part 1 is then attached alone) and the
// other parts are listed as unused.
func composeScan(dir, key, slot, main string, more []string, kind imaging.Kind, pack *filing.Pack, day filing.Date) (ComposedScan, []ScanProblem) {
	c := ComposedScan{File: strings.TrimSuffix(main, filepath.Ext(main)) + ".jpg", Key: key, Slot: slot}
	files := append([]string{main}, more...)
	parts := make([]imaging.ComposePart, len(files))
	for i, f := range files {
		parts[i] = imaging.ComposePart{Name: f, Path: filepath.Join(dir, f)}
	}
	opts := imaging.ComposeOptions{Kind: kind, Name: c.File}
	if u := pack.UploadFor(slot, day); u != nil {
		opts.Limits = imaging.Limits{RuleID: u.ID, Formats: u.Formats, Discouraged: u.Discouraged, MaxBytes: u.MaxBytes, MinBytes: u.MinBytes}
	}
	res, err := imaging.Compose(parts, opts)
	if err != nil {
		var ce *imaging.ComposeError
		switch {
		case errors.As(err, &ce):
			c.ZH, c.EN = ce.Message("zh"), ce.Message("en")
		case errors.Is(err, imaging.ErrComposeTooLarge):
			c.ZH, c.EN = "各部分无法一起压到大小限值内。", "the parts do not fit under the size limit together"
		default:
			c.ZH, c.EN = err.Error(), err.Error()
		}
		var unused []ScanProblem
		for _, f := range more {
			unused = append(unused, ScanProblem{f, "未能与第 1 部分拼接：" + c.ZH, "could not be composed with part 1: " + c.EN})
		}
		return c, unused
	}
	c.jpeg, c.Bytes = res.JPEG, len(res.JPEG)
	for i, p := range res.Parts {
		c.Parts = append(c.Parts, ComposedScanPart{File: files[i], Verdict: p.Report.Verdict, Problems: res.PartProblems(i)})
	}
	return c, nil
}

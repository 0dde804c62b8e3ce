package domainlist

import (
	"fmt"
	"strconv"
)

// The page in points (1/72 inch), y measured down from the top edge; the
// PDF and PNG writers turn these into their own coordinates.
const (
	pageW  = 595.276 // A4, 210 mm
	pageH  = 841.890 // A4, 297 mm
	margin = 56.7    // 20 mm

	titleSize = 22.0
	bodySize  = 12.0
	smallSize = 10.0
	rowHeight = 20.0

	sealW = 180.0
	sealH = 120.0
)

// textOp is a run of text with its baseline at (x, y). Entry is the index
// of the domain it shows, or -1: a wrapped domain is several runs with
// one entry, which the PDF marks as one piece of content.
type textOp struct {
	x, y, size float64
	s          string
	entry      int
}

// lineOp is a stroked line.
type lineOp struct {
	x1, y1, x2, y2 float64
	width          float64
	dashed         bool
}

// sheet is one page's drawing.
type sheet struct {
	texts []textOp
	lines []lineOp
}

// layout lays the page out and hands each sheet to emit in turn, so that
// only one sheet is in memory however many domains there are.
func layout(pg Page, f *Font, emit func(sheet) error) error {
	label := "主办单位："
	seal := "（此处加盖单位公章）"
	if pg.Personal {
		label, seal = "主办者：", "（此处本人签字）"
	}
	const left, right = margin, pageW - margin
	subjectLines := wrap(f, label+pg.Subject, right-left, bodySize)
	y := margin + titleSize
	headerY := y + 14 + float64(len(subjectLines))*rowHeight + 4
	ruleY := headerY + 8
	listTop := ruleY + 6
	if pg.Registrar {
		listTop += rowHeight
	}
	sealTop := pageH - margin - 24 - sealH
	rows := int((sealTop - 16 - listTop) / rowHeight)

	numRight := left + 34.0
	domainX := left + 42.0
	regX := right - 150.0
	domainW := right - domainX
	if pg.Registrar {
		domainW = regX - 12 - domainX
	}

	// First pass: how many sheets, so that each can say "page p of n".
	pages, used := 1, 0
	for _, e := range pg.Entries {
		n := min(len(wrap(f, e.Domain, domainW, bodySize)), rows)
		if used+n > rows {
			pages, used = pages+1, 0
		}
		used += n
	}

	entry := 0
	for p := 1; p <= pages; p++ {
		var sh sheet
		text := func(x, y, size float64, s string, entry int) {
			sh.texts = append(sh.texts, textOp{x, y, size, s, entry})
		}
		title := "域名清单"
		text((pageW-f.Width(title, titleSize))/2, y, titleSize, title, -1)
		for i, l := range subjectLines {
			text(left, y+14+float64(i+1)*rowHeight, bodySize, l, -1)
		}
		count := fmt.Sprintf("共 %d 个域名", len(pg.Entries))
		text(right-f.Width(count, smallSize), headerY, smallSize, count, -1)
		sh.lines = append(sh.lines, lineOp{left, ruleY, right, ruleY, 0.8, false})
		if pg.Registrar {
			text(domainX, listTop-6, smallSize, "域名", -1)
			text(regX, listTop-6, smallSize, "注册商（中文简称）", -1)
		}
		row := 0
		for ; entry < len(pg.Entries); entry++ {
			e := pg.Entries[entry]
			pieces := wrap(f, e.Domain, domainW, bodySize)
			if len(pieces) > rows {
				pieces = pieces[:rows] // a name longer than a page: cannot happen for a real domain
			}
			if row+len(pieces) > rows {
				break
			}
			base := listTop + float64(row+1)*rowHeight - 5
			num := strconv.Itoa(entry+1) + "."
			text(numRight-f.Width(num, bodySize), base, bodySize, num, -1)
			for i, s := range pieces {
				text(domainX, base+float64(i)*rowHeight, bodySize, s, entry)
			}
			if pg.Registrar {
				if e.Registrar != "" {
					text(regX, base, bodySize, e.Registrar, -1)
				} else {
					sh.lines = append(sh.lines, lineOp{regX, base + 3, right, base + 3, 0.5, false})
				}
			}
			row += len(pieces)
		}

		// The date and the marked place for the seal or signature.
		sealX := right - sealW
		sh.lines = append(sh.lines,
			lineOp{sealX, sealTop, right, sealTop, 0.8, true},
			lineOp{right, sealTop, right, sealTop + sealH, 0.8, true},
			lineOp{right, sealTop + sealH, sealX, sealTop + sealH, 0.8, true},
			lineOp{sealX, sealTop + sealH, sealX, sealTop, 0.8, true})
		text(sealX+(sealW-f.Width(seal, smallSize))/2, sealTop+sealH-10, smallSize, seal, -1)
		d := pg.Date.Time()
		text(left, sealTop+sealH/2, bodySize, fmt.Sprintf("日期：%d 年 %d 月 %d 日", d.Year(), int(d.Month()), d.Day()), -1)
		folio := fmt.Sprintf("第 %d 页 / 共 %d 页", p, pages)
		text((pageW-f.Width(folio, smallSize))/2, pageH-margin+14, smallSize, folio, -1)
		if err := emit(sh); err != nil {
			return err
		}
	}
	return nil
}

// wrap breaks s into runs no wider than width at size, between
// characters (a domain has no spaces to break at).
func wrap(f *Font, s string, width, size float64) []string {
	if s == "" {
		return []string{""}
	}
	var out []string
	start, w := 0, 0.0
	for i, r := range s {
		cw := float64(f.advance(f.glyph(r))) * size / float64(f.upem)
		if w+cw > width && i > start {
			out = append(out, s[start:i])
			start, w = i, 0
		}
		w += cw
	}
	return append(out, s[start:])
}

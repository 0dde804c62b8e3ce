package domainlist

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"crypto/sha256"
	"fmt"
	"io"
	"strings"
	"unicode/utf16"
)

// Objects of the PDF written before the pages; the pages follow from
// firstPageObj, two objects each (page, content). The page tree and the
// font are written last, when the pages and the glyphs are known.
const (
	catalogObj = 1 + iota
	pagesObj
	fontObj       // Type0
	cidFontObj    // CIDFontType2
	descriptorObj // FontDescriptor
	fontFileObj   // FontFile2, the TrueType subset
	toUnicodeObj  // ToUnicode CMap
	firstPageObj
)

// pdfWriter writes objects and remembers their offsets for the xref.
type pdfWriter struct {
	w       *bufio.Writer
	n       int64
	offsets map[int]int64
	err     error
}

func (p *pdfWriter) printf(format string, a ...any) {
	if p.err != nil {
		return
	}
	n, err := fmt.Fprintf(p.w, format, a...)
	p.n += int64(n)
	p.err = err
}

func (p *pdfWriter) write(b []byte) {
	if p.err != nil {
		return
	}
	n, err := p.w.Write(b)
	p.n += int64(n)
	p.err = err
}

func (p *pdfWriter) object(id int, body string) {
	p.offsets[id] = p.n
	p.printf("%d 0 obj\n%s\nendobj\n", id, body)
}

// stream writes a Flate-compressed stream object; extra goes into its
// dictionary.
func (p *pdfWriter) stream(id int, data []byte, extra string) {
	var z bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&z, zlib.BestCompression)
	zw.Write(data)
	zw.Close()
	p.offsets[id] = p.n
	p.printf("%d 0 obj\n<< /Length %d /Filter /FlateDecode%s >>\nstream\n", id, z.Len(), extra)
	p.write(z.Bytes())
	p.printf("\nendstream\nendobj\n")
}

// WritePDF writes the page as a PDF: A4, one or more sheets, the text
// set in a TrueType subset of the font with a ToUnicode map, so that the
// text can be selected, searched and extracted. Each domain is a marked
// content sequence tagged /Domain.
func WritePDF(w io.Writer, pg Page, f *Font) error {
	p := &pdfWriter{w: bufio.NewWriter(w), offsets: map[int]int64{}}
	p.printf("%%PDF-1.4\n%%\xe2\xe3\xcf\xd3\n")
	p.object(catalogObj, fmt.Sprintf("<< /Type /Catalog /Pages %d 0 R >>", pagesObj))
	sub := newSubset(f)
	var kids []string
	next := firstPageObj
	err := layout(pg, f, func(sh sheet) error {
		content, err := sheetContent(sh, sub)
		if err != nil {
			return err
		}
		pageID, contentID := next, next+1
		next += 2
		kids = append(kids, fmt.Sprintf("%d 0 R", pageID))
		p.object(pageID, fmt.Sprintf("<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %.3f %.3f] /Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>",
			pagesObj, pageW, pageH, fontObj, contentID))
		p.stream(contentID, content, "")
		return p.err
	})
	if err != nil {
		return err
	}
	p.object(pagesObj, fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), len(kids)))

	ttf, box, advances, err := sub.trueType()
	if err != nil {
		return err
	}
	name := subsetTag(sub) + "+NotoSansCJKsc-Regular"
	p.object(fontObj, fmt.Sprintf("<< /Type /Font /Subtype /Type0 /BaseFont /%s /Encoding /Identity-H /DescendantFonts [%d 0 R] /ToUnicode %d 0 R >>",
		name, cidFontObj, toUnicodeObj))
	scale := 1000 / float64(f.upem)
	var widths strings.Builder
	for i, a := range advances {
		if i > 0 {
			widths.WriteByte(' ')
		}
		fmt.Fprintf(&widths, "%d", int(float64(a)*scale+0.5))
	}
	p.object(cidFontObj, fmt.Sprintf("<< /Type /Font /Subtype /CIDFontType2 /BaseFont /%s /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor %d 0 R /DW 1000 /W [0 [%s]] /CIDToGIDMap /Identity >>",
		name, descriptorObj, widths.String()))
	p.object(descriptorObj, fmt.Sprintf("<< /Type /FontDescriptor /FontName /%s /Flags 4 /FontBBox [%d %d %d %d] /ItalicAngle 0 /Ascent %d /Descent %d /CapHeight %d /StemV 80 /FontFile2 %d 0 R >>",
		name, int(float64(box.xMin)*scale), int(float64(box.yMin)*scale), int(float64(box.xMax)*scale), int(float64(box.yMax)*scale),
		int(float64(f.ascent)*scale), -int(float64(f.descent)*scale), int(float64(f.ascent)*scale*0.83), fontFileObj))
	p.stream(fontFileObj, ttf, fmt.Sprintf(" /Length1 %d", len(ttf)))
	p.stream(toUnicodeObj, toUnicode(sub), "")

	xref := p.n
	p.printf("xref\n0 %d\n0000000000 65535 f \n", next)
	for id := 1; id < next; id++ {
		p.printf("%010d 00000 n \n", p.offsets[id])
	}
	p.printf("trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n", next, catalogObj, xref)
	if p.err != nil {
		return p.err
	}
	return p.w.Flush()
}

// sheetContent is a sheet's content stream, in PDF coordinates (y up).
func sheetContent(sh sheet, sub *subset) ([]byte, error) {
	var b bytes.Buffer
	for _, l := range sh.lines {
		if l.dashed {
			b.WriteString("[4 3] 0 d ")
		} else {
			b.WriteString("[] 0 d ")
		}
		fmt.Fprintf(&b, "%.2f w %.2f %.2f m %.2f %.2f l S\n", l.width, l.x1, pageH-l.y1, l.x2, pageH-l.y2)
	}
	b.WriteString("0 g\n")
	open := -1 // the domain whose marked content is open, or -1
	for _, t := range sh.texts {
		if t.entry != open {
			if open >= 0 {
				b.WriteString("ET EMC\n")
			}
			if t.entry >= 0 {
				b.WriteString("/Domain BMC BT\n")
			}
			open = t.entry
		}
		if t.entry < 0 {
			b.WriteString("BT ")
		}
		fmt.Fprintf(&b, "/F1 %.1f Tf 1 0 0 1 %.2f %.2f Tm <", t.size, t.x, pageH-t.y)
		for _, r := range t.s {
			id, err := sub.cid(r)
			if err != nil {
				return nil, err
			}
			fmt.Fprintf(&b, "%04X", id)
		}
		b.WriteString("> Tj")
		if t.entry < 0 {
			b.WriteString(" ET")
		}
		b.WriteByte('\n')
	}
	if open >= 0 {
		b.WriteString("ET EMC\n")
	}
	return b.Bytes(), nil
}

// toUnicode is the CMap from the subset's glyph ids to the text they show.
func toUnicode(sub *subset) []byte {
	var b bytes.Buffer
	b.WriteString("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n" +
		"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n" +
		"/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n" +
		"1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n")
	ids := make([]int, 0, len(sub.text))
	for id := 1; id < len(sub.gids); id++ {
		if _, ok := sub.text[uint16(id)]; ok {
			ids = append(ids, id)
		}
	}
	for len(ids) > 0 {
		n := min(len(ids), 100) // at most 100 entries per block
		fmt.Fprintf(&b, "%d beginbfchar\n", n)
		for _, id := range ids[:n] {
			fmt.Fprintf(&b, "<%04X> <", id)
			for _, u := range utf16.Encode([]rune{sub.text[uint16(id)]}) {
				fmt.Fprintf(&b, "%04X", u)
			}
			b.WriteString(">\n")
		}
		b.WriteString("endbfchar\n")
		ids = ids[n:]
	}
	b.WriteString("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n")
	return b.Bytes()
}

// subsetTag is the six capital letters a subset font's name starts with,
// taken from its glyphs so that different subsets get different names.
func subsetTag(sub *subset) string {
	h := sha256.New()
	for _, g := range sub.gids {
		fmt.Fprintf(h, "%d,", g)
	}
	sum := h.Sum(nil)
	tag := make([]byte, 6)
	for i := range tag {
		tag[i] = 'A' + sum[i]%26
	}
	return string(tag)
}

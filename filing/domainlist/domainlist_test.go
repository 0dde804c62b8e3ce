package domainlist

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"image"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode/utf16"

	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"

	"github.com/icpfiling/icpfiling/filing"
)

var (
	fontOnce sync.Once
	fontData []byte
)

// bundledFont is the font the app ships (gui/fonts), read from the tree.
func bundledFont(t testing.TB) []byte {
	fontOnce.Do(func() {
		fontData, _ = os.ReadFile("../../gui/fonts/NotoSansCJKsc-Regular-subset.otf")
	})
	if fontData == nil {
		t.Fatal("cannot read the bundled font")
	}
	return fontData
}

func parsedFont(t testing.TB) *Font {
	f, err := ParseFont(bundledFont(t))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

var today = filing.Date(0)

func init() {
	d, err := filing.ParseDate("2026-11-26")
	if err != nil {
		panic(err)
	}
	today = d
}

func application(province, subjectType, name string, domains ...string) *filing.Application {
	app := &filing.Application{Province: province, Subject: filing.Subject{Type: subjectType, Name: name}}
	for _, d := range domains {
		app.Websites = append(app.Websites, filing.Website{Domain: d})
	}
	return app
}

func manyDomains(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("site-%04d.example.com.cn", i)
	}
	return out
}

func TestNeedFor(t *testing.T) {
	pack := filing.DefaultPack()
	for _, tc := range []struct {
		name      string
		app       *filing.Application
		wanted    bool
		registrar bool
		rule      string
		says      string // a piece of the Chinese reason
	}{
		{"Zhejiang, person", application("33", "personal", "张三", "a.cn", "b.cn"), true, false, "domain_list.separate-page", "本人签字"},
		{"Beijing, unit", application("11", "enterprise", "北京某某科技有限公司", "aliyun.xin"), true, true, "domain_list.beijing", "注册商"},
		{"Sichuan: on the form", application("51", "enterprise", "成都某某有限公司", "a.cn"), false, false, "domain_list.on-form", "不另附"},
		{"Gansu: in the domain field", application("62", "personal", "李四", "a.cn"), false, false, "domain_list.domain-field", "域名栏"},
		{"no domains yet", application("33", "enterprise", "杭州某某有限公司"), false, false, "domain_list.separate-page", "还没有填写域名"},
	} {
		n := NeedFor(tc.app, pack, today)
		id := ""
		if n.Rule != nil {
			id = n.Rule.ID
		}
		if n.Wanted != tc.wanted || n.Registrar != tc.registrar || id != tc.rule {
			t.Errorf("%s: wanted %v registrar %v rule %q, want %v %v %q", tc.name, n.Wanted, n.Registrar, id, tc.wanted, tc.registrar, tc.rule)
		}
		// The reason is words for a person: the rule is cited apart (Rule).
		if !strings.Contains(n.ZH, tc.says) || n.EN == "" || (tc.rule != "" && strings.Contains(n.ZH+n.EN, tc.rule)) {
			t.Errorf("%s: reason %q / %q", tc.name, n.ZH, n.EN)
		}
	}
}

// The text extracted from the PDF (through its ToUnicode map) is the
// filing's domains, in order, one marked piece each, and the page says
// whose list it is, when, and where the seal or signature goes.
func TestPDFTextIsTheDomains(t *testing.T) {
	pack := filing.DefaultPack()
	long := strings.Repeat("abcdefghij", 12) + ".example.com" // wraps onto a second line
	for _, tc := range []struct {
		name   string
		app    *filing.Application
		sheets int
		has    []string
		hasNot []string
	}{
		{"person in Zhejiang", application("33", "personal", "张三", "zhangsan.cn", "中文域名.中国", long), 1,
			[]string{"域名清单", "主办者：张三", "共 3 个域名", "日期：2026 年 11 月 26 日", "（此处本人签字）", "第 1 页 / 共 1 页"},
			[]string{"注册商（中文简称）", "公章"}},
		{"unit in Beijing", application("11", "enterprise", "北京某某科技有限公司", "aliyun.xin", "example.com"), 1,
			[]string{"主办单位：北京某某科技有限公司", "注册商（中文简称）", "（此处加盖单位公章）"}, []string{"本人签字"}},
		{"1000 domains", application("32", "enterprise", "南京某某有限公司", manyDomains(1000)...), 0,
			[]string{"共 1000 个域名", "第 2 页 / 共"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WritePDF(&buf, PageFor(tc.app, pack, today), parsedFont(t)); err != nil {
				t.Fatal(err)
			}
			runs, domains, sheets := extractPDF(t, buf.Bytes())
			if want := Domains(tc.app); !equal(domains, want) {
				t.Errorf("domains extracted %d %q…, want %d %q…", len(domains), head(domains), len(want), head(want))
			}
			if tc.sheets > 0 && sheets != tc.sheets {
				t.Errorf("%d sheets, want %d", sheets, tc.sheets)
			}
			if tc.sheets == 0 && sheets < 2 {
				t.Errorf("%d sheets: a long list must continue on further pages", sheets)
			}
			all := strings.Join(runs, "\n")
			for _, s := range tc.has {
				if !strings.Contains(all, s) {
					t.Errorf("the page lacks %q", s)
				}
			}
			for _, s := range tc.hasNot {
				if strings.Contains(all, s) {
					t.Errorf("the page has %q", s)
				}
			}
			if !bytes.Contains(buf.Bytes(), []byte("/FontFile2")) || !bytes.Contains(buf.Bytes(), []byte("/ToUnicode")) {
				t.Error("the font is not embedded with a ToUnicode map")
			}
			if buf.Len() > 1<<20 && sheets < 10 {
				t.Errorf("a %d-sheet PDF of %d bytes: the font is not subset", sheets, buf.Len())
			}
		})
	}
}

// The embedded TrueType subset is a font a viewer can read: its cmap maps
// each character shown to the glyph the text uses, and each glyph has the
// outline of the bundled face's glyph (the cubic curves converted to
// quadratic ones within a font unit or two).
func TestEmbeddedFontMatchesTheFace(t *testing.T) {
	f := parsedFont(t)
	sub := newSubset(f)
	text := "域名清单 aliyun.xin 阿里云 第1页：（此处加盖单位公章）"
	for _, r := range text {
		if _, err := sub.cid(r); err != nil {
			t.Fatal(err)
		}
	}
	ttf, _, advances, err := sub.trueType()
	if err != nil {
		t.Fatal(err)
	}
	tt, err := sfnt.Parse(ttf)
	if err != nil {
		t.Fatalf("the subset does not parse: %v", err)
	}
	if tt.NumGlyphs() != len(sub.gids) {
		t.Fatalf("%d glyphs, want %d", tt.NumGlyphs(), len(sub.gids))
	}
	var b1, b2 sfnt.Buffer
	for _, r := range text {
		g, err := tt.GlyphIndex(&b1, r)
		want, _ := sub.cid(r)
		if err != nil || uint16(g) != want {
			t.Errorf("%q: cmap gives glyph %d (%v), the text uses %d", r, g, err, want)
			continue
		}
		adv, _ := tt.GlyphAdvance(&b1, g, fixed.I(1000), 0)
		if adv.Round() != advances[g] {
			t.Errorf("%q: advance %d, want %d", r, adv.Round(), advances[g])
		}
		gb, err := glyphBounds(tt, &b1, g)
		if err != nil {
			t.Fatalf("%q: %v", r, err)
		}
		fb, err := glyphBounds(f.f, &b2, sub.gids[g])
		if err != nil {
			t.Fatal(err)
		}
		if !near(gb, fb, 2) {
			t.Errorf("%q: outline bounds %v, the face's %v", r, gb, fb)
		}
	}
}

func near(a, b image.Rectangle, tol int) bool {
	d := func(x, y int) bool { return x-y <= tol && y-x <= tol }
	return d(a.Min.X, b.Min.X) && d(a.Min.Y, b.Min.Y) && d(a.Max.X, b.Max.X) && d(a.Max.Y, b.Max.Y)
}

// glyphBounds is the box of a glyph's outline points at 1000 ppem.
func glyphBounds(f *sfnt.Font, b *sfnt.Buffer, g sfnt.GlyphIndex) (image.Rectangle, error) {
	segs, err := f.LoadGlyph(b, g, fixed.I(1000), nil)
	if err != nil {
		return image.Rectangle{}, err
	}
	r := image.Rectangle{Min: image.Pt(1<<30, 1<<30), Max: image.Pt(-1<<30, -1<<30)}
	for _, s := range segs {
		// End points only: control points of a cubic and of its quadratic
		// approximation differ by design.
		p := s.Args[argCount(s.Op)-1]
		x, y := p.X.Round(), p.Y.Round()
		r.Min.X, r.Min.Y, r.Max.X, r.Max.Y = min(r.Min.X, x), min(r.Min.Y, y), max(r.Max.X, x), max(r.Max.Y, y)
	}
	return r, nil
}

func TestPNGIsA4At300DPI(t *testing.T) {
	pack := filing.DefaultPack()
	dir := t.TempDir()
	out := filepath.Join(dir, "list.png")
	app := application("31", "enterprise", "上海某某有限公司", manyDomains(40)...)
	written, err := WriteFor(out, app, pack, today, bundledFont(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(written) != 2 || written[0] != out || written[1] != filepath.Join(dir, "list-2.png") {
		t.Fatalf("wrote %q, want list.png and list-2.png", written)
	}
	for _, p := range written {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if img.Bounds().Size() != image.Pt(2480, 3508) {
			t.Errorf("%s: %v, want 2480×3508 (A4 at 300 dpi)", p, img.Bounds().Size())
		}
		if ppm := physPPM(data); ppm != 11811 {
			t.Errorf("%s: pHYs %d px/m, want 11811 (300 dpi)", p, ppm)
		}
		// Ink where the first domain line is, none in the left margin.
		if dark(img, image.Rect(300, 700, 1500, 760)) == 0 {
			t.Errorf("%s: no text where the list starts", p)
		}
		if n := dark(img, image.Rect(0, 0, 200, 3508)); n != 0 {
			t.Errorf("%s: %d dark pixels in the margin", p, n)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Errorf("%d files in the directory, want just the two sheets", len(entries))
	}
}

// A long list is rendered one sheet at a time: the heap does not grow
// from sheet to sheet.
func TestLongListHeapIsBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("renders several sheets")
	}
	pg := PageFor(application("33", "enterprise", "杭州某某有限公司", manyDomains(1000)...), filing.DefaultPack(), today)
	var heap []uint64
	err := WritePNG(pg, parsedFont(t), func(n int) (io.Writer, error) {
		if n > 6 {
			return nil, errStop
		}
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		heap = append(heap, m.HeapAlloc)
		return io.Discard, nil
	})
	if err != errStop {
		t.Fatalf("%v, want the test's stop after six sheets", err)
	}
	if grow := int64(heap[len(heap)-1]) - int64(heap[1]); grow > 2<<20 {
		t.Errorf("the heap grew by %d bytes over %d sheets: %v", grow, len(heap)-2, heap)
	}
	var buf bytes.Buffer
	if err := WritePDF(&buf, pg, parsedFont(t)); err != nil {
		t.Fatal(err)
	}
	if _, domains, _ := extractPDF(t, buf.Bytes()); len(domains) != 1000 {
		t.Errorf("%d domains in the PDF, want 1000", len(domains))
	}
}

var errStop = fmt.Errorf("stop")

func TestWriteFileRefusesOtherFormats(t *testing.T) {
	out := filepath.Join(t.TempDir(), "list.jpg")
	_, err := WriteFile(out, Page{}, bundledFont(t))
	if fe, ok := err.(*FormatError); !ok || !strings.Contains(fe.Message("zh"), ".pdf") {
		t.Fatalf("err %v, want a FormatError", err)
	}
}

func physPPM(data []byte) uint32 {
	i := bytes.Index(data, []byte("pHYs"))
	if i < 0 || i+9 > len(data) {
		return 0
	}
	return binary.BigEndian.Uint32(data[i+4:])
}

func dark(img image.Image, r image.Rectangle) int {
	n := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if v, _, _, _ := img.At(x, y).RGBA(); v < 0x8000 {
				n++
			}
		}
	}
	return n
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func head(s []string) []string { return s[:min(len(s), 3)] }

var (
	objRE      = regexp.MustCompile(`(?s)(\d+) 0 obj\n(.*?)\nendobj\n`)
	streamRE   = regexp.MustCompile(`(?s)^<< /Length (\d+) /Filter /FlateDecode[^>]*>>\nstream\n`)
	kidsRE     = regexp.MustCompile(`/Type /Pages /Kids \[([^\]]*)\]`)
	contentsRE = regexp.MustCompile(`/Contents (\d+) 0 R`)
	toUniRE    = regexp.MustCompile(`/ToUnicode (\d+) 0 R`)
	bfcharRE   = regexp.MustCompile(`<([0-9A-F]{4})> <([0-9A-F]+)>`)
	opRE       = regexp.MustCompile(`/Domain BMC|EMC|<([0-9A-F]*)> Tj`)
)

// extractPDF reads this package's PDF output the way a viewer extracts
// text: pages from the page tree, each page's content stream, the hex
// strings of its Tj operators decoded through the font's ToUnicode map.
// It returns every text run, the text of each /Domain marked piece, and
// the number of pages.
func extractPDF(t *testing.T, pdf []byte) (runs, domains []string, pages int) {
	t.Helper()
	objs := map[int][]byte{}
	for _, m := range objRE.FindAllSubmatchIndex(pdf, -1) {
		id, _ := strconv.Atoi(string(pdf[m[2]:m[3]]))
		objs[id] = pdf[m[4]:m[5]]
	}
	stream := func(id int) []byte {
		body := objs[id]
		m := streamRE.FindSubmatchIndex(body)
		if m == nil {
			t.Fatalf("object %d is not a Flate stream", id)
		}
		n, _ := strconv.Atoi(string(body[m[2]:m[3]]))
		z, err := zlib.NewReader(bytes.NewReader(body[m[1] : m[1]+n]))
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(z)
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	cmap := map[string]string{}
	for _, body := range objs {
		if m := toUniRE.FindSubmatch(body); m != nil {
			id, _ := strconv.Atoi(string(m[1]))
			for _, e := range bfcharRE.FindAllSubmatch(stream(id), -1) {
				raw, _ := hex.DecodeString(string(e[2]))
				u := make([]uint16, len(raw)/2)
				for i := range u {
					u[i] = binary.BigEndian.Uint16(raw[2*i:])
				}
				cmap[string(e[1])] = string(utf16.Decode(u))
			}
		}
	}
	var kids []int
	for _, body := range objs {
		if m := kidsRE.FindSubmatch(body); m != nil {
			for _, ref := range strings.Split(string(m[1]), " 0 R") {
				if id, err := strconv.Atoi(strings.TrimSpace(ref)); err == nil {
					kids = append(kids, id)
				}
			}
		}
	}
	for _, page := range kids {
		m := contentsRE.FindSubmatch(objs[page])
		if m == nil {
			t.Fatalf("page %d has no contents", page)
		}
		id, _ := strconv.Atoi(string(m[1]))
		inDomain := false
		var cur strings.Builder
		for _, op := range opRE.FindAllSubmatch(stream(id), -1) {
			switch {
			case string(op[0]) == "/Domain BMC":
				inDomain = true
				cur.Reset()
			case string(op[0]) == "EMC":
				inDomain = false
				domains = append(domains, cur.String())
			default:
				var s strings.Builder
				for h := op[1]; len(h) >= 4; h = h[4:] {
					u, ok := cmap[string(h[:4])]
					if !ok {
						t.Fatalf("glyph %s has no ToUnicode entry", h[:4])
					}
					s.WriteString(u)
				}
				runs = append(runs, s.String())
				if inDomain {
					cur.WriteString(s.String())
				}
			}
		}
	}
	return runs, domains, len(kids)
}

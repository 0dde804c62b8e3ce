package gui

// The file chooser used by the upload slots. Fyne 2.7's dialog.NewFileOpen
// sorts folders and files together by name, names its places ("Home",
// "Computer", "Desktop"…) without translating them and takes no typed path,
// and none of that can be changed through its API; so the slots use this
// small chooser instead: folders first, then the images, a typed path, the
// last folder used, translated, and almost as large as the window.

import (
	"errors"
	"io/fs"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// lastFolderPreference keeps the folder of the last file used, so the next
// choice starts there, also after a restart.
const lastFolderPreference = "ui.fileFolder"

// imageExtensions are the files the chooser lists unless "all files" is ticked.
var imageExtensions = []string{".jpg", ".jpeg", ".png", ".gif"}

// chooserSizeShare is how much of the window the chooser covers.
const chooserSizeShare = 0.9

// pathProblem is why a typed or dropped path cannot be used, in the UI's
// language.
type pathProblem struct{ msg string }

func (p *pathProblem) Error() string { return p.msg }

// cleanPath turns what a user types or pastes into a path: surrounding
// blanks and quotes (file managers copy paths quoted) go, a file:// URI and
// a leading ~ are understood, and a relative path is taken from base.
func cleanPath(typed, base string) string {
	p := strings.TrimSpace(typed)
	if len(p) >= 2 && (p[0] == '"' || p[0] == '\'') && p[len(p)-1] == p[0] {
		p = strings.TrimSpace(p[1 : len(p)-1])
	}
	if strings.HasPrefix(p, "file://") {
		if u, err := url.Parse(p); err == nil {
			p = u.Path
			// file:///C:/x on Windows
			if len(p) > 2 && p[0] == '/' && p[2] == ':' {
				p = p[1:]
			}
		}
	}
	if p == "~" || strings.HasPrefix(p, "~/") || strings.HasPrefix(p, `~\`) {
		if home, err := os.UserHomeDir(); err == nil {
			p = filepath.Join(home, p[1:])
		}
	}
	if p != "" && !filepath.IsAbs(p) && base != "" {
		p = filepath.Join(base, p)
	}
	if p == "" {
		return ""
	}
	return filepath.Clean(p)
}

// fileAt checks that path names a file that can be read; the error says
// what is wrong in words the user can act on.
func fileAt(path string) error {
	if path == "" {
		return &pathProblem{lang.L("Type the path of a file first.")}
	}
	st, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return &pathProblem{lang.L("There is no file at {{.Path}}.", map[string]any{"Path": path})}
	case err != nil:
		return &pathProblem{lang.L("Cannot open {{.Path}}: {{.Err}}", map[string]any{"Path": path, "Err": err.Error()})}
	case st.IsDir():
		return &pathProblem{lang.L("{{.Path}} is a folder: choose a file in it.", map[string]any{"Path": path})}
	}
	f, err := os.Open(path)
	if err != nil {
		return &pathProblem{lang.L("Cannot open {{.Path}}: {{.Err}}", map[string]any{"Path": path, "Err": err.Error()})}
	}
	_ = f.Close()
	return nil
}

// rememberFolder keeps the folder of a file the user used.
func rememberFolder(file string) {
	if a := fyne.CurrentApp(); a != nil && file != "" {
		a.Preferences().SetString(lastFolderPreference, filepath.Dir(file))
	}
}

// startFolder is where choosing a file begins: the folder last used, else
// the user's Pictures, Downloads or home folder.
func startFolder() string {
	if a := fyne.CurrentApp(); a != nil {
		if d := a.Preferences().String(lastFolderPreference); isDir(d) {
			return d
		}
	}
	for _, p := range userPlaces() {
		if p.kind == "Pictures" || p.kind == "Downloads" {
			return p.path
		}
	}
	if home, err := os.UserHomeDir(); err == nil && isDir(home) {
		return home
	}
	wd, _ := os.Getwd()
	return wd
}

func isDir(p string) bool {
	if p == "" {
		return false
	}
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

// place is a folder offered on the chooser's left.
type place struct {
	kind string // "Home", "Pictures", …: what the folder is, untranslated
	name string
	path string
	icon fyne.Resource
}

// userPlaces are the user's usual folders that exist on this computer,
// Pictures and Downloads first: that is where scans and photos land.
func userPlaces() []place {
	home, err := os.UserHomeDir()
	if err != nil || !isDir(home) {
		return nil
	}
	named := []struct {
		kind, xdg, name string
		icon            fyne.Resource
	}{
		{"Pictures", "PICTURES", lang.L("Pictures"), theme.MediaPhotoIcon()},
		{"Downloads", "DOWNLOAD", lang.L("Downloads"), theme.DownloadIcon()},
		{"Desktop", "DESKTOP", lang.L("Desktop"), theme.DesktopIcon()},
		{"Documents", "DOCUMENTS", lang.L("Documents folder"), theme.DocumentIcon()},
	}
	var out []place
	for _, n := range named {
		if p := userFolder(home, n.kind, n.xdg); p != "" {
			out = append(out, place{kind: n.kind, name: n.name, path: p, icon: n.icon})
		}
	}
	out = append(out, place{kind: "Home", name: lang.L("Home folder"), path: home, icon: theme.HomeIcon()})
	root := filepath.VolumeName(home) + string(filepath.Separator)
	return append(out, place{kind: "Computer", name: lang.L("Computer"), path: root, icon: theme.ComputerIcon()})
}

// userFolder finds one of the user's folders; on Linux desktops its name
// is localised (~/图片), which xdg-user-dir knows.
func userFolder(home, kind, xdg string) string {
	if runtime.GOOS != "windows" && runtime.GOOS != "darwin" {
		if out, err := exec.Command("xdg-user-dir", xdg).Output(); err == nil {
			p := strings.TrimSpace(string(out))
			if p != home && isDir(p) {
				return p
			}
		}
	}
	if p := filepath.Join(home, kind); isDir(p) {
		return p
	}
	return ""
}

// folderEntry is one line of the chooser's list.
type folderEntry struct {
	name   string
	path   string
	folder bool
	// up is the line that goes to the parent folder.
	up bool
}

// listFolder lists dir for the chooser: its parent, then its folders, then
// its files (images only unless all), each group by name ignoring case.
// Hidden files are left out.
func listFolder(dir string, all bool) ([]folderEntry, error) {
	items, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var folders, files []folderEntry
	for _, it := range items {
		if strings.HasPrefix(it.Name(), ".") {
			continue
		}
		p := filepath.Join(dir, it.Name())
		folder := it.IsDir()
		if it.Type()&fs.ModeSymlink != 0 {
			folder = isDir(p)
		}
		switch {
		case folder:
			folders = append(folders, folderEntry{name: it.Name(), path: p, folder: true})
		case all || isImageName(it.Name()):
			files = append(files, folderEntry{name: it.Name(), path: p})
		}
	}
	byName := func(l []folderEntry) {
		sort.SliceStable(l, func(i, j int) bool {
			a, b := strings.ToLower(l[i].name), strings.ToLower(l[j].name)
			if a != b {
				return a < b
			}
			return l[i].name < l[j].name
		})
	}
	byName(folders)
	byName(files)
	var out []folderEntry
	if parent := filepath.Dir(dir); parent != dir {
		out = append(out, folderEntry{name: lang.L("(Parent folder)"), path: parent, folder: true, up: true})
	}
	return append(append(out, folders...), files...), nil
}

func isImageName(name string) bool {
	ext := strings.ToLower(filepath.Ext(name))
	for _, e := range imageExtensions {
		if ext == e {
			return true
		}
	}
	return false
}

// fileChooser is the modal chooser over the window.
type fileChooser struct {
	popup    *widget.PopUp
	dir      string
	entries  []folderEntry
	all      bool
	places   []place
	path     *widget.Entry
	message  *widget.Label
	files    *widget.List
	placeBox *widget.List
	onChosen func(path string)
	// onFolder, when set, makes it a folder chooser: Choose takes the
	// folder shown or typed (showFolderChooser).
	onFolder func(dir string)
	// showAll is the "all files" box: ticked for a choice that is not an image.
	showAll *widget.Check
}

// showFileChooser opens the chooser over win; onChosen gets the path of the
// file chosen, which exists and can be read. Cancel calls nothing.
func showFileChooser(win fyne.Window, title string, onChosen func(path string)) *fileChooser {
	c := &fileChooser{onChosen: onChosen, places: userPlaces()}
	c.path = widget.NewEntry()
	c.path.SetPlaceHolder(lang.L("Or type the file's path"))
	c.path.OnSubmitted = c.submit
	// The message has its own line, kept even when empty, so that showing
	// it moves nothing under the pointer.
	c.message = widget.NewLabel(" ")
	c.message.Importance = widget.DangerImportance
	c.message.Truncation = fyne.TextTruncateEllipsis

	c.files = widget.NewList(func() int { return len(c.entries) },
		func() fyne.CanvasObject { return newChooserRow() },
		func(id widget.ListItemID, o fyne.CanvasObject) {
			row := o.(*chooserRow)
			e := c.entries[id]
			row.set(e)
			row.onTap = func() { c.files.Select(id) }
			row.onDoubleTap = func() { c.open(e) }
		})
	c.files.OnSelected = func(id widget.ListItemID) {
		if id < len(c.entries) {
			c.pick(c.entries[id])
		}
	}
	c.placeBox = widget.NewList(func() int { return len(c.places) },
		func() fyne.CanvasObject {
			return container.NewHBox(widget.NewIcon(theme.FolderIcon()), widget.NewLabel("Downloads 下载"))
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			row := o.(*fyne.Container)
			row.Objects[0].(*widget.Icon).SetResource(c.places[id].icon)
			row.Objects[1].(*widget.Label).SetText(c.places[id].name)
		})
	c.placeBox.OnSelected = func(id widget.ListItemID) {
		if id < len(c.places) {
			c.navigate(c.places[id].path)
		}
		// Unselected again, so the same place can be clicked again later.
		c.placeBox.UnselectAll()
	}
	showAll := widget.NewCheck(lang.L("Show all files, not only images"), func(on bool) {
		c.all = on
		c.navigate(c.dir)
	})
	c.showAll = showAll
	cancel := widget.NewButtonWithIcon(lang.L("Cancel"), theme.CancelIcon(), c.hide)
	choose := widget.NewButtonWithIcon(lang.L("Choose"), theme.ConfirmIcon(), c.choose)
	choose.Importance = widget.HighImportance

	head := container.NewVBox(
		widget.NewLabelWithStyle(title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		container.NewBorder(nil, nil, nil, widget.NewButtonWithIcon(lang.L("Go"), theme.NavigateNextIcon(), func() { c.submit(c.path.Text) }), c.path),
		c.message)
	foot := container.NewBorder(nil, nil, showAll, container.NewHBox(cancel, choose))
	split := container.NewHSplit(c.placeBox, c.files)
	split.Offset = 0.22
	c.popup = widget.NewModalPopUp(container.NewBorder(head, foot, nil, nil, split), win.Canvas())
	c.navigate(startFolder())
	sz := win.Canvas().Size()
	c.popup.Resize(fyne.NewSize(sz.Width*chooserSizeShare, sz.Height*chooserSizeShare))
	c.popup.Show()
	win.Canvas().Focus(c.path)
	return c
}

// navigate shows dir; a folder that cannot be read leaves the list as it
// was and says why.
func (c *fileChooser) navigate(dir string) {
	entries, err := listFolder(dir, c.all)
	if err != nil {
		c.say(lang.L("Cannot open the folder {{.Path}}: {{.Err}}", map[string]any{"Path": dir, "Err": err.Error()}))
		return
	}
	c.dir, c.entries = dir, entries
	c.say("")
	c.files.UnselectAll()
	c.files.Refresh()
	c.files.ScrollToTop()
	c.path.SetText(withSeparator(dir))
	c.path.CursorColumn = len([]rune(c.path.Text))
	c.path.Refresh()
}

func withSeparator(dir string) string {
	if strings.HasSuffix(dir, string(filepath.Separator)) {
		return dir
	}
	return dir + string(filepath.Separator)
}

// pick is a single click: a folder opens, a file is selected and its path
// put in the box, ready for Choose or Enter.
func (c *fileChooser) pick(e folderEntry) {
	if e.folder {
		c.navigate(e.path)
		return
	}
	c.say("")
	c.path.SetText(e.path)
}

// open is a double click: a folder opens, a file is chosen.
func (c *fileChooser) open(e folderEntry) {
	if e.folder {
		c.navigate(e.path)
		return
	}
	c.submit(e.path)
}

// submit takes what is in the path box: a folder opens, a file is chosen,
// anything else is said on the message line and nothing closes.
func (c *fileChooser) submit(typed string) {
	p := cleanPath(typed, c.dir)
	if isDir(p) {
		c.navigate(p)
		return
	}
	if err := fileAt(p); err != nil {
		c.say(err.Error())
		return
	}
	c.hide()
	if c.onChosen != nil {
		c.onChosen(p)
	}
}

func (c *fileChooser) say(msg string) {
	if msg == "" {
		msg = " "
	}
	c.message.SetText(msg)
}

func (c *fileChooser) hide() { c.popup.Hide() }

// chooserRow is one line of the list: a single click selects, a double
// click opens, as in the file managers people know.
type chooserRow struct {
	widget.BaseWidget
	icon        *widget.Icon
	label       *widget.Label
	onTap       func()
	onDoubleTap func()
}

func newChooserRow() *chooserRow {
	r := &chooserRow{icon: widget.NewIcon(theme.FolderIcon()), label: widget.NewLabel("")}
	r.label.Truncation = fyne.TextTruncateEllipsis
	r.ExtendBaseWidget(r)
	return r
}

func (r *chooserRow) set(e folderEntry) {
	switch {
	case e.up:
		r.icon.SetResource(theme.NavigateBackIcon())
	case e.folder:
		r.icon.SetResource(theme.FolderIcon())
	case isImageName(e.name):
		r.icon.SetResource(theme.FileImageIcon())
	default:
		r.icon.SetResource(theme.FileIcon())
	}
	r.label.SetText(e.name)
}

func (r *chooserRow) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewBorder(nil, nil, r.icon, nil, r.label))
}

func (r *chooserRow) Tapped(*fyne.PointEvent) {
	if r.onTap != nil {
		r.onTap()
	}
}

func (r *chooserRow) DoubleTapped(*fyne.PointEvent) {
	if r.onDoubleTap != nil {
		r.onDoubleTap()
	}
}

// showFolderChooser opens the chooser to pick a folder: folders open as in
// the file chooser, and Choose takes the folder shown (or typed).
func showFolderChooser(win fyne.Window, title string, onChosen func(dir string)) *fileChooser {
	c := showFileChooser(win, title, nil)
	c.onFolder = onChosen
	return c
}

// choose is the Choose button: the file in the path box, or for a folder
// chooser the folder typed there, else the one shown.
func (c *fileChooser) choose() {
	if c.onFolder == nil {
		c.submit(c.path.Text)
		return
	}
	p := cleanPath(c.path.Text, c.dir)
	if !isDir(p) {
		p = c.dir
	}
	c.hide()
	c.onFolder(p)
}

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"github.com/icpfiling/icpfiling/applog"
	"github.com/icpfiling/icpfiling/filing"
	"github.com/icpfiling/icpfiling/filing/bundle"
	"github.com/icpfiling/icpfiling/filing/packs"
	"github.com/icpfiling/icpfiling/filing/store"
	"github.com/icpfiling/icpfiling/gui"
	"github.com/icpfiling/icpfiling/instance"
)

// guiOptions are the window's command-line options.
type guiOptions struct {
	Language  string
	DataDir   string
	QuitAfter time.Duration
	LogLevel  slog.Level
	ResetUI   bool
}

// alreadyRunning is printed by a second start whose window request the
// first instance answered.
const alreadyRunning = "icpfiling 已在运行，已把它的窗口调到最前。\nicpfiling is already running; its window was brought to the front."

// runGUI opens the window: the drafts list on the store in dataDir, or a
// screen that says why the store cannot be used and what to do. A second
// start on the same data directory brings the first one's window forward
// and returns at once.
func runGUI(o guiOptions) (code int) {
	dataDir := o.DataDir
	if dataDir == "" {
		if d, err := store.DefaultDir(); err == nil {
			dataDir = d
		}
	}
	// Asked before anything else (no window, no log file touched): the
	// running instance owns those.
	if dataDir != "" && instance.Show(dataDir, 2*time.Second) == nil {
		fmt.Println(alreadyRunning)
		return 0
	}

	var lg *applog.Log
	var crashReport string
	if dataDir != "" {
		logDir := store.LogDir(dataDir)
		var err error
		if lg, err = applog.Open(logDir, o.LogLevel, os.Stderr); err != nil {
			fmt.Fprintln(os.Stderr, "无法写日志 / cannot write the log:", err)
		} else {
			defer lg.Close()
			if crashReport, err = applog.TakePreviousCrash(logDir); err != nil {
				slog.Warn("reading the last crash report", "err", err)
			}
			if err := lg.StartCrashFile(); err != nil {
				slog.Warn("crash file", "err", err)
			}
			// Registered after lg.Close, so it runs first: a panic on the
			// UI goroutine (every Fyne callback) is written, redacted, and
			// the process ends with 2 leaving the crash file for next time.
			defer func() {
				if r := recover(); r != nil {
					lg.WriteCrash(r, debug.Stack())
					os.Exit(2)
				}
			}()
		}
	}
	slog.Info("starting", "version", version, "os", runtime.GOOS, "arch", runtime.GOARCH)

	if o.ResetUI {
		resetUI()
	}
	a := app.NewWithID(appID)
	a.SetIcon(appIcon())
	pref := o.Language // --lang wins over the language chosen in Settings
	if pref == "" {
		pref = a.Preferences().String(gui.LanguagePreference)
	}
	if err := gui.LoadTranslations(pref); err != nil {
		fmt.Fprintln(os.Stderr, "translations:", err)
	}
	a.Settings().SetTheme(gui.Theme{})
	if o.QuitAfter > 0 {
		time.AfterFunc(o.QuitAfter, func() { fyne.Do(a.Quit) })
	}
	lng := gui.Language()

	// A store whose opens keep crashing the process (Badger panics in its
	// own goroutines) is not opened again; a kill during one open is no
	// reason to stop: Open tries again and says why when it gives up.
	if dataDir != "" {
		if err := store.RecoveryNeeded(dataDir, crashReport != ""); err != nil {
			slog.Warn("store not opened", "err", message(err, "en"), "reason", storeDetail(err))
			storeProblem(a, dataDir, err, lng, filing.Secret{}).ShowAndRun()
			return 0
		}
	}
	// The store is opened before the main window, off the UI goroutine:
	// the unlock window asks for a passphrase that seals the data key,
	// and a progress window shows an older store being encrypted.
	var shutdown []func() // run in order once the window loop ends
	startMain := func(st *store.Store) {
		packMgr, pack := windowPacks(st)
		current := fixedPack(pack) // the pack in use: it follows updates
		if packMgr != nil {
			current = packMgr.Current
		}
		var ui *gui.UI
		saver := store.NewAutosaver(st, store.AutosaverOptions{OnError: func(err error) {
			slog.Error("autosave", "err", message(err, "en"))
			fyne.Do(func() {
				if ui != nil {
					ui.ShowError(message(err, lng))
				}
			})
		}})
		drafts := &draftsAdapter{st: st, saver: saver, pack: pack, packs: packMgr}
		sub := newSubmitAdapter(st, current)
		var rulePacks gui.RulePacks // nil: the built-in pack, no updates
		if packMgr != nil {
			rulePacks = windowRulePacks{Manager: packMgr, sub: sub}
		}
		ctx, stopWorker := context.WithCancel(context.Background())
		go sub.Run(ctx)
		var single *instance.Server
		docs := newDocumentsAdapter(st, current)
		go docs.reports.prune() // reports of scans deleted since the last start
		ui = gui.NewUI(a, gui.Services{
			Pack:      pack,
			Drafts:    drafts,
			Documents: docs,
			Submitter: sub,
			Settings:  sub,
			Batches:   newBatchService(st, sub.out, current),
			Version:   version,
			Licences:  thirdPartyLicences(),
			RulePacks: rulePacks,
			DeleteAllData: func() error {
				// Everything that holds a file in dataDir lets go first:
				// Windows cannot delete open files.
				stopWorker()
				_ = saver.Close()
				if err := st.Close(); err != nil {
					return err
				}
				if single != nil {
					single.Close()
				}
				if lg != nil {
					lg.Close()
				}
				return store.DeleteAllData(dataDir)
			},
		})
		ui.AskToUnlock()
		// At start and daily, until the window loop ends (stopWorker).
		ui.WatchRulePacks(ctx, gui.RulePackCheckInterval)
		w := ui.Window()
		// Later starts on this data directory bring this window forward —
		// unless the window loop has ended: a quit is under way, Fyne's
		// driver is gone, and showing the window would crash the app on
		// its way out (GLFW is no longer initialised).
		var loopEnded atomic.Bool
		a.Lifecycle().SetOnStopped(func() { loopEnded.Store(true) })
		if s, err := instance.Listen(dataDir, func() {
			if loopEnded.Load() {
				slog.Info("another start on this data directory while quitting: left alone")
				return
			}
			slog.Info("another start on this data directory: bringing the window forward")
			fyne.Do(func() { w.Show(); w.RequestFocus() })
		}); err != nil {
			slog.Warn("single instance: not listening", "err", err)
		} else {
			single = s
			shutdown = append(shutdown, func() { s.Close() })
		}
		if crashReport != "" {
			ui.ShowCrashReport(crashReport, func() error { return applog.DeletePreviousCrash(store.LogDir(dataDir)) })
		}
		// Closing the window writes what the autosaver still holds: nothing
		// typed is lost.
		w.SetCloseIntercept(func() {
			if err := saver.Close(); err != nil {
				fmt.Fprintln(os.Stderr, message(err, lng))
			}
			w.Close()
		})
		w.Show()
		shutdown = append([]func(){func() {
			stopWorker()
			_ = saver.Close()
			if err := st.Close(); err != nil {
				fmt.Fprintln(os.Stderr, message(err, lng))
			}
		}}, shutdown...)
	}
	opening := &storeOpening{app: a, dir: dataDir, lang: lng, open: store.Open, ready: startMain,
		deleteData: func(dir string) error {
			if lg == nil {
				return store.DeleteAllData(dir)
			}
			// The log lets go of logs\ for the delete; it goes on in the
			// new, empty store's directory.
			lg.Release()
			defer lg.StartCrashFile()
			return store.DeleteAllData(dir)
		},
		alreadyRunning: func() bool {
			// Two starts at once: the other one holds the store but may not
			// be listening yet. Ask it a few times before explaining the lock.
			for i := 0; i < 5; i++ {
				if instance.Show(dataDir, time.Second) == nil {
					fmt.Println(alreadyRunning)
					return true
				}
				time.Sleep(400 * time.Millisecond)
			}
			return false
		},
		failed: func(err error, pass filing.Secret) {
			slog.Warn("store will not open", "err", message(err, "en"), "reason", storeDetail(err))
			storeProblem(a, dataDir, err, lng, pass).Show()
		},
	}
	opening.start(filing.Secret{})
	a.Run()
	for _, f := range shutdown {
		f()
	}
	slog.Info("quit")
	return 0
}

// resetUI forgets the window's preferences: Fyne keeps them in
// preferences.json under os.UserConfigDir()/fyne/<app ID> on every desktop
// OS. Removed before the app is made, because Fyne reads the file then
// and would write its copy back.
func resetUI() {
	d, err := os.UserConfigDir()
	if err != nil {
		return
	}
	p := filepath.Join(d, "fyne", appID, "preferences.json")
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		fmt.Fprintln(os.Stderr, "无法重置界面设置 / cannot reset the UI preferences:", err)
		return
	}
	fmt.Println("界面设置已重置。/ UI preferences were reset.")
}

// storeProblem explains a store that will not open: already open in
// another window, or damaged (then it offers the snapshots, restored with
// the passphrase the store was tried with).
func storeProblem(a fyne.App, dataDir string, err error, lng string, pass filing.Secret) fyne.Window {
	msg := message(err, lng)
	if d := storeDetail(err); d != "" {
		msg += "\n\n" + pick(lng, "详细信息：", "Details: ") + d
	}
	var snaps []string
	if errors.Is(err, store.ErrDamaged) {
		if list, lerr := store.ListSnapshots(dataDir); lerr == nil {
			for _, s := range list {
				snaps = append(snaps, s.Name)
			}
		}
	}
	return gui.StoreProblem(a, msg, snaps, func(name string) error {
		// A store sealed by its passphrase needs it to restore too.
		return store.RestoreSnapshot(store.Options{Dir: dataDir, Passphrase: pass}, name)
	})
}

// draftsAdapter gives the drafts list and the wizard the store's drafts.
type draftsAdapter struct {
	st    *store.Store
	saver *store.Autosaver
	pack  *filing.Pack
	// packs, when set, gives the pack in use (it follows updates) and what
	// it changed for each draft; pack is used without it.
	packs *packs.Manager
}

// packNow is the pack the rows are read under.
func (d *draftsAdapter) packNow() *filing.Pack {
	if d.packs != nil {
		return d.packs.Current()
	}
	return d.pack
}

func (d *draftsAdapter) List(query string) ([]gui.DraftSummary, error) {
	if err := d.saver.Flush(); err != nil {
		return nil, err
	}
	var infos []store.DraftInfo
	var err error
	if query == "" {
		infos, err = d.st.ListDrafts()
	} else {
		infos, err = d.st.SearchDrafts(query)
	}
	if err != nil {
		return nil, err
	}
	now := time.Now()
	pack := d.packNow()
	rows := make([]gui.DraftSummary, 0, len(infos))
	for _, in := range infos {
		row := gui.DraftSummary{ID: in.ID, Subject: in.SubjectName, Status: in.Status, Edited: in.Edited}
		if len(in.Domains) > 0 {
			row.Domain = in.Domains[0]
		}
		// The step reached is the domain's answer for this draft today.
		if app, _, err := d.st.LoadDraft(in.ID); err == nil {
			row.Province = app.Province
			row.Step = filing.Plan(app, pack, now, filing.Validate(app, pack, now)).Current
			if d.packs != nil {
				found, updated, known := d.packs.NewProblems(app, now)
				row.RulesUpdated, row.NewProblems = updated, len(found)
				if updated && !known {
					row.NewProblems = -1
				}
			}
		}
		rows = append(rows, row)
	}
	return rows, nil
}

func (d *draftsAdapter) Create() (*filing.Application, error) {
	app := &filing.Application{SchemaVersion: filing.SchemaVersion, Kind: filing.NewAccess,
		Websites: []filing.Website{{Languages: []string{"zh-Hans"}}}}
	info, err := d.st.NewDraft(app)
	if err != nil {
		return nil, err
	}
	app.ID = info.ID
	return app, nil
}

func (d *draftsAdapter) Load(id string) (*filing.Application, error) {
	if err := d.saver.Flush(); err != nil {
		return nil, err
	}
	app, _, err := d.st.LoadDraft(id)
	return app, err
}

func (d *draftsAdapter) Save(app *filing.Application) { d.saver.Save(app) }

func (d *draftsAdapter) Duplicate(id string) (string, error) {
	if err := d.saver.Flush(); err != nil {
		return "", err
	}
	info, err := d.st.DuplicateDraft(id)
	return info.ID, err
}

func (d *draftsAdapter) Delete(id string) (func() error, error) {
	if err := d.saver.Flush(); err != nil {
		return nil, err
	}
	if _, err := d.st.DeleteDraft(id); err != nil {
		return nil, err
	}
	return func() error { _, err := d.st.UndoDelete(id); return err }, nil
}

func (d *draftsAdapter) Export(ids []string, path string) error {
	if err := d.saver.Flush(); err != nil {
		return err
	}
	_, err := bundle.ExportFile(path, d.st, bundle.ExportOptions{IDs: ids, AppVersion: version})
	return err
}

func (d *draftsAdapter) Import(path string) (int, error) {
	res, err := bundle.ImportFile(path, d.st, bundle.ImportOptions{})
	return len(res.Drafts), err
}

// storeDetail is the redacted reason a store error carries, "" without one.
func storeDetail(err error) string {
	var se *store.Error
	if errors.As(err, &se) {
		return se.Detail()
	}
	return ""
}

// encryptionProgress reports, on w (stderr), how far encrypting a store
// written by an older build has come; Open calls it once per step.
func encryptionProgress(w io.Writer) store.Progress {
	return func(done, total int) {
		fmt.Fprintf(w, "正在加密数据 / encrypting the data: %d/%d\n", done, total)
	}
}

// RemovePassphrase removes the store passphrase in Settings.
func (s *submitAdapter) RemovePassphrase(old filing.Secret) error { return s.st.RemovePassphrase(old) }

// KeyLocationText says in Settings where the store's data key is kept.
func (s *submitAdapter) KeyLocationText(lang string) string { return s.st.KeyLocationText(lang) }

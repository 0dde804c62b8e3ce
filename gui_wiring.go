package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"github.com/icpfiling/icpfiling/filing"
	"github.com/icpfiling/icpfiling/filing/bundle"
	"github.com/icpfiling/icpfiling/filing/store"
	"github.com/icpfiling/icpfiling/gui"
)

// runGUI opens the window: the drafts list on the store in dataDir, or a
// screen that says why the store cannot be used and what to do.
func runGUI(language, dataDir string, quitAfter time.Duration) {
	gui.PrepareLanguage(language)
	a := app.NewWithID(appID)
	if err := gui.LoadTranslations(); err != nil {
		fmt.Fprintln(os.Stderr, "translations:", err)
	}
	a.Settings().SetTheme(gui.Theme{})
	if quitAfter > 0 {
		time.AfterFunc(quitAfter, func() { fyne.Do(a.Quit) })
	}
	lng := gui.Language()

	if dataDir == "" {
		if d, err := store.DefaultDir(); err == nil {
			dataDir = d
		}
	}
	// A store left damaged is found before Open, which could crash on it.
	if dataDir != "" && store.NeedsRecovery(dataDir) {
		storeProblem(a, dataDir, &store.Error{Kind: store.ErrDamaged, ZH: "草稿数据已损坏，无法打开。", EN: "the drafts store is damaged and cannot be opened"}, lng).ShowAndRun()
		return
	}
	st, err := store.Open(store.Options{Dir: dataDir})
	if err != nil {
		storeProblem(a, dataDir, err, lng).ShowAndRun()
		return
	}
	pack := filing.DefaultPack()
	var ui *gui.UI
	saver := store.NewAutosaver(st, store.AutosaverOptions{OnError: func(err error) {
		fyne.Do(func() {
			if ui != nil {
				ui.ShowError(message(err, lng))
			}
		})
	}})
	drafts := &draftsAdapter{st: st, saver: saver, pack: pack}
	sub := newSubmitAdapter(st, pack)
	ctx, stopWorker := context.WithCancel(context.Background())
	defer stopWorker()
	go sub.Run(ctx)
	ui = gui.NewUI(a, gui.Services{
		Pack:      pack,
		Drafts:    drafts,
		Documents: newDocumentsAdapter(st, pack),
		Submitter: sub,
		Settings:  sub,
		Version:   version,
		Licences:  thirdPartyLicences(),
	})
	ui.AskToUnlock()
	w := ui.Window()
	// Closing the window writes what the autosaver still holds: nothing
	// typed is lost.
	w.SetCloseIntercept(func() {
		if err := saver.Close(); err != nil {
			fmt.Fprintln(os.Stderr, message(err, lng))
		}
		w.Close()
	})
	w.ShowAndRun()
	stopWorker()
	_ = saver.Close()
	if err := st.Close(); err != nil {
		fmt.Fprintln(os.Stderr, message(err, lng))
	}
}

// storeProblem explains a store that will not open: already open in
// another window, or damaged (then it offers the snapshots).
func storeProblem(a fyne.App, dataDir string, err error, lng string) fyne.Window {
	msg := message(err, lng)
	var snaps []string
	if errors.Is(err, store.ErrDamaged) || store.NeedsRecovery(dataDir) {
		if list, lerr := store.ListSnapshots(dataDir); lerr == nil {
			for _, s := range list {
				snaps = append(snaps, s.Name)
			}
		}
	}
	return gui.StoreProblem(a, msg, snaps, func(name string) error {
		return store.RestoreSnapshot(store.Options{Dir: dataDir}, name)
	})
}

// draftsAdapter gives the drafts list and the wizard the store's drafts.
type draftsAdapter struct {
	st    *store.Store
	saver *store.Autosaver
	pack  *filing.Pack
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
	rows := make([]gui.DraftSummary, 0, len(infos))
	for _, in := range infos {
		row := gui.DraftSummary{ID: in.ID, Subject: in.SubjectName, Status: in.Status, Edited: in.Edited}
		if len(in.Domains) > 0 {
			row.Domain = in.Domains[0]
		}
		// The step reached is the domain's answer for this draft today.
		if app, _, err := d.st.LoadDraft(in.ID); err == nil {
			row.Province = app.Province
			row.Step = filing.Plan(app, d.pack, now, filing.Validate(app, d.pack, now)).Current
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

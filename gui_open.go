package main

import (
	"errors"

	"fyne.io/fyne/v2"

	"github.com/icpfiling/icpfiling/filing"
	"github.com/icpfiling/icpfiling/filing/store"
	"github.com/icpfiling/icpfiling/gui"
)

// storeOpening opens the data directory before the main window exists,
// off the UI goroutine: a store whose data key the passphrase seals is
// opened only once the unlock window has it, and a store an older build
// wrote in plain text is encrypted under a progress window. Every outcome
// reaches the UI goroutine through fyne.Do; the window shown last is
// closed only after the next one is shown, since closing an app's only
// window quits it.
type storeOpening struct {
	app  fyne.App
	dir  string
	lang string
	// open is store.Open; tests may wrap it.
	open func(store.Options) (*store.Store, error)
	// alreadyRunning is asked, off the UI goroutine, when another
	// process holds the store; true means that one showed its window and
	// this start should end.
	alreadyRunning func() bool
	// ready gets the open store (on the UI goroutine) and shows the main window.
	ready func(st *store.Store)
	// failed shows why the store cannot be used (on the UI goroutine);
	// pass is the passphrase it was tried with, for a snapshot restore.
	failed func(err error, pass filing.Secret)

	// async runs an open; nil means a new goroutine (tests run it in place).
	async func(func())
	// deleteData deletes everything in the data directory once this
	// process has let go of its files there (Windows deletes no open
	// file: the log is open); nil means store.DeleteAllData.
	deleteData func(dir string) error

	unlock   *gui.UnlockScreen
	progress *gui.ProgressScreen
}

// start opens the store with pass in a new goroutine.
func (o *storeOpening) start(pass filing.Secret) {
	run := o.async
	if run == nil {
		run = func(f func()) { go f() }
	}
	run(func() {
		opts := store.Options{Dir: o.dir, Passphrase: pass, Progress: func(done, total int) {
			fyne.Do(func() { o.showProgress(done, total) })
		}}
		st, err := o.open(opts)
		if errors.Is(err, store.ErrAlreadyOpen) && o.alreadyRunning != nil && o.alreadyRunning() {
			fyne.Do(o.app.Quit)
			return
		}
		fyne.Do(func() { o.opened(st, err, pass) })
	})
}

func (o *storeOpening) showProgress(done, total int) {
	if o.progress == nil {
		o.progress = gui.NewProgressScreen(o.app)
		o.progress.Window.Show()
		if o.unlock != nil {
			o.unlock.Window.Hide()
		}
	}
	o.progress.Set(done, total)
}

func (o *storeOpening) opened(st *store.Store, err error, pass filing.Secret) {
	switch {
	case errors.Is(err, store.ErrPassphraseRequired) && o.unlock == nil:
		o.unlock = gui.NewUnlockScreen(o.app, o.start, o.deleteAll)
		o.unlock.Window.Show()
		o.closeProgress()
		return
	case errors.Is(err, store.ErrPassphraseRequired), errors.Is(err, store.ErrWrongPassphrase):
		o.unlock.Window.Show()
		o.unlock.Refused(message(err, o.lang))
		o.closeProgress()
		return
	case err != nil:
		o.failed(err, pass)
	default:
		o.ready(st)
	}
	o.closeProgress()
	if o.unlock != nil {
		o.unlock.Window.Close()
		o.unlock = nil
	}
}

func (o *storeOpening) closeProgress() {
	if o.progress != nil {
		o.progress.Window.Close()
		o.progress = nil
	}
}

// deleteAll removes everything the app keeps for the data directory
// (the user forgot the passphrase and confirmed) and opens it again, empty.
func (o *storeOpening) deleteAll() error {
	del := o.deleteData
	if del == nil {
		del = store.DeleteAllData
	}
	if err := del(o.dir); err != nil {
		return errors.New(message(err, o.lang))
	}
	o.start(filing.Secret{})
	return nil
}

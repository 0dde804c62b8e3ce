//go:build ignore

// walkimages writes the pictures scripts/walk.sh uploads: an ID card scan
// (both sides), a signed verification form, a backdrop photo that passes
// its checks and the same photo in a red top, which fails them.
//
//	go run scripts/walkimages.go DIR
package main

import (
	"fmt"
	"image"
	"image/jpeg"
	"os"
	"path/filepath"

	"github.com/icpfiling/icpfiling/imaging/testgen"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: go run scripts/walkimages.go DIR")
		os.Exit(2)
	}
	dir := os.Args[1]
	red := testgen.StandardPhoto()
	red.Top = testgen.Top{Color: testgen.Red}
	pictures := map[string]image.Image{
		// The same cases the image checks' own tests pass (imaging/document_test.go).
		"id-front.jpg":  testgen.Document(testgen.DocSpec{Shape: testgen.IDCard, W: 1600, H: 1200, Angle: -4, Seed: 3}),
		"id-back.jpg":   testgen.Document(testgen.DocSpec{Shape: testgen.IDCard, W: 1600, H: 1200, Angle: 2, Seed: 4}),
		"form.jpg":      testgen.Document(testgen.DocSpec{Shape: testgen.A4Licence, Surface: testgen.Scanner, W: 1240, Seed: 5}),
		"photo-ok.jpg":  testgen.Photo(testgen.StandardPhoto()),
		"photo-red.jpg": testgen.Photo(red),
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for name, img := range pictures {
		if err := write(filepath.Join(dir, name), img); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
}

func write(path string, img image.Image) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := jpeg.Encode(f, img, &jpeg.Options{Quality: 90}); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

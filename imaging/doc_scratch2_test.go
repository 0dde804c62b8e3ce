package imaging

import (
	"image"
	"image/jpeg"
	"os"
	"testing"
)

func saveJPEG(t *testing.T, p string, img image.Image) {
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	jpeg.Encode(f, img, &jpeg.Options{Quality: 85})
}

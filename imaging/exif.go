package imaging

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"io"
)

// scanJPEG walks a JPEG's marker segments up to the first scan and returns
// the EXIF orientation (1 when absent or unreadable) and whether the frame
// is progressive. It reads the orientation itself instead of using
// imaging.AutoOrientation, which decodes and rotates the full-size image
// (+124 ms, +48 MB per 12 MP photo, imaging.md §4.2). A malformed segment
// ends the scan with what was found so far: orientation is a nicety, the
// decoder is the judge of validity.
func scanJPEG(r *bufio.Reader) (orientation int, progressive bool) {
	orientation = 1
	var soi [2]byte
	if _, err := io.ReadFull(r, soi[:]); err != nil || soi != [2]byte{0xff, 0xd8} {
		return
	}
	seenExif := false
	for {
		b, err := r.ReadByte()
		if err != nil {
			return
		}
		if b != 0xff {
			return
		}
		m, err := r.ReadByte()
		for err == nil && m == 0xff { // fill bytes
			m, err = r.ReadByte()
		}
		if err != nil {
			return
		}
		switch {
		case m == 0xd8 || (m >= 0xd0 && m <= 0xd7) || m == 0x01:
			continue // no length
		case m == 0xd9 || m == 0xda: // EOI, SOS: the header is over
			return
		}
		var l [2]byte
		if _, err := io.ReadFull(r, l[:]); err != nil {
			return
		}
		n := int(binary.BigEndian.Uint16(l[:])) - 2
		if n < 0 {
			return
		}
		switch {
		case m == 0xe1 && !seenExif:
			seg := make([]byte, n)
			if _, err := io.ReadFull(r, seg); err != nil {
				return
			}
			if o, ok := exifOrientation(seg); ok {
				seenExif = true
				orientation = o
			}
			continue
		case m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 && m != 0xcc:
			// SOF2, SOF6, SOF10, SOF14 are the progressive frames.
			progressive = m == 0xc2 || m == 0xc6 || m == 0xca || m == 0xce
		}
		if _, err := r.Discard(n); err != nil {
			return
		}
	}
}

// exifOrientation reads tag 0x0112 from IFD0 of an APP1 "Exif" segment.
// ok is false when the segment is not EXIF (e.g. XMP) or is malformed.
func exifOrientation(seg []byte) (int, bool) {
	if len(seg) < 6 || string(seg[:6]) != "Exif\x00\x00" {
		return 0, false
	}
	t := seg[6:] // TIFF header; offsets count from here
	if len(t) < 8 {
		return 0, false
	}
	var bo binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return 0, false
	}
	if bo.Uint16(t[2:]) != 42 {
		return 0, false
	}
	ifd := int64(bo.Uint32(t[4:]))
	if ifd < 8 || ifd+2 > int64(len(t)) {
		return 0, false
	}
	count := int64(bo.Uint16(t[ifd:]))
	for i := range count {
		e := ifd + 2 + 12*i
		if e+12 > int64(len(t)) {
			break
		}
		if bo.Uint16(t[e:]) != 0x0112 {
			continue
		}
		// SHORT, count 1: the value sits in the first two bytes of the field.
		if bo.Uint16(t[e+2:]) != 3 {
			return 1, true
		}
		v := int(bo.Uint16(t[e+8:]))
		if v < 1 || v > 8 {
			return 1, true
		}
		return v, true
	}
	return 1, true
}

// countScans counts the SOS markers of a JPEG. Inside entropy-coded data
// a 0xFF byte is always followed by 0x00 or a restart marker, so every
// FF DA (after any fill bytes) is a real scan header. It reads in chunks
// with bytes.IndexByte: a 4 MB file costs well under a millisecond.
func countScans(r io.Reader) int {
	n := 0
	buf := make([]byte, 64<<10)
	afterFF := false // the previous chunk ended in 0xFF (fill bytes included)
	for {
		m, err := r.Read(buf)
		b := buf[:m]
		for len(b) > 0 {
			if afterFF {
				switch b[0] {
				case 0xff:
				case 0xda:
					n++
					afterFF = false
				default:
					afterFF = false
				}
				b = b[1:]
				continue
			}
			i := bytes.IndexByte(b, 0xff)
			if i < 0 {
				break
			}
			afterFF = true
			b = b[i+1:]
		}
		if err != nil {
			return n
		}
	}
}

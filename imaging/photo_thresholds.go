package imaging

// PhotoThresholds are the limits the verification-photo checks apply. They
// are provisional defaults from imaging.md §3.1 (measured on synthetic
// photos and a few Debian sample images, not yet on 50–100 real ones), so
// they live in one place where a calibration can change them.
type PhotoThresholds struct {
	// FaceMinScore is the lowest pigo score (clustered Q, working image of
	// ~1024 px) that counts as a face. §3.1 "Faces": real faces scored
	// 36–276, a cat and a cup 5.5 and 8.4; pigo's own default of 5 admits them.
	FaceMinScore float64
	// FaceMinSizeFrac is pigo's smallest window as a fraction of the short
	// side. §2.5/§4.7: cost grows steeply below ~5 % (MinSize 20 → 278 ms,
	// 60 → 38 ms); faces this small fail the eye-distance check anyway.
	FaceMinSizeFrac float64
	// SecondFaceFrac: another face at least this fraction of the main
	// face's side means a second person (§3.1 "Faces", OFIQ SingleFacePresent).
	SecondFaceFrac float64

	// CentreMaxOffset is the largest distance of the face centre from the
	// middle, as a fraction of the width: "centre within middle 40 % of
	// width" (§3.1 "Face size / position").
	CentreMaxOffset float64
	// FaceSizeMin, FaceSizeMax bound the face box side over the short side
	// (§3.1: 12–60 %).
	FaceSizeMin, FaceSizeMax float64
	// UpperBodyMin is how much of the torso box (which starts
	// TorsoGap face heights below the chin and is one face height tall)
	// must lie inside the frame, in face heights (§3.1 "Upper body visible").
	UpperBodyMin float64

	// EyeDistFail, EyeDistWarn are the pupil distance in original pixels
	// (§3.1 "IED": ISO token level 60, full-frontal 90).
	EyeDistFail, EyeDistWarn float64
	// RollWarn, RollFail are degrees of head roll from the pupil line
	// (§3.1 "Roll": ISO 19794-5 as implemented by VisionLabs).
	RollWarn, RollFail float64

	// TorsoGap and TorsoHeight place the clothing box below the chin and
	// TorsoHalfWidth sets its half width, all in face sizes (§2.6: x within
	// one face size of the face centre, y from chin+0.45 to chin+1.45).
	TorsoGap, TorsoHeight, TorsoHalfWidth float64
	// ClothingFail, ClothingWarn are fractions of non-skin torso pixels that
	// are red, or blue+navy: ≥ 30 % fails, 10–30 % warns (§3.1 "Clothing").
	// OtherWarn applies to orange-red and purple (warn only).
	ClothingFail, ClothingWarn, OtherWarn float64
	// ClothingMinPixels: fewer non-skin torso pixels than this and the
	// clothing cannot be judged (a bare shoulder line, a tiny image).
	ClothingMinPixels int
	// ClothingDeltaE: the torso's mean colour within this CIE76 ΔE of the
	// background colour merges with it (§3.1; blue/navy shirts 26–27).
	ClothingDeltaE float64

	// BackdropPatch is the side of each top-corner patch as a fraction of
	// the width and height, and BackdropMin the share of its pixels that
	// must match the background (§3.1 "Backdrop present": 10 %, 80 %).
	BackdropPatch, BackdropMin float64

	// Exposure on the face, BT.601 luma of the gamma-encoded working image
	// (§3.1 "Exposure"): mean in [LumaLowWarn, LumaHighWarn] passes, below
	// LumaLowFail or above LumaHighFail fails, warn in between; the share
	// of clipped (≥ ClipLevel) face pixels warns above ClipWarn and fails
	// above ClipFail.
	LumaLowFail, LumaLowWarn, LumaHighWarn, LumaHighFail float64
	ClipLevel                                            uint8
	ClipWarn, ClipFail                                   float64

	// Sharpness: variance of the 4-neighbour Laplacian of the face crop at
	// SharpSide² pixels; ≥ SharpWarn passes, below SharpFail fails (§3.1
	// "Sharpness", §2.7: sharp faces 312–484, σ 1.5 px 20–35).
	SharpSide            int
	SharpWarn, SharpFail float64
}

// DefaultPhotoThresholds are imaging.md §3.1's provisional defaults.
func DefaultPhotoThresholds() PhotoThresholds {
	return PhotoThresholds{
		FaceMinScore:    15,
		FaceMinSizeFrac: 0.06,
		SecondFaceFrac:  0.40,

		CentreMaxOffset: 0.20,
		FaceSizeMin:     0.12,
		FaceSizeMax:     0.60,
		UpperBodyMin:    0.50,

		EyeDistFail: 60,
		EyeDistWarn: 90,
		RollWarn:    5,
		RollFail:    8,

		TorsoGap:          0.45,
		TorsoHeight:       1.0,
		TorsoHalfWidth:    1.0,
		ClothingFail:      0.30,
		ClothingWarn:      0.10,
		OtherWarn:         0.30,
		ClothingMinPixels: 200,
		ClothingDeltaE:    30,

		BackdropPatch: 0.10,
		BackdropMin:   0.80,

		LumaLowFail:  55,
		LumaLowWarn:  70,
		LumaHighWarn: 200,
		LumaHighFail: 215,
		ClipLevel:    250,
		ClipWarn:     0.02,
		ClipFail:     0.05,

		SharpSide: 256,
		SharpWarn: 60,
		SharpFail: 25,
	}
}

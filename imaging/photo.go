package imaging

import (
	"fmt"
	"image"
	"math"
)

func init() { photoChecks = CheckPhoto }

// CheckPhoto runs the verification-photo checks (the 网站负责人's photo in
// front of the backdrop) on an opened file, with the default thresholds.
// bg is the background the photo must show (the blue backdrop, or white
// for the app's face photo); a zero bg skips the backdrop checks.
//
// Checks that need the face are left out when no face is found: the
// "photo.faces" failure already says what to do, and the rest would only
// repeat it.
func CheckPhoto(w *Working, bg Background) []Check {
	return CheckPhotoWith(w, bg, DefaultPhotoThresholds())
}

// CheckPhotoWith is CheckPhoto with explicit thresholds.
func CheckPhotoWith(w *Working, bg Background, t PhotoThresholds) []Check {
	img := w.Img
	iw, ih := img.Rect.Dx(), img.Rect.Dy()
	gray := grayPixels(img)
	all := detectFaces(gray, iw, ih, t.FaceMinSizeFrac)

	var checks []Check
	var faces []Face
	for _, f := range all {
		if f.Score >= t.FaceMinScore {
			faces = append(faces, f)
		}
	}
	subject, ck := facesCheck(w, faces, t)
	checks = append(checks, ck)

	if subject != nil {
		f := *subject
		checks = append(checks, centredCheck(w, f, t), faceSizeCheck(w, f, t))
		eyes, eyesOK := findEyes(f, gray, iw, ih)
		checks = append(checks, eyeDistanceCheck(w, f, eyes, eyesOK, t))
		ub, cl := upperBodyCheck(w, f, t)
		checks = append(checks, ub, clothingCheck(w, cl, t))
		if bg.defined() && cl != nil && cl.Measured() >= t.ClothingMinPixels {
			checks = append(checks, clothingBackdropCheck(w, *cl, bg, t))
		}
		exp := exposureCheck(w, f, t)
		checks = append(checks, exp, sharpnessCheck(w, f, exp.Verdict == Fail, t),
			rollCheck(w, f, eyes, eyesOK, t))
	}
	if bg.defined() {
		checks = append(checks, backdropCheck(w, bg, t))
	}
	return checks
}

func photoPct(f float64) string { return fmt.Sprintf("%.0f %%", 100*f) }

// facesCheck counts the faces and picks the main one: the largest, since a
// poster or a passer-by behind the applicant is smaller.
func facesCheck(w *Working, faces []Face, t PhotoThresholds) (*Face, Check) {
	c := Check{ID: "photo.faces", Region: "face"}
	c.threshold(bi(fmt.Sprintf("1 张（检测得分 ≥ %.0f）", t.FaceMinScore), fmt.Sprintf("1 face (detection score ≥ %.0f)", t.FaceMinScore)))
	if len(faces) == 0 {
		c.Verdict = Fail
		c.measured(bi("0 张", "no face"))
		c.ZH = "未检测到正脸：请正对镜头、露出整张脸（不戴帽子、口罩、墨镜）后重拍"
		c.EN = "no frontal face found: face the camera with your whole face visible (no hat, mask or sunglasses) and retake"
		return nil, c
	}
	subject := 0
	for i, f := range faces {
		if f.Size() > faces[subject].Size() {
			subject = i
		}
	}
	m := faces[subject]
	c.Box = w.ToOriginal(m.Box)
	faceWord := "faces"
	if len(faces) == 1 {
		faceWord = "face"
	}
	c.measured(bi(fmt.Sprintf("%d 张（最大一张得分 %.0f）", len(faces), m.Score), fmt.Sprintf("%d %s (the largest scores %.0f)", len(faces), faceWord, m.Score)))
	big, small := 0, 0
	var other Face
	for i, f := range faces {
		if i == subject {
			continue
		}
		if float64(f.Size()) >= t.SecondFaceFrac*float64(m.Size()) {
			big++
			other = f
		} else {
			small++
			if big == 0 {
				other = f
			}
		}
	}
	switch {
	case big > 0:
		c.Verdict = Fail
		c.Box = w.ToOriginal(m.Box.Union(other.Box))
		c.ZH = "画面中不止一个人：请只让网站负责人一人入镜后重拍"
		c.EN = "more than one person in the photo: retake with only the website owner in the frame"
	case small > 0:
		c.Verdict = Warn
		c.Box = w.ToOriginal(other.Box)
		c.ZH = "画面中还有一张较小的人脸（海报或路人？）：请确认画面里只有网站负责人"
		c.EN = "there is a second, smaller face (a poster or a passer-by?): make sure only the website owner is in the frame"
	default:
		c.ZH = "检测到一张人脸"
		c.EN = "one face found"
	}
	return &m, c
}

func centredCheck(w *Working, f Face, t PhotoThresholds) Check {
	iw := float64(w.Img.Rect.Dx())
	off := (float64(f.Centre().X-w.Img.Rect.Min.X) - iw/2) / iw
	c := Check{ID: "photo.centred", Region: "face", Box: w.ToOriginal(f.Box)}
	// Rounded before it is signed, so that a hair left of centre reads
	// "0 %", not "-0 %".
	pct := math.Round(100 * off)
	switch {
	case pct == 0:
		c.measured(bi("偏离中线 0 %（画面宽度）", "0 % of the width off centre"))
	case pct < 0:
		c.measured(bi(fmt.Sprintf("偏左 %.0f %%（画面宽度）", -pct), fmt.Sprintf("%.0f %% of the width left of centre", -pct)))
	default:
		c.measured(bi(fmt.Sprintf("偏右 %.0f %%（画面宽度）", pct), fmt.Sprintf("%.0f %% of the width right of centre", pct)))
	}
	c.threshold(bi(fmt.Sprintf("偏离 ≤ %.0f %%", 100*t.CentreMaxOffset), fmt.Sprintf("≤ %.0f %% off centre", 100*t.CentreMaxOffset)))
	if math.Abs(off) > t.CentreMaxOffset {
		c.Verdict = Fail
		side, sideEN := "右", "right"
		if off < 0 {
			side, sideEN = "左", "left"
		}
		c.ZH = fmt.Sprintf("人物偏%s，未居中：请站在幕布正中间重拍", side)
		c.EN = fmt.Sprintf("the person is off to the %s: stand in the middle of the backdrop and retake", sideEN)
		return c
	}
	c.ZH, c.EN = "人物居中", "the person is centred"
	return c
}

func faceSizeCheck(w *Working, f Face, t PhotoThresholds) Check {
	frac := float64(f.Size()) / float64(min(w.Img.Rect.Dx(), w.Img.Rect.Dy()))
	c := Check{ID: "photo.face_size", Region: "face", Box: w.ToOriginal(f.Box)}
	c.measured(bi("人脸占画面短边的 "+photoPct(frac), "the face is "+photoPct(frac)+" of the short side"))
	c.threshold(numeric(fmt.Sprintf("%.0f–%.0f %%", 100*t.FaceSizeMin, 100*t.FaceSizeMax)))
	switch {
	case frac < t.FaceSizeMin:
		c.Verdict = Warn
		c.ZH = "人脸在画面中太小：请靠近镜头，让上半身占满画面"
		c.EN = "the face is small in the frame: move closer so that your upper body fills it"
	case frac > t.FaceSizeMax:
		c.Verdict = Warn
		c.ZH = "人脸在画面中太大：请后退一些，拍到上半身"
		c.EN = "the face is too large in the frame: step back so that your upper body shows"
	default:
		c.ZH, c.EN = "人脸大小合适", "the face size is fine"
	}
	return c
}

func eyeDistanceCheck(w *Working, f Face, e pupilPair, ok bool, t PhotoThresholds) Check {
	c := Check{ID: "photo.eye_distance", Region: "face", Box: w.ToOriginal(f.Box)}
	c.threshold(bi(fmt.Sprintf("≥ %.0f px（不足 %.0f px 不通过）", t.EyeDistWarn, t.EyeDistFail), fmt.Sprintf("≥ %.0f px (fail < %.0f px)", t.EyeDistWarn, t.EyeDistFail)))
	// Without pupils, the face box gives the distance: pupils sit about
	// 0.37 of pigo's box apart on the frontal faces measured here.
	d := 0.37 * float64(f.Size()) * w.Scale
	if ok {
		d = e.Distance() * w.Scale
	}
	c.measured(bi(fmt.Sprintf("两眼相距 %.0f px", d), fmt.Sprintf("%.0f px between the eyes", d)))
	switch {
	case d < t.EyeDistFail:
		c.Verdict = Fail
		c.ZH = fmt.Sprintf("脸部像素太少（两眼相距 %.0f 像素）：请靠近镜头或用更高的分辨率重拍", d)
		c.EN = fmt.Sprintf("too few pixels on the face (%.0f px between the eyes): move closer or use a higher resolution and retake", d)
	case d < t.EyeDistWarn:
		c.Verdict = Warn
		c.ZH = fmt.Sprintf("脸部像素偏少（两眼相距 %.0f 像素）：建议靠近镜头或用更高的分辨率", d)
		c.EN = fmt.Sprintf("few pixels on the face (%.0f px between the eyes): better move closer or use a higher resolution", d)
	default:
		c.ZH, c.EN = "脸部分辨率足够", "enough resolution on the face"
	}
	return c
}

// torsoBox is the clothing region below the chin (imaging.md §2.6), in
// working-image coordinates, before clipping to the frame.
func torsoBox(f Face, t PhotoThresholds) image.Rectangle {
	s := float64(f.Size())
	c := f.Centre()
	chin := float64(f.Box.Max.Y)
	return image.Rect(
		int(float64(c.X)-t.TorsoHalfWidth*s), int(chin+t.TorsoGap*s),
		int(float64(c.X)+t.TorsoHalfWidth*s), int(chin+(t.TorsoGap+t.TorsoHeight)*s))
}

// upperBodyCheck measures how much of the torso box is in the frame and,
// when enough is, classifies the clothing in it.
func upperBodyCheck(w *Working, f Face, t PhotoThresholds) (Check, *clothing) {
	tb := torsoBox(f, t)
	vis := tb.Intersect(w.Img.Rect)
	seen := float64(vis.Dy()) / float64(f.Size())
	if vis.Dx() < tb.Dx()/2 {
		seen = 0 // the body is cut off at the side: not an upper-body shot either
	}
	c := Check{ID: "photo.upper_body", Region: "torso", Box: w.ToOriginal(vis)}
	c.measured(bi(fmt.Sprintf("画面内的躯干高 %.2f 个脸高", seen), fmt.Sprintf("%.2f face heights of torso in the frame", seen)))
	c.threshold(bi(fmt.Sprintf("≥ %.2f 个脸高", t.UpperBodyMin), fmt.Sprintf("≥ %.2f face heights", t.UpperBodyMin)))
	if c.Box.Empty() {
		c.Box = w.ToOriginal(f.Box)
	}
	if seen < t.UpperBodyMin {
		c.Verdict = Fail
		c.ZH = "未拍到上半身：请后退或降低镜头，拍到胸部以上的上半身"
		c.EN = "the upper body is not in the photo: step back or lower the camera so that it shows you from the chest up"
		return c, nil
	}
	c.ZH, c.EN = "上半身在画面中", "the upper body is in the photo"
	cl := measureClothing(w.Img, vis)
	return c, &cl
}

func clothingCheck(w *Working, cl *clothing, t PhotoThresholds) Check {
	c := Check{ID: "photo.clothing", Region: "torso"}
	// A pass needs both below the warning level; at the failing level the
	// check fails.
	c.threshold(bi(fmt.Sprintf("红色、蓝色（含藏青）各 < %.0f %%（≥ %.0f %% 不通过）；橙色、紫色各 < %.0f %%",
		100*t.ClothingWarn, 100*t.ClothingFail, 100*t.OtherWarn),
		fmt.Sprintf("red, blue (navy included) each < %.0f %% (fail ≥ %.0f %%); orange, purple each < %.0f %%",
			100*t.ClothingWarn, 100*t.ClothingFail, 100*t.OtherWarn)))
	if cl == nil || cl.Measured() < t.ClothingMinPixels {
		c.Verdict = Doubtful
		if cl != nil {
			c.Box = w.ToOriginal(cl.Box)
			c.measured(bi(fmt.Sprintf("上衣只有 %d 个像素", cl.Measured()), fmt.Sprintf("only %d pixels of clothing", cl.Measured())))
		}
		c.ZH = "无法判断上衣颜色：请拍到胸部以上，上衣清晰可见"
		c.EN = "the top's colour cannot be judged: make sure your chest and top are in the photo"
		return c
	}
	c.Box = w.ToOriginal(cl.Box)
	red := cl.Frac(clothRed)
	blue := cl.Frac(clothBlue, clothNavy)
	orange, purple := cl.Frac(clothOrange), cl.Frac(clothPurple)
	skin := photoPct(float64(cl.Counts[clothSkin]) / float64(max(1, cl.Box.Dx()*cl.Box.Dy())))
	c.measured(bi(fmt.Sprintf("上衣区域内红色 %s，蓝色（含藏青）%s，橙色 %s，紫色 %s，皮肤 %s",
		photoPct(red), photoPct(blue), photoPct(orange), photoPct(purple), skin),
		fmt.Sprintf("in the top's box: red %s, blue (navy included) %s, orange %s, purple %s, skin %s",
			photoPct(red), photoPct(blue), photoPct(orange), photoPct(purple), skin)))
	const todoZH, todoEN = "请换一件非红色、非蓝色的上衣重拍", "retake in a top that is neither red nor blue"
	switch {
	case red >= t.ClothingFail && red >= blue:
		c.Verdict = Fail
		c.ZH, c.EN = "上衣是红色的："+todoZH, "the top is red: "+todoEN
	case blue >= t.ClothingFail:
		c.Verdict = Fail
		c.ZH, c.EN = "上衣是蓝色（含藏青色）的："+todoZH, "the top is blue (or navy): "+todoEN
	case red >= t.ClothingWarn || blue >= t.ClothingWarn:
		c.Verdict = Warn
		c.ZH = fmt.Sprintf("上衣有部分红色或蓝色（%s / %s）：审核可能不通过，建议%s", photoPct(red), photoPct(blue), todoZH)
		c.EN = fmt.Sprintf("the top is partly red or blue (%s / %s) and may be rejected: better %s", photoPct(red), photoPct(blue), todoEN)
	case orange >= t.OtherWarn:
		c.Verdict = Warn
		c.ZH = "上衣是橙红色，可能被认作红色：建议换一件白色、灰色等中性色上衣"
		c.EN = "the top is orange and may be taken for red: better retake in a neutral colour such as white or grey"
	case purple >= t.OtherWarn:
		c.Verdict = Warn
		c.ZH = "上衣是紫色，可能被认作蓝色：建议换一件白色、灰色等中性色上衣"
		c.EN = "the top is purple and may be taken for blue: better retake in a neutral colour such as white or grey"
	default:
		c.ZH, c.EN = "上衣颜色符合要求（非红、非蓝）", "the top's colour is fine (neither red nor blue)"
		return c
	}
	c.Mask = cl.Mask
	return c
}

func clothingBackdropCheck(w *Working, cl clothing, bg Background, t PhotoThresholds) Check {
	d := deltaE76(cl.Lab, bg.Lab())
	c := Check{ID: "photo.clothing_vs_backdrop", Region: "torso", Box: w.ToOriginal(cl.Box)}
	c.measured(bi(fmt.Sprintf("色差 ΔE %.0f", d), fmt.Sprintf("colour difference ΔE %.0f", d)))
	c.threshold(numeric(fmt.Sprintf("ΔE ≥ %.0f", t.ClothingDeltaE)))
	if d < t.ClothingDeltaE {
		c.Verdict = Warn
		c.ZH = "上衣颜色与背景太接近，人像会与背景融在一起：请换一件与背景反差明显的上衣"
		c.EN = "the top's colour is close to the background's, so you blend into it: wear a top that contrasts with the background"
		return c
	}
	c.ZH, c.EN = "上衣与背景颜色区分明显", "the top stands out from the background"
	return c
}

func backdropCheck(w *Working, bg Background, t PhotoThresholds) Check {
	corners := backdropCorners(w.Img, bg, t.BackdropPatch)
	worst := 0
	if corners[1].Frac < corners[0].Frac {
		worst = 1
	}
	c := Check{ID: "photo.backdrop", Region: "backdrop", Box: w.ToOriginal(corners[worst].Box)}
	c.measured(bi(fmt.Sprintf("背景色占左上角 %s，右上角 %s", photoPct(corners[0].Frac), photoPct(corners[1].Frac)),
		fmt.Sprintf("background colour in %s of the top left, %s of the top right", photoPct(corners[0].Frac), photoPct(corners[1].Frac))))
	c.threshold(bi(fmt.Sprintf("每个角 ≥ %.0f %%", 100*t.BackdropMin), fmt.Sprintf("≥ %.0f %% in each corner", 100*t.BackdropMin)))
	if corners[worst].Frac < t.BackdropMin {
		c.Verdict = Fail
		where, whereEN := "左上角", "top-left corner"
		if worst == 1 {
			where, whereEN = "右上角", "top-right corner"
		}
		c.ZH = fmt.Sprintf("背景没有铺满画面（%s只有 %s 是规定的背景色）：请让幕布/背景充满整个画面后重拍", where, photoPct(corners[worst].Frac))
		c.EN = fmt.Sprintf("the background does not fill the frame (only %s of the %s has the required colour): retake with the backdrop filling the whole frame", photoPct(corners[worst].Frac), whereEN)
		return c
	}
	c.ZH, c.EN = "背景铺满画面", "the background fills the frame"
	return c
}

func exposureCheck(w *Working, f Face, t PhotoThresholds) Check {
	e := measureExposure(w.Img, f.Box, t.ClipLevel)
	c := Check{ID: "photo.exposure", Region: "face", Box: w.ToOriginal(faceCore(f.Box))}
	c.measured(bi(fmt.Sprintf("脸部平均亮度 %.0f，过曝 %s", e.Mean, photoPct(e.Clipped)),
		fmt.Sprintf("face mean luma %.0f, %s clipped", e.Mean, photoPct(e.Clipped))))
	c.threshold(bi(fmt.Sprintf("平均亮度 %.0f–%.0f（< %.0f 或 > %.0f 不通过），过曝 ≤ %s（> %s 不通过）",
		t.LumaLowWarn, t.LumaHighWarn, t.LumaLowFail, t.LumaHighFail, photoPct(t.ClipWarn), photoPct(t.ClipFail)),
		fmt.Sprintf("mean luma %.0f–%.0f (fail < %.0f or > %.0f), clipped ≤ %s (fail > %s)",
			t.LumaLowWarn, t.LumaHighWarn, t.LumaLowFail, t.LumaHighFail, photoPct(t.ClipWarn), photoPct(t.ClipFail))))
	const darkZH, darkEN = "请到光线充足处、让光从正面照到脸上后重拍", "retake in good light falling on your face from the front"
	const brightZH, brightEN = "请避开强光直射或降低曝光后重拍", "avoid harsh direct light or lower the exposure and retake"
	switch {
	case e.Mean < t.LumaLowFail:
		c.Verdict, c.ZH, c.EN = Fail, "脸部太暗："+darkZH, "the face is too dark: "+darkEN
	case e.Mean > t.LumaHighFail || e.Clipped > t.ClipFail:
		c.Verdict, c.ZH, c.EN = Fail, "脸部过亮、细节丢失："+brightZH, "the face is over-exposed and loses detail: "+brightEN
	case e.Mean < t.LumaLowWarn:
		c.Verdict, c.ZH, c.EN = Warn, "脸部偏暗：建议"+darkZH, "the face is rather dark: better "+darkEN
	case e.Mean > t.LumaHighWarn || e.Clipped > t.ClipWarn:
		c.Verdict, c.ZH, c.EN = Warn, "脸部偏亮：建议"+brightZH, "the face is rather bright: better "+brightEN
	default:
		c.ZH, c.EN = "脸部曝光正常", "the face is well exposed"
	}
	return c
}

// sharpnessCheck measures the face at a fixed scale, from the original
// where it still has the detail: a global or a differently scaled value
// says more about content and size than about focus (imaging.md §2.7).
// The Laplacian's variance grows with contrast, so a badly exposed face
// reads as blurred whatever the focus: then the verdict is left open
// rather than sending the user after the wrong fault.
func sharpnessCheck(w *Working, f Face, badExposure bool, t PhotoThresholds) Check {
	box := w.ToOriginal(f.Box)
	crop := w.Original(box, t.SharpSide)
	lv := laplacianVariance(crop)
	c := Check{ID: "photo.sharpness", Region: "face", Box: box}
	c.measured(bi(fmt.Sprintf("清晰度 %.0f（脸部按 %d px 宽测量）", lv, crop.Rect.Dx()), fmt.Sprintf("sharpness %.0f (the face measured at %d px)", lv, crop.Rect.Dx())))
	c.threshold(bi(fmt.Sprintf("≥ %.0f（< %.0f 不通过）", t.SharpWarn, t.SharpFail), fmt.Sprintf("≥ %.0f (fail < %.0f)", t.SharpWarn, t.SharpFail)))
	switch {
	case badExposure && lv < t.SharpWarn:
		c.Verdict = Doubtful
		c.ZH = "曝光不当，无法判断脸部是否清晰：请先在合适的光线下重拍"
		c.EN = "the exposure is off, so sharpness cannot be judged: retake in suitable light first"
	case lv < t.SharpFail:
		c.Verdict = Fail
		c.ZH = "脸部模糊：请对焦到脸上、拿稳相机后重拍"
		c.EN = "the face is blurred: focus on the face, hold the camera still and retake"
	case lv < t.SharpWarn:
		c.Verdict = Warn
		c.ZH = "脸部不够清晰：建议对焦到脸上、拿稳相机重拍"
		c.EN = "the face is not quite sharp: better focus on the face, hold the camera still and retake"
	default:
		c.ZH, c.EN = "脸部清晰", "the face is sharp"
	}
	return c
}

func rollCheck(w *Working, f Face, e pupilPair, ok bool, t PhotoThresholds) Check {
	c := Check{ID: "photo.roll", Region: "face", Box: w.ToOriginal(f.Box)}
	c.threshold(bi(fmt.Sprintf("≤ %.0f°（> %.0f° 不通过）", t.RollWarn, t.RollFail), fmt.Sprintf("≤ %.0f° (fail > %.0f°)", t.RollWarn, t.RollFail)))
	if !ok {
		c.Verdict = Doubtful
		c.measured(bi("未找到双眼", "eyes not found"))
		c.ZH = "未能找到双眼，无法判断头部是否端正：请摘下墨镜、双眼平视镜头"
		c.EN = "the eyes were not found, so head tilt cannot be judged: take off sunglasses and look straight at the camera"
		return c
	}
	roll := e.Roll()
	c.measured(bi(fmt.Sprintf("倾斜 %.1f°", math.Abs(roll)), fmt.Sprintf("tilted %.1f°", math.Abs(roll))))
	switch a := math.Abs(roll); {
	case a > t.RollFail:
		c.Verdict = Fail
		c.ZH = fmt.Sprintf("头部歪斜 %.0f°：请摆正头部、平视镜头后重拍", a)
		c.EN = fmt.Sprintf("the head is tilted %.0f°: hold your head upright, look straight at the camera and retake", a)
	case a > t.RollWarn:
		c.Verdict = Warn
		c.ZH = fmt.Sprintf("头部略有歪斜 %.0f°：建议摆正头部、平视镜头", a)
		c.EN = fmt.Sprintf("the head is slightly tilted %.0f°: better hold it upright and look straight at the camera", a)
	default:
		c.ZH, c.EN = "头部端正", "the head is upright"
	}
	return c
}

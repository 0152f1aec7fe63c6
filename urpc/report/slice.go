package report

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// SlicePanelTarget is the longest side, in pixels, a slice is enlarged to: SliceFigure
// enlarges it by the largest whole factor that stays within it (by 1 if none does).
const SlicePanelTarget = 256

// Geometry of SliceFigure, in pixels.
const (
	sliceMargin    = 12 // around and between the panels
	sliceTitleBand = 34 // the figure title
	panelTitleBand = 24 // a panel's title
	sliceFootBand  = 40 // the class key and the colour bar below the panels
)

// overlayAlpha is the opacity of the label colours over the image.
const overlayAlpha = 0.5

// classColors are the overlay colours of classes 1, 2, 3, ...; later classes reuse them.
var classColors = []color.RGBA{
	{255, 0, 0, 255}, {0, 255, 0, 255}, {0, 128, 255, 255}, {255, 220, 0, 255},
	{255, 0, 255, 255}, {0, 255, 255, 255}, {255, 128, 0, 255},
}

// SliceFigure writes a PNG of four panels side by side showing the axial slice number
// slice (an index along D) of volumes of the given [D, H, W] shape: the image img in gray
// (windowed from the 1st to the 99th percentile of that slice), the ground truth and the
// prediction as colour overlays on the image (class 1 red, 2 green, 3 blue, 4 yellow,
// ...; opacity 0.5; 0 is background), and the uncertainty as a heat map from 0 (dark
// purple) to the largest value on the slice (yellow), with a colour bar. Small slices are
// enlarged by a whole factor with nearest-neighbour sampling (SliceScale). truth and
// uncertainty may be nil when there are none; that panel then says so.
//
// SliceFigure panics when a non-nil volume does not hold D*H*W values or slice is out
// of [0, D).
func SliceFigure(path string, img []float32, truth, pred []uint8, uncertainty []float32,
	shape [3]int, slice int, title string) error {
	checkSliceArgs(img, truth, pred, uncertainty, shape, slice)
	d, h, w := shape[0], shape[1], shape[2]
	at := func(v int) int { return slice*h*w + v } // voxel v of the slice in the volume
	n := h * w

	gray := grayWindow(img[at(0):at(n)])
	var panels [4]*image.RGBA
	panels[0] = grayPanel(gray, h, w)
	panels[1] = overlayPanel(gray, labelsOf(truth, at(0), n), h, w)
	panels[2] = overlayPanel(gray, labelsOf(pred, at(0), n), h, w)
	heatMax := 0.0
	if uncertainty != nil {
		var heat *image.RGBA
		heat, heatMax = heatPanel(uncertainty[at(0):at(n)], h, w)
		panels[3] = heat
	}

	titles := [4]string{"image", "ground truth", "prediction", "uncertainty"}
	if truth == nil {
		titles[1] = "ground truth (none)"
	}
	if uncertainty == nil {
		titles[3] = "uncertainty (none)"
	}
	classes := presentClasses(truth, pred, at(0), n)
	fig := composeSlices(panels, titles, h, w, classes, heatMax,
		fmt.Sprintf("%s: slice index %d of D = %d", title, slice, d))

	var out bytes.Buffer
	if err := png.Encode(&out, fig); err != nil {
		return fmt.Errorf("report: %s: %w", path, err)
	}
	return replaceFile(path, out.Bytes())
}

// checkSliceArgs panics on volumes of the wrong size or a slice out of range.
func checkSliceArgs(img []float32, truth, pred []uint8, unc []float32, shape [3]int,
	slice int) {
	n := shape[0] * shape[1] * shape[2]
	if shape[0] <= 0 || shape[1] <= 0 || shape[2] <= 0 || len(img) != n || len(pred) != n ||
		truth != nil && len(truth) != n || unc != nil && len(unc) != n {
		panic(fmt.Sprintf("report: SliceFigure shape %v does not fit volumes of %d, %d, "+
			"%d, %d values (image, truth, pred, uncertainty)", shape, len(img), len(truth),
			len(pred), len(unc)))
	}
	if slice < 0 || slice >= shape[0] {
		panic(fmt.Sprintf("report: SliceFigure slice %d out of range for shape %v",
			slice, shape))
	}
}

// labelsOf returns labels[start:start+n], or nil for nil labels.
func labelsOf(labels []uint8, start, n int) []uint8 {
	if labels == nil {
		return nil
	}
	return labels[start : start+n]
}

// SliceScale returns the whole enlargement factor SliceFigure uses for an h x w slice.
func SliceScale(h, w int) int {
	return max(1, SlicePanelTarget/max(h, w))
}

// grayWindow maps values to [0, 1]: the 1st percentile (of the finite values) to 0,
// the 99th to 1, clipped outside; non-finite values to 0.
func grayWindow(values []float32) []float64 {
	finite := make([]float64, 0, len(values))
	for _, v := range values {
		if f := float64(v); !math.IsNaN(f) && !math.IsInf(f, 0) {
			finite = append(finite, f)
		}
	}
	slices.Sort(finite)
	lo, hi := percentile(finite, 0.01), percentile(finite, 0.99)

	gray := make([]float64, len(values))
	for i, v := range values {
		f := float64(v)
		if hi > lo && !math.IsNaN(f) && !math.IsInf(f, 0) {
			gray[i] = min(max((f-lo)/(hi-lo), 0), 1)
		}
	}
	return gray
}

// percentile returns the q quantile of sorted values, interpolating linearly between
// ranks; 0 for no values.
func percentile(sorted []float64, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	pos := q * float64(len(sorted)-1)
	i := int(pos)
	if i+1 >= len(sorted) {
		return sorted[len(sorted)-1]
	}
	return sorted[i] + (pos-float64(i))*(sorted[i+1]-sorted[i])
}

// grayPanel draws gray levels in [0, 1] as an h x w image.
func grayPanel(gray []float64, h, w int) *image.RGBA {
	return overlayPanel(gray, nil, h, w)
}

// overlayPanel draws gray levels with each voxel of a nonzero label blended with its
// class colour at overlayAlpha; labels may be nil.
func overlayPanel(gray []float64, labels []uint8, h, w int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i, g := range gray {
		level := g * 255
		r, gr, b := level, level, level
		if labels != nil && labels[i] != 0 {
			c := classColors[(int(labels[i])-1)%len(classColors)]
			r = (1-overlayAlpha)*r + overlayAlpha*float64(c.R)
			gr = (1-overlayAlpha)*gr + overlayAlpha*float64(c.G)
			b = (1-overlayAlpha)*b + overlayAlpha*float64(c.B)
		}
		img.SetRGBA(i%w, i/w, color.RGBA{uint8(r + 0.5), uint8(gr + 0.5), uint8(b + 0.5),
			255})
	}
	return img
}

// heatPanel draws values on the heat ramp from 0 to their largest finite value, which it
// also returns; negative values count as 0 and non-finite ones are drawn black.
func heatPanel(values []float32, h, w int) (*image.RGBA, float64) {
	top := 0.0
	for _, v := range values {
		if f := float64(v); !math.IsInf(f, 0) && f > top {
			top = f
		}
	}
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i, v := range values {
		f := float64(v)
		c := color.RGBA{0, 0, 0, 255}
		if !math.IsNaN(f) && !math.IsInf(f, 0) {
			t := 0.0
			if top > 0 {
				t = max(f, 0) / top
			}
			c = heatColor(t)
		}
		img.SetRGBA(i%w, i/w, c)
	}
	return img, top
}

// presentClasses returns the nonzero labels that occur in truth or pred on the slice
// voxels [start, start+n), in increasing order.
func presentClasses(truth, pred []uint8, start, n int) []int {
	var seen [256]bool
	for _, labels := range [][]uint8{truth, pred} {
		for _, l := range labelsOf(labels, start, n) {
			seen[l] = true
		}
	}
	var classes []int
	for l := 1; l < len(seen); l++ {
		if seen[l] {
			classes = append(classes, l)
		}
	}
	return classes
}

// textStyle is the style of the figure's text at size points, aligned as given.
func textStyle(size vg.Length, x draw.XAlignment) draw.TextStyle {
	return draw.TextStyle{Color: color.Black, Font: font.From(sansFont, size), XAlign: x,
		YAlign: draw.YCenter, Handler: plot.DefaultTextHandler}
}

// newPixelCanvas returns a white vg canvas of w x h pixels at figureDPI.
func newPixelCanvas(w, h int) *vgimg.Canvas {
	return vgimg.NewWith(vgimg.UseWH(pixels(w), pixels(h)), vgimg.UseDPI(figureDPI))
}

package report

import (
	"fmt"
	"image"
	"image/color"
	imagedraw "image/draw"
	"strconv"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// heatRamp is the heat map from 0 to 1: nine evenly spaced anchors close to the viridis
// ramp (dark purple, blue, teal, green, yellow), interpolated linearly between them.
var heatRamp = []color.RGBA{
	{68, 1, 84, 255}, {71, 44, 122, 255}, {59, 81, 139, 255}, {44, 113, 142, 255},
	{33, 144, 141, 255}, {39, 173, 129, 255}, {92, 200, 99, 255}, {170, 220, 50, 255},
	{253, 231, 37, 255},
}

// heatColor returns the colour of t in [0, 1] on heatRamp (t is clipped to [0, 1]).
func heatColor(t float64) color.RGBA {
	pos := min(max(t, 0), 1) * float64(len(heatRamp)-1)
	i := min(int(pos), len(heatRamp)-2)
	f := pos - float64(i)
	a, b := heatRamp[i], heatRamp[i+1]
	mix := func(x, y uint8) uint8 { return uint8(float64(x) + f*(float64(y)-float64(x)) + 0.5) }
	return color.RGBA{mix(a.R, b.R), mix(a.G, b.G), mix(a.B, b.B), 255}
}

// sliceLayout places the parts of a SliceFigure, in pixels from the top left.
type sliceLayout struct {
	scale          int // enlargement factor
	panelW, panelH int // size of one enlarged panel
	width, height  int // size of the figure
	top            int // y of the panels' top edge
}

// newSliceLayout lays out four panels of an h x w slice.
func newSliceLayout(h, w int) sliceLayout {
	s := SliceScale(h, w)
	l := sliceLayout{scale: s, panelW: w * s, panelH: h * s}
	l.width = sliceMargin + 4*(l.panelW+sliceMargin)
	l.top = sliceTitleBand + panelTitleBand
	l.height = l.top + l.panelH + sliceFootBand + sliceMargin
	return l
}

// left returns the x of panel i's left edge.
func (l sliceLayout) left(i int) int {
	return sliceMargin + i*(l.panelW+sliceMargin)
}

// composeSlices draws the four panels (nil: not given), their titles, the class key, the
// colour bar of the heat map up to heatMax and the figure title into one image.
func composeSlices(panels [4]*image.RGBA, titles [4]string, h, w int, classes []int,
	heatMax float64, title string) image.Image {
	l := newSliceLayout(h, w)
	canvas := newPixelCanvas(l.width, l.height)
	dc := draw.New(canvas)
	at := func(x, y int) vg.Point { return vg.Point{X: pixels(x), Y: pixels(l.height - y)} }

	dc.FillText(textStyle(14, draw.XCenter), at(l.width/2, sliceTitleBand/2), title)
	img := canvas.Image()
	for i, p := range panels {
		dc.FillText(textStyle(12, draw.XCenter),
			at(l.left(i)+l.panelW/2, sliceTitleBand+panelTitleBand/2), titles[i])
		if p == nil {
			fillRect(img, l.left(i), l.top, l.panelW, l.panelH, color.RGBA{220, 220, 220, 255})
			continue
		}
		enlarge(img, p, l.left(i), l.top, l.scale)
	}

	footY := l.top + l.panelH + sliceFootBand/2
	x := l.left(1)
	for _, c := range classes {
		fillRect(img, x, footY-6, 12, 12, classColors[(c-1)%len(classColors)])
		dc.FillText(textStyle(10, draw.XLeft), at(x+16, footY), "class "+strconv.Itoa(c))
		x += 70
	}
	if panels[3] != nil {
		drawColorBar(dc, img, l, footY, heatMax, at)
	}
	return img
}

// drawColorBar draws the heat ramp under the uncertainty panel, labelled 0 and heatMax.
func drawColorBar(dc draw.Canvas, img imagedraw.Image, l sliceLayout, y int, heatMax float64,
	at func(x, y int) vg.Point) {
	x0, x1 := l.left(3)+40, l.left(3)+l.panelW-56
	for x := x0; x < x1; x++ {
		fillRect(img, x, y-6, 1, 12, heatColor(float64(x-x0)/float64(max(x1-x0-1, 1))))
	}
	dc.FillText(textStyle(10, draw.XRight), at(x0-4, y), "0")
	dc.FillText(textStyle(10, draw.XLeft), at(x1+4, y), fmt.Sprintf("%.3g", heatMax))
}

// enlarge copies src into dst at (x0, y0), each pixel as a scale x scale block.
func enlarge(dst imagedraw.Image, src *image.RGBA, x0, y0, scale int) {
	b := src.Bounds()
	for y := 0; y < b.Dy()*scale; y++ {
		for x := 0; x < b.Dx()*scale; x++ {
			dst.Set(x0+x, y0+y, src.RGBAAt(x/scale, y/scale))
		}
	}
}

// fillRect fills the w x h rectangle at (x0, y0) of dst with c.
func fillRect(dst imagedraw.Image, x0, y0, w, h int, c color.RGBA) {
	for y := y0; y < y0+h; y++ {
		for x := x0; x < x0+w; x++ {
			dst.Set(x, y, c)
		}
	}
}

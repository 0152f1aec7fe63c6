package report

import (
	"bytes"
	"fmt"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// Curve is one line of a panel: Y[i] against X[i]. Points where X or Y is NaN or
// infinite (or Y <= 0 on a log axis) are left out.
type Curve struct {
	Name string
	X, Y []float64
}

// Panel is one plot of a figure: its curves, with a legend naming them.
type Panel struct {
	Title, XLabel, YLabel string
	Curves                []Curve
	LogY                  bool // logarithmic y axis
}

// Figure geometry of PlotPanels, in pixels.
const (
	FigureWidth       = 1200 // the width of every figure
	PanelHeight       = 450  // the height of one row of panels
	FigureTitleHeight = 40   // the band above the panels that holds the figure title
)

// figureDPI is the pixels per inch of all figures; it sets the size of the text.
const figureDPI = 96

// markerLimit is the most points a curve may have to be drawn with a marker at each
// point as well as a line, so that sparse curves (validation every N steps) show.
const markerLimit = 60

// nan is the float64 NaN, the value of a missing cell.
var nan = math.NaN()

// PanelGrid returns the columns and rows PlotPanels uses for n panels: one column for a
// single panel, two otherwise, filled row by row.
func PanelGrid(n int) (cols, rows int) {
	cols = min(max(n, 1), 2)
	return cols, max((n+cols-1)/cols, 1)
}

// PlotPanels renders panels into one PNG of FigureWidth x (FigureTitleHeight +
// PanelHeight * rows) pixels, rows as PanelGrid gives, with title above them. Curves
// are coloured in the order given. PlotPanels panics when a curve's X and Y differ in
// length.
func PlotPanels(path, title string, panels []Panel) error {
	cols, rows := PanelGrid(len(panels))
	height := FigureTitleHeight + PanelHeight*rows
	canvas := vgimg.NewWith(vgimg.UseWH(pixels(FigureWidth), pixels(height)),
		vgimg.UseDPI(figureDPI))
	dc := draw.New(canvas)

	dc.FillText(textStyle(16, draw.XCenter),
		vg.Point{X: dc.Center().X, Y: dc.Max.Y - pixels(FigureTitleHeight)/2}, title)

	body := draw.Crop(dc, 0, 0, 0, -pixels(FigureTitleHeight))
	tiles := draw.Tiles{Rows: rows, Cols: cols, PadX: pixels(16), PadY: pixels(16),
		PadLeft: pixels(8), PadRight: pixels(16), PadBottom: pixels(8)}
	for i, panel := range panels {
		p, err := newPlot(panel)
		if err != nil {
			return fmt.Errorf("report: %s: panel %q: %w", path, panel.Title, err)
		}
		p.Draw(tiles.At(body, i%cols, i/cols))
	}

	var png bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: canvas}).WriteTo(&png); err != nil {
		return fmt.Errorf("report: %s: %w", path, err)
	}
	return replaceFile(path, png.Bytes())
}

// sansFont is the typeface of all text: Liberation Sans, which gonum plot embeds.
var sansFont = font.Font{Typeface: "Liberation", Variant: "Sans"}

// pixels converts a length in pixels of a figureDPI image to vg's points.
func pixels(n int) vg.Length {
	return vg.Length(n) * vg.Inch / figureDPI
}

// newPlot builds the gonum plot of one panel.
func newPlot(panel Panel) (*plot.Plot, error) {
	p := plot.New()
	for _, style := range []*draw.TextStyle{&p.Title.TextStyle, &p.X.Label.TextStyle,
		&p.Y.Label.TextStyle, &p.X.Tick.Label, &p.Y.Tick.Label, &p.Legend.TextStyle} {
		style.Font.Variant = sansFont.Variant
	}
	p.Title.Text = panel.Title
	p.X.Label.Text = panel.XLabel
	p.Y.Label.Text = panel.YLabel
	p.Add(plotter.NewGrid())
	p.Legend.Top = true
	if panel.LogY {
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = plot.LogTicks{Prec: -1}
	}

	drawn := 0
	for i, c := range panel.Curves {
		points := finitePoints(c, panel.LogY)
		if len(points) == 0 {
			continue
		}
		drawn++
		line, err := plotter.NewLine(points)
		if err != nil {
			return nil, err
		}
		line.Color = plotutil.Color(i)
		line.Width = vg.Points(1.5)
		p.Add(line)
		p.Legend.Add(c.Name, line)

		if len(points) <= markerLimit {
			marks, err := plotter.NewScatter(points)
			if err != nil {
				return nil, err
			}
			marks.Color = line.Color
			marks.Shape = draw.CircleGlyph{}
			p.Add(marks)
		}
	}
	if drawn > 0 {
		legendHeadroom(p, drawn, panel.LogY)
	}
	return p, nil
}

// legendHeadroom raises the top of the y axis by 8% of its range for each legend
// entry (of the decades on a log axis), so the legend in the top right corner does not
// hide the curves.
func legendHeadroom(p *plot.Plot, entries int, logY bool) {
	f := 0.08 * float64(entries)
	if logY {
		p.Y.Max *= math.Pow(p.Y.Max/p.Y.Min, f)
		return
	}
	p.Y.Max += f * (p.Y.Max - p.Y.Min)
}

// finitePoints returns the points of c that can be drawn: finite, and positive in y on
// a log axis.
func finitePoints(c Curve, logY bool) plotter.XYs {
	if len(c.X) != len(c.Y) {
		panic(fmt.Sprintf("report: curve %q has %d x and %d y values", c.Name, len(c.X),
			len(c.Y)))
	}
	var points plotter.XYs
	for i, x := range c.X {
		y := c.Y[i]
		if math.IsNaN(x) || math.IsInf(x, 0) || math.IsNaN(y) || math.IsInf(y, 0) ||
			logY && y <= 0 {
			continue
		}
		points = append(points, plotter.XY{X: x, Y: y})
	}
	return points
}

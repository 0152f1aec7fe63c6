package report

import (
	"maps"
	"slices"
)

// TrainingCurves are the series of a training run that PlotTraining draws. Losses,
// Lambda and LR are indexed like Step; ValDice series are indexed like ValStep, as
// validation runs less often than logging.
type TrainingCurves struct {
	Step    []float64            // the x values of Losses, Lambda and LR
	Losses  map[string][]float64 // loss terms, e.g. "total", "sup", "unsup"
	Lambda  []float64            // the unsupervised weight λ(t) of the ramp-up
	LR      []float64            // the learning rate
	ValStep []float64            // the steps at which validation ran
	ValDice map[string][]float64 // validation Dice series, e.g. "mean", "class 1"
}

// lossOrder is the order of the usual URPC loss terms in the legend; other terms follow
// in name order.
var lossOrder = []string{"total", "sup", "unsup"}

// TrainingPanels returns the panels of c that have data: loss terms, λ, learning rate
// and validation Dice, each against its step.
func TrainingPanels(c TrainingCurves) []Panel {
	var panels []Panel
	if len(c.Losses) > 0 {
		var curves []Curve
		for _, name := range orderedNames(c.Losses, lossOrder) {
			curves = append(curves, Curve{Name: name, X: c.Step, Y: c.Losses[name]})
		}
		panels = append(panels, Panel{Title: "Loss terms", XLabel: "step",
			YLabel: "loss", Curves: curves})
	}
	if len(c.Lambda) > 0 {
		panels = append(panels, Panel{Title: "Unsupervised weight λ", XLabel: "step",
			YLabel: "λ", Curves: []Curve{{Name: "λ", X: c.Step, Y: c.Lambda}}})
	}
	if len(c.LR) > 0 {
		panels = append(panels, Panel{Title: "Learning rate", XLabel: "step",
			YLabel: "lr", Curves: []Curve{{Name: "lr", X: c.Step, Y: c.LR}}})
	}
	if len(c.ValDice) > 0 {
		var curves []Curve
		for _, name := range orderedNames(c.ValDice, []string{"mean"}) {
			curves = append(curves, Curve{Name: name, X: c.ValStep, Y: c.ValDice[name]})
		}
		panels = append(panels, Panel{Title: "Validation Dice", XLabel: "step",
			YLabel: "Dice", Curves: curves})
	}
	return panels
}

// PlotTraining writes the panels of TrainingPanels(c) to one PNG; see PlotPanels.
func PlotTraining(path, title string, c TrainingCurves) error {
	return PlotPanels(path, title, TrainingPanels(c))
}

// orderedNames returns the keys of series: those listed in first, in that order, then
// the others sorted by name.
func orderedNames(series map[string][]float64, first []string) []string {
	var names []string
	for _, name := range first {
		if _, ok := series[name]; ok {
			names = append(names, name)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(series)) {
		if !slices.Contains(first, name) {
			names = append(names, name)
		}
	}
	return names
}

// Package report writes the outputs of a training run that are not the model: a CSV of
// metrics that survives a killed run and resumes cleanly (CSVWriter, ReadCSV), PNG
// training curves (PlotPanels, PlotTraining), a PNG of one axial slice of a volume with
// its ground truth, prediction and uncertainty (SliceFigure), aligned text tables
// (PrintTable) and JSON summaries (WriteJSON).
//
// Volumes are [D, H, W] in row-major order, W fastest, as one item of an [N, C, D, H, W]
// batch; an axial slice is one index along D, shown with H down and W across.
package report

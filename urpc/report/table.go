package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// PrintTable writes header and rows to w as an aligned text table: columns separated
// by two spaces, a line of dashes under the header; a column whose cells all read as
// numbers (or are empty) is aligned right, header included, others left. Rows may have
// fewer or more cells than the header.
func PrintTable(w io.Writer, header []string, rows [][]string) error {
	all := append([][]string{header}, rows...)
	var widths []int
	var numeric []bool
	for _, row := range all {
		for j, cell := range row {
			if j == len(widths) {
				widths = append(widths, 0)
				numeric = append(numeric, true)
			}
			widths[j] = max(widths[j], utf8.RuneCountInString(cell))
		}
	}
	for _, row := range rows {
		for j, cell := range row {
			if _, err := strconv.ParseFloat(strings.TrimSpace(cell), 64); err != nil &&
				cell != "" {
				numeric[j] = false
			}
		}
	}

	var b strings.Builder
	writeRow(&b, header, widths, numeric)
	rule := make([]string, len(widths))
	for j, width := range widths {
		rule[j] = strings.Repeat("-", width)
	}
	writeRow(&b, rule, widths, numeric)
	for _, row := range rows {
		writeRow(&b, row, widths, numeric)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeRow writes one line of a table, each cell padded to its column's width.
func writeRow(b *strings.Builder, row []string, widths []int, numeric []bool) {
	var line strings.Builder
	for j, width := range widths {
		cell := ""
		if j < len(row) {
			cell = row[j]
		}
		if j > 0 {
			line.WriteString("  ")
		}
		pad := strings.Repeat(" ", width-utf8.RuneCountInString(cell))
		if numeric[j] {
			line.WriteString(pad + cell)
		} else {
			line.WriteString(cell + pad)
		}
	}
	b.WriteString(strings.TrimRight(line.String(), " "))
	b.WriteByte('\n')
}

// WriteJSON writes v to path as indented JSON (for a run's configuration or final
// metrics), replacing the file in one step so a reader never sees half of it.
func WriteJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("report: %s: %w", path, err)
	}
	return replaceFile(path, append(b, '\n'))
}

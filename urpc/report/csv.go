package report

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// CSVWriter appends rows of float columns, the first of which is "step", to a CSV file.
// Each row is handed to the operating system as soon as it is written, so a run killed
// at any point keeps every row it finished.
type CSVWriter struct {
	path    string
	file    *os.File
	w       *csv.Writer
	columns []string
}

// OpenCSV opens path for a run that logs the given columns; columns[0] must be "step".
//
// With resumeAfterStep < 0 the run starts afresh: the file is created or emptied and
// the header written. With resumeAfterStep >= 0 the run resumes from the checkpoint of
// that step: if the file exists, its header must equal columns, its rows with step <=
// resumeAfterStep are kept and later rows (logged after that checkpoint by the run that
// was stopped), as well as a last line cut short by a crash, are removed; new rows are
// then appended. A missing or empty file is created as for a fresh run.
func OpenCSV(path string, columns []string, resumeAfterStep int) (*CSVWriter, error) {
	if len(columns) == 0 || columns[0] != "step" {
		panic(fmt.Sprintf("report: OpenCSV columns %q do not start with \"step\"", columns))
	}
	header := csvLine(columns)

	keep := header
	if resumeAfterStep >= 0 {
		old, err := os.ReadFile(path)
		switch {
		case errors.Is(err, fs.ErrNotExist) || err == nil && len(old) == 0:
		case err != nil:
			return nil, fmt.Errorf("report: %w", err)
		default:
			if keep, err = keptRows(path, old, header, resumeAfterStep); err != nil {
				return nil, err
			}
			if bytes.Equal(keep, old) {
				return openAppend(path, columns)
			}
		}
	}

	if err := replaceFile(path, keep); err != nil {
		return nil, err
	}
	return openAppend(path, columns)
}

// keptRows returns the header and the complete rows of old whose step is at most
// resumeAfterStep, or an error when old's header differs or a row's step is not a
// number.
func keptRows(path string, old, header []byte, resumeAfterStep int) ([]byte, error) {
	if !bytes.HasPrefix(old, header) {
		first, _, _ := bytes.Cut(old, []byte("\n"))
		return nil, fmt.Errorf("report: %s: header %q differs from the columns %q of this "+
			"run; move the file away to start a new one", path, first,
			bytes.TrimSpace(header))
	}

	keep := slices.Clone(header)
	rest := old[len(header):]
	for line := 2; len(rest) > 0; line++ {
		row, after, complete := bytes.Cut(rest, []byte("\n"))
		if !complete {
			break // the last row of a killed run, cut short
		}
		rest = after
		stepField, _, _ := bytes.Cut(row, []byte(","))
		step, err := strconv.ParseFloat(string(stepField), 64)
		if err != nil {
			return nil, fmt.Errorf("report: %s:%d: step %q is not a number", path, line,
				stepField)
		}
		if step <= float64(resumeAfterStep) {
			keep = append(append(keep, row...), '\n')
		}
	}
	return keep, nil
}

// replaceFile writes content to path through a temporary file and a rename, so the old
// rows are never lost half-way.
func replaceFile(path string, content []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	err = tmp.Chmod(0o644)
	if err == nil {
		_, err = tmp.Write(content)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("report: writing %s: %w", path, err)
	}
	return nil
}

// openAppend opens path, which already holds the header, for appending rows.
func openAppend(path string, columns []string) (*CSVWriter, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	return &CSVWriter{path: path, file: f, w: csv.NewWriter(f),
		columns: slices.Clone(columns)}, nil
}

// csvLine returns fields as one CSV line ending in "\n".
func csvLine(fields []string) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Write(fields)
	w.Flush()
	return b.Bytes()
}

// Columns returns the column names, "step" first.
func (w *CSVWriter) Columns() []string {
	return slices.Clone(w.columns)
}

// Write appends one row, values in the order of Columns (step first), and hands it to
// the operating system at once. Values are written in the shortest form that reads
// back exactly; NaN and infinities as "NaN", "+Inf", "-Inf". Write panics when the
// number of values differs from the number of columns.
func (w *CSVWriter) Write(values ...float64) error {
	if len(values) != len(w.columns) {
		panic(fmt.Sprintf("report: CSVWriter.Write got %d values for %d columns",
			len(values), len(w.columns)))
	}
	fields := make([]string, len(values))
	for i, v := range values {
		fields[i] = strconv.FormatFloat(v, 'g', -1, 64)
	}
	w.w.Write(fields)
	w.w.Flush()
	if err := w.w.Error(); err != nil {
		return fmt.Errorf("report: writing %s: %w", w.path, err)
	}
	return nil
}

// Close closes the file. Rows are already written; Close adds nothing.
func (w *CSVWriter) Close() error {
	if err := w.file.Close(); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}

// Table is the content of a metrics CSV file: column names and rows of numbers.
type Table struct {
	Columns []string
	Rows    [][]float64 // Rows[i][j] is column j of row i; an empty cell reads as NaN
}

// ReadCSV reads a CSV file of a header and rows of numbers, such as one CSVWriter
// wrote. A last line without its newline (a row cut short) is ignored.
func ReadCSV(path string) (*Table, error) {
	content, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	if i := bytes.LastIndexByte(content, '\n'); i >= 0 {
		content = content[:i+1]
	}
	records, err := csv.NewReader(bytes.NewReader(content)).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("report: %s: %w", path, err)
	}
	if len(records) == 0 {
		return nil, fmt.Errorf("report: %s: no header line", path)
	}

	t := &Table{Columns: records[0]}
	for i, rec := range records[1:] {
		row := make([]float64, len(rec))
		for j, field := range rec {
			if row[j], err = parseCell(field); err != nil {
				return nil, fmt.Errorf("report: %s:%d: column %q: %w", path, i+2,
					t.Columns[j], err)
			}
		}
		t.Rows = append(t.Rows, row)
	}
	return t, nil
}

// parseCell reads one number; an empty cell is NaN.
func parseCell(field string) (float64, error) {
	field = strings.TrimSpace(field)
	if field == "" {
		return nan, nil
	}
	return strconv.ParseFloat(field, 64)
}

// Column returns the values of the named column, or nil when there is no such column.
func (t *Table) Column(name string) []float64 {
	j := slices.Index(t.Columns, name)
	if j < 0 {
		return nil
	}
	values := make([]float64, len(t.Rows))
	for i, row := range t.Rows {
		values[i] = row[j]
	}
	return values
}

// Curves returns one curve per named y column against column x, for PlotPanels.
// Columns that do not exist are skipped.
func (t *Table) Curves(x string, ys ...string) []Curve {
	xs := t.Column(x)
	var curves []Curve
	for _, y := range ys {
		if values := t.Column(y); values != nil && xs != nil {
			curves = append(curves, Curve{Name: y, X: xs, Y: values})
		}
	}
	return curves
}

package report

import (
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var lossColumns = []string{"step", "loss", "lr"}

// writeRows appends rows (step, 1/step, 0.01*step) for the given steps.
func writeRows(t *testing.T, w *CSVWriter, steps ...int) {
	t.Helper()
	for _, s := range steps {
		if err := w.Write(float64(s), 1/float64(s), 0.01*float64(s)); err != nil {
			t.Fatal(err)
		}
	}
}

// readFile returns the file's content.
func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// steps returns the step column of the CSV file at path.
func steps(t *testing.T, path string) []float64 {
	t.Helper()
	table, err := ReadCSV(path)
	if err != nil {
		t.Fatal(err)
	}
	return table.Column("step")
}

func TestCSVRowsAreOnDiskAtOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "metrics.csv")
	w, err := OpenCSV(path, lossColumns, -1)
	if err != nil {
		t.Fatal(err)
	}
	writeRows(t, w, 1, 2)

	// Not closed: a killed run leaves the file in this state.
	want := "step,loss,lr\n1,1,0.01\n2,0.5,0.02\n"
	if got := readFile(t, path); got != want {
		t.Errorf("file before Close:\n%q\nwant\n%q", got, want)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestCSVResumeDropsLaterRowsAndCutLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "metrics.csv")
	w, _ := OpenCSV(path, lossColumns, -1)
	writeRows(t, w, 10, 20, 30, 40)
	w.Close()

	// The run was killed while writing a row.
	f, _ := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	f.WriteString("50,0.0")
	f.Close()

	// Resume from the checkpoint of step 20: rows 30, 40 and the cut row go.
	w, err := OpenCSV(path, lossColumns, 20)
	if err != nil {
		t.Fatal(err)
	}
	writeRows(t, w, 30)
	w.Close()
	if got := steps(t, path); !slices.Equal(got, []float64{10, 20, 30}) {
		t.Errorf("steps after resume %v, want [10 20 30]", got)
	}

	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("folder holds %d entries after resume, want 1", len(entries))
	}
}

func TestCSVResumeKeepsAllRowsUpToStep(t *testing.T) {
	path := filepath.Join(t.TempDir(), "metrics.csv")
	w, _ := OpenCSV(path, lossColumns, -1)
	writeRows(t, w, 1, 2, 3)
	w.Close()
	before := readFile(t, path)

	w, err := OpenCSV(path, lossColumns, 3)
	if err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, path); got != before {
		t.Errorf("resuming after the last row changed the file:\n%q\nwant\n%q", got, before)
	}
	writeRows(t, w, 4)
	w.Close()
	if got := steps(t, path); !slices.Equal(got, []float64{1, 2, 3, 4}) {
		t.Errorf("steps %v, want [1 2 3 4]", got)
	}
}

func TestCSVFreshRunEmptiesFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "metrics.csv")
	w, _ := OpenCSV(path, lossColumns, -1)
	writeRows(t, w, 1, 2)
	w.Close()

	w, err := OpenCSV(path, []string{"step", "dice"}, -1)
	if err != nil {
		t.Fatal(err)
	}
	w.Close()
	if got := readFile(t, path); got != "step,dice\n" {
		t.Errorf("fresh file %q, want only the header", got)
	}
}

func TestCSVResumeRefusesOtherHeader(t *testing.T) {
	path := filepath.Join(t.TempDir(), "metrics.csv")
	w, _ := OpenCSV(path, lossColumns, -1)
	writeRows(t, w, 1)
	w.Close()
	before := readFile(t, path)

	_, err := OpenCSV(path, []string{"step", "loss"}, 1)
	if err == nil || !strings.Contains(err.Error(), path) ||
		!strings.Contains(err.Error(), "header") {
		t.Errorf("error %v, want one naming the file and its header", err)
	}
	if readFile(t, path) != before {
		t.Error("a refused resume changed the file")
	}
}

func TestCSVResumeWithoutFile(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"missing.csv", "empty.csv"} {
		path := filepath.Join(dir, name)
		if name == "empty.csv" {
			os.WriteFile(path, nil, 0o644)
		}
		w, err := OpenCSV(path, lossColumns, 100)
		if err != nil {
			t.Fatal(err)
		}
		writeRows(t, w, 101)
		w.Close()
		if got := readFile(t, path); got != "step,loss,lr\n101,0.009900990099009901,1.01\n" {
			t.Errorf("%s: %q", name, got)
		}
	}
}

func TestCSVResumeRefusesBadStep(t *testing.T) {
	path := filepath.Join(t.TempDir(), "metrics.csv")
	os.WriteFile(path, []byte("step,loss,lr\n1,2,3\nx,2,3\n"), 0o644)
	_, err := OpenCSV(path, lossColumns, 5)
	if err == nil || !strings.Contains(err.Error(), path+":3") {
		t.Errorf("error %v, want one naming line 3", err)
	}
}

func TestCSVValuesReadBackExactly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "metrics.csv")
	values := []float64{0.1, 1.0 / 3, math.Pi * 1e-12, math.NaN(), math.Inf(1),
		math.Inf(-1), math.MaxFloat64, -0.0}
	w, _ := OpenCSV(path, []string{"step", "v"}, -1)
	for i, v := range values {
		if err := w.Write(float64(i), v); err != nil {
			t.Fatal(err)
		}
	}
	w.Close()

	got, err := ReadCSV(path)
	if err != nil {
		t.Fatal(err)
	}
	col := got.Column("v")
	for i, v := range values {
		if math.Float64bits(col[i]) != math.Float64bits(v) &&
			!(math.IsNaN(v) && math.IsNaN(col[i])) {
			t.Errorf("value %d: read %v, wrote %v", i, col[i], v)
		}
	}
	if got.Column("absent") != nil || len(got.Curves("step", "v", "absent")) != 1 {
		t.Error("Column or Curves returned a column that does not exist")
	}
}

func TestCSVWritePanicsOnWrongCount(t *testing.T) {
	path := filepath.Join(t.TempDir(), "metrics.csv")
	w, _ := OpenCSV(path, lossColumns, -1)
	defer w.Close()
	defer func() {
		if r := recover(); r == nil || !strings.HasPrefix(r.(string), "report: ") {
			t.Errorf("recovered %v, want a report: panic", r)
		}
	}()
	w.Write(1, 2)
}

func TestOpenCSVPanicsWithoutStepColumn(t *testing.T) {
	defer func() {
		if r, _ := recover().(string); !strings.HasPrefix(r, "report: OpenCSV") {
			t.Errorf("recovered %q", r)
		}
	}()
	OpenCSV(filepath.Join(t.TempDir(), "m.csv"), []string{"loss", "step"}, -1)
}

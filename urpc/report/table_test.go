package report

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPrintTable(t *testing.T) {
	var b strings.Builder
	err := PrintTable(&b, []string{"method", "Dice", "HD95 (mm)"}, [][]string{
		{"URPC", "0.8812", "1.52"},
		{"supervised only", "0.83", "12.125"},
		{"λ ramp", "", "3"},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := "" +
		"method             Dice  HD95 (mm)\n" +
		"---------------  ------  ---------\n" +
		"URPC             0.8812       1.52\n" +
		"supervised only    0.83     12.125\n" +
		"λ ramp                           3\n"
	if b.String() != want {
		t.Errorf("table:\n%s\nwant:\n%s", b.String(), want)
	}
}

func TestPrintTableRaggedRows(t *testing.T) {
	var b strings.Builder
	PrintTable(&b, []string{"a"}, [][]string{{"x", "extra"}, {}})
	want := "a\n-  -----\nx  extra\n\n"
	if b.String() != want {
		t.Errorf("table %q, want %q", b.String(), want)
	}
}

func TestWriteJSON(t *testing.T) {
	path := filepath.Join(t.TempDir(), "summary.json")
	in := map[string]float64{"dice": 0.88, "hd95": 1.5}
	if err := WriteJSON(path, in); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	var out map[string]float64
	if err := json.Unmarshal(b, &out); err != nil || out["dice"] != 0.88 || out["hd95"] != 1.5 {
		t.Errorf("read back %v (%v) from %s", out, err, b)
	}
	if err := WriteJSON(path, math.NaN()); err == nil {
		t.Error("NaN, which JSON cannot hold, was written")
	}
}

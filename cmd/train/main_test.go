package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
)

// Each bad input gets one clear line naming the problem and a non-zero status.
func TestBadInputGetsOneClearLine(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"-patch", "30"}, 2, "multiple of 16"},
		{[]string{"-method", "mt"}, 2, "-method"},
		{[]string{"-heads", "9"}, 2, "-heads"},
		{[]string{"-device", "gpu"}, 2, "-device"},
		{[]string{"-device", "vulkan", "-norm", "batch"}, 2, "-norm instance"},
		{[]string{"-steps", "x"}, 2, "invalid value"},
		{[]string{"extra"}, 2, "unexpected argument"},
		{[]string{"-data", filepath.Join(dir, "none"), "-split", filepath.Join(dir, "s.json"),
			"-out", filepath.Join(dir, "out")}, 1, "no imagesTr/ folder"},
		{[]string{"-resume", "-out", filepath.Join(dir, "never")}, 2, "-resume"},
	}
	for _, c := range cases {
		var stderr bytes.Buffer
		code := run(c.args, &stderr)
		if code != c.code || !strings.Contains(stderr.String(), c.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d mentioning %q",
				c.args, code, stderr.String(), c.code, c.want)
		}
	}
}

func TestHelpDocumentsEveryFlag(t *testing.T) {
	var stderr bytes.Buffer
	if code := run([]string{"-h"}, &stderr); code != 0 {
		t.Fatalf("-h exits %d", code)
	}
	for _, flag := range []string{"-data", "-split", "-labels", "-method", "-heads", "-ur", "-um",
		"-form", "-kl", "-ramp", "-steps", "-labeled", "-unlabeled", "-patch", "-lr", "-seed",
		"-threads", "-device", "-out", "-resume", "-explain"} {
		if !strings.Contains(stderr.String(), flag+" ") && !strings.Contains(stderr.String(), flag+"\n") {
			t.Errorf("-h does not document %s", flag)
		}
	}
}

// A bad flag value is reported once, with a hint, and not buried in the usage text.
func TestBadFlagIsReportedOnce(t *testing.T) {
	var stderr bytes.Buffer
	if code := run([]string{"-steps", "abc"}, &stderr); code != 2 {
		t.Fatalf("exit %d, want 2", code)
	}
	out := stderr.String()
	if strings.Count(out, `invalid value "abc" for flag -steps`) != 1 ||
		strings.Contains(out, "usage:") || !strings.Contains(out, "-h lists the flags") {
		t.Errorf("stderr %q: want the error once, the -h hint and no usage text", out)
	}
}

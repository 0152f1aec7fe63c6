package nn

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/urpc-go/urpc/autograd"
	"github.com/urpc-go/urpc/tensor"
)

// readStateDict reads a "name shape" listing written by bench/step/ppnet_torch.py --dump.
func readStateDict(t *testing.T, path string) (entries []ParamEntry) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	lines := bufio.NewScanner(f)
	for lines.Scan() {
		if strings.HasPrefix(lines.Text(), "#") {
			continue
		}
		name, dims, _ := strings.Cut(lines.Text(), " ")
		var shape []int
		for _, d := range strings.Split(dims, ",") {
			if d == "scalar" {
				break
			}
			n, err := strconv.Atoi(d)
			if err != nil {
				t.Fatalf("%s: %q: %v", path, lines.Text(), err)
			}
			shape = append(shape, n)
		}
		entries = append(entries, ParamEntry{Name: name, Shape: shape})
	}
	return entries
}

func TestPPNetStateDictMatchesPyTorch(t *testing.T) {
	cases := []struct {
		file  string
		cfg   PPNetConfig
		count int
	}{
		{"ppnet_state_dict_instance_s4.txt", PPNetConfig{InChannels: 1, Classes: 3, Base: 16,
			Heads: 4, Perturb: PerturbReference}, 5884748},
		{"ppnet_state_dict_batch_s5.txt", PPNetConfig{InChannels: 2, Classes: 2, Base: 8,
			Heads: 5, Norm: NormBatch}, 1473674},
	}
	for _, c := range cases {
		m, err := NewPPNet[float32](c.cfg, tensor.NewRNG(1))
		if err != nil {
			t.Fatal(err)
		}
		var torchParams, torchBuffers []string
		for _, e := range readStateDict(t, "testdata/"+c.file) {
			line := fmt.Sprint(e.Name, e.Shape)
			switch {
			case strings.HasSuffix(e.Name, "num_batches_tracked"):
			case strings.HasSuffix(e.Name, "running_mean"),
				strings.HasSuffix(e.Name, "running_var"):
				torchBuffers = append(torchBuffers, line)
			default:
				torchParams = append(torchParams, line)
			}
		}
		for _, pair := range []struct {
			ours  *Params[float32]
			torch []string
		}{{m.Params, torchParams}, {m.Buffers, torchBuffers}} {
			var ours []string
			for _, e := range pair.ours.Entries {
				ours = append(ours, fmt.Sprint(e.Name, e.Shape))
			}
			if got, want := strings.Join(ours, "\n"), strings.Join(pair.torch, "\n"); got != want {
				t.Errorf("%s: entries (in order) differ:\n got %s\nwant %s", c.file, got, want)
			}
		}
		t.Logf("%s: %d parameters, %d entries, %d buffers", c.file, m.Params.Len(),
			len(m.Params.Entries), len(m.Buffers.Entries))
		if m.Params.Len() != c.count {
			t.Errorf("%s: %d parameters, want %d", c.file, m.Params.Len(), c.count)
		}
	}
}

func TestPPNetConfigAndInputErrors(t *testing.T) {
	bad := []PPNetConfig{
		{InChannels: 0, Classes: 3},
		{InChannels: 1, Classes: 1},
		{InChannels: 1, Classes: 3, Heads: 6},
		{InChannels: 1, Classes: 3, Perturb: "dropout"},
		{InChannels: 1, Classes: 3, Norm: "group"},
		{InChannels: 1, Classes: 3, Inference: "max"},
	}
	for _, cfg := range bad {
		if _, err := NewPPNet[float32](cfg, tensor.NewRNG(1)); err == nil {
			t.Errorf("NewPPNet(%+v) gave no error", cfg)
		}
	}

	m, err := NewPPNet[float32](PPNetConfig{InChannels: 1, Classes: 2, Base: 1}, tensor.NewRNG(1))
	if err != nil {
		t.Fatal(err)
	}
	tape := autograd.NewNoGradTape[float32]()
	for _, shape := range [][]int{{1, 1, 16, 16, 24}, {1, 2, 16, 16, 16}, {1, 1, 16, 16},
		{1, 1, 0, 16, 16}} {
		x := tape.Const(tensor.Zeros[float32](tensor.Numel(shape)).Reshape(shape...))
		if _, err := m.Forward(tape, x, false, nil); err == nil {
			t.Errorf("input %v gave no error", shape)
		} else {
			t.Logf("input %v: %v", shape, err)
		}
	}
	x := tape.Const(tensor.Zeros[float32](1, 1, 16, 16, 16))
	if _, err := m.Forward(tape, x, true, nil); err == nil {
		t.Error("training with paper perturbations and no rng gave no error")
	}
}

func TestPPNetHeadsAndPredict(t *testing.T) {
	for _, inference := range []string{InferMain, InferMean} {
		cfg := PPNetConfig{InChannels: 1, Classes: 3, Base: 2, Heads: 5, Inference: inference}
		m, err := NewPPNet[float32](cfg, tensor.NewRNG(2))
		if err != nil {
			t.Fatal(err)
		}
		x := tensor.RandNormal[float32](tensor.NewRNG(3), 0, 1, 2, 1, 16, 32, 16)
		tape := autograd.NewNoGradTape[float32]()
		logits, err := m.Forward(tape, tape.Const(x), false, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(logits) != 5 {
			t.Fatalf("%d heads, want 5", len(logits))
		}
		for s, l := range logits {
			if !tensor.SameShape(l.Data.Shape, []int{2, 3, 16, 32, 16}) {
				t.Errorf("head %d: shape %v", s+1, l.Data.Shape)
			}
		}

		probs, err := m.Predict(x)
		if err != nil {
			t.Fatal(err)
		}
		want := tensor.Softmax(logits[0].Data, 1)
		if inference == InferMean {
			want = tensor.Zeros[float32](probs.Shape...)
			for _, l := range logits {
				tensor.AddInPlace(want, tensor.Scale(tensor.Softmax(l.Data, 1), 0.2))
			}
		}
		for i, p := range probs.Data {
			if math.Abs(float64(p-want.Data[i])) > 1e-6 {
				t.Fatalf("%s: probability %d is %g, want %g", inference, i, p, want.Data[i])
			}
		}
	}
}

func TestPPNetPerturbationsOnlyInTraining(t *testing.T) {
	for _, layout := range []string{PerturbPaper, PerturbReference} {
		cfg := PPNetConfig{InChannels: 1, Classes: 2, Base: 2, Heads: 2, Perturb: layout}
		m, err := NewPPNet[float64](cfg, tensor.NewRNG(4))
		if err != nil {
			t.Fatal(err)
		}
		x := tensor.RandNormal[float64](tensor.NewRNG(5), 0, 1, 1, 1, 16, 16, 32)
		run := func(train bool, seed uint64) *tensor.Tensor[float64] {
			tape := autograd.NewNoGradTape[float64]()
			logits, err := m.Forward(tape, tape.Const(x), train, tensor.NewRNG(seed))
			if err != nil {
				t.Fatal(err)
			}
			return logits[0].Data
		}
		same := func(a, b *tensor.Tensor[float64]) bool {
			return fmt.Sprint(a.Data) == fmt.Sprint(b.Data)
		}
		if !same(run(false, 6), run(false, 7)) {
			t.Errorf("%s: inference depends on the rng", layout)
		}
		if same(run(true, 6), run(true, 7)) || same(run(true, 6), run(false, 6)) {
			t.Errorf("%s: training is not perturbed", layout)
		}
		if !same(run(true, 8), run(true, 8)) {
			t.Errorf("%s: training with the same seed differs", layout)
		}
	}
}

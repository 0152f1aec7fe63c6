package checkpoint

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzLoad feeds arbitrary bytes to the decoder behind Load. It must never panic, must
// fail only with a *FormatError, and whatever it accepts must survive Save's encoding and decode
// again unchanged. The seed corpus is in testdata/fuzz/FuzzLoad.
func FuzzLoad(f *testing.F) {
	f.Add(rawFile("{"+f32("a", "[1]", 0, 4)+"}", 4))
	f.Fuzz(func(t *testing.T, file []byte) {
		tensors, meta, err := decode("fuzz", bytes.NewReader(file), int64(len(file)))
		if err != nil {
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("error %v is not a *FormatError", err)
			}
			return
		}

		var list []Tensor
		for _, tn := range tensors {
			list = append(list, tn)
		}
		var buf bytes.Buffer
		if err := write(&buf, encodeHeader(list, meta), list); err != nil {
			t.Fatal(err)
		}
		again, metaAgain, err := decode("again", &buf, int64(buf.Len()))
		if err != nil {
			t.Fatalf("reloading an accepted file: %v", err)
		}
		if len(again) != len(tensors) || len(metaAgain) != len(meta) {
			t.Fatalf("reloaded %d tensors, %d metadata; want %d, %d",
				len(again), len(metaAgain), len(tensors), len(meta))
		}
		for name, tn := range tensors {
			if !sameBits(again[name].Data, tn.Data) {
				t.Fatalf("tensor %q changed on reload", name)
			}
		}
	})
}

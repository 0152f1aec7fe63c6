package data

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
)

// Batch is one training step's input: Labeled labelled patches followed by the
// unlabelled ones.
type Batch struct {
	Step int
	// Images is [N, 1, D, H, W] with the labelled samples first.
	Images []float32
	// Labels is [Labeled, D, H, W].
	Labels  []uint8
	N       int
	Labeled int
	Patch   [3]int
	Cases   []string
}

// Sampler draws the batch of every step as a pure function of (seed, step): labelled
// samples cycle through the labelled cases and unlabelled ones through the others,
// each in a fresh random order every pass. Resuming at step k needs nothing but k.
type Sampler struct {
	Labeled     []*Case
	Unlabeled   []*Case
	NumLabeled  int
	NumUnlabel  int
	Augment     Augment
	Seed        uint64
	labeledPerm permCache
	unlabelPerm permCache
}

// permCache remembers the order of one pass over a list of cases.
type permCache struct {
	epoch int
	perm  []int
}

// NewSampler returns a sampler of numLabeled + numUnlabeled patches per batch. It is
// an error to ask for samples of a kind that has no cases.
func NewSampler(labeled, unlabeled []*Case, numLabeled, numUnlabeled int, aug Augment,
	seed uint64) (*Sampler, error) {
	if numLabeled > 0 && len(labeled) == 0 {
		return nil, errors.New("data: labelled samples requested but no labelled cases")
	}
	if numUnlabeled > 0 && len(unlabeled) == 0 {
		return nil, errors.New("data: unlabelled samples requested but no unlabelled cases")
	}
	for axis, size := range aug.Patch {
		if size <= 0 {
			return nil, fmt.Errorf("data: patch size %v is not positive on axis %d", aug.Patch, axis)
		}
	}
	return &Sampler{Labeled: labeled, Unlabeled: unlabeled, NumLabeled: numLabeled,
		NumUnlabel: numUnlabeled, Augment: aug, Seed: seed,
		labeledPerm: permCache{epoch: -1}, unlabelPerm: permCache{epoch: -1}}, nil
}

// pick returns the case at position q of the endless sequence of passes over cases.
func (s *Sampler) pick(cache *permCache, cases []*Case, stream uint64, q int) *Case {
	epoch := q / len(cases)
	if cache.epoch != epoch {
		rng := rand.New(rand.NewPCG(s.Seed^stream, uint64(epoch)))
		cache.perm = rng.Perm(len(cases))
		cache.epoch = epoch
	}
	return cases[cache.perm[q%len(cases)]]
}

// Batch returns the batch of step. It is not safe for concurrent use.
func (s *Sampler) Batch(step int) *Batch {
	p := s.Augment.Patch
	voxels := p[0] * p[1] * p[2]
	n := s.NumLabeled + s.NumUnlabel
	b := &Batch{Step: step, Images: make([]float32, n*voxels),
		Labels: make([]uint8, s.NumLabeled*voxels), N: n, Labeled: s.NumLabeled, Patch: p}
	rng := rand.New(rand.NewPCG(s.Seed, uint64(step)))
	for j := range n {
		var c *Case
		if j < s.NumLabeled {
			c = s.pick(&s.labeledPerm, s.Labeled, 0x1abe1, step*s.NumLabeled+j)
		} else {
			c = s.pick(&s.unlabelPerm, s.Unlabeled, 0x2abe1, step*s.NumUnlabel+j-s.NumLabeled)
		}
		image, label := Sample(rng, c, s.Augment)
		copy(b.Images[j*voxels:], image)
		if j < s.NumLabeled {
			copy(b.Labels[j*voxels:], label)
		}
		b.Cases = append(b.Cases, c.Name)
	}
	return b
}

// Prefetch draws the batches of steps first, first+1, ... in a background goroutine
// and delivers them in order, keeping up to depth ready, so that a training step does
// not wait for augmentation. The channel closes when ctx ends.
func (s *Sampler) Prefetch(ctx context.Context, first, depth int) <-chan *Batch {
	out := make(chan *Batch, depth)
	go func() {
		defer close(out)
		for step := first; ; step++ {
			b := s.Batch(step)
			select {
			case out <- b:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out
}

package vk

import (
	"github.com/urpc-go/urpc/autograd"
	"github.com/urpc-go/urpc/tensor"
	"github.com/urpc-go/urpc/urpc"
)

// URPCLoss evaluates the URPC losses (urpc.Loss, Eq. 1-6) of the logits [N, C, D, H, W]
// of the S heads on the CPU, with labels, labeledBS and lambda as there, and returns
// them with the gradient of Ltotal with respect to each head's logits: the input of
// PPNetTrainer.Backward.
func URPCLoss[L urpc.Label](logits []*tensor.Tensor[float32], labels []L, labeledBS int,
	lambda float64, cfg urpc.Config) (*urpc.Result[float32], []*tensor.Tensor[float32]) {
	tape := autograd.NewTape[float32]()
	leaves := make([]*autograd.Value[float32], len(logits))
	for s, l := range logits {
		leaves[s] = tape.Leaf(l)
	}
	loss := urpc.Loss(leaves, labels, labeledBS, lambda, cfg)
	tape.Backward(loss.Total)

	grads := make([]*tensor.Tensor[float32], len(leaves))
	for s, leaf := range leaves {
		grads[s] = leaf.GradOrZeros()
	}
	return loss, grads
}

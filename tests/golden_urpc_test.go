package tests

import (
	"fmt"
	"math"
	"slices"

	"github.com/urpc-go/urpc/autograd"
	"github.com/urpc-go/urpc/optim"
	"github.com/urpc-go/urpc/tensor"
	"github.com/urpc-go/urpc/tests/golden"
	"github.com/urpc-go/urpc/urpc"
)

func init() {
	goldenChecks["ce_dice.json"] = checkCEDice
	goldenChecks["ce_dice_absent_class.json"] = checkCEDice
	goldenChecks["urpc_inputs.json"] = checkURPCInputs
	goldenChecks["urpc_sup.json"] = checkURPCSup
	goldenChecks["urpc_pc_D.json"] = checkURPCMeanAndUncertainty
	goldenChecks["urpc_unsup_paper.json"] = checkURPCUnsupPaper
	goldenChecks["urpc_unsup_code.json"] = checkURPCUnsupCode
	goldenChecks["urpc_unsup_variants.json"] = checkURPCUnsupVariants
	goldenChecks["urpc_total.json"] = checkURPCTotal
	goldenChecks["schedules.json"] = checkSchedules
	goldenChecks["sgd_momentum.json"] = checkSGDMomentum
}

// labelsOf converts a stored int64 label tensor to class indices.
func labelsOf(t *tensor.Tensor[float64]) []int64 {
	labels := make([]int64, len(t.Data))
	for i, y := range t.Data {
		labels[i] = int64(y)
	}
	return labels
}

// compareList checks got against the stored scalar list name.
func (c *checker) compareList(name string, got []float64) {
	c.t.Helper()
	want, err := c.file.ScalarList(name)
	if err != nil {
		c.t.Fatal(err)
	}
	worst, err := golden.Compare(c.file.Name+"/"+name, got, want)
	if err != nil {
		c.t.Error(err)
	}
	c.worst = max(c.worst, worst)
}

// compareScaled checks got against factor times the stored tensor name.
func (c *checker) compareScaled(name string, factor float64, got *tensor.Tensor[float64]) {
	c.t.Helper()
	want := tensor.Scale(c.input(name), factor)
	worst, err := golden.Compare(fmt.Sprintf("%s/%g*%s", c.file.Name, factor, name),
		got.Data, want.Data)
	if err != nil || !slices.Equal(got.Shape, want.Shape) {
		c.t.Errorf("%v (shape %v, want %v)", err, got.Shape, want.Shape)
	}
	c.worst = max(c.worst, worst)
}

// checkCEDice compares cross-entropy, the soft Dice loss and their gradients.
func checkCEDice(c *checker) {
	logits, labels := c.input("logits"), labelsOf(c.input("labels"))

	tape := autograd.NewTape[float64]()
	z := tape.Leaf(logits.Clone())
	ce := urpc.CrossEntropy(z, labels)
	c.compareScalar("ce", ce.Data.Item())
	tape.Backward(ce)
	c.compare("ce_grad_logits", z.Grad)

	tape = autograd.NewTape[float64]()
	p := tape.Leaf(c.input("probs"))
	dice := urpc.SoftDiceLoss(p, labels)
	c.compareScalar("dice_loss", dice.Data.Item())
	c.compareList("dice_terms_per_class", urpc.SoftDiceTerms(p.Data, labels))
	tape.Backward(dice)
	c.compare("dice_grad_probs", p.Grad)

	tape = autograd.NewTape[float64]()
	z = tape.Leaf(logits.Clone())
	probs := autograd.Softmax(z, 1)
	c.compare("probs", probs.Data)
	tape.Backward(urpc.SoftDiceLoss(probs, labels))
	c.compare("dice_grad_logits", z.Grad)
}

// urpcInputs holds the four heads' logits and the labels of urpc_inputs.json.
type urpcInputs struct {
	logits []*tensor.Tensor[float64]
	labels []int64
}

// loadURPCInputs reads urpc_inputs.json from the golden folder.
func loadURPCInputs(c *checker) urpcInputs {
	c.t.Helper()
	f, err := golden.Load("urpc_inputs.json")
	if err != nil {
		c.t.Fatal(err)
	}
	in := &checker{t: c.t, file: f}
	var inputs urpcInputs
	for s := range 4 {
		inputs.logits = append(inputs.logits, in.input(fmt.Sprintf("logits_s%d", s)))
	}
	inputs.labels = labelsOf(in.input("labels"))
	return inputs
}

// leaves returns fresh leaves of the heads' logits on a new tape.
func (in urpcInputs) leaves() (*autograd.Tape[float64], []*autograd.Value[float64]) {
	tape := autograd.NewTape[float64]()
	heads := make([]*autograd.Value[float64], len(in.logits))
	for s, z := range in.logits {
		heads[s] = tape.Leaf(z.Clone())
	}
	return tape, heads
}

// compareHeadGrads checks the gradient of every head against prefix<s>.
func (c *checker) compareHeadGrads(prefix string, heads []*autograd.Value[float64]) {
	c.t.Helper()
	for s, h := range heads {
		c.compare(fmt.Sprintf("%s%d", prefix, s), h.GradOrZeros())
	}
}

// checkURPCInputs validates the shared inputs: four heads [N, C, D, H, W] matching the
// config and labels [N, D, H, W] in [0, C).
func checkURPCInputs(c *checker) {
	var scales, n, classes int
	var spatial []int
	for key, dst := range map[string]any{"S": &scales, "N": &n, "C": &classes,
		"spatial": &spatial} {
		if err := c.file.ConfigValue(key, dst); err != nil {
			c.t.Fatal(err)
		}
	}
	want := append([]int{n, classes}, spatial...)
	for s := range scales {
		z := c.input(fmt.Sprintf("logits_s%d", s))
		if !slices.Equal(z.Shape, want) || !allFinite(z.Data) {
			c.t.Errorf("logits_s%d: shape %v, want %v, or not finite", s, z.Shape, want)
		}
	}
	labels := c.input("labels")
	if !slices.Equal(labels.Shape, append([]int{n}, spatial...)) {
		c.t.Errorf("labels: shape %v, want [%d %v]", labels.Shape, n, spatial)
	}
	for _, y := range labels.Data {
		if y != math.Trunc(y) || y < 0 || y >= float64(classes) {
			c.t.Fatalf("labels: %v is not a class index below %d", y, classes)
		}
	}
}

// allFinite reports whether no element is NaN or infinite.
func allFinite(data []float64) bool {
	for _, x := range data {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return false
		}
	}
	return true
}

// checkURPCSup compares Eq. 1 over all four heads and its gradients.
func checkURPCSup(c *checker) {
	in := loadURPCInputs(c)
	tape, heads := in.leaves()
	sup := urpc.SupervisedLoss(heads, in.labels)
	c.compareScalar("lsup", sup.Loss.Data.Item())
	c.compareList("ce_per_scale", sup.CrossEntropy)
	c.compareList("dice_per_scale", sup.Dice)
	tape.Backward(sup.Loss)
	c.compareHeadGrads("grad_logits_s", heads)
}

// pyramidTerms are the quantities of Eq. 2 and 4 built from the heads' logits.
type pyramidTerms struct {
	mean, logMean      *autograd.Value[float64]
	sqDist, d, weights []*autograd.Value[float64]
}

// pyramid computes p_c, log p_c, the squared distances, D_s and w_s on the heads' tape.
func pyramid(heads []*autograd.Value[float64], direction urpc.KLDirection) pyramidTerms {
	logProbs := make([]*autograd.Value[float64], len(heads))
	for s, z := range heads {
		logProbs[s] = autograd.LogSoftmax(z, 1)
	}
	probs := urpc.Probabilities(logProbs)
	terms := pyramidTerms{
		mean:    urpc.MeanPrediction(probs),
		logMean: urpc.LogMeanPrediction(logProbs),
	}
	for s := range heads {
		terms.sqDist = append(terms.sqDist, urpc.SquaredDistance(probs[s], terms.mean))
		terms.d = append(terms.d, urpc.Uncertainty(logProbs[s], terms.logMean, direction))
		terms.weights = append(terms.weights, urpc.UncertaintyWeights(terms.d[s]))
	}
	return terms
}

// checkURPCMeanAndUncertainty compares p_c (Eq. 2), D_s in both KL directions (Eq. 4)
// and the weights w_s = exp(-D_s).
func checkURPCMeanAndUncertainty(c *checker) {
	in := loadURPCInputs(c)
	for _, form := range []urpc.KLDirection{urpc.KLPaper, urpc.KLCode} {
		_, heads := in.leaves()
		terms := pyramid(heads, form)
		c.compare("pc", terms.mean.Data)
		c.compare("pc", tensor.Exp(terms.logMean.Data))
		for s := range heads {
			shape := c.input(fmt.Sprintf("D_%v_s%d", form, s)).Shape
			c.compare(fmt.Sprintf("D_%v_s%d", form, s), terms.d[s].Data.Reshape(shape...))
			c.compare(fmt.Sprintf("w_%v_s%d", form, s), terms.weights[s].Data.Reshape(shape...))
		}
	}
}

// checkURPCUnsupPaper compares the paper form of Eq. 5: UR, UM as a mean and as a sum,
// their sums Lunsup, and the gradients of UR and UM.
func checkURPCUnsupPaper(c *checker) {
	in := loadURPCInputs(c)
	var voxels float64
	if err := c.file.ConfigValue("voxels_times_batch", &voxels); err != nil {
		c.t.Fatal(err)
	}

	tape, heads := in.leaves()
	terms := pyramid(heads, urpc.KLPaper)
	ur, urPerScale := urpc.RectifiedConsistency(terms.sqDist, terms.weights, 3,
		urpc.DefaultConfig())
	c.compareScalar("ur", ur.Data.Item())
	c.compareList("ur_per_scale", scalars(urPerScale))
	tape.Backward(ur)
	c.compareHeadGrads("ur_grad_logits_s", heads)

	for _, reduction := range []urpc.UMReduction{urpc.UMMean, urpc.UMSum} {
		name, factor := "um_mean", 1.0
		if reduction == urpc.UMSum {
			name, factor = "um_sum", voxels
		}
		tape, heads = in.leaves()
		um, umPerScale := urpc.UncertaintyMinimisation(pyramid(heads, urpc.KLPaper).d, reduction)
		c.compareScalar(name, um.Data.Item())
		c.compareList(name+"_per_scale", scalars(umPerScale))
		tape.Backward(um)
		for s, h := range heads {
			c.compareScaled(fmt.Sprintf("um_mean_grad_logits_s%d", s), factor, h.Grad)
		}

		cfg := urpc.DefaultConfig()
		cfg.UMReduce = reduction
		_, heads = in.leaves()
		lunsup := urpc.UnsupervisedLoss(heads, cfg).Loss
		c.compareScalar("lunsup_paper_"+name[3:], lunsup.Data.Item())
	}
}

// scalars returns the values of one-element values.
func scalars(vs []*autograd.Value[float64]) []float64 {
	out := make([]float64, len(vs))
	for i, v := range vs {
		out[i] = v.Data.Item()
	}
	return out
}

// checkURPCUnsupCode compares the reference code's form of Eq. 5 and its gradients,
// for the whole loss and for the rectified part alone.
func checkURPCUnsupCode(c *checker) {
	in := loadURPCInputs(c)
	tape, heads := in.leaves()
	un := urpc.UnsupervisedLoss(heads, urpc.CodeConfig())
	c.compareScalar("consistency", un.Loss.Data.Item())
	c.compareScalar("ur_part", un.Consistency.Data.Item())
	c.compareScalar("um_part", un.Minimisation.Data.Item())
	c.compareList("ur_per_scale", un.ConsistencyPerScale)
	c.compareList("um_per_scale", un.MinimisationPerScale)
	perScale := make([]float64, len(heads))
	for s := range perScale {
		perScale[s] = un.ConsistencyPerScale[s] + un.MinimisationPerScale[s]
	}
	c.compareList("L_per_scale", perScale)
	tape.Backward(un.Loss)
	c.compareHeadGrads("grad_logits_s", heads)

	tape, heads = in.leaves()
	tape.Backward(urpc.UnsupervisedLoss(heads, urpc.CodeConfig()).Consistency)
	c.compareHeadGrads("ur_part_grad_logits_s", heads)
}

// checkURPCUnsupVariants compares the two variant readings of Eq. 5: UR normalised
// once over all scales and UM as a sum of squares.
func checkURPCUnsupVariants(c *checker) {
	in := loadURPCInputs(c)
	cfg := urpc.DefaultConfig()
	cfg.URNorm, cfg.UMReduce = urpc.URGlobal, urpc.UMSquaredSum

	tape, heads := in.leaves()
	un := urpc.UnsupervisedLoss(heads, cfg)
	c.compareScalar("ur_global", un.Consistency.Data.Item())
	tape.Backward(un.Consistency)
	c.compareHeadGrads("ur_global_grad_logits_s", heads)

	tape, heads = in.leaves()
	un = urpc.UnsupervisedLoss(heads, cfg)
	c.compareScalar("um_sqnorm", un.Minimisation.Data.Item())
	tape.Backward(un.Minimisation)
	c.compareHeadGrads("um_sqnorm_grad_logits_s", heads)
}

// checkURPCTotal compares Eq. 6 on a batch of one labelled and one unlabelled sample,
// in the code form (stepped ramp) and the paper form (continuous ramp, UM as a sum).
func checkURPCTotal(c *checker) {
	in := loadURPCInputs(c)
	var labeled, iter int
	if c.file.ConfigValue("labeled_bs", &labeled) != nil ||
		c.file.ConfigValue("iter_num", &iter) != nil {
		c.t.Fatal("urpc_total.json: no labeled_bs or iter_num in config")
	}
	paper := urpc.DefaultConfig()
	paper.UMReduce = urpc.UMSum
	forms := []struct {
		name   string
		lambda float64
		cfg    urpc.Config
	}{
		{"code", urpc.CodeRamp().Lambda(iter), urpc.CodeConfig()},
		{"paper", urpc.PaperRamp(60000).Lambda(iter), paper},
	}
	for _, form := range forms {
		c.compareScalar("lambda_"+form.name, form.lambda)
		tape, heads := in.leaves()
		result := urpc.Loss(heads, in.labels, labeled, form.lambda, form.cfg)
		c.compareScalar(form.name+"_total", result.Total.Data.Item())
		tape.Backward(result.Total)
		c.compareHeadGrads(form.name+"_grad_logits_s", heads)
	}
}

// checkSchedules compares the consistency ramps of Eq. 6 (stepped as in the 3-D and
// 2-D reference scripts, continuous as in the paper) and the poly learning rate.
func checkSchedules(c *checker) {
	var iters, lrIters []int
	var base, power, wMax float64
	var stepLength int
	for key, dst := range map[string]any{"iters": &iters, "lr_iters": &lrIters,
		"base_lr": &base, "power": &power, "wmax": &wMax,
		"iters_per_rampup_epoch": &stepLength} {
		if err := c.file.ConfigValue(key, dst); err != nil {
			c.t.Fatal(err)
		}
	}
	ramps := map[string]urpc.Ramp{
		"lambda_code_3d":         {WMax: wMax, Stepped: true, StepLength: stepLength, TMax: 400},
		"lambda_code_2d":         {WMax: wMax, Stepped: true, StepLength: stepLength, TMax: 200},
		"lambda_paper_tmax60000": {WMax: wMax, TMax: 60000},
		"lambda_paper_tmax30000": {WMax: wMax, TMax: 30000},
	}
	for name, ramp := range ramps {
		got := make([]float64, len(iters))
		for i, iter := range iters {
			got[i] = ramp.Lambda(iter)
		}
		c.compareList(name, got)
	}

	schedules := map[string]func(k int) float64{
		"lr_after_max60000": func(k int) float64 { return optim.PolyLR(base, k, 60000, power) },
		"lr_after_max30000": func(k int) float64 { return optim.PolyLR(base, k, 30000, power) },
		"lr_used_at_step_max60000": func(k int) float64 {
			return optim.PolyLRAtStep(base, k, 60000, power)
		},
	}
	for name, schedule := range schedules {
		c.compareSchedule(name, lrIters, schedule)
	}
}

// compareSchedule checks schedule(k) for k in ks against the stored list name, whose
// null entries (iterations past the end of the schedule) are skipped.
func (c *checker) compareSchedule(name string, ks []int, schedule func(k int) float64) {
	c.t.Helper()
	want, err := c.file.ScalarList(name)
	if err != nil {
		c.t.Fatal(err)
	}
	var gotKept, wantKept []float64
	for i, k := range ks {
		if !math.IsNaN(want[i]) {
			gotKept, wantKept = append(gotKept, schedule(k)), append(wantKept, want[i])
		}
	}
	worst, err := golden.Compare(c.file.Name+"/"+name, gotKept, wantKept)
	if err != nil {
		c.t.Error(err)
	}
	c.worst = max(c.worst, worst)
}

// checkSGDMomentum runs three SGD steps with the stored gradients and learning rates,
// in float64 and in float32 (the asm kernel), and compares parameters and buffers.
func checkSGDMomentum(c *checker) {
	var lrs []float64
	var momentum, decay float64
	if c.file.ConfigValue("lrs", &lrs) != nil ||
		c.file.ConfigValue("momentum", &momentum) != nil ||
		c.file.ConfigValue("weight_decay", &decay) != nil {
		c.t.Fatal("sgd_momentum.json: no lrs, momentum or weight_decay in config")
	}
	theta, grads := c.input("theta0"), c.input("grads")
	size := len(theta.Data)

	sgd := optim.NewSGD[float64](size, momentum, decay)
	sgd32 := optim.NewSGD[float32](size, momentum, decay)
	theta32 := tensor.Convert[float32](theta)
	for step, lr := range lrs {
		grad := tensor.Slice(grads, []int{step, 0}, []int{step + 1, size})
		sgd.Step(theta.Data, grad.Data, lr)
		sgd32.Step(theta32.Data, tensor.Convert[float32](grad).Data, lr)

		rows := [][]float64{theta.Data, sgd.State().MomentumBuffer,
			tensor.Convert[float64](theta32).Data,
			tensor.Convert[float64](tensor.FromSlice(sgd32.State().MomentumBuffer, size)).Data}
		for i, name := range []string{"theta_after", "momentum_buffer_after"} {
			want := tensor.Slice(c.input(name), []int{step, 0}, []int{step + 1, size}).Data
			for _, got := range [][]float64{rows[i], rows[i+2]} {
				worst, err := golden.Compare(fmt.Sprintf("%s/%s[%d]", c.file.Name, name, step),
					got, want)
				if err != nil {
					c.t.Error(err)
				}
				c.worst = max(c.worst, worst)
			}
		}
	}
}

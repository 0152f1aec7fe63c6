package urpc

// Explain lists every term of Eq. 1-6 of the result, per scale, each next to the
// function that computes it, in the order the equations are numbered.
func (r *Result[T]) Explain() []Term {
	var terms []Term
	if sup := r.Supervised; sup != nil {
		for s := range sup.Dice {
			terms = append(terms,
				Term{"Eq. 1", "dice", s, sup.Dice[s], "urpc.SoftDiceLoss"},
				Term{"Eq. 1", "cross-entropy", s, sup.CrossEntropy[s], "urpc.CrossEntropy"})
		}
		terms = append(terms, Term{"Eq. 1", "Lsup", -1, scalarOf(sup.Loss),
			"urpc.SupervisedLoss"})
	}
	if un := r.Unsupervised; un != nil {
		terms = append(terms, un.explain()...)
	}
	return append(terms,
		Term{"Eq. 6", "lambda", -1, r.Lambda, "urpc.Ramp.Lambda"},
		Term{"Eq. 6", "Ltotal", -1, scalarOf(r.Total), "urpc.TotalLoss"})
}

// explain lists the terms of Eq. 3-5.
func (un *Unsupervised[T]) explain() []Term {
	terms := []Term{{"Eq. 2", "mean max p_c", -1, un.Confidence, "urpc.MeanPrediction"}}
	for s := range un.Uncertainty {
		if un.Rectified {
			terms = append(terms, Term{"Eq. 3", "mean |p_s-p_c|^2", s, un.Distance[s],
				"urpc.SquaredDistance"})
		}
		terms = append(terms,
			Term{"Eq. 4", "mean D", s, un.Uncertainty[s], "urpc.Uncertainty"},
			Term{"Eq. 5", "mean w", s, un.Weight[s], "urpc.UncertaintyWeights"})
	}

	equation, name, function := "Eq. 3", "Lpyc", "urpc.PyramidConsistency"
	if un.Rectified {
		equation, name, function = "Eq. 5", "UR", "urpc.RectifiedConsistency"
	}
	for s, value := range un.ConsistencyPerScale {
		terms = append(terms, Term{equation, name, s, value, function})
	}
	terms = append(terms, Term{equation, name, -1, scalarOf(un.Consistency), function})

	if un.Minimised {
		for s, value := range un.MinimisationPerScale {
			terms = append(terms, Term{"Eq. 5", "UM", s, value, "urpc.UncertaintyMinimisation"})
		}
		terms = append(terms, Term{"Eq. 5", "UM", -1, scalarOf(un.Minimisation),
			"urpc.UncertaintyMinimisation"})
	}
	return append(terms, Term{"Eq. 5", "Lunsup", -1, scalarOf(un.Loss),
		"urpc.UnsupervisedLoss"})
}

package urpc

import (
	"math"
	"testing"
)

func TestRampEndpoints(t *testing.T) {
	start := 0.1 * math.Exp(-5)
	cases := []struct {
		name string
		ramp Ramp
		iter int
		want float64
	}{
		{"paper t=0", PaperRamp(1000), 0, start},
		{"paper t=tmax/2", PaperRamp(1000), 500, 0.1 * math.Exp(-5*0.25)},
		{"paper t=tmax", PaperRamp(1000), 1000, 0.1},
		{"paper past tmax", PaperRamp(1000), 5000, 0.1},
		{"code iter 149 is still step 0", CodeRamp(), 149, start},
		{"code iter 150 is step 1", CodeRamp(), 150, 0.1 * math.Exp(-5*math.Pow(1-1.0/400, 2))},
		{"code step 400", CodeRamp(), 60000, 0.1},
		{"tmax 0", Ramp{WMax: 0.1}, 0, 0.1},
	}
	for _, c := range cases {
		if got := c.ramp.Lambda(c.iter); math.Abs(got-c.want) > 1e-16 {
			t.Errorf("%s: lambda %v, want %v", c.name, got, c.want)
		}
	}
	mustPanic(t, "stepped without a step length", func() { Ramp{Stepped: true}.Lambda(3) })
}

func TestRampIsMonotone(t *testing.T) {
	for _, ramp := range []Ramp{PaperRamp(3000), CodeRamp()} {
		previous := 0.0
		for iter := 0; iter <= 70000; iter += 37 {
			lambda := ramp.Lambda(iter)
			if lambda < previous || lambda > ramp.WMax {
				t.Fatalf("%+v: lambda(%d) = %v after %v", ramp, iter, lambda, previous)
			}
			previous = lambda
		}
	}
}

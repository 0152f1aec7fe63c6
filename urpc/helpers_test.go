package urpc

import "math"

// allFinite reports whether no element is NaN or infinite.
func allFinite[T float32 | float64](data []T) bool {
	for _, x := range data {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return false
		}
	}
	return true
}

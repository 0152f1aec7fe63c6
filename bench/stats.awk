# Helpers shared by the benchmark tables of bench/*/compare.sh (awk -f bench/stats.awk
# -f TABLE.awk): vals[key] collects space-separated samples.

# median returns the median of the samples in vals[key] (0 when there are none).
function median(key,   n, i, j, t, v) {
	n = split(vals[key], v, " ")
	if (n == 0) return 0
	for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++)
		if (v[j] + 0 < v[i] + 0) { t = v[i]; v[i] = v[j]; v[j] = t }
	return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
}

# rate returns the number before the "GFLOP/s" unit of a `go test -bench` line.
function rate(   i) {
	for (i = 2; i <= NF; i++) if ($i == "GFLOP/s") return $(i - 1)
	return 0
}

# The markdown table of bench/conv/compare.sh; needs bench/stats.awk.
# BenchmarkConv3d/shape=16x16x48/threads=2/pass=both-2 (the -2 suffix is the
# GOMAXPROCS the benchmark started with, not its thread count).
/^BenchmarkConv3d\// {
	split($1, f, "/"); sub("shape=", "", f[2]); sub("threads=", "", f[3])
	pass = f[4]; sub("pass=", "", pass); sub("-[0-9]+$", "", pass)
	key = f[2] " " f[3]
	vals["go " pass " " key] = vals["go " pass " " key] " " rate()
	if (!(key in seen)) { seen[key] = 1; order[++nk] = key }
}
/^ *[0-9]+  [0-9]+x[0-9]+x[0-9]+ / {
	vals["torch forward " $2 " " $1] = $3; vals["torch both " $2 " " $1] = $4
}
END {
	print "| Cin x Cout x size | threads | Go fwd | PyTorch fwd | Go fwd+bwd | " \
		"PyTorch fwd+bwd | Go / PyTorch fwd+bwd |"
	print "|---|---|---|---|---|---|---|"
	for (i = 1; i <= nk; i++) {
		split(order[i], f, " ")
		gf = median("go forward " order[i]); gb = median("go both " order[i])
		tf = vals["torch forward " order[i]]; tb = vals["torch both " order[i]]
		printf "| %s | %s | %.1f | %.1f | %.1f | %.1f | %.2f |\n", f[1], f[2], gf, tf, gb,
			tb, (tb > 0 ? gb / tb : 0)
	}
}

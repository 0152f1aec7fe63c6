# The markdown table of bench/gemm/compare.sh; needs bench/stats.awk.
/^BenchmarkFMAPeak/ {
	split($1, f, "/"); sub("-[0-9]+$", "", f[3])
	vals["peak " f[2] "/" f[3]] = vals["peak " f[2] "/" f[3]] " " rate()
}
/^BenchmarkGEMM/ {
	split($1, f, "/"); sub("-[0-9]+$", "", f[4]); key = f[2] "/" f[3]
	vals[f[4] " " key] = vals[f[4] " " key] " " rate()
	if (!(key in seen)) { seen[key] = 1; order[++nk] = key }
}
/^TorchMM/ { split($1, f, "/"); vals["torch " f[2] "/" f[3]] = $2 }
END {
	print "| FMA peak | avx2 (GFLOP/s) | avx512 (GFLOP/s) |"
	print "|---|---|---|"
	for (th = 1; th <= 2; th++)
		printf "| %d thread(s) | %.1f | %.1f |\n", th,
			median("peak threads=" th "/impl=avx2"),
			median("peak threads=" th "/impl=avx512")
	print ""
	print "| shape MxKxN | threads | avx2 | avx512 | torch.mm | best / torch | best / peak |"
	print "|---|---|---|---|---|---|---|"
	for (i = 1; i <= nk; i++) {
		split(order[i], f, "/")
		a2 = median("impl=avx2 " order[i]); a5 = median("impl=avx512 " order[i])
		t = vals["torch " order[i]]
		best = a2; bi = "avx2"
		if (a5 > best) { best = a5; bi = "avx512" }
		peak = median("peak " f[2] "/impl=" bi)
		sub("shape=", "", f[1]); sub("threads=", "", f[2])
		printf "| %s | %s | %.1f | %.1f | %.1f | %.2f | %.0f%% |\n", f[1], f[2], a2, a5, t,
			(t > 0 ? best / t : 0), (peak > 0 ? 100 * best / peak : 0)
	}
}

package nn

// planeParallelMin is the number of elements under which a pass over the (n, c) planes
// of a tensor runs on the calling goroutine: below it, starting goroutines costs about
// as much as the pass itself (the U-Net's bottleneck planes hold 2^3 voxels).
const planeParallelMin = 1 << 15

// planeWorkers returns the number of goroutines of a pass over planes planes of voxels
// elements each: one per usable core, or 1 for a pass under planeParallelMin elements.
func planeWorkers(planes, voxels int) int {
	if planes*voxels < planeParallelMin {
		return 1
	}
	return convWorkers(planes)
}

// forPlanes calls body(worker, plane) once for each plane in [0, planes) of voxels
// elements each, on planeWorkers(planes, voxels) goroutines. The assignment is fixed
// (parallelItems) and each plane is computed whole by one goroutine, so a body that
// writes only its own plane's results gives the same bits for any worker count;
// reductions across planes are left to the caller, in plane order.
func forPlanes(planes, voxels int, body func(worker, plane int)) {
	parallelItems(planeWorkers(planes, voxels), planes, body)
}

package inventory

// For the benchmarks (package inventory_test, which may import
// internal/invgen: that imports inventory).
var (
	FreshDSN = freshDSN
	Backends = backends
)

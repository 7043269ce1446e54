package main

import "github.com/google/osv-scalibr/semantic"

// compareVersions orders two versions of an ecosystem as OSV ranges do.
func compareVersions(ecosystem, a, b string) (int, error) {
	v, err := semantic.Parse(a, ecosystem)
	if err != nil {
		return 0, err
	}
	return v.CompareStr(b)
}

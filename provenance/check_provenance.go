package provenance

import (
	"fmt"
	"strings"
)

// checkProvenance parses the SLSA provenance predicate (v0.2 or v1) and
// checks builder id, source repository, source ref and build type against
// the policy. What is not required is reported as skipped, with the value
// found, so a report always shows who built the artifact from what.
func checkProvenance(r *Result, cfg *config, e *entityParts) {
	required := len(cfg.builderIDs) > 0 || cfg.sourceURI != "" || cfg.sourceRef != "" || cfg.buildType != ""
	var (
		info *slsaInfo
		why  string // why there is no provenance
	)
	switch {
	case e.sig.MessageSignatureContent() != nil:
		why = "a message signature carries no in-toto statement, so no SLSA provenance"
	case e.stmtErr != nil:
		why = e.stmtErr.Error()
	default:
		r.PredicateType = e.stmt.GetPredicateType()
		var err error
		if info, err = parseSLSA(e.stmt); err != nil {
			why = err.Error()
			if isSLSA(e.stmt.GetPredicateType()) {
				// A SLSA predicate that does not parse is malformed,
				// required or not.
				required = true
			}
		}
	}
	if info == nil {
		st := Skip
		if required {
			st = Fail
		}
		r.set(CheckProvenance, st, "%s", why)
		for _, name := range []string{CheckBuilder, CheckSource, CheckRef, CheckBuildType} {
			if isRequired(cfg, name) {
				r.set(name, Fail, "no SLSA provenance to check")
			} else {
				r.set(name, Skip, "not required")
			}
		}
		return
	}
	r.Builder, r.BuildType = info.builderID, info.buildType
	r.SourceURI, r.SourceRef, r.SourceDigest = info.sourceURI, info.sourceRef, info.sourceDigest
	r.set(CheckProvenance, Pass, "SLSA provenance %s (%s)", info.version, e.stmt.GetPredicateType())

	switch {
	case len(cfg.builderIDs) == 0:
		r.set(CheckBuilder, Skip, "not required (builder %s)", info.builderID)
	case builderAllowed(cfg.builderIDs, info.builderID):
		r.set(CheckBuilder, Pass, "%s is allowed", info.builderID)
	default:
		r.set(CheckBuilder, Fail, "builder %s is not in the allow-list (%s)", info.builderID, strings.Join(cfg.builderIDs, ", "))
	}

	switch {
	case cfg.sourceURI == "":
		r.set(CheckSource, Skip, "not required (source %s)", orNone(info.sourceURI))
	case info.sourceURI == "":
		r.set(CheckSource, Fail, "the provenance names no source repository, want %s", cfg.sourceURI)
	case sameRepo(cfg.sourceURI, info.sourceURI):
		r.set(CheckSource, Pass, "%s%s", info.sourceURI, atCommit(info.sourceDigest))
	default:
		r.set(CheckSource, Fail, "source repository %s, want %s", info.sourceURI, cfg.sourceURI)
	}

	switch {
	case cfg.sourceRef == "":
		r.set(CheckRef, Skip, "not required (ref %s)", orNone(info.sourceRef))
	case info.sourceRef == "":
		r.set(CheckRef, Fail, "the provenance names no source ref, want %s", cfg.sourceRef)
	case refMatches(cfg.sourceRef, info.sourceRef):
		r.set(CheckRef, Pass, "%s", info.sourceRef)
	default:
		r.set(CheckRef, Fail, "source ref %s, want %s", info.sourceRef, cfg.sourceRef)
	}

	switch {
	case cfg.buildType == "":
		r.set(CheckBuildType, Skip, "not required (build type %s)", info.buildType)
	case cfg.buildType == info.buildType:
		r.set(CheckBuildType, Pass, "%s", info.buildType)
	default:
		r.set(CheckBuildType, Fail, "build type %s, want %s", info.buildType, cfg.buildType)
	}
}

func isRequired(cfg *config, check string) bool {
	switch check {
	case CheckBuilder:
		return len(cfg.builderIDs) > 0
	case CheckSource:
		return cfg.sourceURI != ""
	case CheckRef:
		return cfg.sourceRef != ""
	case CheckBuildType:
		return cfg.buildType != ""
	}
	return false
}

func atCommit(d string) string {
	if d == "" {
		return ""
	}
	return fmt.Sprintf(" at %s", d)
}

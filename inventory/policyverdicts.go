package inventory

import (
	"time"

	"github.com/fnaudit/fnaudit/match"
	"github.com/fnaudit/fnaudit/policy"
)

// PolicyVerdicts decides the verdict of each re-matched finding with pol,
// as the gate would at now: failing, cleared (a live exception or a VEX
// statement) or a warning. `inventory rematch` and its benchmark use it.
func PolicyVerdicts(pol *policy.Policy, now time.Time) Verdicts {
	return func(fs []match.Finding) []string {
		d := pol.Evaluate(policy.Input{Findings: fs, Now: now})
		out := make([]string, len(fs))
		for i, r := range d.Results {
			switch {
			case r.Fails:
				out[i] = VerdictFail
			case r.Exception != nil && !r.ExceptionExpired, r.VEX != nil:
				out[i] = VerdictIgnored
			default:
				out[i] = VerdictWarn
			}
		}
		return out
	}
}

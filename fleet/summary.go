package fleet

import (
	"cmp"
	"slices"
	"time"

	"github.com/fnaudit/fnaudit/inventory"
)

// Summary is a fleet run's result: what `fleet scan` prints and --notify sends.
type Summary struct {
	RunID     string    `json:"runId"`
	At        time.Time `json:"at"`
	Listed    int       `json:"listed"`
	Unchanged int       `json:"unchanged"`
	Scanned   int       `json:"scanned"`
	Failing   int       `json:"failing"` // functions failing the gate
	Errors    int       `json:"errors"`  // functions that could not be scanned
	// ListError says why listing was incomplete ("" when it was not).
	ListError string `json:"listError,omitempty"`

	Functions []FunctionLine `json:"functions"`
	New       []FindingLine  `json:"new"`
	Fixed     []FindingLine  `json:"fixed"`
	StillOpen []FindingLine  `json:"stillOpen"`

	SharedRoles    []SharedRole `json:"sharedRoles,omitempty"`
	EOLRuntimes    []ConfigLine `json:"eolRuntimes,omitempty"`
	EnvCredentials []ConfigLine `json:"envCredentials,omitempty"`
}

// Gate results of one function.
const (
	GatePass  = "pass"
	GateFail  = "fail"
	GateError = "error"
)

// FunctionLine is one function's gate result.
type FunctionLine struct {
	Function  string `json:"function"` // Function.ID()
	Digest    string `json:"digest,omitempty"`
	Gate      string `json:"gate"` // GatePass, GateFail or GateError
	Unchanged bool   `json:"unchanged"`
	Findings  int    `json:"findings"`
	Failing   int    `json:"failing"`
	Error     string `json:"error,omitempty"`
}

// FindingLine is one finding of one function.
type FindingLine struct {
	Function   string `json:"function"`
	AdvisoryID string `json:"advisoryId"`
	Ecosystem  string `json:"ecosystem"`
	Package    string `json:"package"`
	Version    string `json:"version"`
	Path       string `json:"path"`
	Severity   string `json:"severity"`
	Kind       string `json:"kind"`
	Verdict    string `json:"verdict"` // fail, warn, ignored
}

// SharedRole is one execution role used by several functions.
type SharedRole struct {
	Role      string   `json:"role"`
	Functions []string `json:"functions"`
}

// ConfigLine is one configuration fact of one function: an eol-runtime
// (Runtime, Date) or a credential-looking environment variable (Variable,
// Rule; never its value).
type ConfigLine struct {
	Function string `json:"function"`
	Runtime  string `json:"runtime,omitempty"`
	Date     string `json:"date,omitempty"`
	Variable string `json:"variable,omitempty"`
	Rule     string `json:"rule,omitempty"`
}

// Summarize builds the summary of a run from its outcomes.
func Summarize(runID string, at time.Time, listed int, listErr error, outs []Outcome, roles []SharedRole) *Summary {
	s := &Summary{RunID: runID, At: at, Listed: listed, SharedRoles: roles,
		Functions: []FunctionLine{}, New: []FindingLine{}, Fixed: []FindingLine{}, StillOpen: []FindingLine{}}
	if listErr != nil {
		s.ListError = listErr.Error()
	}
	lines := func(id string, fs []inventory.FindingRow) []FindingLine {
		out := make([]FindingLine, 0, len(fs))
		for _, f := range fs {
			out = append(out, FindingLine{Function: id, AdvisoryID: f.AdvisoryID, Ecosystem: f.Ecosystem, Package: f.Name,
				Version: f.Version, Path: f.Path, Severity: f.Severity, Kind: f.Kind, Verdict: f.Verdict})
		}
		return out
	}
	for _, o := range outs {
		id := o.Function.ID()
		l := FunctionLine{Function: id, Digest: o.Digest, Unchanged: o.Unchanged, Findings: len(o.Findings), Failing: o.Failing}
		switch {
		case o.Err != nil:
			l.Gate, l.Error = GateError, o.Err.Error()
			s.Errors++
		case o.Pass:
			l.Gate = GatePass
		default:
			l.Gate = GateFail
			s.Failing++
		}
		if o.Err == nil {
			if o.Unchanged {
				s.Unchanged++
			} else {
				s.Scanned++
			}
			s.New = append(s.New, lines(id, o.New)...)
			s.Fixed = append(s.Fixed, lines(id, o.Fixed)...)
			s.StillOpen = append(s.StillOpen, lines(id, o.StillOpen)...)
		}
		s.Functions = append(s.Functions, l)
		for _, c := range o.Function.ConfigFindings {
			switch c.Kind {
			case KindEOLRuntime:
				s.EOLRuntimes = append(s.EOLRuntimes, ConfigLine{Function: id, Runtime: c.Runtime, Date: c.Date.Format("2006-01-02")})
			case KindEnvCredential:
				s.EnvCredentials = append(s.EnvCredentials, ConfigLine{Function: id, Variable: c.Variable, Rule: c.Rule})
			}
		}
	}
	slices.SortFunc(s.Functions, func(a, b FunctionLine) int { return cmp.Compare(a.Function, b.Function) })
	for _, fs := range [][]FindingLine{s.New, s.Fixed, s.StillOpen} {
		slices.SortFunc(fs, func(a, b FindingLine) int {
			return cmp.Or(cmp.Compare(a.Function, b.Function), cmp.Compare(a.AdvisoryID, b.AdvisoryID), cmp.Compare(a.Path, b.Path))
		})
	}
	return s
}

// NewFailing are the NEW findings that fail the gate: what --notify sends.
func (s *Summary) NewFailing() []FindingLine {
	var out []FindingLine
	for _, f := range s.New {
		if f.Verdict == inventory.VerdictFail {
			out = append(out, f)
		}
	}
	return out
}

// Errored names the functions that could not be scanned.
func (s *Summary) Errored() []FunctionLine {
	var out []FunctionLine
	for _, f := range s.Functions {
		if f.Gate == GateError {
			out = append(out, f)
		}
	}
	return out
}

package config

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"
	"github.com/spf13/viper"
	glconfig "github.com/zricethezav/gitleaks/v8/config"
	"github.com/zricethezav/gitleaks/v8/detect"
	"github.com/zricethezav/gitleaks/v8/logging"

	"github.com/fnaudit/fnaudit/fleet"
)

// Credential detection uses gitleaks' maintained default rule set (v8.30.1,
// 222 rules: AWS access keys, private key headers, GitHub/GitLab/Slack/Stripe
// tokens, JWTs, generic high-entropy API keys, ...) through its own detector,
// so keyword prefiltering, entropy thresholds and allowlists behave exactly as
// in gitleaks. Most of gitleaks' dependencies (viper, the archive readers)
// are already linked in by syft.

var (
	detectorOnce sync.Once
	detector     *detect.Detector
	detectorErr  error
	detectMu     sync.Mutex // the Detector keeps per-run state; one scan at a time
)

func loadDetector() (*detect.Detector, error) {
	detectorOnce.Do(func() {
		// gitleaks logs through a package-level zerolog logger; its debug
		// and trace events carry secrets. Silence it entirely.
		logging.Logger = logging.Logger.Level(zerolog.Disabled)
		// A private viper instance: gitleaks' own helper uses the global one.
		v := viper.New()
		v.SetConfigType("toml")
		if err := v.ReadConfig(strings.NewReader(glconfig.DefaultConfig)); err != nil {
			detectorErr = fmt.Errorf("gitleaks default rules: %w", err)
			return
		}
		var vc glconfig.ViperConfig
		if err := v.Unmarshal(&vc); err != nil {
			detectorErr = fmt.Errorf("gitleaks default rules: %w", err)
			return
		}
		cfg, err := vc.Translate()
		if err != nil {
			detectorErr = fmt.Errorf("gitleaks default rules: %w", err)
			return
		}
		detector = detect.NewDetector(cfg)
	})
	return detector, detectorErr
}

// EnvCredentials returns one env-credential finding per variable and rule
// whose value looks like a credential, sorted by variable then rule. Each
// variable is shown to the detector as a dotenv line (NAME="value"), the form
// gitleaks' rules are written for, so rules keyed on the name (generic API
// keys, passwords) apply too. Only the name and the rule id are kept.
func EnvCredentials(env map[string]string) ([]fleet.ConfigFinding, error) {
	if len(env) == 0 {
		return nil, nil
	}
	d, err := loadDetector()
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(env))
	for n := range env {
		names = append(names, n)
	}
	sort.Strings(names)
	var out []fleet.ConfigFinding
	detectMu.Lock()
	defer detectMu.Unlock()
	for _, name := range names {
		seen := map[string]bool{}
		var rules []string
		for _, f := range d.DetectString(fmt.Sprintf("%s=%q\n", name, env[name])) {
			if !seen[f.RuleID] {
				seen[f.RuleID] = true
				rules = append(rules, f.RuleID)
			}
		}
		sort.Strings(rules)
		for _, r := range rules {
			out = append(out, fleet.ConfigFinding{
				Kind:     fleet.KindEnvCredential,
				Variable: name,
				Rule:     r,
				Detail:   fmt.Sprintf("environment variable %s holds a value that looks like a credential (gitleaks rule %s)", name, r),
			})
		}
	}
	return out, nil
}

// Check fills f's EnvNames (sorted, names only) and ConfigFindings from its
// runtime and environment. env is read here and nowhere kept.
func Check(f *fleet.Function, env map[string]string, now time.Time) error {
	f.EnvNames = f.EnvNames[:0]
	for n := range env {
		f.EnvNames = append(f.EnvNames, n)
	}
	sort.Strings(f.EnvNames)
	if len(f.EnvNames) == 0 {
		f.EnvNames = nil
	}
	if fd, ok := EOLRuntime(f.Runtime, now); ok {
		f.ConfigFindings = append(f.ConfigFindings, fd)
	}
	found, err := EnvCredentials(env)
	if err != nil {
		return fmt.Errorf("function %s: %w", f.ID(), err)
	}
	f.ConfigFindings = append(f.ConfigFindings, found...)
	return nil
}

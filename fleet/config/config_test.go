package config

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fnaudit/fnaudit/fleet"
)

func TestEOLRuntime(t *testing.T) {
	now := time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		runtime string
		eol     bool
		date    string
	}{
		{"nodejs16.x", true, "2024-06-12"},
		{"python3.8", true, "2024-10-14"},
		{"go1.x", true, "2024-01-08"},
		{"nodejs20.x", true, "2026-04-30"},
		{"nodejs22.x", false, ""},
		{"python3.13", false, ""},
		{"provided.al2023", false, ""},
		{"", false, ""},
		{"cobol85", false, ""},
	}
	for _, c := range cases {
		f, ok := EOLRuntime(c.runtime, now)
		if ok != c.eol {
			t.Errorf("%s: eol %v", c.runtime, ok)
			continue
		}
		if ok && (f.Kind != fleet.KindEOLRuntime || f.Runtime != c.runtime || f.Date.Format(time.DateOnly) != c.date ||
			f.Detail != fmt.Sprintf("runtime %s was deprecated on %s", c.runtime, c.date)) {
			t.Errorf("%s: %+v", c.runtime, f)
		}
	}
	// The day itself counts; the day before does not.
	d, _ := Deprecation("nodejs22.x")
	if _, ok := EOLRuntime("nodejs22.x", d); !ok {
		t.Error("not EOL on its deprecation day")
	}
	if _, ok := EOLRuntime("nodejs22.x", d.Add(-time.Second)); ok {
		t.Error("EOL before its deprecation day")
	}
}

var values = map[string]string{
	"AWS_ACCESS_KEY_ID":     "AKIAQ2V7ZL4MNT5XKRJW",
	"AWS_SECRET_ACCESS_KEY": "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",
	"GITHUB_TOKEN":          "ghp_8fK2mQ9zR4tV7xY1bN3cL6pW0sD5hJ2gA9kE",
	"SIGNING_KEY":           "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxKLxoS2tFczGkPLPgizskuemMghRniWaoLcyehkd3qqGElvW/VDL5AaWTg0nLVkjRo9z+40RQzuVaE8AkAFmxZzow3x+VJYKdjykkJ0iT9wCS0DRTXu269V264Vf/3jvredZiKRkgwlL9xNAwxXFg0x/XFw005UWVRIkdgcKWTjpBP2dPwVZ4WWC+9aGVd+Gyn1o0CLelf4rEjGoXbAAEgAqeGUxrcIlbjXfbcmwIDAQABAoIBAQCb\n-----END RSA PRIVATE KEY-----",
	"SLACK_WEBHOOK":         "https://hooks.slack.com/services/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",
	"STRIPE_KEY":            "sk_live_51Hx9kL2mN8pQ4rS6tU0vW3yZ",
	"LOG_LEVEL":             "debug",
	"TABLE_NAME":            "orders-prod",
	"EXAMPLE_KEY_ID":        "AKIAIOSFODNN7EXAMPLE", // AWS's documented example key: gitleaks' allowlist skips it
	"REGION":                "eu-west-1",
}

func TestEnvCredentials(t *testing.T) {
	got, err := EnvCredentials(values)
	if err != nil {
		t.Fatal(err)
	}
	var pairs []string
	for _, f := range got {
		if f.Kind != fleet.KindEnvCredential || f.Detail != fmt.Sprintf("environment variable %s holds a value that looks like a credential (gitleaks rule %s)", f.Variable, f.Rule) {
			t.Errorf("%+v", f)
		}
		pairs = append(pairs, f.Variable+"="+f.Rule)
	}
	want := []string{
		"AWS_ACCESS_KEY_ID=aws-access-token",
		"AWS_SECRET_ACCESS_KEY=generic-api-key",
		"GITHUB_TOKEN=github-pat",
		"SIGNING_KEY=private-key",
		"SLACK_WEBHOOK=slack-webhook-url",
		"STRIPE_KEY=stripe-access-token",
	}
	if !slices.Equal(pairs, want) {
		t.Fatalf("findings\n%v\nwant\n%v", pairs, want)
	}
	out := fmt.Sprintf("%+v %#v", got, got)
	for _, name := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "GITHUB_TOKEN", "SIGNING_KEY", "SLACK_WEBHOOK", "STRIPE_KEY"} {
		if strings.Contains(out, values[name][:16]) {
			t.Errorf("the value of %s appears in the findings", name)
		}
	}
}

func TestCheckKeepsNamesOnly(t *testing.T) {
	f := fleet.Function{Name: "orders", Runtime: "python3.9"}
	env := map[string]string{"TOKEN_B": "debug", "A_KEY": values["AWS_ACCESS_KEY_ID"]}
	if err := Check(&f, env, time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(f.EnvNames, []string{"A_KEY", "TOKEN_B"}) {
		t.Fatalf("names %v", f.EnvNames)
	}
	if len(f.ConfigFindings) != 2 || f.ConfigFindings[0].Kind != fleet.KindEOLRuntime || f.ConfigFindings[0].Detail != "runtime python3.9 was deprecated on 2025-12-15" ||
		f.ConfigFindings[1].Variable != "A_KEY" || f.ConfigFindings[1].Rule != "aws-access-token" {
		t.Fatalf("%+v", f.ConfigFindings)
	}
	if strings.Contains(fmt.Sprintf("%#v", f), values["AWS_ACCESS_KEY_ID"]) {
		t.Fatal("value kept")
	}
}

func TestSharedRoles(t *testing.T) {
	mk := func(acct, name, q, role string) fleet.Function {
		return fleet.Function{Account: acct, Region: "eu-west-1", Name: name, Qualifier: q, Role: role}
	}
	fns := []fleet.Function{
		mk("1", "a", "$LATEST", "r-shared"), mk("1", "a", "1", "r-shared"), mk("1", "a", "2", "r-shared"), // one function
		mk("1", "b", "$LATEST", "r-shared"), mk("1", "c", "$LATEST", "r-shared"),
		mk("1", "d", "$LATEST", "r-two"), mk("1", "e", "$LATEST", "r-two"),
		mk("1", "f", "$LATEST", "r-one"), mk("1", "g", "$LATEST", ""),
	}
	got := SharedRoles(fns, 2)
	if len(got) != 2 || got[0].Role != "r-shared" || !slices.Equal(got[0].Functions, []string{"1/eu-west-1/a", "1/eu-west-1/b", "1/eu-west-1/c"}) ||
		got[1].Role != "r-two" || !slices.Equal(got[1].Functions, []string{"1/eu-west-1/d", "1/eu-west-1/e"}) {
		t.Fatalf("%+v", got)
	}
	if got := SharedRoles(fns, 0); len(got) != 0 {
		t.Fatalf("default minimum %d: %+v", DefaultSharedRoleMin, got)
	}
}

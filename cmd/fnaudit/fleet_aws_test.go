package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fnaudit/fnaudit/fleet/aws/awstest"
)

// TestFleetAWSCLI: `fleet scan --source aws` with two --role-arn over
// three regions against the AWS double (AWS_ENDPOINT_URL): one function's
// CodeSha256 is wrong, so the exit is 2 naming it, and the others are
// recorded (the second run finds them unchanged).
func TestFleetAWSCLI(t *testing.T) {
	for _, k := range []string{"AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_REGION", "AWS_DEFAULT_REGION"} {
		t.Setenv(k, "")
	}
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_ACCESS_KEY_ID", awstest.BaseAccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", awstest.BaseSecretKey)
	srv := awstest.New()
	defer srv.Close()
	t.Setenv("AWS_ENDPOINT_URL", srv.URL)
	roleA, roleB := "arn:aws:iam::111111111111:role/audit", "arn:aws:iam::222222222222:role/audit"
	srv.AddRole(roleA, "", "111111111111")
	srv.AddRole(roleB, "", "222222222222")
	read := func(n string) []byte {
		b, err := os.ReadFile(filepath.Join(functionsDir, n))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	srv.AddFunction("111111111111", "eu-west-1", awstest.Function{Name: "orders", Runtime: "nodejs22.x", Role: "r", Zip: read("node-app.zip")})
	bad := srv.AddFunction("111111111111", "us-east-1", awstest.Function{Name: "tampered", Runtime: "nodejs22.x", Role: "r", Zip: read("node-app.zip")})
	srv.AddFunction("222222222222", "ap-southeast-2", awstest.Function{Name: "reports", Runtime: "python3.12", Role: "r", Zip: read("python-app.zip")})
	srv.WrongCodeSha256(bad)
	srv.Throttle("ListFunctions", 1)

	db := corpusDB(t)
	inv := filepath.Join(t.TempDir(), "inventory.db")
	args := append(append([]string{}, db...), "fleet", "scan", "--source", "aws", "--region", "eu-west-1", "--region", "us-east-1",
		"--region", "ap-southeast-2", "--role-arn", roleA, "--role-arn", roleB, "--inventory", inv, "-o", "json")
	code, out, errs := runCLI(t, args...)
	if code != 2 || !strings.Contains(errs, "111111111111/us-east-1/tampered") || !strings.Contains(errs, "CodeSha256") {
		t.Fatalf("exit %d, want 2 naming the tampered function\n%s", code, errs)
	}
	if strings.Contains(errs, "orders") || strings.Contains(errs, "reports") || !strings.Contains(out, `"scanned": 2`) {
		t.Fatalf("only the tampered function may error\n%s\n%s", errs, out)
	}
	code, out, errs = runCLI(t, args...)
	if code != 2 || !strings.Contains(out, `"unchanged": 2`) {
		t.Fatalf("second run: exit %d\n%s\n%s", code, out, errs)
	}
}

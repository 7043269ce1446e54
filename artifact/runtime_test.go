package artifact

import (
	"context"
	"testing"

	zt "github.com/fnaudit/fnaudit/internal/ziptest"
)

func TestParseRuntime(t *testing.T) {
	for id, want := range map[string]Runtime{
		"nodejs20.x":      {Name: "nodejs", Version: "20", ID: "nodejs20.x"},
		"python3.12":      {Name: "python", Version: "3.12", ID: "python3.12"},
		"java21":          {Name: "java", Version: "21", ID: "java21"},
		"java8.al2":       {Name: "java", Version: "8", ID: "java8.al2"},
		"dotnet8":         {Name: "dotnet", Version: "8", ID: "dotnet8"},
		"dotnetcore3.1":   {Name: "dotnet", Version: "3.1", ID: "dotnetcore3.1"},
		"ruby3.3":         {Name: "ruby", Version: "3.3", ID: "ruby3.3"},
		"provided.al2023": {Name: "provided", Version: "al2023", ID: "provided.al2023"},
		"go1.x":           {Name: "provided", Language: "go", Version: "1", ID: "go1.x"},
	} {
		got, err := ParseRuntime(id)
		if err != nil || got != want {
			t.Errorf("%s: %+v %v, want %+v", id, got, err, want)
		}
	}
	if _, err := ParseRuntime("cobol1.0"); err == nil {
		t.Error("cobol1.0 parsed")
	}
}

// TestDetectRuntime: the runtime is read from the content when --runtime is
// not given.
func TestDetectRuntime(t *testing.T) {
	dir := t.TempDir()
	cases := map[string][]zt.Entry{
		"nodejs":   {zt.File("index.mjs", "export const handler = 1")},
		"python":   {zt.File("lambda_function.py", "def lambda_handler(e, c): pass")},
		"java":     {zt.File("com/example/Handler.class", "\xca\xfe\xba\xbe"), zt.File("lib/a.jar", "")},
		"dotnet":   {zt.File("Function.dll", "MZ"), zt.File("Function.runtimeconfig.json", "{}")},
		"ruby":     {zt.File("lambda_function.rb", "def handler(event:, context:) end")},
		"provided": {zt.Entry{Name: "bootstrap", Body: []byte("#!/bin/sh\n"), Mode: 0o755}},
	}
	for want, entries := range cases {
		p := zt.Write(t, dir, want+".zip", entries...)
		d, err := Open(context.Background(), p, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if d.Runtime.Name != want || !d.Runtime.Detected {
			t.Errorf("%s: detected %+v", want, d.Runtime)
		}
		d.Close()
	}
	layer := zt.Write(t, dir, "py-layer.zip", zt.File("python/lib/python3.11/site-packages/six.py", ""))
	d, err := Open(context.Background(), layer, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if d.Runtime.Name != "python" || d.Runtime.Version != "3.11" || d.Origins[0].Kind != OriginLayer {
		t.Errorf("python layer: runtime %+v origin %+v", d.Runtime, d.Origins[0])
	}
	if f, ok := d.File("/opt/python/lib/python3.11/site-packages/six.py"); !ok || f.Origin().Index != 1 {
		t.Errorf("layer file not at /opt: %v", ok)
	}
}

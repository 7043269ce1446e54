// Package schemacheck validates fnaudit's JSON outputs against the official
// schemas kept in testdata/schemas (CycloneDX 1.6, SPDX 2.3, SARIF 2.1.0),
// offline: schemas that refer to each other are registered by their $id,
// never fetched. It is used by tests.
package schemacheck

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Schema files in testdata/schemas.
const (
	CycloneDX16 = "bom-1.6.schema.json"
	SPDX23      = "spdx-schema-2.3.json"
	SARIF210    = "sarif-schema-2.1.0.json"
)

// Schemas the CycloneDX schema references by $id.
var companions = map[string]string{
	"http://cyclonedx.org/schema/spdx.schema.json":     "spdx.schema.json",
	"http://cyclonedx.org/schema/jsf-0.82.schema.json": "jsf-0.82.schemax.json",
}

var (
	mu       sync.Mutex
	compiled = map[string]*jsonschema.Schema{}
)

// Validate checks doc against the named schema from dir (the repository's
// testdata/schemas) and returns every violation in one error.
func Validate(dir, schema string, doc []byte) error {
	s, err := load(dir, schema)
	if err != nil {
		return err
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return fmt.Errorf("document is not JSON: %w", err)
	}
	return s.Validate(inst)
}

// ValidateFile checks doc against a schema file that needs no companions
// (fnaudit's own docs/report.schema.json).
func ValidateFile(schemaPath string, doc []byte) error {
	return Validate(filepath.Dir(schemaPath), filepath.Base(schemaPath), doc)
}

func load(dir, schema string) (*jsonschema.Schema, error) {
	mu.Lock()
	defer mu.Unlock()
	key := filepath.Join(dir, schema)
	if s, ok := compiled[key]; ok {
		return s, nil
	}
	c := jsonschema.NewCompiler()
	for id, file := range companions {
		if _, err := os.Stat(filepath.Join(dir, file)); err != nil {
			continue // a schema that does not refer to it
		}
		doc, err := readJSON(filepath.Join(dir, file))
		if err != nil {
			return nil, err
		}
		if err := c.AddResource(id, doc); err != nil {
			return nil, fmt.Errorf("register %s: %w", file, err)
		}
	}
	doc, err := readJSON(key)
	if err != nil {
		return nil, err
	}
	url := "file:///schemas/" + schema
	if err := c.AddResource(url, doc); err != nil {
		return nil, fmt.Errorf("register %s: %w", schema, err)
	}
	s, err := c.Compile(url)
	if err != nil {
		return nil, fmt.Errorf("compile %s: %w", schema, err)
	}
	compiled[key] = s
	return s, nil
}

func readJSON(path string) (any, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return doc, nil
}

// Package benchgen writes large synthetic function packages for benchmarks:
// a Node function whose node_modules holds thousands of installed packages
// (top-level and nested copies, package.json files shaped like the
// registry's, JavaScript, maps, READMEs), deterministic for a given seed.
// Used by benchmarks and scripts/bench-peers.sh.
package benchgen

import (
	"archive/zip"
	"bufio"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
)

// NodeSpec describes the function to generate.
type NodeSpec struct {
	Packages    int   // installed package directories
	TargetBytes int64 // approximate total uncompressed size
	Seed        int64
}

// Node250MB is the benchmark function of issue 2: about 250 MB unzipped,
// thousands of packages.
var Node250MB = NodeSpec{Packages: 3000, TargetBytes: 250 << 20, Seed: 1}

// words make JavaScript-looking text that deflates like real code (3-5x).
var words = strings.Fields(`function return const let var if else for while switch case break
continue new this typeof instanceof undefined null true false module exports require
async await Promise resolve reject then catch finally throw Error TypeError
Object keys assign defineProperty prototype call apply bind length push pop shift
Array isArray map filter reduce forEach indexOf slice splice concat join split
String Number parseInt toString JSON stringify parse Buffer from alloc process env
callback options config value key result data err opts args index count state
emit on once listener stream pipe write end chunk encoding headers request response`)

// WriteNode writes the function zip to path. It returns the number of
// package directories written.
func WriteNode(path string, spec NodeSpec) (int, error) {
	f, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	zw := zip.NewWriter(bw)
	r := rand.New(rand.NewSource(spec.Seed))
	perPackage := spec.TargetBytes / int64(spec.Packages)
	add := func(name string, body []byte) error {
		w, err := zw.Create(name)
		if err != nil {
			return err
		}
		_, err = w.Write(body)
		return err
	}
	if err := add("index.js", []byte("exports.handler = async (event) => ({ statusCode: 200 });\n")); err != nil {
		return 0, err
	}
	if err := add("package.json", []byte(`{"name":"bench-function","version":"1.0.0","private":true}`)); err != nil {
		return 0, err
	}
	written := 0
	for i := 0; i < spec.Packages; i++ {
		name := fmt.Sprintf("pkg-%04d", i)
		if i%7 == 0 {
			name = fmt.Sprintf("@scope%d/pkg-%04d", i%13, i)
		}
		dir := "node_modules/" + name
		// every tenth package carries a nested copy of an earlier one
		if i%10 == 9 {
			dir = fmt.Sprintf("node_modules/pkg-%04d/node_modules/pkg-%04d", i-1, i-9)
			name = fmt.Sprintf("pkg-%04d", i-9)
		}
		version := fmt.Sprintf("%d.%d.%d", r.Intn(10), r.Intn(30), r.Intn(50))
		if err := add(dir+"/package.json", packageJSON(name, version, r)); err != nil {
			return 0, err
		}
		if err := add(dir+"/README.md", text(r, 2000+r.Intn(4000))); err != nil {
			return 0, err
		}
		if err := add(dir+"/LICENSE", []byte(mitLicense)); err != nil {
			return 0, err
		}
		remaining := perPackage - 8000
		for j := 0; remaining > 0; j++ {
			size := 1000 + r.Intn(12000)
			ext := ".js"
			switch j % 5 {
			case 3:
				ext = ".js.map"
			case 4:
				ext = ".d.ts"
			}
			if err := add(fmt.Sprintf("%s/lib/file%02d%s", dir, j, ext), text(r, size)); err != nil {
				return 0, err
			}
			remaining -= int64(size)
		}
		written++
	}
	if err := zw.Close(); err != nil {
		return 0, err
	}
	if err := bw.Flush(); err != nil {
		return 0, err
	}
	return written, f.Close()
}

func packageJSON(name, version string, r *rand.Rand) []byte {
	deps := make([]string, 0, 4)
	for k := 0; k < r.Intn(5); k++ {
		deps = append(deps, fmt.Sprintf(`"pkg-%04d": "^%d.%d.0"`, r.Intn(3000), r.Intn(10), r.Intn(30)))
	}
	return []byte(fmt.Sprintf(`{
  "name": %q,
  "version": %q,
  "description": "generated benchmark package",
  "main": "lib/file00.js",
  "types": "lib/file04.d.ts",
  "license": "MIT",
  "author": "Bench Author <bench@example.com>",
  "repository": {"type": "git", "url": "git+https://github.com/example/%s.git"},
  "homepage": "https://github.com/example/%s#readme",
  "keywords": ["bench", "synthetic"],
  "dependencies": {%s},
  "engines": {"node": ">=14"}
}
`, name, version, strings.TrimPrefix(name, "@"), strings.TrimPrefix(name, "@"), strings.Join(deps, ", ")))
}

func text(r *rand.Rand, n int) []byte {
	var b strings.Builder
	b.Grow(n + 16)
	for b.Len() < n {
		b.WriteString(words[r.Intn(len(words))])
		switch r.Intn(8) {
		case 0:
			b.WriteString(";\n")
		case 1:
			b.WriteString("(")
		case 2:
			b.WriteString(") {\n  ")
		default:
			b.WriteByte(' ')
		}
	}
	return []byte(b.String()[:n])
}

const mitLicense = `MIT License

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.
`

// Cached returns the path of the generated function in the user cache
// directory, generating it on first use, so benchmark runs reuse it.
func Cached(spec NodeSpec) (string, error) {
	dir, err := cacheDir("")
	if err != nil {
		return "", err
	}
	p := filepath.Join(dir, fmt.Sprintf("node-%dpkgs-%dMB-seed%d.zip", spec.Packages, spec.TargetBytes>>20, spec.Seed))
	if _, err := os.Stat(p); err == nil {
		return p, nil
	}
	tmp := p + ".tmp"
	if _, err := WriteNode(tmp, spec); err != nil {
		os.Remove(tmp)
		return "", err
	}
	return p, os.Rename(tmp, p)
}

package artifact

import (
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"
)

// Runtime is the Lambda runtime a deployment runs on; it decides which copy
// of a package the runtime loads (see sbom's loaded rules).
type Runtime struct {
	// Name is the language family: nodejs, python, java, dotnet, ruby, or
	// provided (a custom runtime's bootstrap).
	Name string `json:"name,omitempty"`
	// Version is the runtime's version as Lambda names it: "20" for
	// nodejs20.x, "3.12" for python3.12, "al2023" for provided.al2023. Empty
	// when not known.
	Version string `json:"version,omitempty"`
	// ID is the Lambda runtime identifier when given (--runtime).
	ID string `json:"id,omitempty"`
	// Language is the language of a custom runtime's bootstrap ("go").
	Language string `json:"language,omitempty"`
	// Detected is true when the runtime was inferred from the content.
	Detected bool `json:"detected"`
}

func (r Runtime) String() string {
	switch {
	case r.ID != "":
		return r.ID
	case r.Name == "":
		return "unknown"
	case r.Language != "":
		return r.Name + " (" + r.Language + ")"
	case r.Version != "":
		return r.Name + " " + r.Version
	default:
		return r.Name
	}
}

var runtimeID = regexp.MustCompile(`^(nodejs|python|java|dotnetcore|dotnet|ruby|provided|go)([0-9][0-9.]*)?(\.x)?(\.(al2|al2023))?$`)

// ParseRuntime reads a Lambda runtime identifier ("nodejs20.x",
// "python3.12", "java21", "dotnet8", "ruby3.3", "provided.al2023").
func ParseRuntime(id string) (Runtime, error) {
	m := runtimeID.FindStringSubmatch(strings.ToLower(strings.TrimSpace(id)))
	if m == nil {
		return Runtime{}, fmt.Errorf("unknown Lambda runtime %q (expected e.g. nodejs20.x, python3.12, java21, dotnet8, ruby3.3, provided.al2023)", id)
	}
	r := Runtime{Name: m[1], Version: m[2], ID: id}
	switch r.Name {
	case "dotnetcore":
		r.Name = "dotnet"
	case "provided":
		r.Version = m[5]
	case "go":
		r.Name, r.Language = "provided", "go"
	}
	if r.Name == "java" && m[5] != "" {
		r.Version = m[2]
	}
	return r, nil
}

// detectRuntime uses the --runtime value when given, else the content.
func detectRuntime(d *Deployment, flag string) (Runtime, error) {
	if flag != "" {
		r, err := ParseRuntime(flag)
		if err != nil {
			return Runtime{}, err
		}
		return r, nil
	}
	r := Runtime{Detected: true}
	task := topLevel(d, TaskRoot)
	switch {
	case task["bootstrap"] || d.has(path.Join(OptRoot, "bootstrap")):
		// A custom runtime; whether its bootstrap is a Go binary is known
		// once the SBOM has read its build information (sbom.Generate).
		r.Name = "provided"
	case anySuffix(task, ".js", ".mjs", ".cjs") || task["package.json"] || task["node_modules"] || d.IsDir("/opt/nodejs"):
		r.Name = "nodejs"
	case anySuffix(task, ".py") || d.IsDir("/opt/python"):
		r.Name = "python"
		r.Version = pythonVersion(d)
	case anySuffix(task, ".runtimeconfig.json", ".deps.json"):
		r.Name = "dotnet"
	case anySuffix(task, ".rb") || task["Gemfile"] || d.IsDir("/opt/ruby"):
		r.Name = "ruby"
	case d.IsDir("/var/task/lib") && hasSuffixBelow(d, "/var/task/lib/", ".jar") || hasSuffixBelow(d, TaskRoot+"/", ".class") || d.IsDir("/opt/java"):
		r.Name = "java"
	case anySuffix(task, ".dist-info", ".egg-info"):
		r.Name = "python"
		r.Version = pythonVersion(d)
	default:
		r.Detected = false
	}
	return r, nil
}

func (d *Deployment) has(p string) bool {
	_, _, ok := d.view.resolve(p)
	return ok
}

// topLevel lists the names directly under root (files and directories).
func topLevel(d *Deployment, root string) map[string]bool {
	out := map[string]bool{}
	prefix := root + "/"
	add := func(p string) {
		if rest, ok := strings.CutPrefix(p, prefix); ok {
			name, _, _ := strings.Cut(rest, "/")
			out[name] = true
		}
	}
	for p := range d.view.files {
		add(p)
	}
	d.view.dirs.each(add)
	return out
}

func anySuffix(names map[string]bool, suffixes ...string) bool {
	for n := range names {
		for _, s := range suffixes {
			if strings.HasSuffix(n, s) {
				return true
			}
		}
	}
	return false
}

func hasSuffixBelow(d *Deployment, prefix, suffix string) bool {
	for p := range d.view.files {
		if strings.HasPrefix(p, prefix) && strings.HasSuffix(p, suffix) {
			return true
		}
	}
	return false
}

// pythonVersion reads X.Y from a layer's /opt/python/lib/pythonX.Y, when
// there is exactly one.
func pythonVersion(d *Deployment) string {
	seen := map[string]bool{}
	d.view.dirs.each(func(p string) {
		if rest, ok := strings.CutPrefix(p, "/opt/python/lib/python"); ok && !strings.Contains(rest, "/") {
			seen[rest] = true
		}
	})
	if len(seen) != 1 {
		return ""
	}
	versions := make([]string, 0, 1)
	for v := range seen {
		versions = append(versions, v)
	}
	sort.Strings(versions)
	return versions[0]
}

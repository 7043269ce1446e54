package policy

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

// unknownField is how yaml.v3's KnownFields reports a key no field takes.
var unknownField = regexp.MustCompile(`^line (\d+): field (\S+) not found in type (\S+)$`)

// explainUnknownKeys rewrites yaml.v3's "field failOn not found in type
// policy.Policy" as "line 2: unknown key failOn, did you mean fail_on": the
// user wrote a key, not a Go field, and a misspelt key most often has a
// near neighbour among the known ones.
func explainUnknownKeys(err error) error {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return err
	}
	keys := knownKeys()
	msgs := make([]string, 0, len(te.Errors))
	for _, e := range te.Errors {
		m := unknownField.FindStringSubmatch(strings.TrimSpace(e))
		if m == nil {
			msgs = append(msgs, e)
			continue
		}
		msg := fmt.Sprintf("line %s: unknown key %s", m[1], m[2])
		if s := suggest(m[2], keys[m[3]]); s != "" {
			msg += ", did you mean " + s
		} else if k := keys[m[3]]; len(k) > 0 {
			msg += " (known keys: " + strings.Join(k, ", ") + ")"
		}
		msgs = append(msgs, msg)
	}
	return errors.New(strings.Join(msgs, "; "))
}

// knownKeys maps each Go type the policy document decodes into ("policy.
// Policy", "policy.Exception", ...) to the YAML keys it takes.
func knownKeys() map[string][]string {
	out := map[string][]string{}
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct || out[t.String()] != nil {
			return
		}
		out[t.String()] = []string{}
		for i := range t.NumField() {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			if !f.IsExported() || name == "-" || name == "" {
				continue
			}
			out[t.String()] = append(out[t.String()], name)
			walk(f.Type)
		}
	}
	walk(reflect.TypeFor[Policy]())
	return out
}

// suggest is the known key nearest to key (ignoring case, '_' and '-'),
// if it is near enough to be a likely misspelling.
func suggest(key string, known []string) string {
	norm := func(s string) string {
		return strings.NewReplacer("_", "", "-", "").Replace(strings.ToLower(s))
	}
	best, bestD := "", 1<<30
	for _, k := range known {
		if d := levenshtein(norm(key), norm(k)); d < bestD {
			best, bestD = k, d
		}
	}
	if bestD <= max(2, len(key)/3) {
		return best
	}
	return ""
}

func levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur := make([]int, len(rb)+1)
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(rb)]
}

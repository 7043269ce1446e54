package fleet

import (
	"context"
	"sync"

	"github.com/ossf/osv-schema/bindings/go/osvschema"

	"github.com/fnaudit/fnaudit/match"
)

// lookupCache remembers the advisory database's answer per package name for
// one run: a fleet's functions share most of their package names, and the
// database does not change during a run. Errors are not remembered.
type lookupCache struct {
	src match.Source
	mu  sync.Mutex
	m   map[[2]string][]*osvschema.Vulnerability
}

func (c *lookupCache) Lookup(ctx context.Context, ecosystem, name string) ([]*osvschema.Vulnerability, error) {
	k := [2]string{ecosystem, name}
	c.mu.Lock()
	v, ok := c.m[k]
	c.mu.Unlock()
	if ok {
		return v, nil
	}
	v, err := c.src.Lookup(ctx, ecosystem, name)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.m == nil {
		c.m = map[[2]string][]*osvschema.Vulnerability{}
	}
	c.m[k] = v
	c.mu.Unlock()
	return v, nil
}

package registry

import "testing"

func TestStatusFails(t *testing.T) {
	for _, c := range []struct {
		s          Status
		plain, opt bool // without / with fail_on_registry
	}{
		{TakenDown, true, true},
		{Unpublished, false, true},
		{Yanked, false, true},
		{Retracted, false, true},
		{Unlisted, false, true},
		{Deprecated, false, false},
		{Unknown, false, false},
		{StatusNone, false, false},
	} {
		if got := c.s.Fails(false); got != c.plain {
			t.Errorf("%q.Fails(false) = %v", c.s, got)
		}
		if got := c.s.Fails(true); got != c.opt {
			t.Errorf("%q.Fails(true) = %v", c.s, got)
		}
	}
}

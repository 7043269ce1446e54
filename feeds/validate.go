package feeds

import (
	"fmt"
	"strings"

	"github.com/ossf/osv-schema/bindings/go/osvschema"
	"golang.org/x/mod/semver"
)

// checkSemverRanges refuses a record whose SEMVER range events are not
// SemVer versions. A matcher parses such a string leniently ("not.a.version"
// becomes some version), so a bad "fixed" would silently close the range
// and clear every vulnerable install. ECOSYSTEM ranges are checked when
// matched: a version the ecosystem cannot parse leaves the finding
// undecided there, which fails closed.
func checkSemverRanges(v *osvschema.Vulnerability) error {
	for i, a := range v.GetAffected() {
		for j, r := range a.GetRanges() {
			if r.GetType() != osvschema.Range_SEMVER {
				continue
			}
			for _, e := range r.GetEvents() {
				for _, ev := range []struct{ name, val string }{
					{"introduced", e.GetIntroduced()}, {"fixed", e.GetFixed()},
					{"last_affected", e.GetLastAffected()}, {"limit", e.GetLimit()},
				} {
					val := strings.TrimSpace(ev.val)
					if val == "" || (ev.name == "introduced" && val == "0") || (ev.name == "limit" && val == "*") {
						continue
					}
					if !semver.IsValid("v" + strings.TrimPrefix(val, "v")) {
						return fmt.Errorf("affected[%d].ranges[%d]: SEMVER event %s %q is not a semantic version", i, j, ev.name, ev.val)
					}
				}
			}
		}
	}
	return nil
}

// checkRecordTimes refuses timestamps protobuf cannot represent (they would
// compare wrongly as withdrawn or modified times).
func checkRecordTimes(v *osvschema.Vulnerability) error {
	if w := v.GetWithdrawn(); w != nil {
		if err := w.CheckValid(); err != nil {
			return fmt.Errorf(`invalid "withdrawn": %w`, err)
		}
	}
	return nil
}

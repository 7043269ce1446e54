package registry

// Fails says whether a finding of this status fails the gate, as issue 14
// sets it: a taken-down package fails like malware, whatever the
// advisories say; unpublished, yanked, retracted and unlisted versions fail
// only when the policy sets fail_on_registry; deprecated never fails (it is
// reported); none and unknown are no findings. Policy calls it; it lives
// here so the rule sits next to the statuses it ranks.
func (s Status) Fails(failOnRegistry bool) bool {
	switch s {
	case TakenDown:
		return true
	case Unpublished, Yanked, Retracted, Unlisted:
		return failOnRegistry
	}
	return false
}

package core

import (
	"strings"
)

// Distribution ecosystems carry a release after the name, and osv.dev's
// sources do not all spell a release the same way:
//
//	Debian:12              Alpine:v3.19
//	Ubuntu:22.04:LTS       Ubuntu:24.10       Ubuntu:Pro:18.04:LTS
//	Red Hat:enterprise_linux:9::appstream     Red Hat:rhel_eus:9.2::baseos
//	AlmaLinux:9            Rocky Linux:9
//
// while an image's /etc/os-release gives "22.04" or "9.4". EcosystemCovers
// compares the release each side names, not the text.

// EcosystemCovers reports whether an advisory's affected ecosystem
// (recordEco, as the record writes it) covers a package of ecosystem pkgEco
// (as the SBOM names it): the same ecosystem, compared without regard to
// case, and, when both name a release, the same release:
//
//   - a side without a release covers every release;
//   - Ubuntu: the same YY.MM, whatever the channel ("Ubuntu:Pro:22.04:LTS"
//     and "Ubuntu:22.04:LTS" both cover "Ubuntu:22.04"; Pro/ESM records
//     are about packages an image may carry, and a false alarm costs less
//     than a missed one);
//   - Red Hat: the same major release of RHEL ("enterprise_linux:9" or an
//     EUS/AUS/E4S stream "rhel_eus:9.2"), whatever the repository;
//   - Debian, AlmaLinux, Rocky Linux: the same major release;
//   - Alpine: the same vX.Y branch ("v3.19", "3.19", "3.19.1");
//   - anything else (a registry URL after "Maven:", say): the same text.
func EcosystemCovers(recordEco, pkgEco string) bool {
	rb, rs, rHas := strings.Cut(strings.TrimSpace(recordEco), ":")
	pb, ps, pHas := strings.Cut(strings.TrimSpace(pkgEco), ":")
	if !strings.EqualFold(strings.TrimSpace(rb), strings.TrimSpace(pb)) {
		return false
	}
	if !rHas || !pHas || strings.EqualFold(rs, ps) {
		return true
	}
	var rel func(string) string
	switch strings.ToLower(strings.TrimSpace(rb)) {
	case "ubuntu":
		rel = ubuntuRelease
	case "red hat":
		rel = rhelRelease
	case "debian", "almalinux", "rocky linux":
		rel = majorRelease
	case "alpine":
		rel = alpineBranch
	default:
		return false
	}
	r, p := rel(rs), rel(ps)
	return r != "" && r == p
}

// ubuntuRelease finds the YY.MM part of an Ubuntu suffix: "Pro:22.04:LTS"
// -> "22.04".
func ubuntuRelease(suffix string) string {
	for _, part := range strings.Split(suffix, ":") {
		part = strings.TrimSpace(part)
		y, m, ok := strings.Cut(part, ".")
		if ok && isDigits(y) && isDigits(m) {
			return y + "." + m
		}
	}
	return ""
}

// rhelRelease finds the RHEL major release of a Red Hat suffix:
// "enterprise_linux:9::appstream" -> "9", "rhel_eus:9.2::baseos" -> "9",
// "9" -> "9". Other products (OpenShift, ...) give "".
func rhelRelease(suffix string) string {
	parts := strings.Split(suffix, ":")
	if len(parts) == 1 {
		return majorRelease(parts[0])
	}
	product := strings.ToLower(strings.TrimSpace(parts[0]))
	if product != "enterprise_linux" && !strings.HasPrefix(product, "rhel") {
		return ""
	}
	return majorRelease(parts[1])
}

// majorRelease: "12" -> "12", "9.4" -> "9", "bookworm" -> "".
func majorRelease(s string) string {
	major, _, _ := strings.Cut(strings.TrimSpace(s), ".")
	if !isDigits(major) {
		return ""
	}
	if trimmed := strings.TrimLeft(major, "0"); trimmed != "" {
		return trimmed // "09" is 9
	}
	return "0"
}

// alpineBranch: "v3.19" / "3.19" / "3.19.1" -> "3.19".
func alpineBranch(s string) string {
	s = strings.TrimPrefix(strings.ToLower(strings.TrimSpace(s)), "v")
	parts := strings.SplitN(s, ".", 3)
	if len(parts) < 2 || !isDigits(parts[0]) || !isDigits(parts[1]) {
		return ""
	}
	return parts[0] + "." + parts[1]
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

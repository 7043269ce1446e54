package main

import (
	"cmp"
	"testing"

	"github.com/fnaudit/fnaudit/internal/imagetest"
)

// Issue 10, point 10 through the real command: an image's dpkg packages
// are labelled with osv.dev's ecosystem name ("Ubuntu:24.04:LTS", not
// "Ubuntu:24.04"), so the real Canonical record UBUNTU-CVE-2025-32463
// (testdata/osv/Ubuntu, sudo chroot escalation) fails the gate on an
// affected sudo and only on the release the record names.

// osRelease is /etc/os-release as Ubuntu's base-files package ships it for
// the given release. Ubuntu's archive is not reachable from the build
// machine, so the standard content is written out here rather than
// copied from the package; the fields fnaudit reads (ID, VERSION_ID,
// VERSION, PRETTY_NAME) are the ones base-files sets.
func osRelease(versionID, version, codename string) string {
	return `PRETTY_NAME="Ubuntu ` + version + `"
NAME="Ubuntu"
VERSION_ID="` + versionID + `"
VERSION="` + version + `"
VERSION_CODENAME=` + codename + `
ID=ubuntu
ID_LIKE=debian
HOME_URL="https://www.ubuntu.com/"
SUPPORT_URL="https://help.ubuntu.com/"
BUG_REPORT_URL="https://bugs.launchpad.net/ubuntu/"
PRIVACY_POLICY_URL="https://www.ubuntu.com/legal/terms-and-policies/privacy-policy"
UBUNTU_CODENAME=` + codename + `
LOGO=ubuntu-logo
`
}

// dpkgSudo is a /var/lib/dpkg/status holding the sudo binary package (whose
// source package, the name the record uses, is also sudo) at version.
// With another binary name, the entry names sudo as its Source, as dpkg
// writes it for sudo-ldap.
func dpkgSudo(binary, version string) string {
	source := ""
	if binary != "sudo" {
		source = "Source: sudo\n"
	}
	return `Package: ` + binary + `
` + source + `Status: install ok installed
Priority: important
Section: admin
Installed-Size: 3990
Maintainer: Ubuntu Developers <ubuntu-devel-discuss@lists.ubuntu.com>
Architecture: amd64
Version: ` + version + `
Replaces: sudo-ldap
Depends: libapparmor1 (>= 2.7.0~beta2), libaudit1 (>= 1:2.2.1), libc6 (>= 2.38), libpam0g (>= 0.99.7.1), libselinux1 (>= 3.1~), libssl3t64 (>= 3.0.0), zlib1g (>= 1:1.2.0.2), libpam-modules
Conflicts: sudo-ldap
Description: Provide limited super user privileges to specific users
 Sudo is a program designed to allow a sysadmin to give limited root
 privileges to users and log root activity.  The basic philosophy is to give
 as few privileges as possible but still allow people to get their work done.
Homepage: https://www.sudo.ws/
Original-Maintainer: Sudo Maintainers <sudo@packages.debian.org>

`
}

func TestDistroGate(t *testing.T) {
	t.Parallel()
	const id = "UBUNTU-CVE-2025-32463"
	noble := osRelease("24.04", "24.04.1 LTS (Noble Numbat)", "noble")
	cases := []struct {
		name, osRelease, sudo string
		binary                string // the dpkg package; "" is sudo
		exit                  int
		ecosystem             string // of the finding; "" when none
	}{
		// 1.9.15p5-3ubuntu5 is in the record's Ubuntu:24.04:LTS range.
		{"noble affected", noble, "1.9.15p5-3ubuntu5", "", 1, "Ubuntu:24.04:LTS"},
		// A binary of source package sudo under another name is matched
		// through its source, the name distribution records use.
		{"noble sudo-ldap", noble, "1.9.15p5-3ubuntu5", "sudo-ldap", 1, "Ubuntu:24.04:LTS"},
		// The record's fixed version for 24.04.
		{"noble fixed", noble, "1.9.15p5-3ubuntu5.24.04.1", "", 0, ""},
		// Ubuntu 25.04 is not an LTS release: osv.dev writes "Ubuntu:25.04".
		{"plucky affected", osRelease("25.04", "25.04 (Plucky Puffin)", "plucky"), "1.9.16p2-1ubuntu1", "", 1, "Ubuntu:25.04"},
		// The record names no 22.04 entry: the same affected version on
		// jammy is not matched by the 24.04 range.
		{"jammy not named", osRelease("22.04", "22.04.5 LTS (Jammy Jellyfish)", "jammy"), "1.9.15p5-3ubuntu5", "", 0, ""},
	}
	db := corpusDB(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			layer := imagetest.Layer(t,
				imagetest.File("etc/os-release", c.osRelease),
				imagetest.File("var/lib/dpkg/status", dpkgSudo(cmp.Or(c.binary, "sudo"), c.sudo)))
			code, r, errs := scanJSON(t, db, imagetest.DockerArchive(t, imagetest.Image(t, layer)))
			if code != c.exit || r.Gate.Pass != (c.exit == 0) {
				t.Fatalf("exit %d, pass %v, want exit %d: %s", code, r.Gate.Pass, c.exit, errs)
			}
			var got []string
			for _, f := range r.Findings {
				got = append(got, f.Package.Ecosystem+" "+f.Package.Name+"@"+f.Package.Version)
				if len(f.IDs) != 1 || f.IDs[0] != id || !f.Gate.Fails {
					t.Errorf("finding %v on %s@%s (fails %v), want %s failing the gate", f.IDs, f.Package.Name, f.Package.Version, f.Gate.Fails, id)
				}
			}
			var want []string
			if c.ecosystem != "" {
				want = []string{c.ecosystem + " " + cmp.Or(c.binary, "sudo") + "@" + c.sudo}
			}
			if !equalJSON(got, want) {
				t.Errorf("findings %q, want %q", got, want)
			}
		})
	}
}

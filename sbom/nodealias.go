package sbom

import "github.com/fnaudit/fnaudit/core"

// nodeAlias sets p.Alias when the folder require() finds the package by
// (its primary path's last one or two segments) names another package than
// its package.json does. Node resolves by folder name, so a folder
// node_modules/flatmap-stream whose package.json says "innocent" is what
// require('flatmap-stream') loads: fail closed, match both names.
//
// npm aliases ("foo": "npm:bar@1") install bar's package.json under
// node_modules/foo legitimately; npm records them in its lockfile as the
// folder's entry with "name": "bar". When a shipped lockfile says so,
// p.AliasDeclared is set: the matcher then holds the folder name only to
// malicious records that flag every version of it, since the folder's
// version is bar's, not foo's. An alias no lockfile explains is matched
// in full under both names and warned about (SBOM.Warnings).
func nodeAlias(p *Package, locks *nodeLockfiles) error {
	folder := nodeFolderName(p.Path())
	if p.Name == "" || core.NormalizeName(core.EcosystemNPM, folder) == core.NormalizeName(core.EcosystemNPM, p.Name) {
		return nil
	}
	p.Alias = folder
	e, ok, err := locks.entry(p.Path())
	if err != nil {
		return err
	}
	p.AliasDeclared = ok && e.Name != "" && core.NormalizeName(core.EcosystemNPM, e.Name) == core.NormalizeName(core.EcosystemNPM, p.Name)
	return nil
}

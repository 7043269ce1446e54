// Package scan is fnaudit's scan engine: the pipeline artifact → sbom →
// match → Go reachability → provenance → policy, as a library, in the shape
// of osv-scanner's osvscanner.DoScan and govulncheck's scan package.
//
// An Engine is opened once per process. It holds what every scan shares and
// what is costly to set up: the advisory store, syft's license scanner, the
// Sigstore trusted root and the limits. Engine.Scan runs one scan and is safe
// for concurrent use: each scan reads and writes only its own private
// temporary directory, passed explicitly to every stage, and changes no
// process-wide state (no environment variable, no memory limit).
//
// The result of a scan is self-contained (report.Report, the JSON
// fnaudit.report/v1): every output format can be rendered from it again
// without the artifact or the database.
package scan

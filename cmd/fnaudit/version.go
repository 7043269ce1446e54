package main

import (
	"encoding/json"
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

func init() { register(newVersionCmd) }

// version is set by a release build: go build -ldflags "-X main.version=v1.2.3".
// Without it the version comes from the build info (go install
// module@v1.2.3 records it), else the VCS revision.
var version string

// buildInfo is what `fnaudit version` reports.
type buildInfo struct {
	Version   string `json:"version"`
	Commit    string `json:"commit,omitempty"`
	BuildDate string `json:"buildDate,omitempty"`
	Modified  bool   `json:"modified,omitempty"`
	GoVersion string `json:"goVersion"`
	Platform  string `json:"platform"`
	Syft      string `json:"syft,omitempty"`
}

func readBuildInfo() buildInfo {
	b := buildInfo{Version: version, GoVersion: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		if b.Version == "" {
			b.Version = "(devel)"
		}
		return b
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			b.Commit = s.Value
		case "vcs.time":
			b.BuildDate = s.Value
		case "vcs.modified":
			b.Modified = s.Value == "true"
		}
	}
	for _, d := range bi.Deps {
		if d.Path == "github.com/anchore/syft" {
			b.Syft = d.Version
		}
	}
	if b.Version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		b.Version = bi.Main.Version
	}
	if b.Version == "" && len(b.Commit) >= 12 {
		b.Version = "devel+" + b.Commit[:12]
	}
	if b.Version == "" {
		b.Version = "(devel)"
	}
	return b
}

// toolVersion is the version fnaudit reports (--version, reports, the
// User-Agent).
func toolVersion() string { return readBuildInfo().Version }

func newVersionCmd(g *globalOptions) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print fnaudit's version, commit, build date, Go and syft versions",
		Example: `  fnaudit version
  fnaudit version -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			b := readBuildInfo()
			switch format {
			case "json":
				enc := json.NewEncoder(g.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(b)
			case "table", "text":
				fmt.Fprintf(g.stdout, "Version:    %s\nCommit:     %s\nBuildDate:  %s\nGoVersion:  %s\nPlatform:   %s\nSyft:       %s\n",
					b.Version, orDash(b.Commit), orDash(b.BuildDate), b.GoVersion, b.Platform, orDash(b.Syft))
				return nil
			}
			return fmt.Errorf("version: unknown format %q (want text or json)", format)
		},
	}
	cmd.Flags().StringVarP(&format, "output", "o", "text", "output format: text, json")
	return cmd
}

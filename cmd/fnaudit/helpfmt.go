package main

import (
	"strings"
	"sync"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// helpWidth is the width every help text fits.
const helpWidth = 100

// examples are the Example sections of the commands whose files are shared
// with other work (db), and of cobra's own completion commands, by command
// path; a command that sets its own Example keeps it.
var examples = map[string]string{
	"fnaudit": `  fnaudit db import testdata/osv
  fnaudit scan testdata/functions/node-app.zip
  fnaudit sbom testdata/functions/node-app.zip -o cyclonedx-json=sbom.cdx.json`,
	"fnaudit db": `  fnaudit db import testdata/osv
  fnaudit db status`,
	"fnaudit db import": `  fnaudit db import testdata/osv
  fnaudit db import osv-export/npm/all.zip blocklist.yaml`,
	"fnaudit db update": `  fnaudit db update
  fnaudit db update -e npm -e PyPI --source https://mirror.example.com/osv`,
	"fnaudit db status": `  fnaudit db status
  fnaudit db status -o json`,
	"fnaudit investigate": `  fnaudit investigate flatmap-stream
  fnaudit investigate 'npm/lodash@<4.17.21' -o csv
  fnaudit investigate --advisory GHSA-mh6f-8j2x-4483 -o json`,
	"fnaudit inventory": `  fnaudit inventory list
  fnaudit inventory show event-stream-reconstruction
  fnaudit inventory rematch`,
	"fnaudit inventory list":    `  fnaudit inventory list -o json`,
	"fnaudit inventory show":    `  fnaudit inventory show event-stream-reconstruction -o json`,
	"fnaudit inventory history": `  fnaudit inventory history event-stream-reconstruction`,
	"fnaudit inventory rematch": `  fnaudit db import osv-export/npm/all.zip && fnaudit inventory rematch
  fnaudit inventory rematch --full`,
	"fnaudit fleet": `  fnaudit fleet scan --manifest testdata/fleet/manifest.yaml
  fnaudit fleet status --inventory postgres://localhost/fnaudit`,
	"fnaudit fleet scan": `  fnaudit fleet scan --manifest testdata/fleet/manifest.yaml
  fnaudit fleet scan --source aws --region eu-west-1 --role-arn arn:aws:iam::123456789012:role/audit
  fnaudit fleet scan --manifest fleet.yaml --inventory postgres://localhost/fnaudit --enqueue`,
	"fnaudit fleet status": `  fnaudit fleet status --inventory postgres://localhost/fnaudit`,
	"fnaudit worker":       `  fnaudit worker --inventory postgres://localhost/fnaudit --concurrency 4`,
	"fnaudit completion": `  fnaudit completion bash > /etc/bash_completion.d/fnaudit
  fnaudit completion zsh > "${fpath[1]}/_fnaudit"`,
	"fnaudit completion bash":       `  source <(fnaudit completion bash)`,
	"fnaudit completion zsh":        `  fnaudit completion zsh > "${fpath[1]}/_fnaudit"`,
	"fnaudit completion fish":       `  fnaudit completion fish > ~/.config/fish/completions/fnaudit.fish`,
	"fnaudit completion powershell": `  fnaudit completion powershell | Out-String | Invoke-Expression`,
}

// addTemplateFuncs registers the help template's functions once: cobra
// keeps them in a package-level map, and commands run concurrently in one
// process (the tests) would otherwise write it at once.
var addTemplateFuncs sync.Once

// finishHelp gives every command its examples and wraps flag help at
// helpWidth (pflag's own help does not wrap). Shell completion is cobra's
// completion command, shown in the command list.
func finishHelp(root *cobra.Command) {
	root.InitDefaultCompletionCmd()
	addTemplateFuncs.Do(func() {
		cobra.AddTemplateFunc("wrapFlags", func(fs *pflag.FlagSet) string {
			return strings.TrimRight(fs.FlagUsagesWrapped(helpWidth-1), " \n") + "\n"
		})
	})
	tmpl := root.UsageTemplate()
	tmpl = strings.ReplaceAll(tmpl, ".LocalFlags.FlagUsages | trimTrailingWhitespaces", "wrapFlags .LocalFlags | trimTrailingWhitespaces")
	tmpl = strings.ReplaceAll(tmpl, ".InheritedFlags.FlagUsages | trimTrailingWhitespaces", "wrapFlags .InheritedFlags | trimTrailingWhitespaces")
	root.SetUsageTemplate(tmpl)
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Example == "" {
			c.Example = examples[c.CommandPath()]
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

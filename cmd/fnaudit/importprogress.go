package main

import (
	"context"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"

	"github.com/fnaudit/fnaudit/feeds"
)

// importProgress shows a running record count while db import works (a
// 250,000-record import takes minutes), on a terminal only and never with
// -q or --no-progress: the same mpb display as db update's download bars.
// done clears it.
func importProgress(ctx context.Context, g *globalOptions) (opt feeds.ImportOption, done func(ok bool)) {
	if !showProgress(g) {
		return feeds.WithRecordProgress(nil), func(bool) {}
	}
	p := mpb.NewWithContext(ctx, mpb.WithOutput(g.stderr), mpb.WithWidth(40))
	bar := p.New(0, mpb.SpinnerStyle(),
		mpb.PrependDecorators(decor.Name("importing ")),
		mpb.AppendDecorators(decor.CurrentNoUnit("%d records"), decor.Name(" "), decor.AverageSpeed(0, "%.0f/s")),
		mpb.BarRemoveOnComplete())
	opt = feeds.WithRecordProgress(func(read int) { bar.SetCurrent(int64(read)) })
	return opt, func(ok bool) {
		if ok {
			bar.SetTotal(-1, true)
		} else {
			bar.Abort(true)
		}
		p.Wait()
	}
}

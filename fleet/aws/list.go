package aws

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/fnaudit/fnaudit/fleet"
	"github.com/fnaudit/fnaudit/fleet/config"
)

// List lists every function (every version with AllVersions) of every role
// and region. It returns all it could list together with an error (joined,
// one line per failure) naming each scope that could not be listed and each
// function or layer whose details could not be read: the caller scans what
// came back and still fails the run.
func (s *Source) List(ctx context.Context) ([]fleet.Function, error) {
	var all []fleet.Function
	var errs []error
	seen := map[string]bool{}
	for _, sc := range s.scopes {
		fns, err := s.listScope(ctx, sc)
		for _, f := range fns {
			// Two roles into one account list the same functions: keep the first.
			if !seen[f.ARN] {
				seen[f.ARN] = true
				all = append(all, f)
			}
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	return all, errors.Join(errs...)
}

func (s *Source) remember(sc *scope, account string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sc.account = account
	s.byKey[account+"/"+sc.region] = sc
}

func (s *Source) scopeFor(f fleet.Function) (*scope, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sc := s.byKey[f.Account+"/"+f.Region]
	if sc == nil {
		return nil, fmt.Errorf("function %s: not listed by this source (no credentials for account %s in %s)", f.ID(), f.Account, f.Region)
	}
	return sc, nil
}

func (s *Source) listScope(ctx context.Context, sc *scope) ([]fleet.Function, error) {
	in := &lambda.ListFunctionsInput{}
	if s.opts.AllVersions {
		in.FunctionVersion = types.FunctionVersionAll
	}
	if s.opts.PageSize > 0 {
		in.MaxItems = aws.Int32(s.opts.PageSize)
	}
	var fns []fleet.Function
	var errs []error
	pages := lambda.NewListFunctionsPaginator(sc.lambda, in)
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return fns, fmt.Errorf("aws: list functions (%s): %w", sc, err)
		}
		for _, c := range page.Functions {
			f, err := s.fromConfig(c, sc)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			fns = append(fns, f)
		}
	}
	if err := s.resolveLayers(ctx, sc, fns); err != nil {
		errs = append(errs, err)
	}
	if !s.opts.ListOnly {
		results := fleet.ForEach(ctx, fns, s.opts.Concurrency, func(ctx context.Context, i int, f fleet.Function) error {
			fresh, err := s.getFunction(ctx, sc, f)
			if err != nil {
				return err
			}
			fns[i].Code = fresh.Code
			fns[i].ImageURI = fresh.ImageURI
			fns[i].ResolvedImageURI = fresh.ResolvedImageURI
			return nil
		})
		errs = append(errs, results...)
	}
	return fns, errors.Join(errs...)
}

// fromConfig turns one FunctionConfiguration into a fleet.Function. The
// environment values are checked for credentials here and dropped.
func (s *Source) fromConfig(c types.FunctionConfiguration, sc *scope) (fleet.Function, error) {
	arn := aws.ToString(c.FunctionArn)
	parts := strings.Split(arn, ":")
	if len(parts) < 7 || parts[2] != "lambda" || parts[5] != "function" {
		return fleet.Function{}, fmt.Errorf("aws: list functions (%s): function %q has an unreadable ARN %q", sc, aws.ToString(c.FunctionName), arn)
	}
	s.remember(sc, parts[4])
	f := fleet.Function{
		Source:                   fleet.SourceAWS,
		Account:                  parts[4],
		Region:                   sc.region,
		Name:                     aws.ToString(c.FunctionName),
		Qualifier:                aws.ToString(c.Version),
		ARN:                      arn,
		PackageType:              fleet.PackageZip,
		Runtime:                  string(c.Runtime),
		CodeSha256:               aws.ToString(c.CodeSha256),
		CodeSize:                 c.CodeSize,
		Role:                     aws.ToString(c.Role),
		SigningProfileVersionArn: aws.ToString(c.SigningProfileVersionArn),
		SigningJobArn:            aws.ToString(c.SigningJobArn),
		LastModified:             aws.ToString(c.LastModified),
	}
	if c.PackageType == types.PackageTypeImage {
		f.PackageType = fleet.PackageImage
	}
	for _, a := range c.Architectures {
		f.Architectures = append(f.Architectures, string(a))
	}
	for _, l := range c.Layers {
		f.Layers = append(f.Layers, fleet.Layer{
			ARN:                      aws.ToString(l.Arn),
			CodeSize:                 l.CodeSize,
			SigningProfileVersionArn: aws.ToString(l.SigningProfileVersionArn),
			SigningJobArn:            aws.ToString(l.SigningJobArn),
		})
	}
	var env map[string]string
	if c.Environment != nil {
		env = c.Environment.Variables
	}
	if err := config.Check(&f, env, s.now()); err != nil {
		return f, err
	}
	return f, nil
}

// resolveLayers fills each layer's CodeSha256 and Location with one
// GetLayerVersionByArn per distinct layer version in the scope.
func (s *Source) resolveLayers(ctx context.Context, sc *scope, fns []fleet.Function) error {
	seen := map[string]bool{}
	var arns []string
	for _, f := range fns {
		for _, l := range f.Layers {
			if !seen[l.ARN] {
				seen[l.ARN] = true
				arns = append(arns, l.ARN)
			}
		}
	}
	sort.Strings(arns)
	got := make([]fleet.Layer, len(arns))
	errs := fleet.ForEach(ctx, arns, s.opts.Concurrency, func(ctx context.Context, i int, arn string) error {
		l, err := getLayer(ctx, sc, arn)
		got[i] = l
		return err
	})
	byARN := map[string]fleet.Layer{}
	for i, arn := range arns {
		if errs[i] == nil {
			byARN[arn] = got[i]
		}
	}
	for i := range fns {
		for j, l := range fns[i].Layers {
			if r, ok := byARN[l.ARN]; ok {
				r.SigningJobArn = cmpStr(r.SigningJobArn, l.SigningJobArn)
				r.SigningProfileVersionArn = cmpStr(r.SigningProfileVersionArn, l.SigningProfileVersionArn)
				fns[i].Layers[j] = r
			}
		}
	}
	return errors.Join(errs...)
}

func getLayer(ctx context.Context, sc *scope, arn string) (fleet.Layer, error) {
	out, err := sc.lambda.GetLayerVersionByArn(ctx, &lambda.GetLayerVersionByArnInput{Arn: aws.String(arn)})
	if err != nil {
		return fleet.Layer{ARN: arn}, fmt.Errorf("aws: layer %s (%s): %w", arn, sc, err)
	}
	l := fleet.Layer{ARN: arn}
	if c := out.Content; c != nil {
		l.CodeSha256 = aws.ToString(c.CodeSha256)
		l.CodeSize = c.CodeSize
		l.Location = aws.ToString(c.Location)
		l.SigningJobArn = aws.ToString(c.SigningJobArn)
		l.SigningProfileVersionArn = aws.ToString(c.SigningProfileVersionArn)
	}
	if l.CodeSha256 == "" || l.Location == "" {
		return l, fmt.Errorf("aws: layer %s (%s): GetLayerVersionByArn gave no CodeSha256 or Location", arn, sc)
	}
	return l, nil
}

// getFunction calls GetFunction for f's version and returns f with a fresh
// Code location (zip) or image URIs, and the CodeSha256 Lambda gives now.
func (s *Source) getFunction(ctx context.Context, sc *scope, f fleet.Function) (fleet.Function, error) {
	in := &lambda.GetFunctionInput{FunctionName: aws.String(f.Name)}
	if f.Qualifier != "" {
		in.Qualifier = aws.String(f.Qualifier)
	}
	out, err := sc.lambda.GetFunction(ctx, in)
	if err != nil {
		return f, fmt.Errorf("aws: function %s: GetFunction: %w", f.ID(), err)
	}
	if out.Configuration != nil && out.Configuration.CodeSha256 != nil {
		f.CodeSha256 = aws.ToString(out.Configuration.CodeSha256)
	}
	if out.Code == nil {
		return f, fmt.Errorf("aws: function %s: GetFunction gave no Code", f.ID())
	}
	f.Code = aws.ToString(out.Code.Location)
	f.ImageURI = aws.ToString(out.Code.ImageUri)
	f.ResolvedImageURI = aws.ToString(out.Code.ResolvedImageUri)
	if f.PackageType == fleet.PackageImage && f.ResolvedImageURI == "" {
		return f, fmt.Errorf("aws: function %s: GetFunction gave no ResolvedImageUri", f.ID())
	}
	if f.PackageType == fleet.PackageZip && f.Code == "" {
		return f, fmt.Errorf("aws: function %s: GetFunction gave no Code.Location", f.ID())
	}
	return f, nil
}

// RefreshFunction implements fleet.Refresher: a fresh GetFunction.
func (s *Source) RefreshFunction(ctx context.Context, f fleet.Function) (fleet.Function, error) {
	sc, err := s.scopeFor(f)
	if err != nil {
		return f, err
	}
	return s.getFunction(ctx, sc, f)
}

// RefreshLayer implements fleet.Refresher: a fresh GetLayerVersionByArn in
// f's account and region.
func (s *Source) RefreshLayer(ctx context.Context, f fleet.Function, l fleet.Layer) (fleet.Layer, error) {
	sc, err := s.scopeFor(f)
	if err != nil {
		return l, err
	}
	return getLayer(ctx, sc, l.ARN)
}

func cmpStr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

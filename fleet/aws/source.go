// Package aws lists the Lambda functions of one or more AWS accounts and
// regions with aws-sdk-go-v2, and implements fleet.Source, fleet.Refresher
// and fleet.ImageAuthorizer. Credentials come from the SDK's standard chain
// (or a named profile); other accounts are reached by assuming roles through
// STS. Throttling of the API calls is retried by the SDK's own standard
// retryer (TooManyRequestsException is one of its throttle codes); downloads
// of the code are the fleet.Fetcher's job.
package aws

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// Defaults.
const (
	DefaultMaxAttempts = 8 // SDK attempts per API call (the SDK's own default is 3)
	DefaultMaxBackoff  = 20 * time.Second
	SessionName        = "fnaudit-fleet"
)

// Role is an IAM role to assume in another account.
type Role struct {
	ARN        string
	ExternalID string // optional; passed as sts:ExternalId
}

// Options configure a Source. Zero values take the SDK's defaults.
type Options struct {
	Profile     string   // shared config profile (--profile); empty: the default chain
	Regions     []string // --region, repeatable; empty: the region of the loaded config
	Roles       []Role   // --role-arn/--external-id, repeatable; empty: the caller's own account
	AllVersions bool     // --all-versions: ListFunctions with FunctionVersion=ALL

	// ListOnly skips GetFunction while listing: functions come back with
	// their CodeSha256 and configuration but no Code location, which the
	// Fetcher gets through RefreshFunction only for what it downloads. The
	// layer digests are still resolved (GetLayerVersionByArn, once per layer
	// version), since a skip-unchanged plan compares them.
	ListOnly bool

	PageSize int32 // ListFunctions MaxItems per page; 0: Lambda's default (50)

	Concurrency int // GetFunction / GetLayerVersionByArn calls in flight; default 8

	// MaxAttempts and MaxBackoff configure the SDK's standard retryer.
	MaxAttempts int
	MaxBackoff  time.Duration

	// BaseEndpoint sends Lambda, STS and ECR calls to one URL (tests point it
	// at awstest). Empty: the real AWS endpoints.
	BaseEndpoint string
	// Credentials replace the default chain (tests); nil: the chain.
	Credentials aws.CredentialsProvider
	HTTPClient  *http.Client // nil: the SDK's

	Now func() time.Time // clock for eol-runtime findings; nil: time.Now
}

// Source lists Lambda functions. Build it with New.
type Source struct {
	opts   Options
	base   aws.Config
	scopes []*scope
	// byKey finds the scope of a listed function for refreshes: account/region.
	mu    sync.Mutex
	byKey map[string]*scope
	auth  *ecrAuth
}

// scope is one (credentials, region) pair: a role (or the caller's own
// identity) in one region.
type scope struct {
	role    Role // zero for the caller's own identity
	region  string
	cfg     aws.Config
	lambda  *lambda.Client
	ecr     *ecr.Client
	account string // learnt from the first function ARN listed
}

func (s *scope) String() string {
	who := "caller's credentials"
	if s.role.ARN != "" {
		who = "role " + s.role.ARN
	}
	return fmt.Sprintf("%s in %s", who, s.region)
}

// New loads the configuration and builds one client per role and region.
// Nothing is called yet.
func New(ctx context.Context, opts Options) (*Source, error) {
	load := []func(*awsconfig.LoadOptions) error{
		awsconfig.WithRetryer(func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxAttempts = cmp(opts.MaxAttempts, DefaultMaxAttempts)
				o.MaxBackoff = cmpDur(opts.MaxBackoff, DefaultMaxBackoff)
			})
		}),
	}
	if opts.Profile != "" {
		load = append(load, awsconfig.WithSharedConfigProfile(opts.Profile))
	}
	if opts.Credentials != nil {
		load = append(load, awsconfig.WithCredentialsProvider(opts.Credentials))
	}
	if opts.HTTPClient != nil {
		load = append(load, awsconfig.WithHTTPClient(opts.HTTPClient))
	}
	base, err := awsconfig.LoadDefaultConfig(ctx, load...)
	if err != nil {
		return nil, fmt.Errorf("aws: load configuration: %w", err)
	}
	regions := opts.Regions
	if len(regions) == 0 {
		if base.Region == "" {
			return nil, errors.New("aws: no region: pass --region or set one in the AWS configuration")
		}
		regions = []string{base.Region}
	}
	s := &Source{opts: opts, base: base, byKey: map[string]*scope{}, auth: newECRAuth()}
	roles := opts.Roles
	if len(roles) == 0 {
		roles = []Role{{}}
	}
	for _, role := range roles {
		cfg := base.Copy()
		if role.ARN != "" {
			// STS is called in the first region; the credentials it returns
			// are global and serve every region.
			stsCfg := base.Copy()
			stsCfg.Region = regions[0]
			stsClient := sts.NewFromConfig(stsCfg, func(o *sts.Options) {
				if opts.BaseEndpoint != "" {
					o.BaseEndpoint = aws.String(opts.BaseEndpoint)
				}
			})
			provider := stscreds.NewAssumeRoleProvider(stsClient, role.ARN, func(o *stscreds.AssumeRoleOptions) {
				o.RoleSessionName = SessionName
				if role.ExternalID != "" {
					o.ExternalID = aws.String(role.ExternalID)
				}
			})
			cfg.Credentials = aws.NewCredentialsCache(provider)
		}
		for _, region := range regions {
			rc := cfg.Copy()
			rc.Region = region
			sc := &scope{role: role, region: region, cfg: rc}
			sc.lambda = lambda.NewFromConfig(rc, func(o *lambda.Options) {
				if opts.BaseEndpoint != "" {
					o.BaseEndpoint = aws.String(opts.BaseEndpoint)
				}
			})
			sc.ecr = ecr.NewFromConfig(rc, func(o *ecr.Options) {
				if opts.BaseEndpoint != "" {
					o.BaseEndpoint = aws.String(opts.BaseEndpoint)
				}
			})
			s.scopes = append(s.scopes, sc)
		}
	}
	return s, nil
}

func (s *Source) now() time.Time {
	if s.opts.Now != nil {
		return s.opts.Now()
	}
	return time.Now()
}

func cmp(v, def int) int {
	if v > 0 {
		return v
	}
	return def
}

func cmpDur(v, def time.Duration) time.Duration {
	if v > 0 {
		return v
	}
	return def
}

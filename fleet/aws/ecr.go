package aws

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"

	"github.com/fnaudit/fnaudit/fleet"
)

// ecrAuth caches one ECR token per scope until shortly before it expires.
type ecrAuth struct {
	mu     sync.Mutex
	tokens map[*scope]ecrToken
}

type ecrToken struct {
	auth    authn.Authenticator
	expires time.Time
}

func newECRAuth() *ecrAuth { return &ecrAuth{tokens: map[*scope]ecrToken{}} }

// ImageAuth implements fleet.ImageAuthorizer: an authenticator for the ECR
// registries f's account may read, from ecr:GetAuthorizationToken in f's
// account and region (the token is "AWS:<password>", base64).
func (s *Source) ImageAuth(ctx context.Context, f fleet.Function) (authn.Authenticator, error) {
	sc, err := s.scopeFor(f)
	if err != nil {
		return nil, err
	}
	s.auth.mu.Lock()
	defer s.auth.mu.Unlock()
	if t, ok := s.auth.tokens[sc]; ok && time.Until(t.expires) > 5*time.Minute {
		return t.auth, nil
	}
	out, err := sc.ecr.GetAuthorizationToken(ctx, &ecr.GetAuthorizationTokenInput{})
	if err != nil {
		return nil, fmt.Errorf("aws: function %s: ECR GetAuthorizationToken: %w", f.ID(), err)
	}
	if len(out.AuthorizationData) == 0 {
		return nil, fmt.Errorf("aws: function %s: ECR GetAuthorizationToken gave no token", f.ID())
	}
	d := out.AuthorizationData[0]
	raw, err := base64.StdEncoding.DecodeString(aws.ToString(d.AuthorizationToken))
	if err != nil {
		return nil, fmt.Errorf("aws: function %s: ECR token is not base64: %w", f.ID(), err)
	}
	user, pass, ok := strings.Cut(string(raw), ":")
	if !ok {
		return nil, fmt.Errorf("aws: function %s: ECR token is not user:password", f.ID())
	}
	a := &authn.Basic{Username: user, Password: pass}
	exp := time.Now().Add(time.Hour)
	if d.ExpiresAt != nil {
		exp = *d.ExpiresAt
	}
	s.auth.tokens[sc] = ecrToken{auth: a, expires: exp}
	return a, nil
}

// ImageRef returns the reference to pull for an image function: the
// digest-pinned ResolvedImageURI (what Lambda runs), never a moving tag.
func ImageRef(f fleet.Function) (name.Reference, error) {
	if f.ResolvedImageURI == "" {
		return nil, fmt.Errorf("function %s: no resolved image URI (GetFunction Code.ResolvedImageUri)", f.ID())
	}
	ref, err := name.NewDigest(f.ResolvedImageURI)
	if err != nil {
		return nil, fmt.Errorf("function %s: resolved image URI %q: %w", f.ID(), f.ResolvedImageURI, err)
	}
	return ref, nil
}
